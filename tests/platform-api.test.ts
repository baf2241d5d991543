/**
 * The API client against the reference API over HTTPS (a CA made by this test): login, bearer
 * tokens, re-login on 401, retries on 5xx and never on 4xx, malformed answers, TLS trust, and
 * resources served under a hardware-bound key.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiClient, type ApiClientOptions } from "../src-workers/platform/api-client.js";
import { decryptBuffer, encryptBuffer } from "../src-workers/platform/envelope.js";
import { ApiError, WrongKeyError } from "../src-workers/platform/errors.js";
import { machineFingerprint, type FingerprintSources } from "../src-workers/platform/fingerprint.js";
import { deriveHardwareKey } from "../src-workers/platform/keys.js";
import { makeCa, makeServerCert } from "./support/reference-api/certs.js";
import { ReferenceApi } from "./support/reference-api/server.js";

const USER = { email: "analyst@azaion.test", password: randomBytes(12).toString("hex") };
let dir: string;
let caFile: string;
let api: ReferenceApi;
let foreign: ReferenceApi;

const sources = (disk: string): FingerprintSources => ({
  cpuModel: () => Promise.resolve("Test CPU"),
  gpus: () => Promise.resolve(undefined),
  totalRamBytes: () => Promise.resolve(16 * 1024 ** 3),
  systemDiskSerial: () => Promise.resolve(disk),
  machineId: () => Promise.resolve(undefined),
});

function client(over: Partial<ApiClientOptions> = {}): ApiClient {
  return new ApiClient({
    url: api.url,
    ...USER,
    caFile,
    timeoutMs: 5000,
    retries: 3,
    backoffMs: 10,
    ...over,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-platform-api-"));
  const ca = makeCa(dir, "azaion");
  caFile = ca.certFile;
  api = await new ReferenceApi({ users: [USER], tls: makeServerCert(dir, ca) }).start();
  // The same API name, but a certificate from a CA the client was not told to trust.
  const other = makeCa(dir, "intruder");
  foreign = await new ReferenceApi({
    users: [USER],
    tls: makeServerCert(dir, other, "intruder-server"),
  }).start();
});

afterAll(async () => {
  await api?.stop();
  await foreign?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.log.length = 0;
  api.hardware.clear();
});

const statuses = () => api.log.map((r) => `${r.path} ${r.status}`);

describe("API client", () => {
  it("logs in, uploads a resource (multipart) and downloads it hardware-bound", async () => {
    const c = client();
    expect(await c.login()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const data = randomBytes(70_000);
    const up = await c.uploadResource("models", "part.small", data);
    expect(up).toMatchObject({ name: "part.small", size: data.length });
    expect(api.store.get("models")?.get("part.small")?.equals(data)).toBe(true);
    const fp = (await machineFingerprint(sources("DISK-A"))).hash;
    expect((await c.getResource("models", "part.small", fp)).equals(data)).toBe(true);
    // Streaming a file source works the same.
    const file = join(dir, "upload.bin");
    await writeFile(file, data.subarray(0, 1234));
    expect((await c.uploadResource("models", "file.bin", { file })).size).toBe(1234);
  });

  it("refuses wrong credentials with a clear error", async () => {
    const err = await client({ password: "wrong" })
      .login()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as Error).message).toMatch(
      /refused the credentials of analyst@azaion\.test.*wrong email or password/,
    );
    expect(statuses()).toEqual(["/login 401"]);
  });

  it("logs in again once when the token expired (401), then goes on", async () => {
    const c = client();
    await c.uploadResource("models", "a.bin", Buffer.from("a"));
    api.expireTokens();
    api.log.length = 0;
    await c.uploadResource("models", "b.bin", Buffer.from("b"));
    expect(statuses()).toEqual(["/resources/models 401", "/login 200", "/resources/models 200"]);
  });

  it("retries 5xx with backoff and succeeds; gives up after the set tries", async () => {
    const c = client();
    await c.login();
    api.log.length = 0;
    api.fail(2, 503);
    await c.uploadResource("models", "c.bin", Buffer.from("c"));
    expect(statuses()).toEqual(["/resources/models 503", "/resources/models 503", "/resources/models 200"]);
    api.log.length = 0;
    api.fail(10, 500);
    const err = await client({ retries: 2 })
      .login()
      .catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(500);
    expect(api.log).toHaveLength(3);
    api.fail(0, 500);
  });

  it("never retries a 4xx", async () => {
    const c = client();
    await c.login();
    api.log.length = 0;
    api.fail(1, 400);
    const err = await c.uploadResource("models", "d.bin", Buffer.from("d")).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(400);
    expect((err as Error).message).toMatch(/HTTP 400: injected failure/);
    expect(api.log).toHaveLength(1);
    const missing = await c.getResource("models", "nothing.bin", "ab".repeat(32)).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
    expect((missing as Error).message).toMatch(/no resource models\/nothing\.bin/);
    expect(api.log).toHaveLength(2);
  });

  it("reports a malformed answer (bad JSON, wrong shape) as an error, not a crash", async () => {
    api.malform("{not json");
    await expect(client().login()).rejects.toThrow(/POST \/login: the answer is not valid JSON/);
    api.malform('{"token": 42}');
    await expect(client().login()).rejects.toThrow(/POST \/login: unexpected answer: token: /);
    const c = client();
    await c.login();
    api.malform('{"name": "x", "size": -1, "sha256": "nope"}');
    await expect(c.uploadResource("models", "e.bin", Buffer.from("e"))).rejects.toThrow(
      /unexpected answer: size: .*sha256/,
    );
  });

  it("refuses a server certificate from another CA, and plain http", async () => {
    for (const c of [client({ url: foreign.url }), client({ url: foreign.url, caFile: "" })]) {
      const err = await c.login().catch((e: unknown) => e);
      expect((err as ApiError).code).toBe("E_API_TLS");
      expect((err as Error).message).toMatch(/certificate is not trusted.*api\.ca_file/);
    }
    expect(foreign.log).toHaveLength(0);
    expect(() => client({ url: "http://127.0.0.1:1" })).toThrow(/must be https/);
    expect(() => client({ caFile: join(dir, "missing.pem") })).toThrow(/api\.ca_file: cannot read/);
  });

  it("times out a server that never answers, retrying as a network error", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const err = await client({ url: `https://127.0.0.1:${port}`, timeoutMs: 300, retries: 1 })
        .login()
        .catch((e: unknown) => e);
      expect((err as ApiError).code).toBe("E_API_NETWORK");
      expect((err as Error).message).toMatch(/no complete answer within 300 ms \(after 2 tries\)/);
    } finally {
      silent.close();
    }
  });

  it("binds resources to a machine: another fingerprint cannot decrypt, and the API refuses it", async () => {
    const c = client();
    const data = randomBytes(5000);
    await c.uploadResource("models", "bound.bin", data);
    const here = (await machineFingerprint(sources("DISK-A"))).hash;
    const there = (await machineFingerprint(sources("DISK-B"))).hash;
    expect(there).not.toBe(here);
    expect((await c.getResource("models", "bound.bin", here)).equals(data)).toBe(true);
    // The bytes as served to this machine, copied to the other one: the other key does not open them.
    const served = encryptBuffer(data, deriveHardwareKey(USER.password, USER.email, here));
    const onOther = deriveHardwareKey(USER.password, USER.email, there);
    expect(() => decryptBuffer(served, onOther, "bound.bin")).toThrow(WrongKeyError);
    expect(() => decryptBuffer(served, onOther, "bound.bin")).toThrow(
      /bound\.bin: .*encrypted for another machine/,
    );
    // And the API, which bound the account to the first machine, refuses the second.
    await expect(c.getResource("models", "bound.bin", there)).rejects.toThrow(/HTTP 403: .*another machine/);
  });

  it("checks names before sending anything", async () => {
    await expect(client().uploadResource("../etc", "x", Buffer.from("x"))).rejects.toThrow(
      /folder "\.\.\/etc"/,
    );
    expect(api.log).toHaveLength(0);
  });
});
