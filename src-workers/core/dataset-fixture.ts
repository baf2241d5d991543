/** Small hand-made datasets for tests: real image files (solid colour) and label text. */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

/** An image by size (written as JPEG, or PNG for a .png name), or raw file bytes. */
export type FixtureImage = { readonly w: number; readonly h: number } | Buffer;

export interface FixtureSpec {
  readonly images?: Readonly<Record<string, FixtureImage>>;
  /** labels/<name>: text. */
  readonly labels?: Readonly<Record<string, string>>;
}

export async function writeFixture(dir: string, spec: FixtureSpec): Promise<string> {
  await mkdir(join(dir, "images"), { recursive: true });
  await mkdir(join(dir, "labels"), { recursive: true });
  for (const [name, img] of Object.entries(spec.images ?? {})) {
    const file = join(dir, "images", name);
    if (Buffer.isBuffer(img)) {
      await writeFile(file, img);
      continue;
    }
    const s = sharp({
      create: { width: img.w, height: img.h, channels: 3, background: { r: 90, g: 120, b: 60 } },
    });
    await (name.endsWith(".png") ? s.png() : s.jpeg()).toFile(file);
  }
  for (const [name, text] of Object.entries(spec.labels ?? {}))
    await writeFile(join(dir, "labels", name), text);
  return dir;
}

export async function tempFixture(spec: FixtureSpec): Promise<string> {
  return writeFixture(await mkdtemp(join(tmpdir(), "azaion-ds-")), spec);
}
