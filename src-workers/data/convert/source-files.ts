/**
 * Shared reading helpers: list annotation files, read text, parse JSON and XML so that a
 * malformed file becomes one problem naming the file and the line/column the parser gives.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { Problem } from "../../core/problems.js";

/** The input itself when it is a file, else the files in the folder with one of `exts`, sorted. */
export async function listAnnotationFiles(input: string, exts: readonly string[]): Promise<string[]> {
  const st = await stat(input);
  if (!st.isDirectory()) return [input];
  const names = await readdir(input);
  return names
    .filter((n) => exts.includes(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(input, n));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

async function readText(file: string): Promise<Parsed<string>> {
  try {
    return { ok: true, value: await readFile(file, "utf8") };
  } catch (e) {
    return {
      ok: false,
      problem: { severity: "error", file, message: `cannot read: ${(e as Error).message}` },
    };
  }
}

/** Parse a JSON file; a syntax error names the line (computed from the parser's position). */
export async function readJsonFile(file: string): Promise<Parsed<unknown>> {
  const text = await readText(file);
  if (!text.ok) return text;
  try {
    return { ok: true, value: JSON.parse(text.value) as unknown };
  } catch (e) {
    const message = (e as Error).message;
    // Node names the line itself from v22, only a character position before; some errors give neither.
    const named = /line (\d+) column/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const line = named ? Number(named[1]) : pos ? lineOf(text.value, Number(pos[1])) : undefined;
    return {
      ok: false,
      problem: {
        severity: "error",
        file,
        message: `not valid JSON: ${message}`,
        ...(line === undefined ? {} : { line }),
      },
    };
  }
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parse an XML file into plain objects. Attributes keep their names (no prefix); every value stays
 * a string (labels like "123" must not turn into numbers); tags in `arrays` are always arrays.
 */
export async function readXmlFile(
  file: string,
  arrays: readonly string[],
): Promise<Parsed<Record<string, unknown>>> {
  const text = await readText(file);
  if (!text.ok) return text;
  const valid = XMLValidator.validate(text.value);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return {
      ok: false,
      problem: { severity: "error", file, line, message: `not valid XML: ${msg} (column ${col})` },
    };
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    // Attributes pass through isArray too: CVAT's points="..." must not become an array like <points>.
    isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && arrays.includes(tag),
  });
  try {
    return { ok: true, value: parser.parse(text.value) as Record<string, unknown> };
  } catch (e) {
    return {
      ok: false,
      problem: { severity: "error", file, message: `not valid XML: ${(e as Error).message}` },
    };
  }
}

/** A number from XML text or JSON; undefined when absent, empty or not finite. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** A positive image dimension, or a message saying what is wrong with it. */
export function dimension(v: unknown, what: string): number | string {
  const n = toNumber(v);
  if (n === undefined)
    return v === undefined || v === "" ? `missing ${what}` : `${what} ${JSON.stringify(v)} is not a number`;
  if (n <= 0) return `${what} ${n} must be greater than 0`;
  return n;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** XML text of a child element: fast-xml-parser gives a string, or an object with "#text" when it has attributes. */
export function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (isRecord(v) && typeof v["#text"] === "string") return v["#text"];
  return undefined;
}
