import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { packageRoot } from "./package-root.js";
import { loadSecrets, requireSecret } from "./secrets.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("config", () => {
  it("loads and validates the shipped default", () => {
    const c = loadConfig({ env: {} });
    expect(c.root).toBe(join(homedir(), "azaion"));
    expect(c.dataset.imgsz).toBe(1280);
    expect(c.dataset.split).toEqual({ train: 0.7, valid: 0.2, test: 0.1 });
    expect(c.queue.stream).toBe("azaion-annotations");
  });

  it("applies AZAION_* overrides, nested with __, typed by the schema", () => {
    const c = loadConfig({
      env: {
        AZAION_ROOT: "/azaion",
        AZAION_DATASET__IMGSZ: "640",
        AZAION_QUEUE__VHOST: "prod",
        AZAION_CDN__PATH_STYLE: "false",
        AZAION_DATASET__SPLIT: "{train: 0.8, valid: 0.1, test: 0.1}",
      },
    });
    expect(c.root).toBe("/azaion");
    expect(c.dataset.imgsz).toBe(640);
    expect(c.queue.vhost).toBe("prod");
    expect(c.cdn.path_style).toBe(false);
    expect(c.dataset.split.train).toBe(0.8);
  });

  it("names the variable and key of a bad override", () => {
    expect(() => loadConfig({ env: { AZAION_DATASET__IMGSZ: "big" } })).toThrow(
      /AZAION_DATASET__IMGSZ: dataset\.imgsz: .*number/,
    );
    expect(() => loadConfig({ env: { AZAION_DATASET__IMGSIZE: "640" } })).toThrow(
      /AZAION_DATASET__IMGSIZE: unknown config key dataset\.imgsize/,
    );
  });

  it("names the file and key of a bad config file", async () => {
    const file = join(dir, "bad.yaml");
    const good = await import("node:fs").then((fs) =>
      fs.readFileSync(join(packageRoot(), "config", "default.yaml"), "utf8"),
    );
    await writeFile(file, good.replace("imgsz: 1280", "imgsz: -5"));
    try {
      loadConfig({ file, env: {} });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).file).toBe(file);
      expect((e as ConfigError).key).toBe("dataset.imgsz");
      expect((e as Error).message).toContain(`${file}: dataset.imgsz:`);
    }
    await writeFile(file, good.replace("  imgsz: 1280\n", "  imgsz: 1280\n  sede: 1\n"));
    expect(() => loadConfig({ file, env: {} })).toThrow(/dataset: Unrecognized key: "sede"/);
    await writeFile(file, "root: [unclosed\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(/bad\.yaml: not valid YAML/);
  });

  it("refuses secrets in config files", async () => {
    const file = join(dir, "secret.yaml");
    await writeFile(file, "root: /x\napi:\n  password: hunter2\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /api\.password: secrets are never read from config files/,
    );
  });
});

describe("secrets", () => {
  it("reads a 0600 secrets file outside the repository; the environment wins", async () => {
    const file = join(dir, "secrets.yaml");
    await writeFile(file, "api_password: from-file\nqueue_password: q\n");
    await chmod(file, 0o600);
    const s = loadSecrets({ AZAION_SECRETS_FILE: file, AZAION_QUEUE_PASSWORD: "from-env" });
    expect(s.api_password).toBe("from-file");
    expect(s.queue_password).toBe("from-env");
  });

  it("refuses a secrets file that others can read", async () => {
    const file = join(dir, "open.yaml");
    await writeFile(file, "api_password: x\n");
    await chmod(file, 0o644);
    expect(() => loadSecrets({ AZAION_SECRETS_FILE: file })).toThrow(
      /permissions 644 let others read it; refusing/,
    );
    await chmod(file, 0o640);
    expect(() => loadSecrets({ AZAION_SECRETS_FILE: file })).toThrow(/permissions 640/);
  });

  it("refuses a secrets file inside the repository", () => {
    const inside = join(packageRoot(), "config", "default.yaml");
    expect(() => loadSecrets({ AZAION_SECRETS_FILE: inside })).toThrow(/must live outside the repository/);
  });

  it("rejects unknown keys and says how to provide a missing secret", async () => {
    const file = join(dir, "typo.yaml");
    await writeFile(file, "api_pasword: x\n");
    await chmod(file, 0o600);
    expect(() => loadSecrets({ AZAION_SECRETS_FILE: file })).toThrow(/typo\.yaml: .*api_pasword/);
    expect(() => requireSecret({}, "cdn_write_secret_key")).toThrow(
      /set AZAION_CDN_WRITE_SECRET_KEY or add "cdn_write_secret_key"/,
    );
  });
});
