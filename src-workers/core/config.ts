/**
 * Configuration: config/default.yaml (or a file named by AZAION_CONFIG), validated with zod,
 * then AZAION_* environment overrides. Every error names the file (or variable) and the key.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { defaultConfigDir } from "./package-root.js";
import { SECRET_ENV, SECRET_KEYS } from "./secrets.js";
import { zodIssuesToText } from "./zod-text.js";

const fraction = z.number().min(0).max(1);
/** An AMQP queue name we may declare: short, plain, not in the broker's reserved "amq." space. */
const queueName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, "letters, digits and . _ : - (at most 200)")
  .refine((s) => !s.startsWith("amq."), 'names starting with "amq." are the broker\'s own');

export const configSchema = z
  .object({
    root: z.string().min(1),
    torch: z.object({ threads: z.number().int().min(0).max(1024) }).strict(),
    dataset: z
      .object({
        imgsz: z.number().int().min(32).max(8192),
        split: z
          .object({ train: fraction, valid: fraction, test: fraction })
          .strict()
          .refine((s) => Math.abs(s.train + s.valid + s.test - 1) < 1e-9, "train + valid + test must be 1"),
        seed: z.number().int(),
        tiny_box_px: z.number().positive(),
      })
      .strict(),
    synth: z
      .object({
        count: z.number().int().positive(),
        size: z.number().int().min(64).max(4096),
        seed: z.number().int(),
      })
      .strict(),
    visualise: z
      .object({
        tile: z.number().int().min(64).max(2048),
        columns: z.number().int().min(1).max(64),
        max_images: z.number().int().min(1).max(10000),
      })
      .strict(),
    queue: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535),
        vhost: z.string().min(1),
        stream: z.string().min(1),
        user: z.string().min(1),
        heartbeat_s: z.number().int().min(1).max(3600),
        retry_max_s: z.number().int().min(1).max(3600),
        amqp_port: z.number().int().min(1).max(65535),
        augment_queue: queueName,
        infer_queue: queueName,
        prefetch: z.number().int().min(1).max(1024),
        delivery_limit: z.number().int().min(1).max(1000),
      })
      .strict(),
    inference: z
      .object({
        ffmpeg: z.string().min(1),
        ffprobe: z.string().min(1),
        trt_cache: z.string(),
      })
      .strict(),
    api: z
      .object({
        url: z.string().url(),
        email: z.string(),
        timeout_ms: z.number().int().positive(),
        ca_file: z.string(),
        models_folder: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, "one plain folder name"),
      })
      .strict(),
    cdn: z
      .object({
        endpoint: z.string().url(),
        region: z.string().min(1),
        bucket: z.string().min(1),
        path_style: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type AzaionConfig = z.infer<typeof configSchema>;

/** Environment variables that are not key overrides. */
// Variables that are not config keys: the config and secrets files, the secrets, the test build mode.
const RESERVED_ENV = new Set([
  "AZAION_CONFIG",
  "AZAION_SECRETS_FILE",
  "AZAION_TEST_BUILD",
  "AZAION_DEBUG",
  // The workstation's hosts: `azaion serve`'s token, a job's id and a worker's entry file; the e2e
  // tests' browser.
  "AZAION_SERVE_TOKEN",
  "AZAION_JOB_ID",
  "AZAION_WORKER_ENTRY",
  "AZAION_E2E_CHROMIUM",
  // Test only: a work-queue job pauses this long midway (so a test can kill a worker inside a job).
  "AZAION_TEST_JOB_DELAY_MS",
  ...Object.values(SECRET_ENV),
]);

export interface LoadConfigOptions {
  /** The YAML file; default AZAION_CONFIG or config/default.yaml. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function loadConfig(opts: LoadConfigOptions = {}): AzaionConfig {
  const env = opts.env ?? process.env;
  const file = resolve(opts.file ?? env.AZAION_CONFIG ?? join(defaultConfigDir(), "default.yaml"));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, file);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${file}: the top level must be a mapping of keys`, file);
  }
  refuseSecrets(raw as Record<string, unknown>, file, "");
  const fromFile = configSchema.safeParse(raw);
  if (!fromFile.success) {
    const { key, text: why } = zodIssuesToText(fromFile.error);
    throw new ConfigError(`${file}: ${why}`, file, key);
  }
  const merged = structuredClone(fromFile.data) as Record<string, unknown>;
  const sources = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("AZAION_") || RESERVED_ENV.has(name) || value === undefined) continue;
    const path = name.slice("AZAION_".length).toLowerCase().split("__");
    applyOverride(merged, path, value, name);
    sources.set(path.join("."), name);
  }
  const final = configSchema.safeParse(merged);
  if (!final.success) {
    const { key, text: why } = zodIssuesToText(final.error);
    const source = sources.get(key) ?? file;
    throw new ConfigError(`${source}: ${why}`, source, key);
  }
  return { ...final.data, root: expandHome(final.data.root) };
}

function applyOverride(
  target: Record<string, unknown>,
  path: string[],
  value: string,
  envName: string,
): void {
  let node: Record<string, unknown> = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      throw new ConfigError(`${envName}: unknown config key ${path.join(".")}`, envName, path.join("."));
    }
    node = next as Record<string, unknown>;
  }
  const leaf = path[path.length - 1]!;
  if (!(leaf in node))
    throw new ConfigError(`${envName}: unknown config key ${path.join(".")}`, envName, path.join("."));
  if (typeof node[leaf] === "string") {
    node[leaf] = value;
    return;
  }
  // Numbers, booleans and mappings are written as YAML: AZAION_DATASET__SPLIT='{train: 0.8, valid: 0.1, test: 0.1}'.
  try {
    node[leaf] = parseYaml(value);
  } catch (err) {
    throw new ConfigError(
      `${envName}: not a valid value: ${(err as Error).message}`,
      envName,
      path.join("."),
    );
  }
}

function refuseSecrets(node: Record<string, unknown>, file: string, prefix: string): void {
  for (const [k, v] of Object.entries(node)) {
    const key = prefix === "" ? k : `${prefix}.${k}`;
    if ((SECRET_KEYS as readonly string[]).includes(k) || /password|secret|access_key/i.test(k)) {
      throw new ConfigError(
        `${file}: ${key}: secrets are never read from config files; use environment variables or the secrets file (README, "Secrets")`,
        file,
        key,
      );
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      refuseSecrets(v as Record<string, unknown>, file, key);
  }
}

export function expandHome(p: string): string {
  if (p === "~") return homedir();
  if (p.startsWith("~/")) return join(homedir(), p.slice(2));
  return resolve(p);
}
