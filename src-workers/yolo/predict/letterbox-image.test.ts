/** letterboxInto writes the planes directly; it must equal the plain way: resize, fill grey, copy. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../core/random.js";
import { letterboxGeometry, type LetterboxGeometry } from "./letterbox.js";
import { letterboxInto, PAD_VALUE } from "./letterbox-image.js";
import { resizeLinear } from "./resize.js";

function plain(img: { data: Uint8Array; width: number; height: number }, g: LetterboxGeometry): Float32Array {
  const resized = resizeLinear(img.data, img.width, img.height, g.resizedWidth, g.resizedHeight, 3);
  const plane = g.width * g.height;
  const out = new Float32Array(3 * plane).fill(PAD_VALUE / 255);
  for (let y = 0; y < g.resizedHeight; y++)
    for (let x = 0; x < g.resizedWidth; x++)
      for (let c = 0; c < 3; c++)
        out[c * plane + (y + g.top) * g.width + x + g.left] =
          resized[(y * g.resizedWidth + x) * 3 + c]! / 255;
  return out;
}

describe("letterboxInto", () => {
  it("equals resize + grey fill + copy: exact halves, other sizes, padding on any side, at an offset", () => {
    const rand = mulberry32(5);
    const sizes: [number, number, number, boolean][] = [
      [1280, 720, 640, false], // exact half: the fused path
      [1280, 720, 640, true],
      [720, 1280, 640, false], // exact half, padded left and right
      [640, 480, 320, false],
      [1000, 563, 640, false], // a general resize
      [333, 500, 320, true],
      [320, 320, 320, false], // no resize, no padding
      [100, 60, 128, false], // enlarged
    ];
    for (const [w, h, size, auto] of sizes) {
      const img = {
        data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rand() * 256)),
        width: w,
        height: h,
      };
      const g = letterboxGeometry(w, h, { newShape: size, auto });
      const want = plain(img, g);
      const offset = 3 * g.width * g.height;
      // Stale values everywhere: every place of the image's part must be written.
      const out = new Float32Array(3 * offset).fill(-1);
      letterboxInto(img, g, out, offset);
      // A plain loop: deep equality over a million floats takes vitest seconds per size.
      const got = out.subarray(offset, 2 * offset);
      let first = -1;
      for (let i = 0; i < want.length && first < 0; i++) if (!Object.is(got[i], want[i])) first = i;
      expect(
        first >= 0 ? `${first}: ${got[first]} != ${want[first]}` : "equal",
        `${w}x${h} -> ${size} auto=${auto}`,
      ).toBe("equal");
      expect(got.length).toBe(want.length);
      expect(out[offset - 1]).toBe(-1);
      expect(out[2 * offset]).toBe(-1);
    }
  });
});
