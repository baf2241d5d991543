/** Element-wise ops (arithmetic, comparisons, logic, where, clamp, unary math) against PyTorch 1.13's results. */
import * as torch from "./index.js";
import { describeReference, operand, type OpTable } from "./test-support.js";

const binary =
  (
    name:
      | "add"
      | "sub"
      | "mul"
      | "div"
      | "pow"
      | "rsub"
      | "rdiv"
      | "rpow"
      | "floorDivide"
      | "remainder"
      | "atan2",
  ) =>
  (x: torch.Tensor[], a: { scalar?: number }) =>
    x[0]![name](operand(x, a));
const compare =
  (
    name:
      | "eq"
      | "ne"
      | "lt"
      | "le"
      | "gt"
      | "ge"
      | "maximum"
      | "minimum"
      | "logicalAnd"
      | "logicalOr"
      | "logicalXor",
  ) =>
  (x: torch.Tensor[], a: { scalar?: number }) =>
    x[0]![name](operand(x, a));
const unary =
  (
    name:
      | "sqrt"
      | "exp"
      | "log"
      | "atan"
      | "abs"
      | "sign"
      | "neg"
      | "sigmoid"
      | "relu"
      | "silu"
      | "tanh"
      | "rsqrt"
      | "square"
      | "log2"
      | "log1p"
      | "expm1"
      | "sin"
      | "cos"
      | "floor"
      | "ceil"
      | "round"
      | "trunc"
      | "reciprocal"
      | "isnan"
      | "isinf"
      | "isfinite"
      | "logicalNot",
  ) =>
  (x: torch.Tensor[]) =>
    x[0]![name]();

const OPS: OpTable = {
  add: (x, a) => x[0]!.add(operand(x, a), a.alpha),
  sub: (x, a) => x[0]!.sub(operand(x, a), a.alpha),
  mul: binary("mul"),
  div: binary("div"),
  pow: binary("pow"),
  rsub: binary("rsub"),
  rdiv: binary("rdiv"),
  rpow: binary("rpow"),
  floorDivide: binary("floorDivide"),
  remainder: binary("remainder"),
  atan2: binary("atan2"),
  eq: compare("eq"),
  ne: compare("ne"),
  lt: compare("lt"),
  le: compare("le"),
  gt: compare("gt"),
  ge: compare("ge"),
  maximum: compare("maximum"),
  minimum: compare("minimum"),
  logicalAnd: compare("logicalAnd"),
  logicalOr: compare("logicalOr"),
  logicalXor: compare("logicalXor"),
  where: (x, a) => {
    const rest = x.slice(1);
    const first = a.a ?? rest.shift()!;
    const second = a.b ?? rest.shift()!;
    return torch.where(x[0]!, first, second);
  },
  clamp: (x, a) => (x.length > 1 ? x[0]!.clamp(x[1], x[2]) : x[0]!.clamp(a.min, a.max)),
  // In place: on a clone, returning it.
  add_: (x, a) => x[0]!.clone().add_(operand(x, a), a.alpha),
  sub_: (x, a) => x[0]!.clone().sub_(operand(x, a), a.alpha),
  mul_: (x, a) => x[0]!.clone().mul_(operand(x, a)),
  div_: (x, a) => x[0]!.clone().div_(operand(x, a)),
  clamp_: (x, a) => x[0]!.clone().clamp_(a.min, a.max),
  clampMin: (x) => x[0]!.clampMin(x[1]!),
  clampMax: (x) => x[0]!.clampMax(x[1]!),
  ...Object.fromEntries(
    (
      [
        "sqrt",
        "exp",
        "log",
        "atan",
        "abs",
        "sign",
        "neg",
        "sigmoid",
        "relu",
        "silu",
        "tanh",
        "rsqrt",
        "square",
        "log2",
        "log1p",
        "expm1",
        "sin",
        "cos",
        "floor",
        "ceil",
        "round",
        "trunc",
        "reciprocal",
        "isnan",
        "isinf",
        "isfinite",
        "logicalNot",
      ] as const
    ).map((n) => [n, unary(n)]),
  ),
};

describeReference("elementwise", OPS);
