/**
 * Hardware fingerprint: a stable SHA-256 of what identifies this machine.
 *
 * Components (each normalised so a reboot or a driver update does not change it):
 *   cpu    the CPU model string (os.cpus()[0].model, spaces collapsed)
 *   gpu    every NVIDIA GPU as "name uuid" from `nvidia-smi --query-gpu=name,uuid` (sorted);
 *          "none" when nvidia-smi is absent or fails (no NVIDIA GPU or no driver)
 *   ram    total memory in whole GiB (the exact byte count moves with kernel reservations)
 *   disk   the serial number of the disk that holds "/" (Linux: sysfs of the root mount's device)
 * When the disk serial cannot be read (containers, overlay or network root file systems, virtual
 * disks without one), /etc/machine-id (stable per OS installation) takes its place as "machine";
 * when that is missing too, the fingerprint rests on cpu, gpu and ram alone, and `unavailable`
 * says so. Hash = SHA-256 of "azaion-fingerprint v1" and the "name=value" lines, hex.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, readlink } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { basename, join } from "node:path";

/** Where the components come from; tests pass their own to simulate another machine. */
export interface FingerprintSources {
  cpuModel(): Promise<string | undefined>;
  /** "name uuid" per GPU; undefined when there is no way to ask. */
  gpus(): Promise<string[] | undefined>;
  totalRamBytes(): Promise<number | undefined>;
  systemDiskSerial(): Promise<string | undefined>;
  machineId(): Promise<string | undefined>;
}

export interface Fingerprint {
  /** 64 hex digits. */
  readonly hash: string;
  /** The values hashed, in order, for `azaion platform fingerprint`. */
  readonly components: Readonly<Record<string, string>>;
  /** Sources that gave nothing, with what was used instead. */
  readonly unavailable: readonly string[];
}

const GIB = 1024 ** 3;

export async function machineFingerprint(
  sources: FingerprintSources = systemSources(),
): Promise<Fingerprint> {
  const [cpu, gpus, ram, disk, machine] = await Promise.all([
    safe(sources.cpuModel()),
    safe(sources.gpus()),
    safe(sources.totalRamBytes()),
    safe(sources.systemDiskSerial()),
    safe(sources.machineId()),
  ]);
  const components: Record<string, string> = {};
  const unavailable: string[] = [];
  const clean = (s: string) => s.replace(/\s+/g, " ").trim();
  if (cpu && clean(cpu)) components.cpu = clean(cpu);
  else unavailable.push("cpu: model unknown");
  components.gpu = gpus && gpus.length > 0 ? gpus.map(clean).sort().join("; ") : "none";
  if (!gpus) unavailable.push("gpu: nvidia-smi not available; counted as no GPU");
  if (ram !== undefined && ram > 0) components.ram = `${Math.round(ram / GIB)} GiB`;
  else unavailable.push("ram: total unknown");
  if (disk && clean(disk)) components.disk = clean(disk);
  else if (machine && clean(machine)) {
    components.machine = clean(machine);
    unavailable.push("disk: no serial for the system disk; /etc/machine-id used instead");
  } else unavailable.push("disk: no serial for the system disk and no /etc/machine-id");
  const text = ["azaion-fingerprint v1", ...Object.entries(components).map(([k, v]) => `${k}=${v}`)].join(
    "\n",
  );
  return { hash: createHash("sha256").update(text).digest("hex"), components, unavailable };
}

async function safe<T>(p: Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

/** The sources of this machine (Linux details; elsewhere the disk falls back as documented). */
export function systemSources(): FingerprintSources {
  return {
    cpuModel: () => Promise.resolve(cpus()[0]?.model),
    gpus: nvidiaGpus,
    totalRamBytes: () => Promise.resolve(totalmem()),
    systemDiskSerial: rootDiskSerial,
    machineId: async () => (await readFile("/etc/machine-id", "utf8")).trim() || undefined,
  };
}

function nvidiaGpus(): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile(
      "nvidia-smi",
      ["--query-gpu=name,uuid", "--format=csv,noheader"],
      { timeout: 10_000 },
      (err, stdout) => {
        if (err) return resolve(undefined);
        const lines = stdout
          .split("\n")
          .map((l) =>
            l
              .split(",")
              .map((s) => s.trim())
              .join(" "),
          )
          .filter((l) => l.length > 0);
        resolve(lines);
      },
    );
  });
}

/** Serial of the block device holding "/": mountinfo gives major:minor, sysfs the disk and its serial. */
async function rootDiskSerial(): Promise<string | undefined> {
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  const root = mountinfo
    .split("\n")
    .map((l) => l.split(" "))
    .find((f) => f[4] === "/");
  const devno = root?.[2];
  if (!devno || devno.startsWith("0:")) return undefined; // overlay, tmpfs, NFS: no block device
  const dev = await readlink(`/sys/dev/block/${devno}`); // ../../devices/.../block/sda/sda1
  const parts = dev.split("/");
  const isPartition = await readFile(join("/sys/dev/block", devno, "partition"), "utf8").then(
    () => true,
    () => false,
  );
  const disk = join("/sys/block", isPartition ? parts[parts.length - 2]! : basename(dev));
  for (const f of ["device/serial", "serial"]) {
    const s = await readFile(join(disk, f), "utf8").catch(() => "");
    if (s.trim()) return s.trim();
  }
  // SCSI/SATA: VPD page 0x80 (unit serial number): 4-byte header, then the serial.
  const vpd = await readFile(join(disk, "device", "vpd_pg80")).catch(() => undefined);
  if (vpd && vpd.length > 4) {
    const s = vpd
      .subarray(4, 4 + vpd[3]!)
      .toString("latin1")
      .trim();
    if (s) return s;
  }
  return undefined;
}
