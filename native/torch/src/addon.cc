// Entry point of the azaion_torch addon: registers the tensor class and every group of ops.
#include "addon_data.h"
#include "common.h"

namespace az {
namespace {
Napi::Value SetErrorClassFn(const Napi::CallbackInfo& info) {
  SetErrorClass(info);
  return info.Env().Undefined();
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  RegisterTensor(env, exports);
  Export(env, exports, "setErrorClass", SetErrorClassFn);
  for (Registrar r : {RegisterCreation, RegisterMath, RegisterReduce, RegisterIndex, RegisterShape, RegisterNN,
                      RegisterOptim, RegisterNms, RegisterRuntime}) {
    r(env, exports);
  }
  return exports;
}
}  // namespace
}  // namespace az

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return az::InitAddon(env, exports); }
NODE_API_MODULE(azaion_torch, Init)
