// Shapes and layout: view/reshape/permute/..., joining and splitting.
#include "common.h"

namespace az {
namespace {

#define AZ_SHAPE(NAME, EXPR)                         \
  Napi::Value NAME(const Napi::CallbackInfo& info) { \
    return AZ_OP(#NAME, {                            \
      at::Tensor& t = ArgTensor(info, 0);            \
      return Wrap(info.Env(), EXPR);                 \
    });                                              \
  }

AZ_SHAPE(view, t.view(ArgIntList(info, 1)))
AZ_SHAPE(reshape, t.reshape(ArgIntList(info, 1)))
AZ_SHAPE(permute, t.permute(ArgIntList(info, 1)))
AZ_SHAPE(transpose, t.transpose(ArgInt(info, 1), ArgInt(info, 2)))
AZ_SHAPE(contiguous, t.contiguous())
AZ_SHAPE(squeeze, ArgPresent(info, 1) ? t.squeeze(ArgInt(info, 1)) : t.squeeze())
AZ_SHAPE(unsqueeze, t.unsqueeze(ArgInt(info, 1)))
AZ_SHAPE(expand, t.expand(ArgIntList(info, 1)))
AZ_SHAPE(repeat, t.repeat(ArgIntList(info, 1)))
AZ_SHAPE(flip, t.flip(ArgIntList(info, 1)))
AZ_SHAPE(flatten, t.flatten(ArgInt(info, 1, 0), ArgInt(info, 2, -1)))
AZ_SHAPE(clone, t.clone())
AZ_SHAPE(detach, t.detach())

Napi::Value cat(const Napi::CallbackInfo& info) {
  return AZ_OP("cat", { return Wrap(info.Env(), at::cat(ArgTensorList(info, 0), ArgInt(info, 1, 0))); });
}

Napi::Value stack(const Napi::CallbackInfo& info) {
  return AZ_OP("stack", { return Wrap(info.Env(), at::stack(ArgTensorList(info, 0), ArgInt(info, 1, 0))); });
}

// split(t, size | sizes[], dim?)
Napi::Value split(const Napi::CallbackInfo& info) {
  return AZ_OP("split", {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 2, 0);
    if (info.Length() > 1 && info[1].IsArray()) return WrapList(info.Env(), at::split_with_sizes(t, ArgIntList(info, 1), dim));
    return WrapList(info.Env(), at::split(t, ArgInt(info, 1), dim));
  });
}

Napi::Value chunk(const Napi::CallbackInfo& info) {
  return AZ_OP("chunk", {
    at::Tensor& t = ArgTensor(info, 0);
    return WrapList(info.Env(), at::chunk(t, ArgInt(info, 1), ArgInt(info, 2, 0)));
  });
}

Napi::Value unbind(const Napi::CallbackInfo& info) {
  return AZ_OP("unbind", {
    at::Tensor& t = ArgTensor(info, 0);
    return WrapList(info.Env(), at::unbind(t, ArgInt(info, 1, 0)));
  });
}

// meshgrid(tensors, indexing "ij" | "xy")
Napi::Value meshgrid(const Napi::CallbackInfo& info) {
  return AZ_OP("meshgrid", {
    auto ts = ArgTensorList(info, 0);
    std::string indexing = ArgPresent(info, 1) ? ArgString(info, 1) : "ij";
    return WrapList(info.Env(), at::meshgrid(ts, indexing));
  });
}

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(view) X(reshape) X(permute) X(transpose) X(contiguous) X(squeeze) X(unsqueeze) X(expand) X(repeat) X(flip)
  X(flatten) X(clone) X(detach) X(cat) X(stack) X(split) X(chunk) X(unbind) X(meshgrid)
#undef X
}

}  // namespace az
