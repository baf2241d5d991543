// Element-wise arithmetic, comparisons, logic and activations (out of place), and the in-place
// updates optimizers and EMA need. The second operand of a binary op is a tensor or a scalar.
#include "common.h"

namespace az {
namespace {

// The optional third argument of add/sub: the multiplier of the second operand.
at::Scalar Alpha(const Napi::CallbackInfo& info) { return ArgPresent(info, 2) ? ArgScalar(info, 2) : at::Scalar(1); }

// A scalar operand as a tensor that promotes like a Python number (a "wrapped number"): int64
// tensor op 0.5 gives float32, float64 tensor op 0.5 stays float64, as PyTorch does.
at::Tensor ScalarOperand(const at::Scalar& s, const at::Tensor& like) {
  at::Tensor t = at::scalar_tensor(s, at::TensorOptions().dtype(s.type()).device(like.device()));
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

#define AZ_BINARY(NAME, TT, TS)                          \
  Napi::Value NAME(const Napi::CallbackInfo& info) {     \
    return AZ_OP(#NAME, {                                \
      at::Tensor& a = ArgTensor(info, 0);                \
      if (ArgIsTensor(info, 1)) {                        \
        at::Tensor& b = ArgTensor(info, 1);              \
        return Wrap(info.Env(), TT);                     \
      }                                                  \
      at::Scalar s = ArgScalar(info, 1);                 \
      return Wrap(info.Env(), TS);                       \
    });                                                  \
  }

AZ_BINARY(add, at::add(a, b, Alpha(info)), at::add(a, s, Alpha(info)))
AZ_BINARY(sub, at::sub(a, b, Alpha(info)),
          at::sub(a, s, Alpha(info)))
AZ_BINARY(mul, at::mul(a, b), at::mul(a, s))
AZ_BINARY(div, at::div(a, b), at::div(a, s))
AZ_BINARY(floorDivide, at::div(a, b, "floor"), at::div(a, ScalarOperand(s, a), "floor"))
AZ_BINARY(remainder, at::remainder(a, b), at::remainder(a, s))
AZ_BINARY(pow, at::pow(a, b), at::pow(a, s))
AZ_BINARY(eq, at::eq(a, b), at::eq(a, s))
AZ_BINARY(ne, at::ne(a, b), at::ne(a, s))
AZ_BINARY(lt, at::lt(a, b), at::lt(a, s))
AZ_BINARY(le, at::le(a, b), at::le(a, s))
AZ_BINARY(gt, at::gt(a, b), at::gt(a, s))
AZ_BINARY(ge, at::ge(a, b), at::ge(a, s))
AZ_BINARY(maximum, at::maximum(a, b), at::clamp_min(a, s))
AZ_BINARY(minimum, at::minimum(a, b), at::clamp_max(a, s))
AZ_BINARY(atan2, at::atan2(a, b), at::atan2(a, ScalarOperand(s, a)))
AZ_BINARY(logicalAnd, at::logical_and(a, b), at::logical_and(a, ScalarOperand(s, a)))
AZ_BINARY(logicalOr, at::logical_or(a, b), at::logical_or(a, ScalarOperand(s, a)))
AZ_BINARY(logicalXor, at::logical_xor(a, b), at::logical_xor(a, ScalarOperand(s, a)))
// scalar - t and scalar / t, for expressions such as 1 - iou.
AZ_BINARY(rsub, at::sub(b, a), at::rsub(a, s))
AZ_BINARY(rdiv, at::div(b, a), at::div(ScalarOperand(s, a), a))
AZ_BINARY(rpow, at::pow(b, a), at::pow(s, a))

#define AZ_UNARY(NAME, EXPR)                         \
  Napi::Value NAME(const Napi::CallbackInfo& info) { \
    return AZ_OP(#NAME, {                            \
      at::Tensor& a = ArgTensor(info, 0);            \
      return Wrap(info.Env(), EXPR);                 \
    });                                              \
  }

AZ_UNARY(neg, at::neg(a))
AZ_UNARY(abs, at::abs(a))
AZ_UNARY(sign, at::sign(a))
AZ_UNARY(sqrt, at::sqrt(a))
AZ_UNARY(rsqrt, at::rsqrt(a))
AZ_UNARY(square, at::square(a))
AZ_UNARY(exp, at::exp(a))
AZ_UNARY(log, at::log(a))
AZ_UNARY(log2, at::log2(a))
AZ_UNARY(log1p, at::log1p(a))
AZ_UNARY(expm1, at::expm1(a))
AZ_UNARY(sin, at::sin(a))
AZ_UNARY(cos, at::cos(a))
AZ_UNARY(tan, at::tan(a))
AZ_UNARY(atan, at::atan(a))
AZ_UNARY(tanh, at::tanh(a))
AZ_UNARY(sigmoid, at::sigmoid(a))
AZ_UNARY(relu, at::relu(a))
AZ_UNARY(silu, at::silu(a))
AZ_UNARY(floor, at::floor(a))
AZ_UNARY(ceil, at::ceil(a))
AZ_UNARY(round, at::round(a))
AZ_UNARY(trunc, at::trunc(a))
AZ_UNARY(reciprocal, at::reciprocal(a))
AZ_UNARY(logicalNot, at::logical_not(a))
AZ_UNARY(isnan, at::isnan(a))
AZ_UNARY(isinf, at::isinf(a))
AZ_UNARY(isfinite, at::isfinite(a))

// clamp(t, min?, max?): both bounds scalars (or null), or both tensors (or null).
Napi::Value clamp(const Napi::CallbackInfo& info) {
  return AZ_OP("clamp", {
    at::Tensor& a = ArgTensor(info, 0);
    if (ArgIsTensor(info, 1) || ArgIsTensor(info, 2)) {
      return Wrap(info.Env(), at::clamp(a, ArgOptTensor(info, 1), ArgOptTensor(info, 2)));
    }
    c10::optional<at::Scalar> lo, hi;
    if (ArgPresent(info, 1)) lo = ArgScalar(info, 1);
    if (ArgPresent(info, 2)) hi = ArgScalar(info, 2);
    return Wrap(info.Env(), at::clamp(a, lo, hi));
  });
}

// where(cond, a, b): a and b tensors or scalars.
Napi::Value where(const Napi::CallbackInfo& info) {
  return AZ_OP("where", {
    at::Tensor& cond = ArgTensor(info, 0);
    bool ta = ArgIsTensor(info, 1), tb = ArgIsTensor(info, 2);
    if (ta && tb) return Wrap(info.Env(), at::where(cond, ArgTensor(info, 1), ArgTensor(info, 2)));
    if (ta) {
      at::Tensor& a = ArgTensor(info, 1);
      return Wrap(info.Env(), at::where(cond, a, ScalarOperand(ArgScalar(info, 2), a)));
    }
    if (tb) {
      at::Tensor& b = ArgTensor(info, 2);
      return Wrap(info.Env(), at::where(cond, ScalarOperand(ArgScalar(info, 1), b), b));
    }
    at::Scalar a = ArgScalar(info, 1), b = ArgScalar(info, 2);
    return Wrap(info.Env(), at::where(cond, at::scalar_tensor(a, cond.options().dtype(at::kFloat)),
                                      at::scalar_tensor(b, cond.options().dtype(at::kFloat))));
  });
}

// lerp(a, b, weight): a + weight * (b - a); weight a scalar or tensor.
Napi::Value lerp(const Napi::CallbackInfo& info) {
  return AZ_OP("lerp", {
    at::Tensor& a = ArgTensor(info, 0);
    at::Tensor& b = ArgTensor(info, 1);
    if (ArgIsTensor(info, 2)) return Wrap(info.Env(), at::lerp(a, b, ArgTensor(info, 2)));
    return Wrap(info.Env(), at::lerp(a, b, ArgScalar(info, 2)));
  });
}

// ---- in place: return nothing; the handle keeps pointing at the updated tensor --------------------
#define AZ_INPLACE_BINARY(NAME, TT, TS)              \
  Napi::Value NAME(const Napi::CallbackInfo& info) { \
    return AZ_OP(#NAME, {                            \
      at::Tensor& a = ArgTensor(info, 0);            \
      if (ArgIsTensor(info, 1)) {                    \
        at::Tensor& b = ArgTensor(info, 1);          \
        TT;                                          \
      } else {                                       \
        at::Scalar s = ArgScalar(info, 1);           \
        TS;                                          \
      }                                              \
      return info.Env().Undefined();                 \
    });                                              \
  }

AZ_INPLACE_BINARY(add_, a.add_(b, Alpha(info)),
                  a.add_(s, Alpha(info)))
AZ_INPLACE_BINARY(sub_, a.sub_(b, Alpha(info)), a.sub_(s, Alpha(info)))
AZ_INPLACE_BINARY(mul_, a.mul_(b), a.mul_(s))
AZ_INPLACE_BINARY(div_, a.div_(b), a.div_(s))
AZ_INPLACE_BINARY(copy_, a.copy_(b), a.fill_(s))
AZ_INPLACE_BINARY(fill_, a.fill_(b), a.fill_(s))
AZ_INPLACE_BINARY(lerp_, a.lerp_(b, ArgPresent(info, 2) && ArgIsTensor(info, 2) ? ArgTensor(info, 2)
                                                                                   : at::scalar_tensor(ArgScalar(info, 2), a.options())),
                  throw std::invalid_argument("lerp_ needs a tensor end point"))

Napi::Value zero_(const Napi::CallbackInfo& info) {
  return AZ_OP("zero_", {
    ArgTensor(info, 0).zero_();
    return info.Env().Undefined();
  });
}

Napi::Value clamp_(const Napi::CallbackInfo& info) {
  return AZ_OP("clamp_", {
    at::Tensor& a = ArgTensor(info, 0);
    c10::optional<at::Scalar> lo, hi;
    if (ArgPresent(info, 1)) lo = ArgScalar(info, 1);
    if (ArgPresent(info, 2)) hi = ArgScalar(info, 2);
    a.clamp_(lo, hi);
    return info.Env().Undefined();
  });
}

}  // namespace

void RegisterMath(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(add) X(sub) X(mul) X(div) X(floorDivide) X(remainder) X(pow) X(eq) X(ne) X(lt) X(le) X(gt) X(ge)
  X(maximum) X(minimum) X(atan2) X(logicalAnd) X(logicalOr) X(logicalXor) X(rsub) X(rdiv) X(rpow)
  X(neg) X(abs) X(sign) X(sqrt) X(rsqrt) X(square) X(exp) X(log) X(log2) X(log1p) X(expm1) X(sin) X(cos) X(tan)
  X(atan) X(tanh) X(sigmoid) X(relu) X(silu) X(floor) X(ceil) X(round) X(trunc) X(reciprocal) X(logicalNot)
  X(isnan) X(isinf) X(isfinite) X(clamp) X(where) X(lerp)
  X(add_) X(sub_) X(mul_) X(div_) X(copy_) X(fill_) X(lerp_) X(zero_) X(clamp_)
#undef X
}

}  // namespace az
