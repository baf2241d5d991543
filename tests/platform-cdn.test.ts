/**
 * The CDN clients and protected models against a real S3 (Ceph RADOS Gateway, started once for
 * this file by scripts/ceph-rgw.sh) and the reference API over HTTPS: key rights, signatures,
 * a 50 MB multipart round trip, resumed downloads, model split/reassembly and tamper detection,
 * and the `azaion model` / `azaion platform` commands.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../src-workers/platform/api-client.js";
import { CdnReader, CdnWriter } from "../src-workers/platform/cdn.js";
import { sha256 } from "../src-workers/platform/checksums.js";
import { CdnError, IntegrityError, WrongKeyError } from "../src-workers/platform/errors.js";
import { machineFingerprint } from "../src-workers/platform/fingerprint.js";
import { deriveSecretKey } from "../src-workers/platform/keys.js";
import { bigPartKey, ModelStore, smallPartName } from "../src-workers/platform/model-store.js";
import { s3Client, type CdnEndpoint } from "../src-workers/platform/s3.js";
import { startCeph, type CephS3 } from "./support/ceph-rgw.js";
import { azaion } from "./support/cli.js";
import { makeCa, makeServerCert } from "./support/reference-api/certs.js";
import { ReferenceApi } from "./support/reference-api/server.js";

const LIB_USER = { email: "engineer@azaion.test", password: randomBytes(12).toString("hex") };
const CLI_USER = { email: "cli@azaion.test", password: randomBytes(12).toString("hex") };
const MODEL_SECRET = randomBytes(16).toString("hex");
const FOLDER = "models";

let ceph: CephS3;
let api: ReferenceApi;
let dir: string;
let caFile: string;
let ep: CdnEndpoint;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-platform-cdn-"));
  const ca = makeCa(dir, "azaion");
  caFile = ca.certFile;
  [ceph, api] = await Promise.all([
    startCeph(),
    new ReferenceApi({ users: [LIB_USER, CLI_USER], tls: makeServerCert(dir, ca) }).start(),
  ]);
  ep = { endpoint: ceph.endpoint, region: ceph.region, bucket: ceph.bucket, pathStyle: true };
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await ceph?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const reader = () => new CdnReader(ep, ceph.read);
const writer = () => new CdnWriter(ep, ceph.write);

describe("CDN (Ceph RGW)", () => {
  it("the read key cannot write, even through a raw S3 client; a wrong secret is rejected", async () => {
    await writer().upload("probe/ok.bin", Buffer.from("hello"));
    expect((await reader().getBuffer("probe/ok.bin")).toString()).toBe("hello");
    const raw = s3Client(ep, ceph.read);
    await expect(
      raw.send(new PutObjectCommand({ Bucket: ep.bucket, Key: "probe/by-reader.bin", Body: "x" })),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    // A writer built with the read keys (a misconfiguration) is refused by the server, clearly.
    const misconfigured = new CdnWriter(ep, ceph.read);
    await expect(misconfigured.upload("probe/x.bin", Buffer.from("x"))).rejects.toThrow(
      /AccessDenied .*no right/,
    );
    await expect(misconfigured.delete("probe/ok.bin")).rejects.toThrow(CdnError);
    const wrong = new CdnReader(ep, { ...ceph.read, secretAccessKey: "0".repeat(40) });
    await expect(wrong.check()).rejects.toThrow(/SignatureDoesNotMatch .*secret key is wrong/);
    const unknown = new CdnReader(ep, {
      accessKeyId: "NOSUCHKEY0000000000",
      secretAccessKey: "x".repeat(40),
    });
    await expect(unknown.check()).rejects.toThrow(/InvalidAccessKeyId/);
    await reader().check();
  });

  it("round-trips 50 MB through multipart upload and a verified download", async () => {
    const file = join(dir, "big.bin");
    const data = randomBytes(50 * 1024 * 1024);
    await writeFile(file, data);
    let progressed = 0;
    const up = await writer().upload("big/50mb.bin", { file }, { onProgress: (d) => (progressed = d) });
    expect(up.etag).toMatch(/-7$/); // 8 MiB parts: a real multipart upload, verified by its ETag
    expect(up.sha256).toBe(sha256(data));
    expect(progressed).toBe(data.length);
    const out = join(dir, "big.out");
    const down = await reader().download("big/50mb.bin", out);
    expect(down).toMatchObject({ size: data.length, sha256: sha256(data), resumedFrom: 0 });
    expect((await readFile(out)).equals(data)).toBe(true);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it("resumes an interrupted download from its .part with a Range request", async () => {
    const data = randomBytes(24 * 1024 * 1024);
    await writer().upload("big/resume.bin", data);
    const out = join(dir, "resume.out");
    const abort = new AbortController();
    const first = reader().download("big/resume.bin", out, {
      signal: abort.signal,
      onProgress: (d) => d >= 6 * 1024 * 1024 && abort.abort(),
    });
    await expect(first).rejects.toThrow(/abort/i);
    const partial = (await stat(`${out}.part`)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(data.length);
    expect(existsSync(out)).toBe(false);
    let firstProgress = -1;
    const second = await reader().download("big/resume.bin", out, {
      onProgress: (d) => firstProgress < 0 && (firstProgress = d),
    });
    expect(second.resumedFrom).toBe(partial);
    expect(firstProgress).toBeGreaterThan(partial); // counting went on from the .part, not from 0
    expect((await readFile(out)).equals(data)).toBe(true);
  });

  it("throws away a .part whose bytes do not check out, and says so", async () => {
    const data = randomBytes(100_000);
    await writer().upload("big/corrupt.bin", data);
    const out = join(dir, "corrupt.out");
    const info = await reader().head("big/corrupt.bin");
    const bad = Buffer.from(data.subarray(0, 50_000));
    bad[10]! ^= 1;
    await writeFile(`${out}.part`, bad);
    await writeFile(
      `${out}.part.json`,
      JSON.stringify({ key: "big/corrupt.bin", etag: info.etag, size: info.size }),
    );
    await expect(reader().download("big/corrupt.bin", out)).rejects.toThrow(/partial file was removed/);
    expect(existsSync(`${out}.part`)).toBe(false);
    expect((await reader().download("big/corrupt.bin", out)).sha256).toBe(sha256(data));
  });
});

describe("protected models (reference API + Ceph)", () => {
  const store = (secret = MODEL_SECRET) =>
    new ModelStore({
      api: new ApiClient({ url: api.url, ...LIB_USER, caFile, retries: 1, backoffMs: 10 }),
      cdnRead: reader(),
      cdnWrite: writer(),
      modelKey: deriveSecretKey(secret, "model"),
      fingerprint: async () =>
        (
          await machineFingerprint({
            cpuModel: () => Promise.resolve("Test CPU"),
            gpus: () => Promise.resolve([]),
            totalRamBytes: () => Promise.resolve(8 * 1024 ** 3),
            systemDiskSerial: () => Promise.resolve("LIB-DISK"),
            machineId: () => Promise.resolve(undefined),
          })
        ).hash,
    });

  let modelA: Buffer;
  let modelB: Buffer;
  beforeAll(async () => {
    modelA = randomBytes(3 * 1024 * 1024 + 123);
    modelB = randomBytes(2 * 1024 * 1024);
    await writeFile(join(dir, "a.onnx"), modelA);
    await writeFile(join(dir, "b.onnx"), modelB);
  });

  it("splits, uploads, downloads, reassembles and decrypts in memory", async () => {
    const m = await store().protectAndUpload(join(dir, "a.onnx"), { folder: FOLDER });
    expect(m).toMatchObject({ name: "a", plain: { size: modelA.length, sha256: sha256(modelA) } });
    expect(m.small.headBytes).toBe(64 * 1024);
    expect(m.small.headBytes + m.big.size).toBe(m.envelope.size);
    // Neither part holds the plaintext: the API has the head of the ciphertext, the CDN the rest.
    const small = api.store.get(FOLDER)!.get(smallPartName("a"))!;
    expect(small.includes(modelA.subarray(0, 64))).toBe(false);
    const big = await reader().getBuffer(bigPartKey(FOLDER, "a"));
    expect(big.includes(modelA.subarray(2_000_000, 2_000_064))).toBe(false);
    const got = await store().loadProtectedModel("a", { folder: FOLDER });
    expect(got.equals(modelA)).toBe(true);
    await store().protectAndUpload(join(dir, "b.onnx"), { folder: FOLDER, name: "b" });
    expect((await store().loadProtectedModel("b", { folder: FOLDER })).equals(modelB)).toBe(true);
  });

  it("handles a model smaller than the small part: the big part is empty", async () => {
    const tiny = randomBytes(1000);
    await writeFile(join(dir, "tiny.onnx"), tiny);
    const m = await store().protectAndUpload(join(dir, "tiny.onnx"), { folder: FOLDER });
    expect(m.big.size).toBe(0);
    expect(m.small.headBytes).toBe(m.envelope.size);
    expect((await store().loadProtectedModel("tiny", { folder: FOLDER })).equals(tiny)).toBe(true);
  });

  it("detects a flipped bit in the big part, a truncated big part and swapped big parts", async () => {
    const key = bigPartKey(FOLDER, "b");
    const original = await reader().getBuffer(key);
    const flipped = Buffer.from(original);
    flipped[1000]! ^= 0x04;
    try {
      for (const altered of [
        flipped,
        original.subarray(0, original.length - 100),
        await reader().getBuffer(bigPartKey(FOLDER, "a")),
      ]) {
        await writer().upload(key, altered);
        await expect(store().loadProtectedModel("b", { folder: FOLDER })).rejects.toThrow(IntegrityError);
      }
    } finally {
      await writer().upload(key, original);
    }
    expect((await store().loadProtectedModel("b", { folder: FOLDER })).equals(modelB)).toBe(true);
  });

  it("detects a flipped bit or truncation in the small part, and a small part of another model", async () => {
    const files = api.store.get(FOLDER)!;
    const original = files.get(smallPartName("b"))!;
    const flipped = Buffer.from(original);
    flipped[flipped.length - 10]! ^= 0x20;
    try {
      for (const altered of [
        flipped,
        original.subarray(0, original.length - 1),
        files.get(smallPartName("a"))!,
      ]) {
        files.set(smallPartName("b"), altered);
        await expect(store().loadProtectedModel("b", { folder: FOLDER })).rejects.toThrow(IntegrityError);
      }
    } finally {
      files.set(smallPartName("b"), original);
    }
  });

  it("a wrong model secret does not open the model", async () => {
    await expect(store("another secret").loadProtectedModel("a", { folder: FOLDER })).rejects.toThrow(
      WrongKeyError,
    );
  });
});

describe("azaion model / platform commands", () => {
  const env = () => ({
    HOME: dir,
    AZAION_CONFIG: undefined,
    AZAION_API__URL: api.url,
    AZAION_API__EMAIL: CLI_USER.email,
    AZAION_API__CA_FILE: caFile,
    AZAION_CDN__ENDPOINT: ceph.endpoint,
    AZAION_CDN__BUCKET: ceph.bucket,
    AZAION_API_PASSWORD: CLI_USER.password,
    AZAION_MODEL_KEY_SECRET: MODEL_SECRET,
    AZAION_CDN_READ_ACCESS_KEY: ceph.read.accessKeyId,
    AZAION_CDN_READ_SECRET_KEY: ceph.read.secretAccessKey,
    AZAION_CDN_WRITE_ACCESS_KEY: ceph.write.accessKeyId,
    AZAION_CDN_WRITE_SECRET_KEY: ceph.write.secretAccessKey,
  });

  it("checks credentials, uploads, verifies without writing, and downloads to a file", async () => {
    const login = await azaion(["platform", "login"], { env: env() });
    expect(login.stderr).not.toMatch(/azaion:/);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(
      /api: ok.*cli@azaion\.test[\s\S]*cdn read keys: ok[\s\S]*cdn write keys: ok/,
    );
    const bad = await azaion(["platform", "login"], { env: { ...env(), AZAION_API_PASSWORD: "nope" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refused the credentials of cli@azaion\.test/);

    const up = await azaion(["model", "upload", join(dir, "a.onnx"), "--name", "cli-model"], { env: env() });
    expect(up.stderr).not.toMatch(/azaion:/);
    expect(up.code).toBe(0);
    const plainSha = sha256(await readFile(join(dir, "a.onnx")));
    expect(up.stdout).toContain(`uploaded models/cli-model:`);
    expect(up.stdout).toContain(plainSha);

    const verify = await azaion(["model", "download", "cli-model", "--no-plain"], { env: env() });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(
      `verified models/cli-model: ${3 * 1024 * 1024 + 123} bytes, sha256 ${plainSha}, not written`,
    );

    const out = join(dir, "cli-model.onnx");
    const down = await azaion(["model", "download", "cli-model", "--out", out], { env: env() });
    expect(down.code).toBe(0);
    expect(sha256(await readFile(out))).toBe(plainSha);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const again = await azaion(["model", "download", "cli-model", "--out", out], { env: env() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it("exports weights to ONNX and uploads them protected in one command (export --upload)", async () => {
    const weights = join(import.meta.dirname, "data", "yolo11", "yolo11n-shapes-nc5.pt");
    const onnx = join(dir, "runs", "shapes", "exports", "best.onnx");
    const noKey = await azaion(["export", weights, "--imgsz", "64", "--out", onnx, "--upload"], {
      env: { ...env(), AZAION_CDN_WRITE_SECRET_KEY: "" },
    });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/missing secret cdn_write_secret_key/);
    expect(existsSync(onnx)).toBe(false); // refused before the export, not after
    const r = await azaion(["export", weights, "--imgsz", "64", "--out", onnx, "--upload"], { env: env() });
    expect(r.stderr).not.toMatch(/azaion:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("uploaded models/shapes-best (protected)");
    const out = join(dir, "shapes-best.onnx");
    const down = await azaion(["model", "download", "shapes-best", "--out", out], { env: env() });
    expect(down.code).toBe(0);
    expect(sha256(await readFile(out))).toBe(sha256(await readFile(onnx)));
  });

  it("refuses unclear usage and names a missing secret", async () => {
    const neither = await azaion(["model", "download", "x"], { env: env() });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give --out FILE, or --no-plain/);
    const noKey = await azaion(["model", "download", "cli-model", "--no-plain"], {
      env: { ...env(), AZAION_MODEL_KEY_SECRET: "" },
    });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/missing secret model_key_secret: set AZAION_MODEL_KEY_SECRET/);
    const fp = await azaion(["platform", "fingerprint", "--json"]);
    expect(fp.code).toBe(0);
    expect(JSON.parse(fp.stdout)).toMatchObject({ hash: (await machineFingerprint()).hash });
  });
});
