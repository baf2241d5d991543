/** app.info: version, root, the class table and the devices a training job may ask for. */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { packageRoot } from "../../core/package-root.js";
import type { AppInfo } from "../contract/common.js";

let version: string | undefined;

export function packageVersion(): string {
  if (version !== undefined) return version;
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
      version?: unknown;
    };
    version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    version = "0.0.0";
  }
  return version;
}

let devices: Promise<string[]> | undefined;

/**
 * "cpu", plus "cuda:N" for each GPU the torch addon sees. Loading libtorch takes seconds and much
 * memory, so the host never loads it itself: without an NVIDIA driver the answer is "cpu" at once;
 * with one, a short-lived child process asks the addon, once.
 */
export function trainingDevices(): Promise<string[]> {
  return (devices ??= probeDevices());
}

async function probeDevices(): Promise<string[]> {
  if (!existsSync("/dev/nvidiactl") && process.platform !== "win32") return ["cpu"];
  const addon = join(packageRoot(), "native", "torch", "build", "Release", "azaion_torch.node");
  if (!existsSync(addon)) return ["cpu"];
  const script = `const a=require(${JSON.stringify(addon)});process.stdout.write(String(a.cudaIsAvailable()?a.cudaDeviceCount():0))`;
  const count = await new Promise<number>((resolve) => {
    execFile(process.execPath, ["-e", script], { timeout: 60_000 }, (err, stdout) => {
      const n = Number(String(stdout).trim());
      resolve(err || !Number.isInteger(n) ? 0 : n);
    });
  });
  return ["cpu", ...Array.from({ length: count }, (_, k) => `cuda:${k}`)];
}

export async function appInfo(root: string, catalog: ClassCatalog, host: AppInfo["host"]): Promise<AppInfo> {
  return {
    version: packageVersion(),
    root,
    host,
    slots: catalog.slots,
    modes: catalog.modes.map((m) => m.name),
    baseClasses: catalog.baseClasses.map((b) => ({ index: b.index, name: b.name, colour: b.colour })),
    classes: catalog.usedIds().map((id) => {
      const s = catalog.slot(id);
      return {
        id,
        name: s.displayName,
        base: s.base.name,
        baseIndex: s.base.index,
        mode: s.mode.name,
        colour: s.base.colour,
      };
    }),
    devices: await trainingDevices(),
  };
}
