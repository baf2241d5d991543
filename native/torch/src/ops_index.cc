// Indexing: gather/scatter, index_select, masks, nonzero, advanced indexing and index_put, slicing.
#include "common.h"

namespace az {
namespace {

Napi::Value gather(const Napi::CallbackInfo& info) {
  return AZ_OP("gather", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 1);
    return Wrap(info.Env(), at::gather(t, dim, ArgTensor(info, 2)));
  });
}

// scatter(t, dim, index, src | value)
Napi::Value scatter(const Napi::CallbackInfo& info) {
  return AZ_OP("scatter", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 1);
    at::Tensor& index = ArgTensor(info, 2);
    if (ArgIsTensor(info, 3)) return Wrap(info.Env(), at::scatter(t, dim, index, ArgTensor(info, 3)));
    return Wrap(info.Env(), at::scatter(t, dim, index, ArgScalar(info, 3)));
  });
}

Napi::Value scatterAdd(const Napi::CallbackInfo& info) {
  return AZ_OP("scatterAdd", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 1);
    at::Tensor& index = ArgTensor(info, 2);
    return Wrap(info.Env(), at::scatter_add(t, dim, index, ArgTensor(info, 3)));
  });
}

Napi::Value indexSelect(const Napi::CallbackInfo& info) {
  return AZ_OP("indexSelect", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 1);
    return Wrap(info.Env(), at::index_select(t, dim, ArgTensor(info, 2)));
  });
}

// maskedFill(t, mask, value: scalar | 0-d tensor)
Napi::Value maskedFill(const Napi::CallbackInfo& info) {
  return AZ_OP("maskedFill", {
    at::Tensor& t = ArgTensor(info, 0);
    at::Tensor& mask = ArgTensor(info, 1);
    if (ArgIsTensor(info, 2)) return Wrap(info.Env(), at::masked_fill(t, mask, ArgTensor(info, 2)));
    return Wrap(info.Env(), at::masked_fill(t, mask, ArgScalar(info, 2)));
  });
}

Napi::Value maskedFill_(const Napi::CallbackInfo& info) {
  return AZ_OP("maskedFill_", {
    at::Tensor& t = ArgTensor(info, 0);
    at::Tensor& mask = ArgTensor(info, 1);
    if (ArgIsTensor(info, 2)) {
      t.masked_fill_(mask, ArgTensor(info, 2));
    } else {
      t.masked_fill_(mask, ArgScalar(info, 2));
    }
    return info.Env().Undefined();
  });
}

Napi::Value maskedSelect(const Napi::CallbackInfo& info) {
  return AZ_OP("maskedSelect", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::masked_select(t, ArgTensor(info, 1)));
  });
}

Napi::Value nonzero(const Napi::CallbackInfo& info) {
  return AZ_OP("nonzero", { return Wrap(info.Env(), at::nonzero(ArgTensor(info, 0))); });
}

// Advanced-index list: one entry per leading dim; null keeps that dim whole (Python's `:`).
c10::List<c10::optional<at::Tensor>> IndexList(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) {
    throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": argument " + std::to_string(i) +
                                               " must be an array of tensors or nulls");
  }
  Napi::Array a = info[i].As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (v.IsNull() || v.IsUndefined()) {
      out.push_back(c10::nullopt);
    } else if (v.IsBigInt()) {
      bool lossless = true;
      at::Tensor* t = Table(info.Env()).Find(v.As<Napi::BigInt>().Uint64Value(&lossless));
      if (t == nullptr) {
        throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": argument " + std::to_string(i) +
                                                   " holds a disposed tensor");
      }
      CurrentOp().inputs.push_back(*t);
      out.push_back(*t);
    } else {
      throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": argument " + std::to_string(i) +
                                                 " must be an array of tensors or nulls");
    }
  }
  return out;
}

Napi::Value index(const Napi::CallbackInfo& info) {
  return AZ_OP("index", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::index(t, IndexList(info, 1)));
  });
}

// indexPut(t, indices, values | scalar, accumulate?) out of place; indexPut_ in place.
at::Tensor Values(const Napi::CallbackInfo& info, const at::Tensor& like) {
  if (ArgIsTensor(info, 2)) return ArgTensor(info, 2);
  return at::scalar_tensor(ArgScalar(info, 2), like.options());
}

Napi::Value indexPut(const Napi::CallbackInfo& info) {
  return AZ_OP("indexPut", {
    at::Tensor& t = ArgTensor(info, 0);
    auto idx = IndexList(info, 1);
    return Wrap(info.Env(), at::index_put(t, idx, Values(info, t), ArgBool(info, 3, false)));
  });
}

Napi::Value indexPut_(const Napi::CallbackInfo& info) {
  return AZ_OP("indexPut_", {
    at::Tensor& t = ArgTensor(info, 0);
    auto idx = IndexList(info, 1);
    t.index_put_(idx, Values(info, t), ArgBool(info, 3, false));
    return info.Env().Undefined();
  });
}

// slice(t, dim, start?, end?, step?): a view, as Python's t[..., start:end:step].
Napi::Value slice(const Napi::CallbackInfo& info) {
  return AZ_OP("slice", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 1);
    c10::optional<int64_t> start, end;
    if (ArgPresent(info, 2)) start = ArgInt(info, 2);
    if (ArgPresent(info, 3)) end = ArgInt(info, 3);
    return Wrap(info.Env(), at::slice(t, dim, start, end, ArgInt(info, 4, 1)));
  });
}

Napi::Value select(const Napi::CallbackInfo& info) {
  return AZ_OP("select", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::select(t, ArgInt(info, 1), ArgInt(info, 2)));
  });
}

Napi::Value oneHot(const Napi::CallbackInfo& info) {
  return AZ_OP("oneHot", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::one_hot(t, ArgInt(info, 1, -1)));
  });
}

}  // namespace

void RegisterIndex(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(gather) X(scatter) X(scatterAdd) X(indexSelect) X(maskedFill) X(maskedFill_) X(maskedSelect) X(nonzero) X(index)
  X(indexPut) X(indexPut_) X(slice) X(select) X(oneHot)
#undef X
}

}  // namespace az
