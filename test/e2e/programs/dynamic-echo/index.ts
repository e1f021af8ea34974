// A trivial dynamic resource: its provider runs in the engine's dynamic-provider
// host process and reports that process's pid, so the test can tell it ran there.
import * as pulumi from "@pulumi/pulumi";

interface EchoInputs {
    message: string;
}
interface EchoOutputs extends EchoInputs {
    shouted: string;
    providerPid: number;
}

class EchoProvider implements pulumi.dynamic.ResourceProvider<EchoInputs, EchoOutputs> {
    async create(inputs: EchoInputs): Promise<pulumi.dynamic.CreateResult<EchoOutputs>> {
        return {
            id: `echo-${inputs.message}`,
            outs: { ...inputs, shouted: inputs.message.toUpperCase(), providerPid: process.pid },
        };
    }
    async diff(_id: string, olds: EchoOutputs, news: EchoInputs): Promise<pulumi.dynamic.DiffResult> {
        return {
            changes: olds.message !== news.message,
            replaces: olds.message !== news.message ? ["message"] : [],
        };
    }
}

const echoProvider = new EchoProvider();

class Echo extends pulumi.dynamic.Resource {
    declare public readonly shouted: pulumi.Output<string>;
    declare public readonly providerPid: pulumi.Output<number>;
    constructor(name: string, args: { message: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(
            echoProvider,
            name,
            { ...args, shouted: undefined, providerPid: undefined },
            opts,
            "bed",
            "Echo",
        );
    }
}

const echo = new Echo("echo", { message: new pulumi.Config().require("message") });
export const shouted = echo.shouted;
export const providerPid = echo.providerPid;
export const programPid = process.pid;
