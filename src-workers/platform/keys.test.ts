import { describe, expect, it } from "vitest";
import { machineFingerprint, type FingerprintSources } from "./fingerprint.js";
import { deriveHardwareKey, deriveSecretKey } from "./keys.js";

const machine = (over: Partial<Record<keyof FingerprintSources, unknown>> = {}): FingerprintSources => {
  const base: Record<keyof FingerprintSources, unknown> = {
    cpuModel: "AMD EPYC  7763 64-Core Processor ",
    gpus: ["NVIDIA H200 GPU-1234"],
    totalRamBytes: 64 * 1024 ** 3 - 300 * 1024 ** 2,
    systemDiskSerial: "S5GXNX0T123456",
    machineId: "3d1219c7c4c5404aaa1f6d2a48adfda4",
    ...over,
  };
  return Object.fromEntries(
    Object.entries(base).map(([k, v]) => [
      k,
      () => (v instanceof Error ? Promise.reject(v) : Promise.resolve(v)),
    ]),
  ) as unknown as FingerprintSources;
};

describe("hardware fingerprint", () => {
  it("is stable for one machine and normalises what moves (spacing, RAM reservations)", async () => {
    const a = await machineFingerprint(machine());
    const b = await machineFingerprint(
      machine({
        cpuModel: "AMD EPYC 7763 64-Core Processor",
        totalRamBytes: 64 * 1024 ** 3 - 200 * 1024 ** 2,
      }),
    );
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(a.components).toEqual({
      cpu: "AMD EPYC 7763 64-Core Processor",
      gpu: "NVIDIA H200 GPU-1234",
      ram: "64 GiB",
      disk: "S5GXNX0T123456",
    });
    expect(a.unavailable).toEqual([]);
  });

  it("changes with each component", async () => {
    const a = (await machineFingerprint(machine())).hash;
    for (const over of [
      { cpuModel: "Intel Xeon" },
      { gpus: [] },
      { totalRamBytes: 32 * 1024 ** 3 },
      { systemDiskSerial: "OTHER" },
    ])
      expect((await machineFingerprint(machine(over))).hash).not.toBe(a);
  });

  it("falls back to machine-id without a disk serial, and says what is missing", async () => {
    const f = await machineFingerprint(
      machine({ systemDiskSerial: undefined, gpus: new Error("ENOENT nvidia-smi") }),
    );
    expect(f.components.machine).toBe("3d1219c7c4c5404aaa1f6d2a48adfda4");
    expect(f.components.gpu).toBe("none");
    expect(f.unavailable.join("\n")).toMatch(/machine-id used instead/);
    expect(f.unavailable.join("\n")).toMatch(/nvidia-smi not available/);
  });

  it("reads this machine without throwing", async () => {
    const f = await machineFingerprint();
    expect(f.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(f.components.cpu ?? f.unavailable.join()).toBeTruthy();
  });
});

describe("key derivation", () => {
  const fp = "ab".repeat(32);
  it("is deterministic and separates purposes, users and machines", () => {
    expect(deriveSecretKey("s3cret", "model").bytes.equals(deriveSecretKey("s3cret", "model").bytes)).toBe(
      true,
    );
    expect(deriveSecretKey("s3cret", "model").bytes.equals(deriveSecretKey("s3cret", "other").bytes)).toBe(
      false,
    );
    const hw = deriveHardwareKey("pw", "a@b.c", fp);
    expect(hw.kind).toBe("hardware");
    expect(hw.bytes.equals(deriveHardwareKey("pw", "A@b.c ", fp).bytes)).toBe(true);
    expect(hw.bytes.equals(deriveHardwareKey("pw", "x@b.c", fp).bytes)).toBe(false);
    expect(hw.bytes.equals(deriveHardwareKey("pw", "a@b.c", "cd".repeat(32)).bytes)).toBe(false);
  });
  it("refuses an empty secret and a malformed fingerprint", () => {
    expect(() => deriveSecretKey("", "model")).toThrow(/empty secret/);
    expect(() => deriveHardwareKey("pw", "a@b.c", "xyz")).toThrow(/64 hex/);
  });
});
