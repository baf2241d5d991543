import { describe, expect, it } from "vitest";
import { decideCache } from "./cache-budget.js";

const imgs = (n: number, width = 1280, height = 720) => Array.from({ length: n }, () => ({ width, height }));

describe("decideCache", () => {
  it("counts train images at imgsz on the long side, val images letterboxed, one copy per loader thread", () => {
    const d = decideCache(true, { train: imgs(10), val: imgs(2), imgsz: 640, threads: 2, available: 1 });
    // 640x360x3 per train image, 640x640x3 per val image, times 2 threads; true means on whatever the memory.
    expect(d.bytes).toBe((10 * 640 * 360 * 3 + 2 * 640 * 640 * 3) * 2);
    expect(d.cache).toBe(true);
    expect(decideCache(false, { train: imgs(10), val: [], imgsz: 640, threads: 0 }).cache).toBe(false);
  });

  it("does not enlarge small images", () => {
    const d = decideCache(true, { train: imgs(1, 100, 50), val: [], imgsz: 640, threads: 0 });
    expect(d.bytes).toBe(100 * 50 * 3);
  });

  it("auto caches only within a quarter of the available memory", () => {
    const o = { train: imgs(100), val: imgs(20), imgsz: 640, threads: 2 };
    const need = decideCache(true, o).bytes;
    expect(decideCache("auto", { ...o, available: need * 4 }).cache).toBe(true);
    const off = decideCache("auto", { ...o, available: need * 4 - 1 });
    expect(off.cache).toBe(false);
    expect(off.reason).toMatch(/^off \(auto: 120 images, \d+ MB in 2 loader threads would pass a quarter/);
  });
});
