// Per-environment state (one per Node main thread or worker thread).
#pragma once
#include <napi.h>

namespace az {
struct AddonData {
  Napi::FunctionReference tensor_ctor;
  Napi::FunctionReference error_class;
};
inline AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
}  // namespace az
