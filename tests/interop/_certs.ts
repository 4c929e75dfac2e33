/**
 * Test certificates made with openssl at test time: a throwaway CA and a server certificate
 * for 127.0.0.1 / localhost signed by it (EC P-256, valid two days). Clients trust `caCert`
 * (Deno: `--cert <caCert>` or `DENO_CERT=<caCert>` in a subprocess).
 *
 * @module
 */

import { runProcess } from "./_process.ts";

/** Paths of the generated PEM files. */
export interface TestCerts {
  /** The CA certificate: what clients trust. */
  caCert: string;
  /** The server certificate (signed by the CA; SAN IP:127.0.0.1, DNS:localhost). */
  cert: string;
  /** The server's private key (unencrypted). */
  key: string;
}

/** Writes a CA and a server certificate into `dir` (which must exist). */
export async function makeTestCerts(
  dir: string,
  options: { commonName?: string; timeoutMs?: number } = {},
): Promise<TestCerts> {
  const caKey = `${dir}/ca.key`;
  const caCert = `${dir}/ca.pem`;
  const key = `${dir}/server.key`;
  const csr = `${dir}/server.csr`;
  const cert = `${dir}/server.pem`;
  const ext = `${dir}/server.ext`;
  await Deno.writeTextFile(
    ext,
    [
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "",
    ].join("\n"),
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const steps: string[][] = [
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      caKey,
      "-out",
      caCert,
      "-days",
      "2",
      "-subj",
      "/CN=webrtc2sip interop test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    [
      "req",
      ...ec,
      "-keyout",
      key,
      "-out",
      csr,
      "-subj",
      `/CN=${options.commonName ?? "localhost"}`,
    ],
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caCert,
      "-CAkey",
      caKey,
      "-CAcreateserial",
      "-out",
      cert,
      "-days",
      "2",
      "-extfile",
      ext,
    ],
  ];
  for (const args of steps) {
    const result = await runProcess("openssl", args, { timeoutMs: options.timeoutMs ?? 15_000 });
    if (result.code !== 0) {
      throw new Error(`openssl ${args[0]} failed (${result.code}): ${result.stderr}`);
    }
  }
  return { caCert, cert, key };
}
