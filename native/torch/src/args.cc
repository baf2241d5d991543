// JS values -> C++ arguments, each checked with a TypeError that names the argument position.
#include "common.h"

namespace az {

OpContext& CurrentOp() {
  thread_local OpContext ctx;
  return ctx;
}

namespace {
[[noreturn]] void BadArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  throw Napi::TypeError::New(info.Env(),
                             std::string(CurrentOp().name) + ": argument " + std::to_string(i) + " must be " + what);
}
}  // namespace

bool ArgPresent(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && !info[i].IsUndefined() && !info[i].IsNull();
}

// Tensors arrive as BigInt handles; numbers and booleans are scalars.
bool ArgIsTensor(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() && info[i].IsBigInt(); }

namespace {
at::Tensor& Lookup(const Napi::CallbackInfo& info, size_t i, const Napi::Value& v, const char* what_disposed) {
  bool lossless = true;
  at::Tensor* t = Table(info.Env()).Find(v.As<Napi::BigInt>().Uint64Value(&lossless));
  if (t == nullptr) BadArg(info, i, what_disposed);
  CurrentOp().inputs.push_back(*t);
  return *t;
}
}  // namespace

at::Tensor& ArgTensor(const Napi::CallbackInfo& info, size_t i) {
  if (!ArgIsTensor(info, i)) BadArg(info, i, "a tensor");
  return Lookup(info, i, info[i], "a live tensor, not one already disposed");
}

c10::optional<at::Tensor> ArgOptTensor(const Napi::CallbackInfo& info, size_t i) {
  if (!ArgPresent(info, i)) return c10::nullopt;
  return ArgTensor(info, i);
}

std::vector<at::Tensor> ArgTensorList(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) BadArg(info, i, "an array of tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsBigInt()) BadArg(info, i, "an array of tensors");
    out.push_back(Lookup(info, i, v, "an array of live tensors (one was disposed)"));
  }
  return out;
}

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) BadArg(info, i, "an integer");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) BadArg(info, i, "an integer");
  return static_cast<int64_t>(d);
}

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, int64_t def) {
  return ArgPresent(info, i) ? ArgInt(info, i) : def;
}

double ArgDouble(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) BadArg(info, i, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

double ArgDouble(const Napi::CallbackInfo& info, size_t i, double def) {
  return ArgPresent(info, i) ? ArgDouble(info, i) : def;
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, bool def) {
  if (!ArgPresent(info, i)) return def;
  if (!info[i].IsBoolean()) BadArg(info, i, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsString()) BadArg(info, i, "a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> ArgIntList(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsNumber()) return {ArgInt(info, i)};
  if (i >= info.Length() || !info[i].IsArray()) BadArg(info, i, "an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) BadArg(info, i, "an array of integers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) BadArg(info, i, "an array of integers");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

c10::optional<std::vector<int64_t>> ArgOptIntList(const Napi::CallbackInfo& info, size_t i) {
  if (!ArgPresent(info, i)) return c10::nullopt;
  return ArgIntList(info, i);
}

at::Scalar ArgScalar(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length()) {
    if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
    if (info[i].IsNumber()) {
      double d = info[i].As<Napi::Number>().DoubleValue();
      // Whole numbers stay integral so that int tensors keep their dtype (as in Python).
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
        return at::Scalar(static_cast<int64_t>(d));
      }
      return at::Scalar(d);
    }
  }
  BadArg(info, i, "a number or boolean");
}

at::ScalarType ParseDtype(Napi::Env env, const std::string& s) {
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "int16") return at::kShort;
  if (s == "int8") return at::kChar;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  throw Napi::TypeError::New(env, "unknown dtype '" + s + "'");
}

const char* DtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return "unsupported";
  }
}

at::ScalarType ArgDtype(const Napi::CallbackInfo& info, size_t i, at::ScalarType def) {
  if (!ArgPresent(info, i)) return def;
  return ParseDtype(info.Env(), ArgString(info, i));
}

at::Device ArgDevice(const Napi::CallbackInfo& info, size_t i) {
  if (!ArgPresent(info, i)) return at::Device(at::kCPU);
  std::string s = ArgString(info, i);
  try {
    return at::Device(s);
  } catch (const c10::Error&) {
    throw Napi::TypeError::New(info.Env(), "unknown device '" + s + "' (cpu, cuda or cuda:N)");
  }
}

std::string DeviceName(const at::Device& d) {
  if (d.is_cpu()) return "cpu";
  return d.str();
}

}  // namespace az
