// Entry point of the azaion_torch addon: registers the tensor class and every group of ops.
#include "addon_data.h"
#include "common.h"

#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace az {
namespace {
Napi::Value SetErrorClassFn(const Napi::CallbackInfo& info) {
  SetErrorClass(info);
  return info.Env().Undefined();
}

// Every step frees and re-allocates the same tensor buffers of a few MB. With glibc's defaults, a freed
// buffer at the top of the heap is trimmed back to the OS and the next step faults its pages in again
// (measured: a 6.5 MB conv output cost 7 ms instead of 0.8). Keep buffers up to 32 MiB (the largest
// mmap threshold glibc accepts) in the heap and trim only above 256 MiB, unless the user tuned malloc
// through its own environment variables.
void TuneAllocator() {
#ifdef __GLIBC__
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 32 << 20);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  TuneAllocator();
  env.SetInstanceData(new AddonData());
  RegisterTensor(env, exports);
  Export(env, exports, "setErrorClass", SetErrorClassFn);
  for (Registrar r : {RegisterCreation, RegisterMath, RegisterReduce, RegisterIndex, RegisterShape, RegisterNN,
                      RegisterOptim, RegisterNms, RegisterRuntime, RegisterDistributed}) {
    r(env, exports);
  }
  return exports;
}
}  // namespace
}  // namespace az

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return az::InitAddon(env, exports); }
NODE_API_MODULE(azaion_torch, Init)
