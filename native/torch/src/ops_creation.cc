// Tensors from typed arrays, constants, ranges and seeded random numbers; dtype/device moves.
#include <ATen/CPUGeneratorImpl.h>

#include "common.h"

namespace az {
namespace {

at::TensorOptions Options(const Napi::CallbackInfo& info, size_t dtype_i, size_t device_i, at::ScalarType def) {
  return at::TensorOptions().dtype(ArgDtype(info, dtype_i, def)).device(ArgDevice(info, device_i));
}

// fromBuffer(data: ArrayBuffer | TypedArray, shape, dtype, device?): copies the bytes.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  return AZ_OP("fromBuffer", {
    const uint8_t* src = nullptr;
    size_t len = 0;
    if (info.Length() > 0 && info[0].IsTypedArray()) {
      auto ta = info[0].As<Napi::TypedArray>();
      src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      len = ta.ByteLength();
    } else if (info.Length() > 0 && info[0].IsArrayBuffer()) {
      auto ab = info[0].As<Napi::ArrayBuffer>();
      src = static_cast<const uint8_t*>(ab.Data());
      len = ab.ByteLength();
    } else {
      throw Napi::TypeError::New(info.Env(), "fromBuffer: argument 0 must be an ArrayBuffer or typed array");
    }
    std::vector<int64_t> shape = ArgIntList(info, 1);
    at::ScalarType dtype = ArgDtype(info, 2, at::kFloat);
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = static_cast<size_t>(t.numel()) * t.element_size();
    if (need != len) {
      throw std::invalid_argument("data has " + std::to_string(len) + " bytes, shape and dtype need " +
                                  std::to_string(need));
    }
    if (need > 0) std::memcpy(t.data_ptr(), src, need);
    at::Device device = ArgDevice(info, 3);
    return Wrap(info.Env(), device.is_cpu() ? t : t.to(device));
  });
}

Napi::Value Zeros(const Napi::CallbackInfo& info) {
  return AZ_OP("zeros", { return Wrap(info.Env(), at::zeros(ArgIntList(info, 0), Options(info, 1, 2, at::kFloat))); });
}

Napi::Value Ones(const Napi::CallbackInfo& info) {
  return AZ_OP("ones", { return Wrap(info.Env(), at::ones(ArgIntList(info, 0), Options(info, 1, 2, at::kFloat))); });
}

Napi::Value Empty(const Napi::CallbackInfo& info) {
  return AZ_OP("empty", { return Wrap(info.Env(), at::empty(ArgIntList(info, 0), Options(info, 1, 2, at::kFloat))); });
}

Napi::Value Full(const Napi::CallbackInfo& info) {
  return AZ_OP("full", {
    return Wrap(info.Env(), at::full(ArgIntList(info, 0), ArgScalar(info, 1), Options(info, 2, 3, at::kFloat)));
  });
}

// zerosLike / onesLike / fullLike(t, value) keep t's dtype and device unless a dtype is given.
Napi::Value ZerosLike(const Napi::CallbackInfo& info) {
  return AZ_OP("zerosLike", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::zeros_like(t, t.options().dtype(ArgDtype(info, 1, t.scalar_type()))));
  });
}

Napi::Value OnesLike(const Napi::CallbackInfo& info) {
  return AZ_OP("onesLike", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::ones_like(t, t.options().dtype(ArgDtype(info, 1, t.scalar_type()))));
  });
}

Napi::Value FullLike(const Napi::CallbackInfo& info) {
  return AZ_OP("fullLike", {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info.Env(), at::full_like(t, ArgScalar(info, 1), t.options().dtype(ArgDtype(info, 2, t.scalar_type()))));
  });
}

Napi::Value Arange(const Napi::CallbackInfo& info) {
  return AZ_OP("arange", {
    return Wrap(info.Env(), at::arange(ArgScalar(info, 0), ArgScalar(info, 1), ArgScalar(info, 2),
                                       Options(info, 3, 4, at::kLong)));
  });
}

Napi::Value Linspace(const Napi::CallbackInfo& info) {
  return AZ_OP("linspace", {
    return Wrap(info.Env(), at::linspace(ArgScalar(info, 0), ArgScalar(info, 1), ArgInt(info, 2),
                                         Options(info, 3, 4, at::kFloat)));
  });
}

Napi::Value ScalarTensor(const Napi::CallbackInfo& info) {
  return AZ_OP("scalarTensor", { return Wrap(info.Env(), at::scalar_tensor(ArgScalar(info, 0), Options(info, 1, 2, at::kFloat))); });
}

// Random numbers are drawn on the CPU (from the global generator, or one seeded for this call)
// and then moved, so a seed gives the same numbers on every device.
c10::optional<at::Generator> SeededGenerator(const Napi::CallbackInfo& info, size_t i) {
  if (!ArgPresent(info, i)) return c10::nullopt;
  return at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(ArgInt(info, i)));
}

at::Tensor ToDevice(const at::Tensor& t, const at::Device& d) { return d.is_cpu() ? t : t.to(d); }

Napi::Value Rand(const Napi::CallbackInfo& info) {
  return AZ_OP("rand", {
    auto gen = SeededGenerator(info, 3);
    at::Tensor t = at::rand(ArgIntList(info, 0), gen, at::TensorOptions().dtype(ArgDtype(info, 1, at::kFloat)));
    return Wrap(info.Env(), ToDevice(t, ArgDevice(info, 2)));
  });
}

Napi::Value Randn(const Napi::CallbackInfo& info) {
  return AZ_OP("randn", {
    auto gen = SeededGenerator(info, 3);
    at::Tensor t = at::randn(ArgIntList(info, 0), gen, at::TensorOptions().dtype(ArgDtype(info, 1, at::kFloat)));
    return Wrap(info.Env(), ToDevice(t, ArgDevice(info, 2)));
  });
}

// randint(low, high, shape, dtype?, device?, seed?)
Napi::Value Randint(const Napi::CallbackInfo& info) {
  return AZ_OP("randint", {
    auto gen = SeededGenerator(info, 5);
    at::Tensor t = at::randint(ArgInt(info, 0), ArgInt(info, 1), ArgIntList(info, 2), gen,
                               at::TensorOptions().dtype(ArgDtype(info, 3, at::kLong)));
    return Wrap(info.Env(), ToDevice(t, ArgDevice(info, 4)));
  });
}

// randperm(n, device?, seed?)
Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return AZ_OP("randperm", {
    auto gen = SeededGenerator(info, 2);
    at::Tensor t = at::randperm(ArgInt(info, 0), gen, at::TensorOptions().dtype(at::kLong));
    return Wrap(info.Env(), ToDevice(t, ArgDevice(info, 1)));
  });
}

// to(t, dtype?, device?): a no-op returns a new handle on the same tensor.
Napi::Value To(const Napi::CallbackInfo& info) {
  return AZ_OP("to", {
    at::Tensor& t = ArgTensor(info, 0);
    at::ScalarType dtype = ArgDtype(info, 1, t.scalar_type());
    at::Device device = ArgPresent(info, 2) ? ArgDevice(info, 2) : t.device();
    return Wrap(info.Env(), t.to(device, dtype));
  });
}

}  // namespace

void RegisterCreation(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "fromBuffer", FromBuffer);
  Export(env, exports, "zeros", Zeros);
  Export(env, exports, "ones", Ones);
  Export(env, exports, "empty", Empty);
  Export(env, exports, "full", Full);
  Export(env, exports, "zerosLike", ZerosLike);
  Export(env, exports, "onesLike", OnesLike);
  Export(env, exports, "fullLike", FullLike);
  Export(env, exports, "arange", Arange);
  Export(env, exports, "linspace", Linspace);
  Export(env, exports, "scalarTensor", ScalarTensor);
  Export(env, exports, "rand", Rand);
  Export(env, exports, "randn", Randn);
  Export(env, exports, "randint", Randint);
  Export(env, exports, "randperm", Randperm);
  Export(env, exports, "to", To);
}

}  // namespace az
