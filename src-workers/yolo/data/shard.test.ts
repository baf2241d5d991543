/** The per-rank share of an epoch's order, as torch's DistributedSampler (drop_last false). */
import { describe, expect, it } from "vitest";
import { shardOrder } from "./loader.js";

describe("shardOrder", () => {
  it("takes every world-th index from rank on; the ranks together cover the epoch once", () => {
    const order = [5, 2, 7, 0, 3, 6, 1, 4];
    expect(shardOrder(order, 0, 2)).toEqual([5, 7, 3, 1]);
    expect(shardOrder(order, 1, 2)).toEqual([2, 0, 6, 4]);
    // batch k of the two ranks together = batch k of one process with the doubled batch
    expect([...shardOrder(order, 0, 2).slice(0, 2), ...shardOrder(order, 1, 2).slice(0, 2)].sort()).toEqual(
      order.slice(0, 4).sort(),
    );
  });

  it("pads with the first indices to an equal share per rank, wrapping when the set is tiny", () => {
    expect(shardOrder([4, 1, 3, 0, 2], 0, 3)).toEqual([4, 0]);
    expect(shardOrder([4, 1, 3, 0, 2], 1, 3)).toEqual([1, 2]);
    expect(shardOrder([4, 1, 3, 0, 2], 2, 3)).toEqual([3, 4]);
    expect(shardOrder([9], 3, 4)).toEqual([9]);
    expect(shardOrder([1, 2, 3], 0, 1)).toEqual([1, 2, 3]);
  });
});
