// Seeds, threads, autograd mode, CUDA queries and the live-tensor counters used by memory tests.
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>
#include <ATen/autocast_mode.h>

#include "common.h"

#ifdef AZ_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

// libtorch 2.4 made autocast per device type (set_autocast_enabled(kCUDA, on)); 1.13-2.3 have the CUDA-only
// set_enabled(on).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define AZ_AUTOCAST_PER_DEVICE 1
#endif

namespace az {
namespace {

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return AZ_OP("manualSeed", {
    torch::manual_seed(static_cast<uint64_t>(ArgInt(info, 0)));
    return info.Env().Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return AZ_OP("setNumThreads", {
    int64_t n = ArgInt(info, 0);
    if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: need at least 1 thread");
    at::set_num_threads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(ArgBool(info, 0, true));
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  return AZ_OP("cudaSynchronize", {
    torch::cuda::synchronize(ArgInt(info, 0, -1));
    return info.Env().Undefined();
  });
}

Napi::Value CudaMemoryStats(const Napi::CallbackInfo& info) {
  return AZ_OP("cudaMemoryStats", {
    Napi::Object o = Napi::Object::New(info.Env());
#ifdef AZ_WITH_CUDA
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<int>(ArgInt(info, 0, 0)));
    // Index 0 is the aggregate over pool types (StatType::AGGREGATE) in libtorch 1.13 and 2.x alike;
    // the enum itself moved namespaces between them.
    const size_t agg = 0;
    o.Set("allocated", static_cast<double>(stats.allocated_bytes[agg].current));
    o.Set("peakAllocated", static_cast<double>(stats.allocated_bytes[agg].peak));
    o.Set("reserved", static_cast<double>(stats.reserved_bytes[agg].current));
    o.Set("peakReserved", static_cast<double>(stats.reserved_bytes[agg].peak));
#else
    throw std::runtime_error("this addon was built without CUDA");
#endif
    return o;
  });
}

// Free and total memory of a CUDA device as the driver reports them (other processes' use included).
Napi::Value CudaMemGetInfo(const Napi::CallbackInfo& info) {
  return AZ_OP("cudaMemGetInfo", {
    Napi::Object o = Napi::Object::New(info.Env());
#ifdef AZ_WITH_CUDA
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(ArgInt(info, 0, 0)));
    size_t free_bytes = 0;
    size_t total_bytes = 0;
    C10_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    o.Set("free", static_cast<double>(free_bytes));
    o.Set("total", static_cast<double>(total_bytes));
#else
    throw std::runtime_error("this addon was built without CUDA");
#endif
    return o;
  });
}

static bool CudaAutocastEnabled() {
#ifdef AZ_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

// CUDA autocast (float16) on or off, as torch.autocast("cuda") enters and leaves: the nesting count is kept
// and the cache of casted weights is cleared when the outermost region ends. Returns the previous state.
Napi::Value SetAutocastEnabled(const Napi::CallbackInfo& info) {
  return AZ_OP("setAutocastEnabled", {
    bool on = ArgBool(info, 0, true);
    bool prev = CudaAutocastEnabled();
    if (on && !prev) at::autocast::increment_nesting();
    if (!on && prev && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#ifdef AZ_AUTOCAST_PER_DEVICE
    at::autocast::set_autocast_enabled(at::kCUDA, on);
#else
    at::autocast::set_enabled(on);
#endif
    return Napi::Boolean::New(info.Env(), prev);
  });
}

Napi::Value IsAutocastEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), CudaAutocastEnabled());
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("count", static_cast<double>(Table(info.Env()).live_count()));
  o.Set("bytes", static_cast<double>(Table(info.Env()).live_bytes()));
  return o;
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torchVersion", TORCH_VERSION);
#ifdef AZ_WITH_CUDA
  o.Set("cuda", true);
#else
  o.Set("cuda", false);
#endif
  o.Set("cxx11Abi", static_cast<double>(_GLIBCXX_USE_CXX11_ABI));
  return o;
}

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "manualSeed", ManualSeed);
  Export(env, exports, "setNumThreads", SetNumThreads);
  Export(env, exports, "getNumThreads", GetNumThreads);
  Export(env, exports, "setGradEnabled", SetGradEnabled);
  Export(env, exports, "isGradEnabled", IsGradEnabled);
  Export(env, exports, "cudaIsAvailable", CudaIsAvailable);
  Export(env, exports, "cudaDeviceCount", CudaDeviceCount);
  Export(env, exports, "cudaSynchronize", CudaSynchronize);
  Export(env, exports, "cudaMemoryStats", CudaMemoryStats);
  Export(env, exports, "cudaMemGetInfo", CudaMemGetInfo);
  Export(env, exports, "setAutocastEnabled", SetAutocastEnabled);
  Export(env, exports, "isAutocastEnabled", IsAutocastEnabled);
  Export(env, exports, "liveTensors", LiveTensors);
  Export(env, exports, "buildInfo", BuildInfo);
}

}  // namespace az
