// Per-environment state (one per Node main thread or worker thread).
#pragma once
#include <napi.h>

#include "common.h"

namespace az {
struct AddonData {
  TensorTable tensors;
  Napi::FunctionReference error_class;
};
inline AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
}  // namespace az
