// Greedy non-maximum suppression, as torchvision's nms: boxes (N, 4) x1 y1 x2 y2, scores (N),
// returns the kept indices (int64) in descending score order.
#include "common.h"

namespace az {
namespace {

template <typename T>
at::Tensor NmsKernel(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  int64_t n = boxes.size(0);
  at::Tensor order = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
  at::Tensor x1 = boxes.select(1, 0).contiguous(), y1 = boxes.select(1, 1).contiguous();
  at::Tensor x2 = boxes.select(1, 2).contiguous(), y2 = boxes.select(1, 3).contiguous();
  at::Tensor areas = (x2 - x1) * (y2 - y1);
  const T* px1 = x1.data_ptr<T>();
  const T* py1 = y1.data_ptr<T>();
  const T* px2 = x2.data_ptr<T>();
  const T* py2 = y2.data_ptr<T>();
  const T* pa = areas.data_ptr<T>();
  const int64_t* po = order.data_ptr<int64_t>();
  std::vector<uint8_t> suppressed(static_cast<size_t>(n), 0);
  std::vector<int64_t> keep;
  for (int64_t a = 0; a < n; a++) {
    int64_t i = po[a];
    if (suppressed[i]) continue;
    keep.push_back(i);
    for (int64_t b = a + 1; b < n; b++) {
      int64_t j = po[b];
      if (suppressed[j]) continue;
      T w = std::max<T>(0, std::min(px2[i], px2[j]) - std::max(px1[i], px1[j]));
      T h = std::max<T>(0, std::min(py2[i], py2[j]) - std::max(py1[i], py1[j]));
      T inter = w * h;
      T iou = inter / (pa[i] + pa[j] - inter);
      if (iou > iou_threshold) suppressed[j] = 1;
    }
  }
  return at::tensor(keep, at::TensorOptions().dtype(at::kLong));
}

// nms(boxes, scores, iouThreshold)
Napi::Value nms(const Napi::CallbackInfo& info) {
  return AZ_OP("nms", {
    at::Tensor& boxes = ArgTensor(info, 0);
    at::Tensor& scores = ArgTensor(info, 1);
    double iou = ArgDouble(info, 2);
    if (boxes.dim() != 2 || boxes.size(1) != 4) throw std::invalid_argument("boxes must be (N, 4)");
    if (scores.dim() != 1 || scores.size(0) != boxes.size(0)) throw std::invalid_argument("scores must be (N) with N boxes");
    at::Device device = boxes.device();
    at::Tensor b = boxes.detach().to(at::kCPU), s = scores.detach().to(at::kCPU);
    if (!at::isFloatingType(b.scalar_type())) b = b.to(at::kFloat);
    if (b.scalar_type() == at::kHalf || b.scalar_type() == at::kBFloat16) b = b.to(at::kFloat);
    s = s.to(b.scalar_type());
    at::Tensor keep = b.scalar_type() == at::kDouble ? NmsKernel<double>(b, s, iou) : NmsKernel<float>(b.to(at::kFloat), s, iou);
    return Wrap(info.Env(), device.is_cpu() ? keep : keep.to(device));
  });
}

}  // namespace

void RegisterNms(Napi::Env env, Napi::Object exports) { Export(env, exports, "nms", nms); }

}  // namespace az
