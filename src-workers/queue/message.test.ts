import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { classCatalog } from "../core/classes.js";
import { knowsCommandVersions } from "./compat.js";
import { decodeAnnotation, encodeAnnotation, type AnnotationMessage } from "./message.js";

const catalog = classCatalog();
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const base: AnnotationMessage = {
  name: "a1b2-frame_0001",
  originalMediaName: "flight.mp4",
  time: 40,
  imageExtension: ".jpg",
  detections: [
    { classId: 21, cx: 0.5, cy: 0.5, w: 0.2, h: 0.1 },
    { classId: 0, cx: 0.25, cy: 0.75, w: 0.1, h: 0.1, confidence: 0.8 },
  ],
  image: jpeg,
  createdDate: new Date("2026-05-01T10:00:00.123Z"),
  createdEmail: "a@example.com",
  createdRole: 2,
  source: "ai",
  status: "validated",
};
const raw = (m: AnnotationMessage) => [
  m.name,
  m.originalMediaName,
  m.time,
  m.imageExtension,
  [[21, 0.5, 0.5, 0.2, 0.1]],
  m.image,
  m.createdDate,
  m.createdEmail,
  m.createdRole,
  0,
  2,
];

describe("annotation message", () => {
  it("round-trips through MessagePack", () => {
    const r = decodeAnnotation(encodeAnnotation(base), catalog);
    expect(r.ok && r.message).toEqual(base);
  });

  it("ignores unknown trailing fields, accepts nil images, epoch-ms dates and upper-case extensions", () => {
    const fields = raw({ ...base, image: null, imageExtension: ".JPG" });
    fields[6] = 1_700_000_000_000;
    const r = decodeAnnotation(pack([...fields, "future field", 42]), catalog);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toMatchObject({
      image: null,
      imageExtension: ".jpg",
      status: "validated",
      source: "ai",
    });
    expect(r.message.createdDate.getTime()).toBe(1_700_000_000_000);
  });

  it("clips a slight overhang with a warning, as the label rules do", () => {
    const fields = raw(base);
    fields[4] = [[1, 0.95, 0.5, 0.2, 0.2]];
    const r = decodeAnnotation(pack(fields), catalog);
    expect(r.ok && r.warnings.length).toBe(1);
    expect(r.ok && r.message.detections[0]!.w).toBeCloseTo(0.15, 6);
  });

  const bad: [string, unknown, RegExp][] = [
    ["a status outside 0-3", 10, /field 10 \(status\)/],
    ["a source outside 0-1", 9, /field 9 \(source\)/],
    ["a float class", 4, /field 4 \(detections\) \[0\]/],
    ["a name with a slash", 0, /field 0 \(name\)/],
    ["an augmented copy's name", 0, /_aug<k>/],
    ["a .gif extension", 3, /field 3 \(imageExtension\)/],
    ["an empty image", 5, /empty \(0 bytes\)/],
    ["a string date", 6, /field 6 \(createdDate\)/],
  ];
  const replace: Record<string, unknown> = {
    "a status outside 0-3": 4,
    "a source outside 0-1": 2,
    "a float class": [[1.5, 0.5, 0.5, 0.1, 0.1]],
    "a name with a slash": "a/b",
    "an augmented copy's name": "frame_aug3",
    "a .gif extension": ".gif",
    "an empty image": Buffer.alloc(0),
    "a string date": "yesterday",
  };
  for (const [what, index, reason] of bad) {
    it(`refuses ${what}`, () => {
      const fields = raw(base);
      fields[index as number] = replace[what] as (typeof fields)[number];
      const r = decodeAnnotation(pack(fields), catalog);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(reason);
    });
  }

  it("tells brokers with ExchangeCommandVersions (3.11+) from older ones", () => {
    expect(knowsCommandVersions("3.10.8")).toBe(false);
    expect(knowsCommandVersions("3.9.29")).toBe(false);
    expect(knowsCommandVersions("3.11.0")).toBe(true);
    expect(knowsCommandVersions("4.0.5")).toBe(true);
    expect(knowsCommandVersions(undefined)).toBe(true);
  });
});
