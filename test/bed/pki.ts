// Certificates for the test bed, made with openssl: a CA, and server or client certificates it
// signs. Used to make kube-apiserver trust client certificates (`--client-ca-file`) and an
// HTTPS IAM emulator as an OpenID issuer (`--oidc-ca-file`).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** A certificate authority: files in `dir`. */
export interface TestCa {
    readonly certFile: string;
    readonly keyFile: string;
    readonly certPem: string;
}

/** A key pair and certificate signed by a {@link TestCa}. */
export interface TestCert {
    readonly certFile: string;
    readonly keyFile: string;
    readonly certPem: string;
    readonly keyPem: string;
}

function openssl(args: string[]): void {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Makes a self-signed CA named `name` in `dir`. */
export function makeCa(dir: string, name: string): TestCa {
    const keyFile = path.join(dir, `${name}.key`);
    const certFile = path.join(dir, `${name}.crt`);
    openssl(["genrsa", "-out", keyFile, "2048"]);
    openssl([
        "req",
        "-x509",
        "-new",
        "-key",
        keyFile,
        "-sha256",
        "-days",
        "2",
        "-subj",
        `/CN=${name}`,
        "-out",
        certFile,
    ]);
    return { certFile, keyFile, certPem: fs.readFileSync(certFile, "utf8") };
}

/**
 * Issues a certificate. A server certificate gets the given IP and DNS names; a client
 * certificate's CN and O are the user and groups kube-apiserver reads.
 */
export function issueCert(
    ca: TestCa,
    dir: string,
    name: string,
    opts: {
        cn: string;
        organizations?: string[];
        ips?: string[];
        dns?: string[];
        usage: "server" | "client";
    },
): TestCert {
    const keyFile = path.join(dir, `${name}.key`);
    const csrFile = path.join(dir, `${name}.csr`);
    const certFile = path.join(dir, `${name}.crt`);
    const extFile = path.join(dir, `${name}.ext`);
    openssl(["genrsa", "-out", keyFile, "2048"]);
    const subject = `/CN=${opts.cn}${(opts.organizations ?? []).map((o) => `/O=${o}`).join("")}`;
    openssl(["req", "-new", "-key", keyFile, "-subj", subject, "-out", csrFile]);
    const san = [...(opts.ips ?? []).map((ip) => `IP:${ip}`), ...(opts.dns ?? []).map((d) => `DNS:${d}`)];
    fs.writeFileSync(
        extFile,
        [
            "basicConstraints=CA:FALSE",
            "keyUsage=digitalSignature,keyEncipherment",
            `extendedKeyUsage=${opts.usage === "server" ? "serverAuth" : "clientAuth"}`,
            ...(san.length > 0 ? [`subjectAltName=${san.join(",")}`] : []),
            "",
        ].join("\n"),
    );
    openssl([
        "x509",
        "-req",
        "-in",
        csrFile,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-CAcreateserial",
        "-days",
        "2",
        "-sha256",
        "-extfile",
        extFile,
        "-out",
        certFile,
    ]);
    return {
        certFile,
        keyFile,
        certPem: fs.readFileSync(certFile, "utf8"),
        keyPem: fs.readFileSync(keyFile, "utf8"),
    };
}
