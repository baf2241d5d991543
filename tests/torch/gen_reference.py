#!/usr/bin/env python3
"""Reference data for the libtorch addon's op tests (src-workers/torch/ops-*.test.ts).

Run once with a Python that has PyTorch (Debian: /usr/bin/python3 with python3-torch, 1.13):

    /usr/bin/python3 tests/torch/gen_reference.py

It writes tests/torch/reference/<group>.json: a list of cases, each with its inputs (dtype, shape,
flat data), the arguments of the op (a JSON object whose keys the TS dispatch table reads) and the
outputs PyTorch gives. The JSON is committed; the tests do not need Python.

Inputs come from fixed seeds (rounded to 4 decimals, so that the JSON text is exact) or literals.
Non-finite floats are written as the strings "nan", "inf", "-inf".
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference")
DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
    torch.bool: "bool",
}
BY_NAME = {v: k for k, v in DTYPES.items()}


def num(x, dtype):
    if dtype == torch.bool:
        return bool(x)
    if not dtype.is_floating_point:
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if dtype == torch.float64:
        return x
    # Shortest text that reads back as the same float32 (float16/bfloat16 values are float32-exact).
    return float(repr(np.float32(x)))


def enc(t):
    t = t.detach()
    flat = t.reshape(-1)
    vals = flat.to(torch.float32).tolist() if t.dtype in (torch.float16, torch.bfloat16) else flat.tolist()
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": [num(v, t.dtype) for v in vals]}


def rnd(seed, *shape, scale=1.0, dtype=torch.float32, lo=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=torch.float64) * scale
    if lo is not None:
        x = x.abs() + lo
    return torch.round(x * 1e4).div(1e4).to(dtype)


def distinct(seed, *shape, dtype=torch.float32):
    """Values spaced 0.1 apart in a random order: no ties (sort, max, pooling, argmax)."""
    n = int(np.prod(shape))
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(n, generator=g).to(torch.float64)
    return ((perm - n / 2) * 0.1).round(decimals=4).reshape(*shape).to(dtype)


def lit(data, dtype=torch.float32):
    return torch.tensor(data, dtype=dtype)


GROUPS = {}


def case(group, name, op, inputs, fn, **args):
    out = fn(*[t.clone() for t in inputs])
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    GROUPS.setdefault(group, []).append(
        {"name": name, "op": op, "args": args, "inputs": [enc(t) for t in inputs], "outputs": [enc(o) for o in outs]}
    )


# ---- element-wise ---------------------------------------------------------------------------------
G = "elementwise"
a34, b34 = rnd(1, 3, 4), rnd(2, 3, 4)
a231, b14 = rnd(3, 2, 3, 1), rnd(4, 1, 4)
pos34 = rnd(5, 3, 4, lo=0.1)
i34 = torch.tensor([[-7, -3, 0, 2], [5, 9, -1, 4], [6, -8, 3, 1]], dtype=torch.int64)
j34 = torch.tensor([[2, 3, 5, -3], [2, -4, 3, 3], [4, 3, -2, 7]], dtype=torch.int64)
bool_a = torch.tensor([[True, False, True, False], [True, True, False, False]])
bool_b = torch.tensor([[True, True, False, False]])

for opn, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]:
    case(G, f"{opn} tensor-tensor", opn, [a34, b34], fn)
    case(G, f"{opn} broadcast [2,3,1] x [1,4]", opn, [a231, b14], fn)
    case(G, f"{opn} tensor-scalar", opn, [a34], lambda a, fn=fn: fn(a, 2.5), scalar=2.5)
    case(G, f"{opn} int64 tensor-tensor", opn, [i34, j34], fn)
    case(G, f"{opn} int64 tensor-int scalar", opn, [i34], lambda a, fn=fn: fn(a, 3), scalar=3)
    case(G, f"{opn} int64 tensor-float scalar (promotes)", opn, [i34], lambda a, fn=fn: fn(a, 0.5), scalar=0.5)
case(G, "add alpha", "add", [a34, b34], lambda a, b: torch.add(a, b, alpha=-2), alpha=-2)
case(G, "sub alpha", "sub", [a34, b34], lambda a, b: torch.sub(a, b, alpha=0.5), alpha=0.5)
case(G, "add scalar alpha", "add", [a34], lambda a: torch.add(a, 3, alpha=2), scalar=3, alpha=2)
case(G, "sub scalar alpha", "sub", [a34], lambda a: torch.sub(a, 3, alpha=2), scalar=3, alpha=2)
case(G, "add float32 + float64 promotes", "add", [a34, b34.double()], torch.add)
case(G, "add int64 + float32 promotes", "add", [i34, b34], torch.add)
case(G, "pow tensor-tensor", "pow", [pos34, rnd(6, 3, 4)], torch.pow)
case(G, "pow broadcast", "pow", [rnd(7, 2, 3, 1, lo=0.5), rnd(8, 1, 4)], torch.pow)
case(G, "pow scalar 2", "pow", [a34], lambda a: torch.pow(a, 2), scalar=2)
case(G, "pow scalar 0.5", "pow", [pos34], lambda a: torch.pow(a, 0.5), scalar=0.5)
case(G, "pow scalar -1.5", "pow", [pos34], lambda a: torch.pow(a, -1.5), scalar=-1.5)
case(G, "pow int64 scalar 2", "pow", [i34], lambda a: torch.pow(a, 2), scalar=2)
case(G, "rsub scalar", "rsub", [a34], lambda a: 1 - a, scalar=1)
case(G, "rsub tensor", "rsub", [a34, b34], lambda a, b: b - a)
case(G, "rdiv scalar", "rdiv", [pos34], lambda a: 2.5 / a, scalar=2.5)
case(G, "rdiv tensor", "rdiv", [pos34, b34], lambda a, b: b / a)
case(G, "rdiv int64 by int scalar", "rdiv", [torch.tensor([1, 2, 4, -8])], lambda a: 3 / a, scalar=3)
case(G, "rdiv int64 by float scalar", "rdiv", [torch.tensor([1, 2, 4, -8])], lambda a: 0.5 / a, scalar=0.5)
case(G, "rpow scalar", "rpow", [a34], lambda a: 2.0 ** a, scalar=2)
case(G, "floorDivide negatives", "floorDivide", [i34, j34], lambda a, b: torch.div(a, b, rounding_mode="floor"))
case(G, "floorDivide float scalar", "floorDivide", [a34], lambda a: torch.div(a, 0.3, rounding_mode="floor"), scalar=0.3)
case(G, "remainder negatives", "remainder", [i34, j34], torch.remainder)
case(G, "remainder float scalar", "remainder", [a34], lambda a: torch.remainder(a, 0.7), scalar=0.7)

cmp_a = torch.tensor([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 2.5, 2.0], [7.0, -3.0, 3.0, 0.5]])
cmp_b = torch.tensor([[1.0, 3.0, 2.0, 4.0]])
for opn in ["eq", "ne", "lt", "le", "gt", "ge"]:
    fn = getattr(torch, opn)
    case(G, f"{opn} tensor-tensor broadcast", opn, [cmp_a, cmp_b], fn)
    case(G, f"{opn} tensor-scalar", opn, [cmp_a], lambda a, fn=fn: fn(a, 2.0), scalar=2)
    case(G, f"{opn} int64 tensor-scalar", opn, [i34], lambda a, fn=fn: fn(a, 3), scalar=3)
for opn, fn in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case(G, f"{opn} broadcast", opn, [a231, b14], fn)
for opn, fn in [("logicalAnd", torch.logical_and), ("logicalOr", torch.logical_or), ("logicalXor", torch.logical_xor)]:
    case(G, f"{opn} bool broadcast", opn, [bool_a, bool_b], fn)
    case(G, f"{opn} float", opn, [cmp_a.sub(2), cmp_b.sub(3)], fn)
case(G, "logicalNot bool", "logicalNot", [bool_a], torch.logical_not)
case(G, "logicalNot float", "logicalNot", [cmp_a.sub(2)], torch.logical_not)

cond = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
case(G, "where tensor-tensor", "where", [cond, a34, b34], torch.where)
case(G, "where broadcast", "where", [cond[:, :1], a231[0], b14[0]], torch.where)
case(G, "where tensor-scalar", "where", [cond, a34], lambda c, a: torch.where(c, a, torch.tensor(-1.5)), b=-1.5)
case(G, "where scalar-tensor", "where", [cond, a34], lambda c, b: torch.where(c, torch.tensor(0.0), b), a=0)
case(G, "where scalar-scalar", "where", [cond], lambda c: torch.where(c, torch.tensor(1.0), torch.tensor(0.0)), a=1, b=0)
case(G, "clamp min max", "clamp", [a34], lambda a: torch.clamp(a, -0.5, 0.5), min=-0.5, max=0.5)
case(G, "clamp min only", "clamp", [a34], lambda a: torch.clamp(a, min=0.1), min=0.1)
case(G, "clamp max only", "clamp", [a34], lambda a: torch.clamp(a, max=0.1), max=0.1)
case(G, "clamp int64", "clamp", [i34], lambda a: torch.clamp(a, -2, 4), min=-2, max=4)
lo_t, hi_t = rnd(9, 1, 4).sub(0.5), rnd(10, 3, 1).abs().add(0.5)
case(G, "clamp tensor bounds", "clamp", [a34, lo_t, hi_t], torch.clamp)
case(G, "clamp tensor min only", "clampMin", [a34, lo_t], lambda a, lo: torch.clamp(a, min=lo))
case(G, "clamp tensor max only", "clampMax", [a34, hi_t], lambda a, hi: torch.clamp(a, max=hi))

signed = torch.tensor([[-2.5, -1.0, -0.0, 0.0], [0.3, 1.0, 7.25, -0.001]])
for opn, fn, x in [
    ("sqrt", torch.sqrt, pos34), ("exp", torch.exp, a34), ("log", torch.log, pos34), ("atan", torch.atan, a34.mul(3)),
    ("abs", torch.abs, signed), ("sign", torch.sign, signed), ("neg", torch.neg, a34), ("sigmoid", torch.sigmoid, a34.mul(4)),
    ("relu", torch.relu, a34), ("silu", F.silu, a34.mul(3)), ("tanh", torch.tanh, a34), ("rsqrt", torch.rsqrt, pos34),
    ("square", torch.square, a34), ("log2", torch.log2, pos34), ("log1p", torch.log1p, pos34), ("expm1", torch.expm1, a34),
    ("sin", torch.sin, a34), ("cos", torch.cos, a34), ("floor", torch.floor, a34.mul(3)), ("ceil", torch.ceil, a34.mul(3)),
    ("round", torch.round, torch.tensor([0.5, 1.5, 2.5, -0.5, -1.4, 2.6])), ("trunc", torch.trunc, a34.mul(3)),
    ("reciprocal", torch.reciprocal, pos34),
]:
    case(G, f"{opn}", opn, [x], fn)
case(G, "abs int64", "abs", [i34], torch.abs)
case(G, "sign int64", "sign", [i34], torch.sign)
case(G, "exp float64", "exp", [a34.double()], torch.exp)
case(G, "floorDivide int64 by float scalar (promotes)", "floorDivide", [i34], lambda a: torch.div(a, 0.5, rounding_mode="floor"), scalar=0.5)
case(G, "atan2 int64 tensor-scalar (promotes)", "atan2", [i34], lambda a: torch.atan2(a, torch.tensor(0.5)), scalar=0.5)
case(G, "where int64 tensor, float scalar (promotes)", "where", [cond, i34], lambda c, a: torch.where(c, a, 0.5), b=0.5)
case(G, "where float64 tensor, float scalar keeps float64", "where", [cond, a34.double()], lambda c, b: torch.where(c, 0.25, b), a=0.25)
case(G, "where float32 tensor, int scalar", "where", [cond, a34], lambda c, a: torch.where(c, a, 2), b=2)
for opn, fn, sc in [("add_", torch.add, None), ("sub_", torch.sub, None), ("mul_", torch.mul, None), ("div_", torch.div, None),
                    ("add_", torch.add, 1.5), ("sub_", torch.sub, 1.5), ("mul_", torch.mul, 1.5), ("div_", torch.div, 1.5)]:
    if sc is None:
        case(G, f"{opn} in place tensor broadcast", opn, [a34, b34[0]], fn)
    else:
        case(G, f"{opn} in place scalar", opn, [a34], lambda a, fn=fn: fn(a, 1.5), scalar=1.5)
case(G, "add_ in place alpha", "add_", [a34, b34], lambda a, b: torch.add(a, b, alpha=-3), alpha=-3)
case(G, "sub_ in place scalar alpha", "sub_", [a34], lambda a: torch.sub(a, 2, alpha=3), scalar=2, alpha=3)
case(G, "sub_ in place tensor alpha", "sub_", [a34, b34], lambda a, b: torch.sub(a, b, alpha=0.5), alpha=0.5)
case(G, "clamp_ in place", "clamp_", [a34], lambda a: torch.clamp(a, -0.25, 0.75), min=-0.25, max=0.75)
special = torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), 0.0])
case(G, "isnan", "isnan", [special], torch.isnan)
case(G, "isinf", "isinf", [special], torch.isinf)
case(G, "isfinite", "isfinite", [special], torch.isfinite)
case(G, "log of zero and negative", "log", [torch.tensor([0.0, -1.0, 1.0])], torch.log)
case(G, "atan2 tensor-tensor", "atan2", [a34, b34], torch.atan2)
case(G, "atan2 broadcast", "atan2", [a231, b14], torch.atan2)
case(G, "atan2 tensor-scalar", "atan2", [a34], lambda a: torch.atan2(a, torch.tensor(0.5)), scalar=0.5)

# ---- reductions -------------------------------------------------------------------------------------
G = "reduce"
r234 = distinct(20, 2, 3, 4)
rp = rnd(21, 2, 3, 4, lo=0.5)
for dims, keep in [(None, False), (0, False), (1, True), (-1, False), ([0, 2], False), ([0, 2], True)]:
    label = f"dims={dims} keepdim={keep}"
    if dims is None:
        case(G, f"sum {label}", "sum", [r234], torch.sum)
        case(G, f"mean {label}", "mean", [r234], torch.mean)
        case(G, f"amax {label}", "amax", [r234], torch.amax)
        case(G, f"amin {label}", "amin", [r234], torch.amin)
    else:
        case(G, f"sum {label}", "sum", [r234], lambda t, d=dims, k=keep: torch.sum(t, d, keepdim=k), dims=dims, keepdim=keep)
        case(G, f"mean {label}", "mean", [r234], lambda t, d=dims, k=keep: torch.mean(t, d, keepdim=k), dims=dims, keepdim=keep)
        case(G, f"amax {label}", "amax", [r234], lambda t, d=dims, k=keep: torch.amax(t, d, keepdim=k), dims=dims, keepdim=keep)
        case(G, f"amin {label}", "amin", [r234], lambda t, d=dims, k=keep: torch.amin(t, d, keepdim=k), dims=dims, keepdim=keep)
case(G, "sum int64 stays int64", "sum", [i34], torch.sum)
case(G, "sum bool counts", "sum", [cond], lambda c: torch.sum(c, 1), dims=1)
case(G, "sum with dtype float64", "sum", [r234], lambda t: torch.sum(t, 1, dtype=torch.float64), dims=1, dtype="float64")
case(G, "max all", "max", [r234], torch.max)
case(G, "min all", "min", [r234], torch.min)
for dim, keep in [(0, False), (1, True), (-1, False), (2, True)]:
    case(G, f"max dim={dim} keepdim={keep}", "maxDim", [r234], lambda t, d=dim, k=keep: torch.max(t, d, keepdim=k), dim=dim, keepdim=keep)
    case(G, f"min dim={dim} keepdim={keep}", "minDim", [r234], lambda t, d=dim, k=keep: torch.min(t, d, keepdim=k), dim=dim, keepdim=keep)
    case(G, f"argmax dim={dim} keepdim={keep}", "argmax", [r234], lambda t, d=dim, k=keep: torch.argmax(t, d, keepdim=k), dim=dim, keepdim=keep)
    case(G, f"argmin dim={dim} keepdim={keep}", "argmin", [r234], lambda t, d=dim, k=keep: torch.argmin(t, d, keepdim=k), dim=dim, keepdim=keep)
case(G, "argmax all", "argmax", [r234], torch.argmax)
case(G, "max dim int64", "maxDim", [torch.tensor([[3, 9, -2], [4, 1, 8]])], lambda t: torch.max(t, 1), dim=1)
case(G, "prod all", "prod", [rp], torch.prod)
case(G, "prod dim=1", "prod", [rp], lambda t: torch.prod(t, 1), dim=1)
case(G, "prod dim=-1 keepdim", "prod", [rp], lambda t: torch.prod(t, -1, keepdim=True), dim=-1, keepdim=True)
case(G, "prod int64", "prod", [i34], lambda t: torch.prod(t, 0), dim=0)
case(G, "cumsum dim=0", "cumsum", [r234], lambda t: torch.cumsum(t, 0), dim=0)
case(G, "cumsum dim=-1", "cumsum", [r234], lambda t: torch.cumsum(t, -1), dim=-1)
case(G, "cumsum int64", "cumsum", [i34], lambda t: torch.cumsum(t, 1), dim=1)
case(G, "cumsum bool to int64", "cumsum", [cond], lambda t: torch.cumsum(t, 1), dim=1)
case(G, "any dim", "any", [cond], lambda t: torch.any(t, 1), dim=1)
case(G, "all dim", "all", [cond], lambda t: torch.all(t, 0), dim=0)
case(G, "any all-reduce", "any", [cond], torch.any)
case(G, "var dims", "var", [r234], lambda t: torch.var(t, [0, 2]), dims=[0, 2])
case(G, "std biased", "std", [r234], lambda t: torch.std(t, 1, unbiased=False), dims=1, unbiased=False)
case(G, "norm p=2 dim", "norm", [r234], lambda t: torch.norm(t, 2, 1), p=2, dims=1)
case(G, "norm p=1 all", "norm", [r234], lambda t: torch.norm(t, 1), p=1)
for dim, desc in [(-1, False), (0, True), (1, False), (1, True)]:
    case(G, f"sort dim={dim} descending={desc}", "sort", [r234], lambda t, d=dim, s=desc: torch.sort(t, d, s), dim=dim, descending=desc)
case(G, "argsort descending", "argsort", [r234], lambda t: torch.argsort(t, 1, True), dim=1, descending=True)
case(G, "sort stable with ties", "sort", [torch.tensor([3.0, 1.0, 3.0, 1.0, 2.0, 3.0])],
     lambda t: torch.sort(t, stable=True), dim=0, descending=False, stable=True)
for k, dim, largest in [(2, -1, True), (1, 0, True), (3, 1, False), (4, -1, False)]:
    case(G, f"topk k={k} dim={dim} largest={largest}", "topk", [r234],
         lambda t, k=k, d=dim, lg=largest: torch.topk(t, k, d, lg), k=k, dim=dim, largest=largest)

# ---- indexing -------------------------------------------------------------------------------------
G = "index"
x34 = rnd(30, 3, 4)
gi0 = torch.tensor([[0, 2, 1, 0], [2, 2, 0, 1]])
gi1 = torch.tensor([[3, 0], [1, 1], [2, 0]])
case(G, "gather dim=0", "gather", [x34, gi0], lambda t, i: torch.gather(t, 0, i), dim=0)
case(G, "gather dim=1", "gather", [x34, gi1], lambda t, i: torch.gather(t, 1, i), dim=1)
case(G, "gather dim=-1 3d", "gather", [r234, torch.tensor([[[3], [0], [1]], [[2], [2], [0]]])], lambda t, i: torch.gather(t, -1, i), dim=-1)
src24 = rnd(31, 2, 4)
si = torch.tensor([[0, 1, 2, 0], [2, 0, 1, 1]])
case(G, "scatter tensor src dim=0", "scatter", [torch.zeros(3, 4), si, src24], lambda t, i, s: torch.scatter(t, 0, i, s), dim=0)
case(G, "scatter scalar dim=1", "scatter", [x34, torch.tensor([[1], [3], [0]])], lambda t, i: torch.scatter(t, 1, i, -9.0), dim=1, value=-9)
sai = torch.tensor([[0, 1, 0, 0], [2, 0, 0, 1]])
case(G, "scatterAdd duplicates dim=0", "scatterAdd", [x34, sai, src24], lambda t, i, s: torch.scatter_add(t, 0, i, s), dim=0)
case(G, "scatterAdd dim=1", "scatterAdd", [torch.zeros(2, 3), torch.tensor([[0, 0, 2, 1], [1, 1, 1, 0]]), src24],
     lambda t, i, s: torch.scatter_add(t, 1, i, s), dim=1)
case(G, "indexSelect dim=0 repeats", "indexSelect", [x34, torch.tensor([2, 0, 2])], lambda t, i: torch.index_select(t, 0, i), dim=0)
case(G, "indexSelect dim=1", "indexSelect", [x34, torch.tensor([3, 1])], lambda t, i: torch.index_select(t, 1, i), dim=1)
m34 = x34 > 0.2
case(G, "maskedFill scalar", "maskedFill", [x34, m34], lambda t, m: t.masked_fill(m, -1.25), value=-1.25)
case(G, "maskedFill broadcast mask", "maskedFill", [x34, torch.tensor([True, False, False, True])], lambda t, m: t.masked_fill(m, 0.0), value=0)
case(G, "maskedFill int64", "maskedFill", [i34, i34 < 0], lambda t, m: t.masked_fill(m, 0), value=0)
case(G, "maskedSelect", "maskedSelect", [x34, m34], torch.masked_select)
case(G, "maskedSelect broadcast", "maskedSelect", [x34, torch.tensor([[True], [False], [True]])], torch.masked_select)
case(G, "nonzero 2d", "nonzero", [torch.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]])], torch.nonzero)
case(G, "nonzero bool 1d", "nonzero", [cond[0]], torch.nonzero)
case(G, "nonzero empty", "nonzero", [torch.zeros(2, 3)], torch.nonzero)
mask23 = torch.tensor([[True, False, True], [False, True, True]])
case(G, "index bool mask 2d on [2,3,4]", "index", [rnd(32, 2, 3, 4), mask23], lambda t, m: t[m], nulls=[])
case(G, "index bool mask rows", "index", [x34, torch.tensor([True, False, True])], lambda t, m: t[m], nulls=[])
case(G, "index int tensors pair", "index", [x34, torch.tensor([0, 2, 2]), torch.tensor([3, 0, 1])], lambda t, a, b: t[a, b], nulls=[])
case(G, "index null then ints", "index", [x34, torch.tensor([1, 3])], lambda t, a: t[:, a], nulls=[0])
case(G, "index negative ints", "index", [x34, torch.tensor([-1, 0])], lambda t, a: t[a], nulls=[])
case(G, "indexPut values", "indexPut", [x34, torch.tensor([0, 2]), torch.tensor([1, 3]), torch.tensor([10.0, 20.0])],
     lambda t, a, b, v: t.index_put((a, b), v), nidx=2, accumulate=False)
case(G, "indexPut accumulate duplicates", "indexPut",
     [x34, torch.tensor([0, 2, 0, 0]), torch.tensor([1, 3, 1, 1]), torch.tensor([1.0, 2.0, 3.0, 4.0])],
     lambda t, a, b, v: t.index_put((a, b), v, accumulate=True), nidx=2, accumulate=True)
case(G, "indexPut bool mask scalar", "indexPut", [x34, m34], lambda t, m: t.index_put((m,), torch.tensor(7.0)), nidx=1, value=7)
case(G, "indexPut rows broadcast values", "indexPut", [x34, torch.tensor([2, 0]), torch.tensor([1.0, 2.0, 3.0, 4.0])],
     lambda t, a, v: t.index_put((a,), v), nidx=1, accumulate=False)
case(G, "indexPut_ in place accumulate", "indexPut_", [x34, torch.tensor([1, 1, 2]), torch.tensor([0.5, 0.25, 1.0])],
     lambda t, a, v: t.index_put_((a,), v.unsqueeze(1).expand(3, 4), accumulate=True), nidx=1, accumulate=True, expandTo=[3, 4])
case(G, "slice step", "slice", [rnd(33, 3, 7)], lambda t: t[:, 1:6:2], dim=1, start=1, end=6, step=2)
case(G, "slice negative", "slice", [rnd(33, 3, 7)], lambda t: t[:, -3:], dim=1, start=-3)
case(G, "select", "select", [r234], lambda t: t.select(1, -1), dim=1, index=-1)
case(G, "oneHot", "oneHot", [torch.tensor([0, 2, 1, 3])], lambda t: F.one_hot(t, 5), numClasses=5)

# ---- shapes -------------------------------------------------------------------------------------
G = "shape"
s = rnd(40, 2, 3, 4)
case(G, "view", "view", [s], lambda t: t.view(4, 6), shape=[4, 6])
case(G, "view -1", "view", [s], lambda t: t.view(-1, 4), shape=[-1, 4])
case(G, "reshape non-contiguous", "reshapeT", [s], lambda t: t.transpose(0, 2).reshape(4, -1), shape=[4, -1])
case(G, "permute", "permute", [s], lambda t: t.permute(2, 0, 1), dims=[2, 0, 1])
case(G, "permute negative", "permute", [s], lambda t: t.permute(-1, -3, -2), dims=[-1, -3, -2])
case(G, "transpose", "transpose", [s], lambda t: t.transpose(0, 2), dim0=0, dim1=2)
case(G, "transpose contiguous", "transposeContiguous", [s], lambda t: t.transpose(1, 2).contiguous(), dim0=1, dim1=2)
case(G, "squeeze all", "squeeze", [rnd(41, 1, 3, 1, 2)], lambda t: t.squeeze())
case(G, "squeeze dim", "squeeze", [rnd(41, 1, 3, 1, 2)], lambda t: t.squeeze(2), dim=2)
case(G, "squeeze non-unit dim is a no-op", "squeeze", [rnd(41, 1, 3, 1, 2)], lambda t: t.squeeze(1), dim=1)
case(G, "unsqueeze", "unsqueeze", [s], lambda t: t.unsqueeze(1), dim=1)
case(G, "unsqueeze -1", "unsqueeze", [s], lambda t: t.unsqueeze(-1), dim=-1)
case(G, "expand", "expand", [rnd(42, 3, 1)], lambda t: t.expand(2, 3, 4), shape=[2, 3, 4])
case(G, "expand -1", "expand", [rnd(42, 3, 1)], lambda t: t.expand(-1, 5), shape=[-1, 5])
case(G, "repeat", "repeat", [rnd(43, 2, 3)], lambda t: t.repeat(2, 1, 3), repeats=[2, 1, 3])
case(G, "flip one dim", "flip", [s], lambda t: t.flip(1), dims=[1])
case(G, "flip two dims", "flip", [s], lambda t: t.flip(0, -1), dims=[0, -1])
case(G, "flatten", "flatten", [s], lambda t: t.flatten(1), startDim=1, endDim=-1)
case(G, "contiguous of permuted", "permuteContiguous", [s], lambda t: t.permute(2, 0, 1).contiguous(), dims=[2, 0, 1])
case(G, "cat dim=0", "cat", [rnd(44, 2, 3), rnd(45, 1, 3)], lambda a, b: torch.cat([a, b], 0), dim=0)
case(G, "cat dim=-1 three", "cat", [rnd(44, 2, 3), rnd(45, 2, 1), rnd(46, 2, 2)], lambda *t: torch.cat(t, -1), dim=-1)
case(G, "cat int64", "cat", [i34, j34], lambda a, b: torch.cat([a, b], 1), dim=1)
case(G, "stack dim=0", "stack", [rnd(44, 2, 3), rnd(45, 2, 3)], lambda a, b: torch.stack([a, b]), dim=0)
case(G, "stack dim=-1", "stack", [rnd(44, 2, 3), rnd(45, 2, 3), rnd(46, 2, 3)], lambda *t: torch.stack(t, -1), dim=-1)
case(G, "split size", "split", [rnd(47, 5, 2)], lambda t: torch.split(t, 2), size=2, dim=0)
case(G, "split sections dim=1", "split", [rnd(48, 2, 6)], lambda t: torch.split(t, [1, 3, 2], 1), sections=[1, 3, 2], dim=1)
case(G, "chunk uneven", "chunk", [rnd(47, 5, 2)], lambda t: torch.chunk(t, 3), chunks=3, dim=0)
case(G, "chunk dim=1", "chunk", [rnd(48, 2, 6)], lambda t: torch.chunk(t, 2, 1), chunks=2, dim=1)
case(G, "unbind dim=1", "unbind", [rnd(48, 2, 3)], lambda t: torch.unbind(t, 1), dim=1)
case(G, "meshgrid ij", "meshgrid", [torch.arange(3.0), torch.arange(2.0)], lambda a, b: torch.meshgrid(a, b, indexing="ij"), indexing="ij")
case(G, "meshgrid xy", "meshgrid", [torch.arange(3.0), torch.arange(2.0)], lambda a, b: torch.meshgrid(a, b, indexing="xy"), indexing="xy")

# ---- nn -------------------------------------------------------------------------------------------
G = "nn"
cx = rnd(50, 2, 4, 7, 7)
for name, wshape, kw in [
    ("conv2d k3 p1 bias", (6, 4, 3, 3), dict(padding=1)),
    ("conv2d k3 s2 p1", (6, 4, 3, 3), dict(stride=2, padding=1)),
    ("conv2d k3 dilation 2 p2", (3, 4, 3, 3), dict(padding=2, dilation=2)),
    ("conv2d groups 2", (6, 2, 3, 3), dict(padding=1, groups=2)),
    ("conv2d depthwise groups 4", (4, 1, 3, 3), dict(padding=1, groups=4)),
    ("conv2d 1x1", (5, 4, 1, 1), dict()),
    ("conv2d rect stride/padding", (2, 4, 3, 2), dict(stride=[2, 1], padding=[0, 1])),
]:
    w = rnd(51, *wshape, scale=0.3)
    b = rnd(52, wshape[0])
    case(G, name, "conv2d", [cx, w, b], lambda x, w, b, kw=kw: F.conv2d(x, w, b, **kw), **kw)
case(G, "conv2d no bias", "conv2d", [cx, rnd(53, 3, 4, 3, 3, scale=0.3)], lambda x, w: F.conv2d(x, w, None, padding=1), padding=1)

bx = rnd(54, 4, 3, 5, 5, scale=2).add(0.7)
bw, bb = rnd(55, 3, lo=0.5), rnd(56, 3)
rm, rv = rnd(57, 3), rnd(58, 3, lo=0.5)


def bn_train(x, w, b, rm, rv):
    out = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
    return [out, rm, rv]


case(G, "batchNorm train updates running stats", "batchNorm", [bx, bw, bb, rm, rv], bn_train, training=True, momentum=0.1, eps=1e-5)
case(G, "batchNorm train momentum 0.03", "batchNorm", [bx, bw, bb, rm, rv],
     lambda x, w, b, m, v: [F.batch_norm(x, m, v, w, b, True, 0.03, 1e-3), m, v], training=True, momentum=0.03, eps=1e-3)
case(G, "batchNorm eval", "batchNorm", [bx, bw, bb, rm, rv],
     lambda x, w, b, m, v: [F.batch_norm(x, m, v, w, b, False, 0.1, 1e-5), m, v], training=False, momentum=0.1, eps=1e-5)
case(G, "batchNorm train no affine no running stats", "batchNormPlain", [bx],
     lambda x: F.batch_norm(x, None, None, None, None, True, 0.1, 1e-5), training=True, momentum=0.1, eps=1e-5)
px = distinct(59, 2, 3, 8, 8)
case(G, "maxPool2d SPPF k5 s1 p2", "maxPool2d", [px], lambda x: F.max_pool2d(x, 5, 1, 2), kernel=5, stride=1, padding=2)
case(G, "maxPool2d k2 s2", "maxPool2d", [px], lambda x: F.max_pool2d(x, 2, 2), kernel=2, stride=2, padding=0)
case(G, "maxPool2d k3 s2 ceil", "maxPool2d", [distinct(60, 1, 2, 7, 7)], lambda x: F.max_pool2d(x, 3, 2, 0, ceil_mode=True),
     kernel=3, stride=2, padding=0, ceilMode=True)
case(G, "upsample nearest x2", "upsampleNearest2d", [rnd(61, 2, 3, 3, 4)], lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest"), scale=2)
case(G, "upsample nearest to size", "upsampleNearest2d", [rnd(61, 2, 3, 3, 4)], lambda x: F.interpolate(x, size=(5, 9), mode="nearest"), size=[5, 9])
lx = rnd(62, 5, 4, scale=2)
for dim in [0, 1, -1]:
    case(G, f"softmax dim={dim}", "softmax", [lx], lambda x, d=dim: F.softmax(x, d), dim=dim)
    case(G, f"logSoftmax dim={dim}", "logSoftmax", [lx], lambda x, d=dim: F.log_softmax(x, d), dim=dim)
case(G, "softmax 3d dim=1", "softmax", [r234], lambda x: F.softmax(x, 1), dim=1)
case(G, "softmax large logits", "softmax", [torch.tensor([[1000.0, 1001.0, 999.0]])], lambda x: F.softmax(x, -1), dim=-1)
bl = rnd(63, 3, 5, scale=2)
bt = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 0.0, 1.0, 1.0, 0.2], [1.0, 1.0, 0.0, 0.0, 0.9]])
for red in ["none", "mean", "sum"]:
    case(G, f"bceWithLogits {red}", "bceWithLogits", [bl, bt], lambda x, y, r=red: F.binary_cross_entropy_with_logits(x, y, reduction=r), reduction=red)
    case(G, f"bceWithLogits posWeight {red}", "bceWithLogitsPos", [bl, bt, rnd(64, 5, lo=0.5)],
         lambda x, y, p, r=red: F.binary_cross_entropy_with_logits(x, y, pos_weight=p, reduction=r), reduction=red)
    case(G, f"bceWithLogits weight {red}", "bceWithLogitsWeight", [bl, bt, rnd(65, 1, 5, lo=0.2)],
         lambda x, y, w, r=red: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction=r), reduction=red)
case(G, "bceWithLogits large logits", "bceWithLogits", [torch.tensor([100.0, -100.0, 30.0]), torch.tensor([0.0, 1.0, 1.0])],
     lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"), reduction="none")
cl = rnd(66, 6, 4, scale=2)
ct = torch.tensor([0, 3, 1, 1, 2, 3])
cw = rnd(67, 4, lo=0.3)
for red in ["none", "mean", "sum"]:
    case(G, f"crossEntropy {red}", "crossEntropy", [cl, ct], lambda x, y, r=red: F.cross_entropy(x, y, reduction=r), reduction=red)
    case(G, f"crossEntropy weight {red}", "crossEntropyWeight", [cl, ct, cw],
         lambda x, y, w, r=red: F.cross_entropy(x, y, w, reduction=r), reduction=red)
    case(G, f"crossEntropy labelSmoothing 0.1 {red}", "crossEntropy", [cl, ct],
         lambda x, y, r=red: F.cross_entropy(x, y, reduction=r, label_smoothing=0.1), reduction=red, labelSmoothing=0.1)
    case(G, f"crossEntropy weight+labelSmoothing {red}", "crossEntropyWeight", [cl, ct, cw],
         lambda x, y, w, r=red: F.cross_entropy(x, y, w, reduction=r, label_smoothing=0.2), reduction=red, labelSmoothing=0.2)
case(G, "crossEntropy ignoreIndex", "crossEntropy", [cl, torch.tensor([0, -100, 1, 1, -100, 3])],
     lambda x, y: F.cross_entropy(x, y), reduction="mean")
case(G, "crossEntropy ignoreIndex 2", "crossEntropy", [cl, ct], lambda x, y: F.cross_entropy(x, y, ignore_index=1), reduction="mean", ignoreIndex=1)
case(G, "crossEntropy [N,C,H,W]", "crossEntropy", [rnd(68, 2, 3, 2, 2), torch.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]])],
     lambda x, y: F.cross_entropy(x, y), reduction="mean")
case(G, "crossEntropy probabilities target", "crossEntropy", [cl, F.softmax(rnd(69, 6, 4), 1)],
     lambda x, y: F.cross_entropy(x, y), reduction="mean")
case(G, "matmul 2d", "matmul", [rnd(70, 3, 4), rnd(71, 4, 5)], torch.matmul)
case(G, "matmul batched broadcast", "matmul", [rnd(72, 2, 3, 4), rnd(73, 4, 2)], torch.matmul)
case(G, "matmul batch broadcast both", "matmul", [rnd(72, 2, 1, 3, 4), rnd(73, 3, 4, 2)], torch.matmul)
case(G, "matmul matrix-vector", "matmul", [rnd(74, 3, 4), rnd(75, 4)], torch.matmul)
case(G, "matmul vector-vector", "matmul", [rnd(74, 4), rnd(75, 4)], torch.matmul)
case(G, "matmul float64", "matmul", [rnd(70, 3, 4, dtype=torch.float64), rnd(71, 4, 5, dtype=torch.float64)], torch.matmul)
case(G, "bmm", "bmm", [rnd(76, 3, 2, 4), rnd(77, 3, 4, 5)], torch.bmm)
case(G, "linear", "linear", [rnd(78, 3, 4), rnd(79, 5, 4), rnd(80, 5)], F.linear)


def ref_nms(boxes, scores, thr):
    """torchvision.ops.nms semantics, in plain torch: by descending score, keep, drop IoU > thr."""
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    x1, y1, x2, y2 = boxes.double().unbind(1)
    area = (x2 - x1) * (y2 - y1)
    keep, dead = [], set()
    for a, i in enumerate(order):
        if i in dead:
            continue
        keep.append(i)
        for j in order[a + 1:]:
            if j in dead:
                continue
            w = max(0.0, min(x2[i], x2[j]) - max(x1[i], x1[j]))
            h = max(0.0, min(y2[i], y2[j]) - max(y1[i], y1[j]))
            inter = float(w * h)
            if inter / float(area[i] + area[j] - inter) > thr:
                dead.add(j)
    return torch.tensor(keep, dtype=torch.int64)


def boxes(seed, n):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * 50
    wh = torch.rand(n, 2, generator=g) * 30 + 5
    return torch.round(torch.cat([xy, xy + wh], 1) * 100) / 100


def scores(seed, n):
    g = torch.Generator().manual_seed(seed)
    return (torch.randperm(n, generator=g).float() + 1) / (n + 1)  # distinct, no ties


for seed, n, thr in [(81, 30, 0.5), (82, 30, 0.3), (83, 12, 0.7), (84, 40, 0.45)]:
    bxs, scs = boxes(seed, n), scores(seed + 100, n)
    case(G, f"nms n={n} iou={thr}", "nms", [bxs, scs], lambda b, s, t=thr: ref_nms(b, s, t), iou=thr)
dup = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 5.0]])
case(G, "nms duplicates and exact threshold", "nms", [dup, torch.tensor([0.9, 0.8, 0.7, 0.6, 0.95])], lambda b, s: ref_nms(b, s, 0.5), iou=0.5)
case(G, "nms empty", "nms", [torch.zeros(0, 4), torch.zeros(0)], lambda b, s: ref_nms(b, s, 0.5), iou=0.5)

# ---- creation and dtypes -------------------------------------------------------------------------
G = "creation"
case(G, "linspace", "linspace", [], lambda: torch.linspace(-1, 2, 7), start=-1, end=2, steps=7)
case(G, "linspace one step", "linspace", [], lambda: torch.linspace(3, 5, 1), start=3, end=5, steps=1)
case(G, "linspace float64", "linspace", [], lambda: torch.linspace(0, 1, 11, dtype=torch.float64), start=0, end=1, steps=11, dtype="float64")
case(G, "arange int", "arange", [], lambda: torch.arange(5), start=0, end=5, step=1)
case(G, "arange start step", "arange", [], lambda: torch.arange(2, 11, 3), start=2, end=11, step=3)
case(G, "arange negative step", "arange", [], lambda: torch.arange(5, -4, -2), start=5, end=-4, step=-2)
case(G, "arange float step", "arange", [], lambda: torch.arange(0, 1, 0.25), start=0, end=1, step=0.25)
case(G, "arange float32 dtype", "arange", [], lambda: torch.arange(0, 4, dtype=torch.float32), start=0, end=4, step=1, dtype="float32")
case(G, "full int32", "full", [], lambda: torch.full((2, 3), 7, dtype=torch.int32), shape=[2, 3], value=7, dtype="int32")
case(G, "full bool", "full", [], lambda: torch.full((2,), True), shape=[2], value=True, dtype="bool")
case(G, "zeros uint8", "zeros", [], lambda: torch.zeros(2, 2, dtype=torch.uint8), shape=[2, 2], dtype="uint8")
case(G, "ones float16", "ones", [], lambda: torch.ones(3, dtype=torch.float16), shape=[3], dtype="float16")
vals = torch.tensor([0.1, 1.5, -2.7, 300.25, 65504.0, 1e-3, 0.0, -0.0, 3.14159, 12345.678])
uvals = torch.tensor([0.0, 1.0, 2.9, 100.5, 255.0, 17.2])
for name in ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]:
    dt = BY_NAME[name]
    x = uvals if name in ("uint8", "int8", "bool") else vals
    if name == "int8":
        x = torch.tensor([0.0, 1.0, -2.9, 100.5, -127.0, 17.2])
    case(G, f"float32 -> {name}", "to", [x], lambda t, dt=dt: t.to(dt), dtype=name)
    case(G, f"float32 -> {name} -> float32", "toBack", [x], lambda t, dt=dt: t.to(dt).to(torch.float32), dtype=name)
    case(G, f"{name} -> float64", "to", [x.to(dt)], lambda t: t.to(torch.float64), dtype="float64")
    case(G, f"{name} -> int64", "to", [x.to(dt)], lambda t: t.to(torch.int64), dtype="int64")
    case(G, f"{name} -> bool", "to", [x.to(dt)], lambda t: t.to(torch.bool), dtype="bool")
    case(G, f"tensor() as {name}", "tensor", [x.to(dt)], lambda t: t, dtype=name)
case(G, "float16 rounding", "to", [torch.tensor([1.0009765625, 2049.0, 70000.0, 1e-8])], lambda t: t.half(), dtype="float16")
case(G, "bfloat16 rounding", "to", [torch.tensor([1.00390625, 1.01171875, 3.3e38, 1e-8])], lambda t: t.bfloat16(), dtype="bfloat16")
case(G, "int64 large", "to", [torch.tensor([2**40 + 3, -(2**35), 7], dtype=torch.int64)], lambda t: t.to(torch.float64), dtype="float64")

os.makedirs(OUT, exist_ok=True)
total = 0
for group, cases in GROUPS.items():
    path = os.path.join(OUT, f"{group}.json")
    with open(path, "w") as f:
        json.dump({"generator": "tests/torch/gen_reference.py", "torch": torch.__version__, "cases": cases}, f,
                  separators=(",", ":"))
        f.write("\n")
    size = os.path.getsize(path)
    total += size
    print(f"{path}: {len(cases)} cases, {size} bytes")
print(f"total {total} bytes")
