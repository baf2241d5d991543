// Neural-network functions: convolution, batch norm, pooling, upsampling, softmax, losses, matmul.
#include "common.h"

namespace az {
namespace {

at::Reduction::Reduction ParseReduction(const Napi::CallbackInfo& info, size_t i) {
  std::string r = ArgPresent(info, i) ? ArgString(info, i) : "mean";
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": reduction must be mean, sum or none");
}

// conv2d(input, weight, bias?, stride, padding, dilation, groups)
Napi::Value conv2d(const Napi::CallbackInfo& info) {
  return AZ_OP("conv2d", {
    at::Tensor& x = ArgTensor(info, 0);
    at::Tensor& w = ArgTensor(info, 1);
    auto b = ArgOptTensor(info, 2);
    return Wrap(info.Env(), at::conv2d(x, w, b, ArgIntList(info, 3), ArgIntList(info, 4), ArgIntList(info, 5),
                                       ArgInt(info, 6, 1)));
  });
}

// batchNorm(input, weight?, bias?, runningMean?, runningVar?, training, momentum, eps): running statistics are
// updated in place in training mode, as in PyTorch.
Napi::Value batchNorm(const Napi::CallbackInfo& info) {
  return AZ_OP("batchNorm", {
    at::Tensor& x = ArgTensor(info, 0);
    auto w = ArgOptTensor(info, 1);
    auto b = ArgOptTensor(info, 2);
    auto rm = ArgOptTensor(info, 3);
    auto rv = ArgOptTensor(info, 4);
    return Wrap(info.Env(), at::batch_norm(x, w, b, rm, rv, ArgBool(info, 5, false), ArgDouble(info, 6, 0.1),
                                           ArgDouble(info, 7, 1e-5), true));
  });
}

// maxPool2d(input, kernel, stride, padding, dilation, ceilMode)
Napi::Value maxPool2d(const Napi::CallbackInfo& info) {
  return AZ_OP("maxPool2d", {
    at::Tensor& x = ArgTensor(info, 0);
    auto kernel = ArgIntList(info, 1);
    auto stride = ArgPresent(info, 2) ? ArgIntList(info, 2) : kernel;
    auto padding = ArgPresent(info, 3) ? ArgIntList(info, 3) : std::vector<int64_t>{0};
    auto dilation = ArgPresent(info, 4) ? ArgIntList(info, 4) : std::vector<int64_t>{1};
    return Wrap(info.Env(), at::max_pool2d(x, kernel, stride, padding, dilation, ArgBool(info, 5, false)));
  });
}

// upsampleNearest2d(input, scale: number) or (input, null, size: [h, w])
Napi::Value upsampleNearest2d(const Napi::CallbackInfo& info) {
  return AZ_OP("upsampleNearest2d", {
    at::Tensor& x = ArgTensor(info, 0);
    if (ArgPresent(info, 1)) {
      double s = ArgDouble(info, 1);
      return Wrap(info.Env(), at::upsample_nearest2d(x, c10::nullopt, std::vector<double>{s, s}));
    }
    return Wrap(info.Env(), at::upsample_nearest2d(x, at::IntArrayRef(ArgIntList(info, 2)), c10::optional<double>(), c10::optional<double>()));
  });
}

Napi::Value softmax(const Napi::CallbackInfo& info) {
  return AZ_OP("softmax", {
    at::Tensor& x = ArgTensor(info, 0);
    return Wrap(info.Env(), at::softmax(x, ArgInt(info, 1)));
  });
}

Napi::Value logSoftmax(const Napi::CallbackInfo& info) {
  return AZ_OP("logSoftmax", {
    at::Tensor& x = ArgTensor(info, 0);
    return Wrap(info.Env(), at::log_softmax(x, ArgInt(info, 1)));
  });
}

// bceWithLogits(input, target, weight?, posWeight?, reduction?)
Napi::Value bceWithLogits(const Napi::CallbackInfo& info) {
  return AZ_OP("bceWithLogits", {
    at::Tensor& x = ArgTensor(info, 0);
    at::Tensor& y = ArgTensor(info, 1);
    auto w = ArgOptTensor(info, 2);
    auto pw = ArgOptTensor(info, 3);
    return Wrap(info.Env(), at::binary_cross_entropy_with_logits(x, y, w, pw, ParseReduction(info, 4)));
  });
}

// crossEntropy(input, target, weight?, reduction?, ignoreIndex?, labelSmoothing?)
Napi::Value crossEntropy(const Napi::CallbackInfo& info) {
  return AZ_OP("crossEntropy", {
    at::Tensor& x = ArgTensor(info, 0);
    at::Tensor& y = ArgTensor(info, 1);
    auto w = ArgOptTensor(info, 2);
    return Wrap(info.Env(), at::cross_entropy_loss(x, y, w, ParseReduction(info, 3), ArgInt(info, 4, -100),
                                                   ArgDouble(info, 5, 0.0)));
  });
}

Napi::Value matmul(const Napi::CallbackInfo& info) {
  return AZ_OP("matmul", {
    at::Tensor& a = ArgTensor(info, 0);
    return Wrap(info.Env(), at::matmul(a, ArgTensor(info, 1)));
  });
}

Napi::Value bmm(const Napi::CallbackInfo& info) {
  return AZ_OP("bmm", {
    at::Tensor& a = ArgTensor(info, 0);
    return Wrap(info.Env(), at::bmm(a, ArgTensor(info, 1)));
  });
}

// linear(input, weight, bias?)
Napi::Value linear(const Napi::CallbackInfo& info) {
  return AZ_OP("linear", {
    at::Tensor& x = ArgTensor(info, 0);
    at::Tensor& w = ArgTensor(info, 1);
    return Wrap(info.Env(), at::linear(x, w, ArgOptTensor(info, 2)));
  });
}

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(conv2d) X(batchNorm) X(maxPool2d) X(upsampleNearest2d) X(softmax) X(logSoftmax) X(bceWithLogits) X(crossEntropy)
  X(matmul) X(bmm) X(linear)
#undef X
}

}  // namespace az
