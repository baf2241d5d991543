/**
 * The annotation message of the `azaion-annotations` stream (DESIGN.md, "Annotation message"):
 * MessagePack, a positional array, never a map. Decoding and validation live here and only here,
 * free of I/O, so the consumer, the publisher, the augmentation service and the UI share one idea
 * of what a valid message is. Unknown trailing fields are ignored (forward compatible).
 */
import { Packr } from "msgpackr";
import { z } from "zod";
import type { ClassCatalog } from "../core/classes.js";
import { parseLabelLine, type YoloBox } from "../core/labels.js";

export const ANNOTATION_STATUSES = ["created", "edited", "validated", "deleted"] as const;
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number];
export const ANNOTATION_SOURCES = ["ai", "manual"] as const;
export type AnnotationSource = (typeof ANNOTATION_SOURCES)[number];

/** The positions in the array; FIELD_COUNT is the least arity a message may have. */
export const FIELDS = [
  "name",
  "originalMediaName",
  "time",
  "imageExtension",
  "detections",
  "image",
  "createdDate",
  "createdEmail",
  "createdRole",
  "source",
  "status",
] as const;
export const FIELD_COUNT = FIELDS.length;

/** Extensions an annotation image may have (all decodable by libvips, which the pipeline uses). */
export const MESSAGE_IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"] as const;

export interface Detection extends YoloBox {
  readonly confidence?: number;
}

export interface AnnotationMessage {
  /** Unique annotation id; the stem of its files. */
  readonly name: string;
  readonly originalMediaName: string;
  /** Media time of the frame, ms. */
  readonly time: number;
  /** Lower-case, with the dot: ".jpg". */
  readonly imageExtension: string;
  readonly detections: readonly Detection[];
  /** Absent for edits, validations and deletes that do not change the picture. */
  readonly image: Uint8Array | null;
  readonly createdDate: Date;
  readonly createdEmail: string;
  readonly createdRole: number;
  readonly source: AnnotationSource;
  readonly status: AnnotationStatus;
}

export type DecodeResult =
  | { readonly ok: true; readonly message: AnnotationMessage; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** A file stem that is safe on every file system we write to, and not an augmented copy's name. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+=@,-]{0,199}$/;

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const detectionSchema = z.union([
  z.tuple([z.number().int().nonnegative(), finite, finite, finite, finite]),
  z.tuple([z.number().int().nonnegative(), finite, finite, finite, finite, finite.min(0).max(1)]),
]);

const imageBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be binary (bin 8/16/32)");

const fieldSchemas = {
  name: z
    .string()
    .regex(
      NAME,
      "must be 1-200 characters: letters, digits and . _ + = @ , - (not starting with . _ + = @ , -)",
    )
    .refine((s) => !/_aug\d+$/.test(s), 'must not end in "_aug<k>", the names of augmented copies'),
  originalMediaName: z.string(),
  time: finite.min(0),
  imageExtension: z
    .string()
    .transform((s) => s.toLowerCase())
    .refine(
      (s) => (MESSAGE_IMAGE_EXTENSIONS as readonly string[]).includes(s),
      `must be one of ${MESSAGE_IMAGE_EXTENSIONS.join(" ")}`,
    ),
  detections: z.array(z.unknown()),
  image: z.union([imageBytes, z.null(), z.undefined()]),
  // MessagePack timestamps decode to Date; producers without the extension send epoch milliseconds.
  createdDate: z.union([
    z.date().refine((d) => !Number.isNaN(d.getTime()), "must be a valid timestamp"),
    z.number().int().nonnegative(),
  ]),
  createdEmail: z.string(),
  createdRole: z.number().int(),
  source: z.number().int().min(0).max(1),
  status: z.number().int().min(0).max(3),
} as const;

// One Packr for the process: plain arrays, Uint8Array for bin, 64-bit ints as numbers (an offset-free format).
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "number", moreTypes: false });

/** Decode and validate one message body. Never throws: a bad message gives the reason. */
export function decodeAnnotation(bytes: Uint8Array, catalog: ClassCatalog): DecodeResult {
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (e) {
    return { ok: false, reason: `not MessagePack: ${(e as Error).message}` };
  }
  if (!Array.isArray(raw)) {
    const kind = raw === null ? "nil" : typeof raw === "object" ? "a map" : typeof raw;
    return { ok: false, reason: `not a positional array: the message is ${kind}` };
  }
  if (raw.length < FIELD_COUNT) {
    return {
      ok: false,
      reason: `wrong arity: ${raw.length} fields, expected at least ${FIELD_COUNT} (${FIELDS.join(", ")})`,
    };
  }
  const values: Record<string, unknown> = {};
  for (const [i, field] of FIELDS.entries()) {
    const parsed = fieldSchemas[field].safeParse(raw[i]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        reason: `field ${i} (${field}): ${issue?.message ?? "invalid"} (got ${describe(raw[i])})`,
      };
    }
    values[field] = parsed.data;
  }
  const warnings: string[] = [];
  const detections: Detection[] = [];
  for (const [i, d] of (values.detections as unknown[]).entries()) {
    const parsed = detectionSchema.safeParse(d);
    if (!parsed.success) {
      return {
        ok: false,
        reason: `field 4 (detections) [${i}]: expected [classId, cx, cy, w, h] or [classId, cx, cy, w, h, confidence] with a whole classId >= 0, got ${describe(d)}`,
      };
    }
    const [classId, cx, cy, w, h, confidence] = parsed.data;
    // The label-file rules apply: class in a used slot, 0-1, w and h > 0, a slight overhang clipped.
    const where = `detection ${i}`;
    const checked = parseLabelLine(`${classId} ${cx} ${cy} ${w} ${h}`, where, i + 1, catalog);
    const error = checked.problems.find((p) => p.severity === "error");
    if (error !== undefined || checked.box === undefined)
      return { ok: false, reason: `field 4 (detections) [${i}]: ${error?.message ?? "invalid box"}` };
    for (const p of checked.problems) warnings.push(`detections [${i}]: ${p.message}`);
    detections.push(confidence === undefined ? checked.box : { ...checked.box, confidence });
  }
  const created = values.createdDate as Date | number;
  const image = values.image as Uint8Array | null | undefined;
  const status = ANNOTATION_STATUSES[values.status as number]!;
  if (image != null && image.length === 0)
    return { ok: false, reason: "field 5 (image): empty (0 bytes); send nil when there is no image" };
  return {
    ok: true,
    warnings,
    message: {
      name: values.name as string,
      originalMediaName: values.originalMediaName as string,
      time: values.time as number,
      imageExtension: values.imageExtension as string,
      detections,
      image: image ?? null,
      createdDate: created instanceof Date ? created : new Date(created),
      createdEmail: values.createdEmail as string,
      createdRole: values.createdRole as number,
      source: ANNOTATION_SOURCES[values.source as number]!,
      status,
    },
  };
}

/** The MessagePack body of a message (positional, timestamps as the MessagePack extension). */
export function encodeAnnotation(m: AnnotationMessage): Buffer {
  const detections = m.detections.map((d) =>
    d.confidence === undefined
      ? [d.classId, d.cx, d.cy, d.w, d.h]
      : [d.classId, d.cx, d.cy, d.w, d.h, d.confidence],
  );
  return packr.pack([
    m.name,
    m.originalMediaName,
    m.time,
    m.imageExtension,
    detections,
    m.image === null ? null : Buffer.from(m.image.buffer, m.image.byteOffset, m.image.byteLength),
    m.createdDate,
    m.createdEmail,
    m.createdRole,
    ANNOTATION_SOURCES.indexOf(m.source),
    ANNOTATION_STATUSES.indexOf(m.status),
  ]);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (v instanceof Uint8Array) return `${v.length} bytes of binary`;
  if (v instanceof Date) return `timestamp ${Number.isNaN(v.getTime()) ? "invalid" : v.toISOString()}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return "a map";
  if (typeof v === "string") return `string "${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${v}`;
  return typeof v;
}
