/** Shape and layout ops, joining and splitting, against PyTorch 1.13's results. */
import { expect } from "vitest";
import * as torch from "./index.js";
import { describeReference, type OpTable } from "./test-support.js";

const OPS: OpTable = {
  view: (x, a) => x[0]!.view(...a.shape!),
  reshapeT: (x, a) => x[0]!.transpose(0, 2).reshape(...a.shape!),
  permute: (x, a) => x[0]!.permute(...(a.dims as number[])),
  permuteContiguous: (x, a) => {
    const p = x[0]!.permute(...(a.dims as number[]));
    expect(p.isContiguous()).toBe(false);
    const c = p.contiguous();
    expect(c.isContiguous()).toBe(true);
    return c;
  },
  transpose: (x, a) => x[0]!.transpose(a.dim0!, a.dim1!),
  transposeContiguous: (x, a) => x[0]!.transpose(a.dim0!, a.dim1!).contiguous(),
  squeeze: (x, a) => x[0]!.squeeze(a.dim),
  unsqueeze: (x, a) => x[0]!.unsqueeze(a.dim!),
  expand: (x, a) => x[0]!.expand(...a.shape!),
  repeat: (x, a) => x[0]!.repeat(...a.repeats!),
  flip: (x, a) => x[0]!.flip(...(a.dims as number[])),
  flatten: (x, a) => x[0]!.flatten(a.startDim, a.endDim),
  cat: (x, a) => torch.cat(x, a.dim),
  stack: (x, a) => torch.stack(x, a.dim),
  split: (x, a) => x[0]!.split(a.sections ?? (a.size as number), a.dim),
  chunk: (x, a) => x[0]!.chunk(a.chunks!, a.dim),
  unbind: (x, a) => x[0]!.unbind(a.dim),
  meshgrid: (x, a) => torch.meshgrid(x, a.indexing),
};

describeReference("shape", OPS);
