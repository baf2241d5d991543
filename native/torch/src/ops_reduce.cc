// Reductions (with dims and keepdim), cumulative sums, sorting and top-k.
#include "common.h"

namespace az {
namespace {

// sum(t, dims?, keepdim?, dtype?)
Napi::Value sum(const Napi::CallbackInfo& info) {
  return AZ_OP("sum", {
    at::Tensor& t = ArgTensor(info, 0);
    c10::optional<at::ScalarType> dtype;
    if (ArgPresent(info, 3)) dtype = ArgDtype(info, 3, t.scalar_type());
    auto dims = ArgOptIntList(info, 1);
    if (!dims) return Wrap(info.Env(), at::sum(t, dtype));
    return Wrap(info.Env(), at::sum(t, *dims, ArgBool(info, 2, false), dtype));
  });
}

Napi::Value mean(const Napi::CallbackInfo& info) {
  return AZ_OP("mean", {
    at::Tensor& t = ArgTensor(info, 0);
    auto dims = ArgOptIntList(info, 1);
    if (!dims) return Wrap(info.Env(), at::mean(t));
    return Wrap(info.Env(), at::mean(t, *dims, ArgBool(info, 2, false)));
  });
}

// prod(t, dim?, keepdim?)
Napi::Value prod(const Napi::CallbackInfo& info) {
  return AZ_OP("prod", {
    at::Tensor& t = ArgTensor(info, 0);
    if (!ArgPresent(info, 1)) return Wrap(info.Env(), at::prod(t));
    return Wrap(info.Env(), at::prod(t, ArgInt(info, 1), ArgBool(info, 2, false)));
  });
}

// amax/amin(t, dims?, keepdim?): values only; dims absent = all.
Napi::Value amax(const Napi::CallbackInfo& info) {
  return AZ_OP("amax", {
    at::Tensor& t = ArgTensor(info, 0);
    auto dims = ArgOptIntList(info, 1).value_or(std::vector<int64_t>{});
    return Wrap(info.Env(), at::amax(t, dims, ArgBool(info, 2, false)));
  });
}

Napi::Value amin(const Napi::CallbackInfo& info) {
  return AZ_OP("amin", {
    at::Tensor& t = ArgTensor(info, 0);
    auto dims = ArgOptIntList(info, 1).value_or(std::vector<int64_t>{});
    return Wrap(info.Env(), at::amin(t, dims, ArgBool(info, 2, false)));
  });
}

// max/min(t): the largest value; max/min(t, dim, keepdim?): [values, indices].
Napi::Value max(const Napi::CallbackInfo& info) {
  return AZ_OP("max", {
    at::Tensor& t = ArgTensor(info, 0);
    if (!ArgPresent(info, 1)) return Wrap(info.Env(), at::max(t));
    auto r = at::max(t, ArgInt(info, 1), ArgBool(info, 2, false));
    return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
  });
}

Napi::Value min(const Napi::CallbackInfo& info) {
  return AZ_OP("min", {
    at::Tensor& t = ArgTensor(info, 0);
    if (!ArgPresent(info, 1)) return Wrap(info.Env(), at::min(t));
    auto r = at::min(t, ArgInt(info, 1), ArgBool(info, 2, false));
    return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
  });
}

Napi::Value argmax(const Napi::CallbackInfo& info) {
  return AZ_OP("argmax", {
    at::Tensor& t = ArgTensor(info, 0);
    c10::optional<int64_t> dim;
    if (ArgPresent(info, 1)) dim = ArgInt(info, 1);
    return Wrap(info.Env(), at::argmax(t, dim, ArgBool(info, 2, false)));
  });
}

Napi::Value argmin(const Napi::CallbackInfo& info) {
  return AZ_OP("argmin", {
    at::Tensor& t = ArgTensor(info, 0);
    c10::optional<int64_t> dim;
    if (ArgPresent(info, 1)) dim = ArgInt(info, 1);
    return Wrap(info.Env(), at::argmin(t, dim, ArgBool(info, 2, false)));
  });
}

// any/all(t, dim?, keepdim?)
Napi::Value any(const Napi::CallbackInfo& info) {
  return AZ_OP("any", {
    at::Tensor& t = ArgTensor(info, 0);
    if (!ArgPresent(info, 1)) return Wrap(info.Env(), at::any(t));
    return Wrap(info.Env(), at::any(t, ArgInt(info, 1), ArgBool(info, 2, false)));
  });
}

Napi::Value all(const Napi::CallbackInfo& info) {
  return AZ_OP("all", {
    at::Tensor& t = ArgTensor(info, 0);
    if (!ArgPresent(info, 1)) return Wrap(info.Env(), at::all(t));
    return Wrap(info.Env(), at::all(t, ArgInt(info, 1), ArgBool(info, 2, false)));
  });
}

// cumsum(t, dim, dtype?)
Napi::Value cumsum(const Napi::CallbackInfo& info) {
  return AZ_OP("cumsum", {
    at::Tensor& t = ArgTensor(info, 0);
    c10::optional<at::ScalarType> dtype;
    if (ArgPresent(info, 2)) dtype = ArgDtype(info, 2, t.scalar_type());
    return Wrap(info.Env(), at::cumsum(t, ArgInt(info, 1), dtype));
  });
}

// norm(t, p, dims?, keepdim?)
Napi::Value norm(const Napi::CallbackInfo& info) {
  return AZ_OP("norm", {
    at::Tensor& t = ArgTensor(info, 0);
    at::Scalar p = ArgScalar(info, 1);
    auto dims = ArgOptIntList(info, 2);
    if (!dims) return Wrap(info.Env(), at::norm(t, p));
    return Wrap(info.Env(), at::norm(t, p, *dims, ArgBool(info, 3, false)));
  });
}

// var/std(t, dims?, unbiased?, keepdim?)
Napi::Value var(const Napi::CallbackInfo& info) {
  return AZ_OP("var", {
    at::Tensor& t = ArgTensor(info, 0);
    auto dims = ArgOptIntList(info, 1);
    bool unbiased = ArgBool(info, 2, true);
    if (!dims) return Wrap(info.Env(), at::var(t, unbiased));
    return Wrap(info.Env(), at::var(t, *dims, unbiased, ArgBool(info, 3, false)));
  });
}

Napi::Value std_(const Napi::CallbackInfo& info) {
  return AZ_OP("std", {
    at::Tensor& t = ArgTensor(info, 0);
    auto dims = ArgOptIntList(info, 1);
    bool unbiased = ArgBool(info, 2, true);
    if (!dims) return Wrap(info.Env(), at::std(t, unbiased));
    return Wrap(info.Env(), at::std(t, *dims, unbiased, ArgBool(info, 3, false)));
  });
}

// sort(t, dim?, descending?, stable?) -> [values, indices]
Napi::Value sort(const Napi::CallbackInfo& info) {
  return AZ_OP("sort", {
    at::Tensor& t = ArgTensor(info, 0);
    auto r = at::sort(t, ArgBool(info, 3, false), ArgInt(info, 1, -1), ArgBool(info, 2, false));
    return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
  });
}

Napi::Value argsort(const Napi::CallbackInfo& info) {
  return AZ_OP("argsort", {
    at::Tensor& t = ArgTensor(info, 0);
    auto r = at::sort(t, ArgBool(info, 3, false), ArgInt(info, 1, -1), ArgBool(info, 2, false));
    return Wrap(info.Env(), std::get<1>(r));
  });
}

// topk(t, k, dim?, largest?, sorted?) -> [values, indices]
Napi::Value topk(const Napi::CallbackInfo& info) {
  return AZ_OP("topk", {
    at::Tensor& t = ArgTensor(info, 0);
    auto r = at::topk(t, ArgInt(info, 1), ArgInt(info, 2, -1), ArgBool(info, 3, true), ArgBool(info, 4, true));
    return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
  });
}

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(sum) X(mean) X(prod) X(amax) X(amin) X(max) X(min) X(argmax) X(argmin) X(any) X(all) X(cumsum) X(norm) X(var)
  X(sort) X(argsort) X(topk)
#undef X
  Export(env, exports, "std", std_);
}

}  // namespace az
