/**
 * A real S3 (Ceph RADOS Gateway) for a test file: scripts/ceph-rgw.sh in a temporary folder,
 * on free ports of 127.0.0.1, with a bucket, a write key pair and a read-only key pair.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { repoRoot } from "./cli.js";

const keysSchema = z.object({ accessKeyId: z.string(), secretAccessKey: z.string() });
const s3Schema = z.object({
  endpoint: z.string(),
  region: z.string(),
  bucket: z.string(),
  write: keysSchema,
  read: keysSchema,
});

export type CephS3 = z.infer<typeof s3Schema> & { readonly dir: string; stop(): Promise<void> };

const script = join(repoRoot, "scripts", "ceph-rgw.sh");

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("bash", [script, ...args], { timeout: 120_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`ceph-rgw.sh ${args[0]}: ${err.message}\n${stderr}`)) : resolve(),
    ),
  );
}

/** Start Ceph; always `stop()` it (afterAll), also when a test failed. */
export async function startCeph(bucket = "azaion-models"): Promise<CephS3> {
  const parent = await mkdtemp(join(tmpdir(), "azaion-ceph-"));
  const dir = join(parent, "ceph");
  const stop = () => run(["stop", dir]).finally(() => rm(parent, { recursive: true, force: true }));
  try {
    await run(["start", dir, bucket]);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const info = s3Schema.parse(JSON.parse(await readFile(join(dir, "s3.json"), "utf8")));
  return { ...info, dir, stop };
}
