// The table of live tensors and the functions on one tensor handle (dispose, shape, autograd, data out).
#include "addon_data.h"
#include "common.h"

namespace az {

namespace {
int64_t BytesOf(const at::Tensor& t) {
  return t.defined() ? static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size()) : 0;
}
constexpr uint64_t kSlotBits = 32;
constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
}  // namespace

TensorTable& Table(Napi::Env env) { return Data(env).tensors; }

uint64_t TensorTable::Add(at::Tensor t) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  TensorSlot& s = slots_[index];
  s.bytes = BytesOf(t);
  s.t = std::move(t);
  s.live = true;
  s.tracked = 0;
  live_count_++;
  live_bytes_ += s.bytes;
  return (static_cast<uint64_t>(s.gen) << kSlotBits) | index;
}

TensorSlot* TensorTable::FindSlot(uint64_t handle) {
  uint64_t index = handle & kSlotMask;
  uint32_t gen = static_cast<uint32_t>(handle >> kSlotBits);
  if (index >= slots_.size()) return nullptr;
  TensorSlot& s = slots_[index];
  return (s.live && s.gen == gen) ? &s : nullptr;
}

at::Tensor* TensorTable::Find(uint64_t handle) {
  TensorSlot* s = FindSlot(handle);
  return s ? &s->t : nullptr;
}

void TensorTable::Release(Napi::Env env, uint64_t handle) {
  TensorSlot* s = FindSlot(handle);
  if (!s) return;
  s->t = at::Tensor();
  s->live = false;
  s->gen = s->gen == UINT32_MAX ? 1 : s->gen + 1;
  live_count_--;
  live_bytes_ -= s->bytes;
  if (s->tracked != 0) {
    int64_t ignored = 0;
    napi_adjust_external_memory(env, -s->tracked, &ignored);
    s->tracked = 0;
  }
  free_.push_back(static_cast<uint32_t>(handle & kSlotMask));
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) { return Napi::BigInt::New(env, Table(env).Add(std::move(t))); }

Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) a.Set(i, Wrap(env, ts[i]));
  return a;
}

namespace {

uint64_t HandleArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsBigInt()) {
    throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": argument " + std::to_string(i) + " must be a tensor");
  }
  bool lossless = true;
  return info[i].As<Napi::BigInt>().Uint64Value(&lossless);
}

// The tensor behind the first argument; its own ops (shape, item, ...) report it as their input.
at::Tensor& Self(const Napi::CallbackInfo& info) { return ArgTensor(info, 0); }

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  CurrentOp().name = "dispose";
  Table(info.Env()).Release(info.Env(), HandleArg(info, 0));
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  CurrentOp().name = "isDisposed";
  return Napi::Boolean::New(info.Env(), Table(info.Env()).Find(HandleArg(info, 0)) == nullptr);
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  return AZ_OP("shape", {
    auto sizes = Self(info).sizes();
    Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
    for (size_t i = 0; i < sizes.size(); i++) a.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
    return a;
  });
}

Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return AZ_OP("dtype", { return Napi::String::New(info.Env(), DtypeName(Self(info).scalar_type())); });
}

Napi::Value Device(const Napi::CallbackInfo& info) {
  return AZ_OP("device", { return Napi::String::New(info.Env(), DeviceName(Self(info).device())); });
}

Napi::Value Numel(const Napi::CallbackInfo& info) {
  return AZ_OP("numel", { return Napi::Number::New(info.Env(), static_cast<double>(Self(info).numel())); });
}

Napi::Value Nbytes(const Napi::CallbackInfo& info) {
  return AZ_OP("nbytes", { return Napi::Number::New(info.Env(), static_cast<double>(BytesOf(Self(info)))); });
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("requiresGrad", { return Napi::Boolean::New(info.Env(), Self(info).requires_grad()); });
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("requiresGrad_", {
    Self(info).set_requires_grad(ArgBool(info, 1, true));
    return info.Env().Undefined();
  });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  return AZ_OP("grad", {
    const at::Tensor& g = Self(info).grad();
    if (!g.defined()) return info.Env().Null();
    return Wrap(info.Env(), g);
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("setGrad", {
    at::Tensor& t = Self(info);
    t.mutable_grad() = ArgPresent(info, 1) ? ArgTensor(info, 1) : at::Tensor();
    return info.Env().Undefined();
  });
}

// backward(t, gradient?, retainGraph?)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  return AZ_OP("backward", {
    at::Tensor& t = Self(info);
    c10::optional<at::Tensor> grad = ArgOptTensor(info, 1);
    t.backward(grad.value_or(at::Tensor()), ArgBool(info, 2, false));
    return info.Env().Undefined();
  });
}

// A copy of the data, contiguous and on the CPU, as an ArrayBuffer (the TS side picks the view type).
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  return AZ_OP("toBuffer", {
    at::Tensor c = Self(info).detach().to(at::kCPU).contiguous();
    size_t n = static_cast<size_t>(c.numel()) * c.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
    if (n > 0) std::memcpy(buf.Data(), c.data_ptr(), n);
    return buf;
  });
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  return AZ_OP("item", {
    at::Scalar s = Self(info).item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    return Napi::Number::New(info.Env(), s.toDouble());
  });
}

// Reports the tensor's bytes to V8, so that the GC feels the weight of tensors that escaped every scope.
Napi::Value Track(const Napi::CallbackInfo& info) {
  CurrentOp().name = "track";
  TensorSlot* s = Table(info.Env()).FindSlot(HandleArg(info, 0));
  if (s && s->tracked == 0 && s->bytes > 0) {
    s->tracked = s->bytes;
    int64_t ignored = 0;
    napi_adjust_external_memory(info.Env(), s->tracked, &ignored);
  }
  return info.Env().Undefined();
}

Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return AZ_OP("isContiguous", { return Napi::Boolean::New(info.Env(), Self(info).is_contiguous()); });
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return AZ_OP("isLeaf", { return Napi::Boolean::New(info.Env(), Self(info).is_leaf()); });
}

}  // namespace

void RegisterTensor(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "dispose", Dispose);
  Export(env, exports, "isDisposed", IsDisposed);
  Export(env, exports, "shape", Shape);
  Export(env, exports, "dtype", Dtype);
  Export(env, exports, "device", Device);
  Export(env, exports, "numel", Numel);
  Export(env, exports, "nbytes", Nbytes);
  Export(env, exports, "requiresGrad", RequiresGrad);
  Export(env, exports, "setRequiresGrad", SetRequiresGrad);
  Export(env, exports, "grad", Grad);
  Export(env, exports, "setGrad", SetGrad);
  Export(env, exports, "backward", Backward);
  Export(env, exports, "toBuffer", ToBuffer);
  Export(env, exports, "item", Item);
  Export(env, exports, "track", Track);
  Export(env, exports, "isContiguous", IsContiguous);
  Export(env, exports, "isLeaf", IsLeaf);
}

}  // namespace az
