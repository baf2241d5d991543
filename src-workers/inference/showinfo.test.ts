/** Reading ffmpeg's stderr: exact timestamps from showinfo's pts and time base, problems kept. */
import { describe, expect, it } from "vitest";
import { FfmpegLog } from "./showinfo.js";
import { decodeArgs } from "./video-reader.js";

const SI = "[Parsed_showinfo_1 @ 0x55bfe337ed40] [info]";

describe("FfmpegLog", () => {
  it("turns pts into seconds with the filter's time base, even where pts_time is rounded", () => {
    const log = new FfmpegLog();
    // Chunks split mid-line, as pipes deliver them.
    const text =
      `[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':\n` +
      `${SI} config in time_base: 1/90000, frame_rate: 30000/1001\n` +
      `${SI} n:   0 pts:      0 pts_time:0       pos: 48 fmt:yuv420p\n` +
      `${SI}   side data - User Data Unregistered:\n` +
      `${SI} n:   1 pts: 12012 pts_time:0.133467 pos: 99 fmt:yuv420p\n` +
      `${SI} n:   2 pts: 324324000 pts_time:3603.6 pos: 99 fmt:yuv420p\n` +
      `[h264 @ 0x1] [error] Invalid NAL unit size (378 > 131).\n` +
      `[warning] a.mp4: corrupt input packet in stream 0\n`;
    let added = 0;
    for (let i = 0; i < text.length; i += 37) added += log.push(text.slice(i, i + 37));
    added += log.end();
    expect(added).toBe(3);
    expect(log.times).toEqual([0, 0.133466666667, 3603.6]);
    expect(log.problems).toEqual([
      "h264: Invalid NAL unit size (378 > 131).",
      "a.mp4: corrupt input packet in stream 0",
    ]);
  });

  it("selects every stride-th frame inside ffmpeg, or decodes all for drawing", () => {
    expect(decodeArgs("v.mp4", { stride: 4 })).toContain("select=not(mod(n\\,4)),showinfo=checksum=0");
    expect(decodeArgs("v.mp4", { stride: 4, all: true })).toContain("showinfo=checksum=0");
    expect(decodeArgs("v.mp4", { stride: 1 })).toContain("showinfo=checksum=0");
  });
});
