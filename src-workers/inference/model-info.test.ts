/** Class names and sizes from the metadata of our exports and of Ultralytics'. */
import { describe, expect, it } from "vitest";
import { parseImgsz, parseNames } from "./model-info.js";
import { TimeSummary, csvText } from "./summary.js";

describe("model metadata", () => {
  it("reads names as our JSON, Ultralytics' Python repr or a list", () => {
    expect(parseNames('{"0": "Truck", "2": "Tank"}')).toEqual(["Truck", "1", "Tank"]);
    expect(parseNames("{0: 'person', 1: \"it's\", 2: 'a\\'b'}")).toEqual(["person", "it's", "a'b"]);
    expect(parseNames('["a", "b"]')).toEqual(["a", "b"]);
    expect(() => parseNames("person, car")).toThrow(/mapping/);
    expect(parseImgsz("[640, 480]")).toEqual([640, 480]);
    expect(parseImgsz("320")).toEqual([320, 320]);
    expect(() => parseImgsz("[0, 1]")).toThrow();
  });
});

describe("TimeSummary", () => {
  it("counts per class per interval, zeros included, with distinct tracks", () => {
    const s = new TimeSummary(1);
    const det = (cls: number, name: string, track: number | null) => ({
      xyxy: [0, 0, 1, 1] as [number, number, number, number],
      conf: 0.9,
      cls,
      name,
      track,
    });
    s.add({ frame: 0, time: 0, detections: [det(0, "car", 1), det(0, "car", 2)] });
    s.add({ frame: 4, time: 0.5, detections: [det(0, "car", 1), det(3, "a,b", null)] });
    s.add({ frame: 20, time: 2.5, detections: [] });
    expect(s.csv().trim().split("\n")).toEqual([
      "start_s,end_s,frames,class,name,detections,max_per_frame,mean_per_frame,tracks",
      "0,1,2,0,car,3,2,1.5,2",
      '0,1,2,3,"a,b",1,1,0.5,0',
      "1,2,0,0,car,0,0,0,0",
      '1,2,0,3,"a,b",0,0,0,0',
      "2,3,1,0,car,0,0,0,0",
      '2,3,1,3,"a,b",0,0,0,0',
    ]);
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
  });
});
