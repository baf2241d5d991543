// Optimizer steps over a parameter group in one native call (PyTorch's single-tensor algorithms),
// gradient clipping and zeroing. State tensors are owned by the TS side and updated in place.
#include "common.h"

namespace az {
namespace {

double Opt(const Napi::Object& o, const char* key, double def) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
}

bool OptBool(const Napi::Object& o, const char* key, bool def) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : def;
}

Napi::Object ArgObject(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsObject()) {
    throw Napi::TypeError::New(info.Env(), std::string(CurrentOp().name) + ": argument " + std::to_string(i) + " must be an options object");
  }
  return info[i].As<Napi::Object>();
}

// sgdStep(params, momentumBuffers, {lr, momentum, dampening, weightDecay, nesterov, maximize}, first: boolean[])
// A buffer marked first is initialised from the gradient, as PyTorch does on the first step.
Napi::Value sgdStep(const Napi::CallbackInfo& info) {
  return AZ_OP("sgdStep", {
    auto params = ArgTensorList(info, 0);
    auto bufs = ArgTensorList(info, 1);
    Napi::Object o = ArgObject(info, 2);
    double lr = Opt(o, "lr", 0.01), momentum = Opt(o, "momentum", 0), dampening = Opt(o, "dampening", 0);
    double wd = Opt(o, "weightDecay", 0);
    bool nesterov = OptBool(o, "nesterov", false), maximize = OptBool(o, "maximize", false);
    if (momentum != 0 && bufs.size() != params.size()) throw std::invalid_argument("one momentum buffer per parameter");
    Napi::Array first = info[3].As<Napi::Array>();
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); i++) {
      at::Tensor& p = params[i];
      if (!p.grad().defined()) continue;
      at::Tensor d_p = maximize ? -p.grad() : p.grad();
      if (wd != 0) d_p = d_p.add(p, wd);
      if (momentum != 0) {
        at::Tensor& buf = bufs[i];
        if (first.Get(static_cast<uint32_t>(i)).ToBoolean().Value()) {
          buf.copy_(d_p);
        } else {
          buf.mul_(momentum).add_(d_p, 1 - dampening);
        }
        d_p = nesterov ? d_p.add(buf, momentum) : buf;
      }
      p.add_(d_p, -lr);
    }
    return info.Env().Undefined();
  });
}

// adamStep(params, expAvg, expAvgSq, maxExpAvgSq (empty unless amsgrad), steps: number[],
//          {lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled, maximize})
// decoupled = AdamW (weight decay applied to the weights, not the gradient).
Napi::Value adamStep(const Napi::CallbackInfo& info) {
  return AZ_OP("adamStep", {
    auto params = ArgTensorList(info, 0);
    auto m = ArgTensorList(info, 1);
    auto v = ArgTensorList(info, 2);
    auto vmax = ArgTensorList(info, 3);
    Napi::Array steps = info[4].As<Napi::Array>();
    Napi::Object o = ArgObject(info, 5);
    double lr = Opt(o, "lr", 1e-3), b1 = Opt(o, "beta1", 0.9), b2 = Opt(o, "beta2", 0.999), eps = Opt(o, "eps", 1e-8);
    double wd = Opt(o, "weightDecay", 0);
    bool amsgrad = OptBool(o, "amsgrad", false), decoupled = OptBool(o, "decoupled", false);
    bool maximize = OptBool(o, "maximize", false);
    if (m.size() != params.size() || v.size() != params.size() || (amsgrad && vmax.size() != params.size())) {
      throw std::invalid_argument("one state tensor of each kind per parameter");
    }
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); i++) {
      at::Tensor& p = params[i];
      if (!p.grad().defined()) continue;
      at::Tensor grad = maximize ? -p.grad() : p.grad();
      double step = steps.Get(static_cast<uint32_t>(i)).As<Napi::Number>().DoubleValue();
      if (decoupled) {
        p.mul_(1 - lr * wd);
      } else if (wd != 0) {
        grad = grad.add(p, wd);
      }
      m[i].mul_(b1).add_(grad, 1 - b1);
      v[i].mul_(b2).addcmul_(grad, grad, 1 - b2);
      double bc1 = 1 - std::pow(b1, step);
      double bc2_sqrt = std::sqrt(1 - std::pow(b2, step));
      at::Tensor denom;
      if (amsgrad) {
        at::maximum_out(vmax[i], vmax[i], v[i]);
        denom = (vmax[i].sqrt() / bc2_sqrt).add_(eps);
      } else {
        denom = (v[i].sqrt() / bc2_sqrt).add_(eps);
      }
      p.addcdiv_(m[i], denom, -lr / bc1);
    }
    return info.Env().Undefined();
  });
}

// clipGradNorm(params, maxNorm, normType?) -> the total norm before clipping (a number).
Napi::Value clipGradNorm(const Napi::CallbackInfo& info) {
  return AZ_OP("clipGradNorm", {
    auto params = ArgTensorList(info, 0);
    double max_norm = ArgDouble(info, 1);
    double p = ArgDouble(info, 2, 2.0);
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> norms;
    for (auto& t : params) {
      if (t.grad().defined()) norms.push_back(std::isinf(p) ? t.grad().abs().max() : t.grad().norm(p));
    }
    if (norms.empty()) return Napi::Number::New(info.Env(), 0);
    at::Tensor total = std::isinf(p) ? at::stack(norms).max() : at::stack(norms).norm(p);
    at::Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& t : params) {
      if (t.grad().defined()) t.mutable_grad().mul_(coef.to(t.grad().device()));
    }
    return Napi::Number::New(info.Env(), total.item<double>());
  });
}

// zeroGrad(params, setToNone?)
Napi::Value zeroGrad(const Napi::CallbackInfo& info) {
  return AZ_OP("zeroGrad", {
    auto params = ArgTensorList(info, 0);
    bool to_none = ArgBool(info, 1, true);
    for (auto& t : params) {
      if (!t.grad().defined()) continue;
      if (to_none) {
        t.mutable_grad() = at::Tensor();
      } else {
        t.mutable_grad().detach_();
        t.mutable_grad().zero_();
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
#define X(n) Export(env, exports, #n, n);
  X(sgdStep) X(adamStep) X(clipGradNorm) X(zeroGrad)
#undef X
}

}  // namespace az
