/** Reductions, sorting and indexing ops against PyTorch 1.13's results. */
import type * as torch from "./index.js";
import { describeReference, type CaseArgs, type OpTable } from "./test-support.js";

const dimsOf = (a: CaseArgs) => a.dims ?? null;

const REDUCE: OpTable = {
  sum: (x, a) => x[0]!.sum(dimsOf(a), a.keepdim, a.dtype),
  mean: (x, a) => x[0]!.mean(dimsOf(a), a.keepdim),
  amax: (x, a) => x[0]!.amax(dimsOf(a), a.keepdim),
  amin: (x, a) => x[0]!.amin(dimsOf(a), a.keepdim),
  max: (x) => x[0]!.max(),
  min: (x) => x[0]!.min(),
  maxDim: (x, a) => x[0]!.maxDim(a.dim!, a.keepdim),
  minDim: (x, a) => x[0]!.minDim(a.dim!, a.keepdim),
  argmax: (x, a) => x[0]!.argmax(a.dim, a.keepdim),
  argmin: (x, a) => x[0]!.argmin(a.dim, a.keepdim),
  prod: (x, a) => x[0]!.prod(a.dim, a.keepdim),
  cumsum: (x, a) => x[0]!.cumsum(a.dim!),
  any: (x, a) => x[0]!.any(a.dim),
  all: (x, a) => x[0]!.all(a.dim),
  var: (x, a) => x[0]!.var(dimsOf(a), a.unbiased),
  std: (x, a) => x[0]!.std(dimsOf(a), a.unbiased),
  norm: (x, a) => x[0]!.norm(a.p, dimsOf(a)),
  sort: (x, a) => x[0]!.sort(a.dim, a.descending, a.stable),
  argsort: (x, a) => x[0]!.argsort(a.dim, a.descending, a.stable),
  topk: (x, a) => x[0]!.topk(a.k!, a.dim, a.largest),
};

/** Index lists: `nulls` are the positions of `:` (null); the case's other inputs fill the rest in order. */
function indexList(x: torch.Tensor[], nulls: readonly number[], count: number): (torch.Tensor | null)[] {
  const rest = [...x];
  return Array.from({ length: count }, (_, i) => (nulls.includes(i) ? null : rest.shift()!));
}

const INDEX: OpTable = {
  gather: (x, a) => x[0]!.gather(a.dim!, x[1]!),
  scatter: (x, a) => x[0]!.scatter(a.dim!, x[1]!, a.value ?? x[2]!),
  scatterAdd: (x, a) => x[0]!.scatterAdd(a.dim!, x[1]!, x[2]!),
  indexSelect: (x, a) => x[0]!.indexSelect(a.dim!, x[1]!),
  maskedFill: (x, a) => x[0]!.maskedFill(x[1]!, a.value!),
  maskedSelect: (x) => x[0]!.maskedSelect(x[1]!),
  nonzero: (x) => x[0]!.nonzero(),
  index: (x, a) => {
    const nulls = a.nulls ?? [];
    return x[0]!.index(indexList(x.slice(1), nulls, x.length - 1 + nulls.length));
  },
  indexPut: (x, a) => {
    const idx = x.slice(1, 1 + a.nidx!);
    return x[0]!.indexPut(idx, a.value ?? x[1 + a.nidx!]!, a.accumulate);
  },
  indexPut_: (x, a) => {
    const t = x[0]!.clone();
    const values = x[1 + a.nidx!]!.unsqueeze(1).expand(...a.expandTo!);
    return t.indexPut_(x.slice(1, 1 + a.nidx!), values, a.accumulate);
  },
  slice: (x, a) => x[0]!.slice(a.dim!, a.start, a.end, a.step),
  select: (x, a) => x[0]!.select(a.dim!, a.index!),
  oneHot: (x, a) => x[0]!.oneHot(a.numClasses),
};

describeReference("reduce", REDUCE);
describeReference("index", INDEX);
