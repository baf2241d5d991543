import { describe, expect, it } from "vitest";
import { applyJobEvent, EMPTY_BUFFERS } from "../../state/jobs.js";
import { epochsFinished, etaSeconds, progressLabel, trainPosition } from "./TrainProgress.js";
import { freeName } from "./TrainForm.js";

describe("training position and ETA", () => {
  it("is unknown before the run starts", () => {
    expect(trainPosition(EMPTY_BUFFERS, 10)).toBeUndefined();
  });

  it("counts fractional epochs from the 1-based batch events", () => {
    let b = applyJobEvent(EMPTY_BUFFERS, {
      type: "train.start",
      saveDir: "/r",
      startEpoch: 0,
      epochs: 4,
      batchesPerEpoch: 10,
    });
    b = applyJobEvent(b, {
      type: "train.batch",
      epoch: 2,
      batch: 5,
      batchesPerEpoch: 10,
      meanLoss: [1, 1, 1],
    });
    const pos = trainPosition(b, 99)!;
    expect(pos).toMatchObject({ done: 1.5, total: 4, epoch: 2, batch: 5, batchesPerEpoch: 10 });
  });

  it("moves to the next epoch once the epoch's row is in", () => {
    let b = applyJobEvent(EMPTY_BUFFERS, {
      type: "train.start",
      saveDir: "/r",
      startEpoch: 0,
      epochs: 4,
      batchesPerEpoch: 10,
    });
    b = applyJobEvent(b, {
      type: "train.batch",
      epoch: 1,
      batch: 9,
      batchesPerEpoch: 10,
      meanLoss: [1, 1, 1],
    });
    b = applyJobEvent(b, { type: "train.epoch", epoch: 1, row: { epoch: 1 } });
    expect(trainPosition(b, 4)).toMatchObject({ done: 1, epoch: 2, batch: 0 });
  });

  it("estimates the time left from this job's own progress (a resume counts from its restart)", () => {
    let b = applyJobEvent(EMPTY_BUFFERS, {
      type: "train.start",
      saveDir: "/r",
      startEpoch: 2,
      epochs: 6,
      batchesPerEpoch: 4,
    });
    b = applyJobEvent(b, {
      type: "train.batch",
      epoch: 4,
      batch: 4,
      batchesPerEpoch: 4,
      meanLoss: [1, 1, 1],
    });
    const pos = trainPosition(b, 6)!;
    expect(pos.done).toBe(4);
    // 2 epochs in 60 s, 2 to go.
    expect(etaSeconds(pos, 0, 60_000)).toBeCloseTo(60);
    expect(etaSeconds({ ...pos, done: 2 }, 0, 60_000)).toBeUndefined();
  });
});

describe("the epoch bar of an ended run", () => {
  it("names the last finished epoch, not the next one, and no batch position", () => {
    let b = applyJobEvent(EMPTY_BUFFERS, {
      type: "train.start",
      saveDir: "/r",
      startEpoch: 0,
      epochs: 4,
      batchesPerEpoch: 2,
    });
    b = applyJobEvent(b, {
      type: "train.batch",
      epoch: 2,
      batch: 2,
      batchesPerEpoch: 2,
      meanLoss: [1, 1, 1],
    });
    b = applyJobEvent(b, { type: "train.epoch", epoch: 2, row: { epoch: 2 } });
    const pos = trainPosition(b, 4)!;
    // Live, the run is in epoch 3; stopped there, it finished 2.
    expect(progressLabel(pos, true, epochsFinished(b, pos))).toBe("Epoch 3 of 4");
    expect(epochsFinished(b, pos)).toBe(2);
    expect(progressLabel(pos, false, epochsFinished(b, pos))).toBe("Epoch 2 of 4");
  });
});

describe("freeName", () => {
  const run = (name: string) => ({
    name,
    path: `/r/${name}`,
    epochsDone: 1,
    resumable: false,
    exports: [],
    modifiedAt: "",
  });
  it("numbers the base name past the runs that exist", () => {
    expect(freeName("train", [run("train"), run("train2")])).toBe("train3");
    expect(freeName("exp7", [run("exp7")])).toBe("exp2");
  });
});
