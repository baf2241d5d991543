// The JS handle of one at::Tensor. dispose() frees it at once; the finalizer is only a safety net.
#include "addon_data.h"
#include "common.h"

namespace az {

std::atomic<int64_t> TensorWrap::live_count{0};
std::atomic<int64_t> TensorWrap::live_bytes{0};

namespace {
// Tags objects made by this addon, so that a foreign object is never unwrapped as a tensor.
const napi_type_tag kTensorTag = {0x7a61696f6e746f72ULL, 0x63685f74656e736fULL};
thread_local at::Tensor* pending = nullptr;

int64_t BytesOf(const at::Tensor& t) {
  return t.defined() ? static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size()) : 0;
}
}  // namespace

void TensorWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(
      env, "NativeTensor",
      {
          InstanceMethod("dispose", &TensorWrap::Dispose),
          InstanceMethod("isDisposed", &TensorWrap::IsDisposed),
          InstanceMethod("shape", &TensorWrap::Shape),
          InstanceMethod("dtype", &TensorWrap::Dtype),
          InstanceMethod("device", &TensorWrap::Device),
          InstanceMethod("numel", &TensorWrap::Numel),
          InstanceMethod("nbytes", &TensorWrap::Nbytes),
          InstanceMethod("requiresGrad", &TensorWrap::GetRequiresGrad),
          InstanceMethod("setRequiresGrad", &TensorWrap::SetRequiresGrad),
          InstanceMethod("grad", &TensorWrap::Grad),
          InstanceMethod("setGrad", &TensorWrap::SetGrad),
          InstanceMethod("backward", &TensorWrap::Backward),
          InstanceMethod("toBuffer", &TensorWrap::ToBuffer),
          InstanceMethod("item", &TensorWrap::Item),
          InstanceMethod("track", &TensorWrap::Track),
          InstanceMethod("isContiguous", &TensorWrap::IsContiguous),
          InstanceMethod("isLeaf", &TensorWrap::IsLeaf),
      });
  Data(env).tensor_ctor = Napi::Persistent(ctor);
  exports.Set("NativeTensor", ctor);
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  if (pending == nullptr) {
    throw Napi::TypeError::New(info.Env(), "NativeTensor is made by torch functions, not with new");
  }
  t_ = std::move(*pending);
  pending = nullptr;
  valid_ = true;
  counted_bytes_ = BytesOf(t_);
  live_count.fetch_add(1, std::memory_order_relaxed);
  live_bytes.fetch_add(counted_bytes_, std::memory_order_relaxed);
  napi_type_tag_object(info.Env(), info.This(), &kTensorTag);
}

TensorWrap::~TensorWrap() { Release(); }

void TensorWrap::Release() {
  if (!valid_) return;
  valid_ = false;
  t_ = at::Tensor();
  live_count.fetch_sub(1, std::memory_order_relaxed);
  live_bytes.fetch_sub(counted_bytes_, std::memory_order_relaxed);
  if (tracked_bytes_ != 0) {
    int64_t ignored = 0;
    napi_adjust_external_memory(Env(), -tracked_bytes_, &ignored);
    tracked_bytes_ = 0;
  }
}

Napi::Object TensorWrap::New(Napi::Env env, at::Tensor t) {
  pending = &t;
  Napi::Object obj = Data(env).tensor_ctor.New({});
  return obj;
}

bool TensorWrap::Is(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject()) return false;
  bool ok = false;
  napi_check_object_type_tag(env, v, &kTensorTag, &ok);
  return ok;
}

TensorWrap* TensorWrap::Get(Napi::Env env, const Napi::Value& v) {
  if (!Is(env, v)) throw Napi::TypeError::New(env, "expected a tensor");
  return Unwrap(v.As<Napi::Object>());
}

at::Tensor& TensorWrap::tensor(Napi::Env env) {
  if (!valid_) throw Napi::Error::New(env, "tensor used after dispose()");
  return t_;
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !valid_); }

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  auto sizes = tensor(info.Env()).sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) a.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return a;
}

Napi::Value TensorWrap::Dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DtypeName(tensor(info.Env()).scalar_type()));
}

Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DeviceName(tensor(info.Env()).device()));
}

Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensor(info.Env()).numel()));
}

Napi::Value TensorWrap::Nbytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(BytesOf(tensor(info.Env()))));
}

Napi::Value TensorWrap::GetRequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).requires_grad());
}

Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("requiresGrad", {
    at::Tensor& t = tensor(info.Env());
    CurrentOp().inputs.push_back(t);
    t.set_requires_grad(ArgBool(info, 0, true));
    return info.Env().Undefined();
  });
}

Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  const at::Tensor& g = tensor(info.Env()).grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}

Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("setGrad", {
    at::Tensor& t = tensor(info.Env());
    CurrentOp().inputs.push_back(t);
    if (ArgPresent(info, 0)) {
      t.mutable_grad() = ArgTensor(info, 0);
    } else {
      t.mutable_grad() = at::Tensor();
    }
    return info.Env().Undefined();
  });
}

Napi::Value TensorWrap::Backward(const Napi::CallbackInfo& info) {
  return AZ_OP("backward", {
    at::Tensor& t = tensor(info.Env());
    CurrentOp().inputs.push_back(t);
    c10::optional<at::Tensor> grad = ArgOptTensor(info, 0);
    bool retain = ArgBool(info, 1, false);
    t.backward(grad.value_or(at::Tensor()), retain);
    return info.Env().Undefined();
  });
}

// A copy of the data, contiguous and on the CPU, as an ArrayBuffer (the TS side picks the view type).
Napi::Value TensorWrap::ToBuffer(const Napi::CallbackInfo& info) {
  return AZ_OP("toBuffer", {
    at::Tensor& t = tensor(info.Env());
    CurrentOp().inputs.push_back(t);
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    size_t n = static_cast<size_t>(c.numel()) * c.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
    if (n > 0) std::memcpy(buf.Data(), c.data_ptr(), n);
    return buf;
  });
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  return AZ_OP("item", {
    at::Tensor& t = tensor(info.Env());
    CurrentOp().inputs.push_back(t);
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    return Napi::Number::New(info.Env(), s.toDouble());
  });
}

// Reports the tensor's bytes to V8 so that the GC feels the pressure of tensors that escaped every scope.
Napi::Value TensorWrap::Track(const Napi::CallbackInfo& info) {
  if (valid_ && tracked_bytes_ == 0) {
    tracked_bytes_ = counted_bytes_;
    int64_t ignored = 0;
    napi_adjust_external_memory(info.Env(), tracked_bytes_, &ignored);
  }
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).is_contiguous());
}

Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).is_leaf());
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) { return TensorWrap::New(env, std::move(t)); }

Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) a.Set(i, Wrap(env, ts[i]));
  return a;
}

}  // namespace az
