/**
 * What the trainer does differently in distributed data-parallel training (one process per rank):
 * rank 0's weights at the start, one global loss normaliser per batch, summed gradients before each
 * optimizer step, and rank 0's stop decision.
 *
 * Semantics: N ranks with batch b each take the same optimizer steps as one process with batch N*b on
 * the same images. Ultralytics multiplies each rank's loss by world size and lets DDP average the
 * gradients, which equals this when every rank's target-score sum (the loss normaliser of
 * v8DetectionLoss) is the same; here the normaliser and the image count are summed over the ranks
 * (one allreduce of 5 numbers per batch, before backward), so it is equal always. Each rank's loss is
 * then S_r / max(sum T, 1) * sum b, and the summed gradients are exactly one process's gradient.
 * Gradients are reduced once per optimizer step, not per backward: accumulation is a sum, so summing
 * the accumulated gradients equals summing each batch's (DDP's no_sync, fewer collectives).
 *
 * What stays per rank: BatchNorm batch statistics (each rank normalises over its own b images, as in
 * Ultralytics' DDP, which does not use SyncBatchNorm) and the BatchNorm running statistics (rank 0's
 * are the ones saved; DDP broadcasts rank 0's buffers each step for the same reason).
 */
import * as torch from "../../torch/index.js";
import type { ProcessGroup, Tensor } from "../../torch/index.js";
import type { Module } from "../nn/module.js";

export type Loss3 = [number, number, number];

export class DataParallel {
  constructor(
    readonly group: ProcessGroup,
    /** Where the small scalar tensors of the collectives live: "cpu" for Gloo, the rank's GPU for NCCL. */
    readonly device: string,
  ) {
    if (group.backend === "nccl" && !device.startsWith("cuda"))
      throw new RangeError(`the nccl backend needs a CUDA device, not ${device}`);
    if (group.backend === "gloo" && device !== "cpu")
      throw new RangeError(`the gloo backend here reduces CPU tensors; train on cpu or use nccl (${device})`);
  }

  get rank(): number {
    return this.group.rank;
  }
  get worldSize(): number {
    return this.group.worldSize;
  }
  /** Rank 0: the one that validates, logs and writes. */
  get isMain(): boolean {
    return this.group.rank === 0;
  }

  /** Every rank takes rank 0's parameters and buffers (BatchNorm statistics). */
  async broadcastModel(model: Module): Promise<void> {
    await this.group.broadcast([...model.stateDict().values()], 0);
  }

  /**
   * The factor each rank's loss is multiplied by before backward, and the batch's loss items over all
   * ranks. items are v8DetectionLoss' [box, cls, dfl] of this rank (normalised by its own target-score
   * sum `scoresSum`, clamped at 1), `count` its images.
   */
  async reduceLoss(items: Loss3, scoresSum: number, count: number): Promise<{ scale: number; items: Loss3 }> {
    const local = Math.max(scoresSum, 1);
    const t = torch.keep(
      torch.tensor(
        Float64Array.from([scoresSum, items[0] * local, items[1] * local, items[2] * local, count]),
        [5],
        { dtype: "float64", device: this.device },
      ),
    );
    try {
      await this.group.allreduce([t], "sum");
      const [sumT, box, cls, dfl, total] = t.toNumbers() as [number, number, number, number, number];
      const global = Math.max(sumT, 1);
      return { scale: (local / global) * (total / count), items: [box / global, cls / global, dfl / global] };
    } finally {
      t.dispose();
    }
  }

  /**
   * Sum the gradients of the trained `params` over the ranks, in place (one without a gradient counts as
   * zeros). Frozen ones (DFL's fixed conv) are left without a gradient, so no optimizer decays them.
   */
  async reduceGradients(params: readonly Tensor[]): Promise<void> {
    const trained = params.filter((p) => p.requiresGrad);
    torch.noGrad(() =>
      torch.tidy(() => {
        for (const p of trained) if (p.grad === null) p.grad = torch.zerosLike(p);
      }),
    );
    await this.group.allreduceGrads(trained, "sum");
  }

  /**
   * At an epoch's end, with gradients accumulated but not yet stepped: rank 0 takes their sum and the
   * others zeros, so the checkpoint (written by rank 0) holds the whole pending gradient, and the next
   * step's sum over ranks is the same as without this.
   */
  async gatherPendingGradients(params: readonly Tensor[]): Promise<void> {
    await this.reduceGradients(params);
    if (!this.isMain) this.zeroGradients(params);
  }

  /** Zero (not free) every gradient: a rank other than 0 resuming must not add rank 0's pending sum again. */
  zeroGradients(params: readonly Tensor[]): void {
    torch.noGrad(() =>
      torch.tidy(() => {
        for (const p of params) if (p.requiresGrad) p.grad = torch.zerosLike(p);
      }),
    );
  }

  /** Rank 0's value of a flag on every rank (early stop, a stop request). */
  async agree(flag: boolean): Promise<boolean> {
    const t = torch.keep(
      torch.tensor(Float64Array.from([flag ? 1 : 0]), [1], { dtype: "float64", device: this.device }),
    );
    try {
      await this.group.broadcast([t], 0);
      return t.item() !== 0;
    } finally {
      t.dispose();
    }
  }
}
