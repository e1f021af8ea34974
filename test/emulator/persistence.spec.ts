// The state file: a second emulator started on the same file sees the first one's world
// (objects, entity tags, working API keys and even tokens), and the file holds no key values.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startIamEmulator } from "../../emulator";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    ADMIN_KEY_A,
    ADMIN_KEY_B,
    APIKEY_GRANT,
    bearer,
    client,
    createApiKey,
    createServiceId,
    registryPolicy,
    startHarness,
    tokenFor,
    tokenRequest,
} from "./harness";

describe("IAM emulator: state file", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-emulator-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("lets a second emulator on the same file see the first one's world", async () => {
        const stateFile = path.join(dir, "world.json");
        const first = await startHarness({ stateFile });
        const token = await tokenFor(first.http, ADMIN_KEY_A);
        const sid = await createServiceId(first.http, token, ACCOUNT_A, "persistent");
        const key = await createApiKey(first.http, token, sid.iam_id);
        const policy = await first.http.post(
            "/v1/policies",
            registryPolicy(ACCOUNT_A, sid.iam_id),
            bearer(token),
        );
        await first.iam.close();

        const second = await startHarness({ stateFile });
        try {
            expect(second.iam.url).to.not.equal("");
            const got = await second.http.get(`/v1/serviceids/${sid.id}`, bearer(token));
            expect(got.status, "a token of the first instance still works").to.equal(200);
            expect(got.data).to.deep.equal(sid);
            const gotPolicy = await second.http.get(`/v1/policies/${policy.data.id}`, bearer(token));
            expect(gotPolicy.headers.etag).to.equal(policy.headers.etag);
            const exchange = await tokenRequest(second.http, {
                grant_type: APIKEY_GRANT,
                apikey: key.apikey,
            });
            expect(exchange.status).to.equal(200);
            const gotKey = await second.http.get(`/v1/apikeys/${key.id}`, bearer(token));
            expect(gotKey.data).to.not.have.property("apikey");
        } finally {
            await second.iam.close();
        }
        const text = fs.readFileSync(stateFile, "utf8");
        expect(text).to.not.contain(key.apikey);
        expect(text).to.not.contain(ADMIN_KEY_A);
        expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("writes the file after every mutation, not only at close", async () => {
        const stateFile = path.join(dir, "live.json");
        const h = await startHarness({ stateFile });
        try {
            const token = await tokenFor(h.http, ADMIN_KEY_B);
            const sid = await createServiceId(h.http, token, ACCOUNT_B, "written-at-once");
            expect(fs.readFileSync(stateFile, "utf8")).to.contain(sid.id);
            await h.http.delete(`/v1/serviceids/${sid.id}`, bearer(token));
            expect(fs.readFileSync(stateFile, "utf8")).to.not.contain(sid.id);
        } finally {
            await h.iam.close();
        }
    });

    it("rejects a state file that is not the emulator's, with a clear message", async () => {
        const stateFile = path.join(dir, "garbage.json");
        fs.writeFileSync(stateFile, '{"hello": "world"}');
        let error: Error | undefined;
        await startIamEmulator({
            accounts: [{ accountId: ACCOUNT_A, apiKey: ADMIN_KEY_A }],
            stateFile,
        }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal(
            `state file ${stateFile}: not an IAM emulator state file (expected "format": ` +
                `"pulumi-icr-access/iam-emulator-state", "version": 1). Delete it or pass another --state-file.`,
        );
    });

    it("keeps worlds apart without a state file", async () => {
        const a = await startHarness();
        const b = await startHarness();
        try {
            const tokenA = await tokenFor(a.http, ADMIN_KEY_A);
            const sid = await createServiceId(a.http, tokenA, ACCOUNT_A, "only-in-a");
            const tokenB = await tokenFor(b.http, ADMIN_KEY_A);
            expect((await b.http.get(`/v1/serviceids/${sid.id}`, bearer(tokenB))).status).to.equal(404);
            expect((await client(b.iam.url).get(`/v1/serviceids/${sid.id}`, bearer(tokenA))).status).to.equal(
                401,
            );
        } finally {
            await a.iam.close();
            await b.iam.close();
        }
    });
});

describe("IAM emulator: options", () => {
    it("rejects malformed options, listing every problem", async () => {
        let error: Error | undefined;
        await startIamEmulator({
            accounts: [
                { accountId: "not-an-account", apiKey: "k1" },
                { accountId: ACCOUNT_B, apiKey: "" },
            ],
            port: 70000,
        }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal(
            "IAM emulator options are invalid:\n" +
                ' - accounts[0].accountId: "not-an-account" is not an IBM Cloud account id (32 lowercase hexadecimal ' +
                "characters, e.g. 0123456789abcdef0123456789abcdef)\n" +
                " - accounts[1].apiKey: must be a non-empty string\n" +
                " - port: 70000 is not a port number (0-65535; 0 = any free port)",
        );
    });

    it("listens on 127.0.0.1 and a free port by default", async () => {
        const iam = await startIamEmulator({ accounts: [{ accountId: ACCOUNT_A, apiKey: ADMIN_KEY_A }] });
        try {
            expect(iam.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
            expect(iam.url).to.not.match(/:0$/);
        } finally {
            await iam.close();
        }
    });
});
