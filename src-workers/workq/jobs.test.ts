import { describe, expect, it } from "vitest";
import { decodeJob, encodeJob, inRoot, newJobId, rootRelative, type AugmentJob } from "./jobs.js";

const job: AugmentJob = {
  type: "augment",
  v: 1,
  id: newJobId(),
  source: "data",
  out: "data-processed",
  image: "a.jpg",
  seed: 0,
};
const bytes = (x: unknown) => Buffer.from(JSON.stringify(x));

describe("work-queue job messages", () => {
  it("round-trip, ignoring fields a newer submitter may add", () => {
    expect(decodeJob("augment", encodeJob(job))).toEqual({ ok: true, job });
    expect(decodeJob("augment", bytes({ ...job, priority: 3 }))).toEqual({ ok: true, job });
  });

  it("name what is wrong", () => {
    const reason = (x: Uint8Array) => {
      const d = decodeJob("augment", x);
      return d.ok ? "" : d.reason;
    };
    expect(reason(Buffer.from([0xff, 0xfe]))).toMatch(/not UTF-8/);
    expect(reason(Buffer.from("{"))).toMatch(/^the message is not JSON/);
    expect(reason(bytes({ ...job, source: "../x" }))).toMatch(/source: must stay inside the data root/);
    expect(reason(bytes({ ...job, out: "/abs" }))).toMatch(/out: must be relative to the data root/);
    expect(reason(bytes({ ...job, image: "sub/a.jpg" }))).toMatch(/image: must be a plain file name/);
    expect(reason(bytes({ ...job, seed: 1.5 }))).toMatch(/seed: /);
    expect(reason(bytes({ ...job, id: "x" }))).toMatch(/id: /);
    // An inference job on the augmentation queue is not an augmentation job.
    expect(reason(bytes({ ...job, type: "infer" }))).toMatch(/type: /);
    expect(decodeJob("infer", encodeJob(job)).ok).toBe(false);
  });

  it("map paths between the data root and this machine, refusing what lies outside", () => {
    expect(rootRelative("/srv/root", "/srv/root/videos/a.mp4", "input")).toBe("videos/a.mp4");
    expect(inRoot("/mnt/shared", "videos/a.mp4")).toBe("/mnt/shared/videos/a.mp4");
    expect(() => rootRelative("/srv/root", "/srv/other/a.mp4", "input")).toThrow(/outside the data root/);
    expect(() => rootRelative("/srv/root", "/srv/root", "--out")).toThrow(/outside the data root/);
  });
});
