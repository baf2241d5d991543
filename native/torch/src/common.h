// Shared declarations of the addon: the tensor wrapper, argument helpers and error translation.
// Every op validates its arguments here (JS values -> C++), runs libtorch inside AZ_OP so that any
// c10::Error becomes a typed JS TorchError naming the op and its inputs, and never crashes the process.
#pragma once

#include <napi.h>
// ATen alone (not torch/torch.h): it halves the build time; runtime.cc includes the rest it needs.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace az {

// ---- tensor wrapper ---------------------------------------------------------------------------
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  static TensorWrap* Get(Napi::Env env, const Napi::Value& v);  // throws TypeError when not a tensor

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;

  // The tensor; throws when disposed.
  at::Tensor& tensor(Napi::Env env);
  bool valid() const { return valid_; }

  static std::atomic<int64_t> live_count;
  static std::atomic<int64_t> live_bytes;

 private:
  void Release();
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value Nbytes(const Napi::CallbackInfo& info);
  Napi::Value GetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value ToBuffer(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value Track(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);

  at::Tensor t_;
  bool valid_ = false;
  int64_t counted_bytes_ = 0;
  int64_t tracked_bytes_ = 0;  // reported to V8 through napi_adjust_external_memory
};

// ---- arguments ------------------------------------------------------------------------------
// Inputs of the op being run, for error messages ("conv2d(float32[1,3,8,8], ...)").
struct OpContext {
  const char* name = "";
  std::vector<at::Tensor> inputs;
};
OpContext& CurrentOp();

at::Tensor& ArgTensor(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> ArgOptTensor(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> ArgTensorList(const Napi::CallbackInfo& info, size_t i);
bool ArgIsTensor(const Napi::CallbackInfo& info, size_t i);
bool ArgPresent(const Napi::CallbackInfo& info, size_t i);  // not undefined/null
int64_t ArgInt(const Napi::CallbackInfo& info, size_t i);
int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, int64_t def);
double ArgDouble(const Napi::CallbackInfo& info, size_t i);
double ArgDouble(const Napi::CallbackInfo& info, size_t i, double def);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, bool def);
std::string ArgString(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> ArgIntList(const Napi::CallbackInfo& info, size_t i);
c10::optional<std::vector<int64_t>> ArgOptIntList(const Napi::CallbackInfo& info, size_t i);
at::Scalar ArgScalar(const Napi::CallbackInfo& info, size_t i);  // number, bigint or boolean
at::ScalarType ArgDtype(const Napi::CallbackInfo& info, size_t i, at::ScalarType def);
at::Device ArgDevice(const Napi::CallbackInfo& info, size_t i);
at::ScalarType ParseDtype(Napi::Env env, const std::string& s);
const char* DtypeName(at::ScalarType t);
std::string DeviceName(const at::Device& d);

Napi::Value Wrap(Napi::Env env, at::Tensor t);
Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts);

// ---- errors ---------------------------------------------------------------------------------
void SetErrorClass(const Napi::CallbackInfo& info);
[[noreturn]] void ThrowTorchError(Napi::Env env, const std::string& message);
std::string DescribeInputs();

// Runs BODY as op NAME; c10 and std exceptions become TorchError("NAME(inputs): message").
#define AZ_OP(NAME, ...)                                                        \
  [&]() -> Napi::Value {                                                        \
    ::az::CurrentOp().name = NAME;                                              \
    ::az::CurrentOp().inputs.clear();                                           \
    try {                                                                       \
      __VA_ARGS__                                                               \
    } catch (const Napi::Error&) {                                              \
      throw;                                                                    \
    } catch (const c10::Error& e) {                                             \
      ::az::ThrowTorchError(info.Env(), e.what_without_backtrace());           \
    } catch (const std::exception& e) {                                         \
      ::az::ThrowTorchError(info.Env(), e.what());                             \
    }                                                                           \
  }()

// Registration of each group of ops.
using Registrar = void (*)(Napi::Env env, Napi::Object exports);
void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterIndex(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterNms(Napi::Env env, Napi::Object exports);
void RegisterRuntime(Napi::Env env, Napi::Object exports);

inline void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn) {
  exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace az
