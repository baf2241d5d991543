// libtorch exceptions -> TorchError (a JS class given by the TS side), naming the op and its inputs.
#include "addon_data.h"
#include "common.h"

#include <sstream>

namespace az {

void SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "setErrorClass(fn)");
  Data(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
}

std::string DescribeInputs() {
  std::ostringstream s;
  const auto& inputs = CurrentOp().inputs;
  for (size_t i = 0; i < inputs.size(); i++) {
    if (i > 0) s << ", ";
    const at::Tensor& t = inputs[i];
    if (!t.defined()) {
      s << "undefined";
      continue;
    }
    s << DtypeName(t.scalar_type()) << "[";
    for (size_t k = 0; k < static_cast<size_t>(t.dim()); k++) s << (k > 0 ? "," : "") << t.size(static_cast<int64_t>(k));
    s << "]";
    if (!t.device().is_cpu()) s << "@" << DeviceName(t.device());
  }
  return s.str();
}

std::string CleanMessage(const std::string& m) {
  std::string out = m;
  auto cut = out.find("\nException raised from");
  if (cut != std::string::npos) out.resize(cut);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Napi::Value NewTorchError(Napi::Env env, const std::string& text, const std::string& op, const std::string& inputs,
                          const std::string& detail) {
  AddonData& data = Data(env);
  if (data.error_class.IsEmpty()) return Napi::Error::New(env, text).Value();
  return data.error_class.New({Napi::String::New(env, text), Napi::String::New(env, op), Napi::String::New(env, inputs),
                               Napi::String::New(env, detail)});
}

void ThrowTorchError(Napi::Env env, const std::string& message) {
  const OpContext& op = CurrentOp();
  std::string inputs = DescribeInputs();
  std::string detail = CleanMessage(message);
  std::string text = std::string(op.name) + "(" + inputs + "): " + detail;
  throw Napi::Error(env, NewTorchError(env, text, op.name, inputs, detail));
}

}  // namespace az
