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

// ---- tensor handles ---------------------------------------------------------------------------
// A tensor crosses into JS as a BigInt handle (generation << 32 | slot) into a per-environment table,
// not as a wrapped object: a wrapped object needs a finalizer, and on Node 20 finalizers do not run
// during a synchronous loop, so the wrappers of disposed tensors would pile up until the loop yields.
// A stale handle (its tensor disposed, the slot reused) is detected by its generation.
struct TensorSlot {
  at::Tensor t;
  uint32_t gen = 1;
  bool live = false;
  int64_t bytes = 0;
  int64_t tracked = 0;  // bytes reported to V8 through napi_adjust_external_memory
};

class TensorTable {
 public:
  uint64_t Add(at::Tensor t);
  at::Tensor* Find(uint64_t handle);
  TensorSlot* FindSlot(uint64_t handle);
  void Release(Napi::Env env, uint64_t handle);  // no-op for a stale handle
  int64_t live_count() const { return live_count_; }
  int64_t live_bytes() const { return live_bytes_; }

 private:
  std::vector<TensorSlot> slots_;
  std::vector<uint32_t> free_;
  int64_t live_count_ = 0;
  int64_t live_bytes_ = 0;
};

TensorTable& Table(Napi::Env env);
void RegisterTensor(Napi::Env env, Napi::Object exports);

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
// The first line of a c10 message, without the "Exception raised from ..." trailer.
std::string CleanMessage(const std::string& m);
// A TorchError(text, op, inputs, detail) of the class given by the TS side (a plain Error before it is set).
Napi::Value NewTorchError(Napi::Env env, const std::string& text, const std::string& op, const std::string& inputs,
                          const std::string& detail);
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
void RegisterDistributed(Napi::Env env, Napi::Object exports);

inline void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn) {
  exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace az
