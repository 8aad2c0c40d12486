// TensorFlow's padding where cuDNN cannot take it. cuDNN pads symmetrically; when a convolution's
// padding is not (an odd total, as "same" gives with stride 2 or an even kernel), the images are
// copied into a zero-padded buffer in the workspace and the convolution runs unpadded on that;
// their gradient comes back in that buffer and is cropped. Plain numbers with host-device rules:
// the kernels take them by value, and the CPU tests run them (tests/cuda/element_rules_test.cpp).
#pragma once

#include <algorithm>
#include <cstdint>

#include "cuda/nhwc_element.hpp"
#include "gpufm/host_device.hpp"
#include "ops/window.hpp"

namespace gpufm::cuda {

struct WorkspacePadding {
  ConvGeometry geometry;
  bool in_workspace = false;                // false: cuDNN pads, by the geometry's pad_top and pad_left
  std::int64_t padded_h = 0, padded_w = 0;  // the images cuDNN sees: in_h and in_w unless padded in the workspace

  // Element i of the padded batch (batch, padded_h, padded_w, in_c): the image's pixel, or a zero.
  GPUFM_HOST_DEVICE float padded(const float* images, std::int64_t i) const {
    const ConvGeometry& g = geometry;
    const NhwcElement at = nhwc_element(i, padded_h, padded_w, g.in_c);
    const std::int64_t y = at.h - g.pad_top, x = at.w - g.pad_left;
    const bool inside = y >= 0 && y < g.in_h && x >= 0 && x < g.in_w;
    return inside ? images[((at.n * g.in_h + y) * g.in_w + x) * g.in_c + at.c] : 0.0f;
  }

  // Element i of the images (batch, in_h, in_w, in_c), taken from the padded batch.
  GPUFM_HOST_DEVICE float cropped(const float* padded_images, std::int64_t i) const {
    const ConvGeometry& g = geometry;
    const NhwcElement at = nhwc_element(i, g.in_h, g.in_w, g.in_c);
    return padded_images[((at.n * padded_h + at.h + g.pad_top) * padded_w + at.w + g.pad_left) * g.in_c + at.c];
  }

  std::int64_t padded_elements(std::int64_t batch) const { return batch * padded_h * padded_w * geometry.in_c; }
  std::int64_t image_elements(std::int64_t batch) const { return batch * geometry.in_h * geometry.in_w * geometry.in_c; }

  // What cuDNN pads itself, before and after alike.
  std::int64_t cudnn_pad_h() const { return in_workspace ? 0 : geometry.pad_top; }
  std::int64_t cudnn_pad_w() const { return in_workspace ? 0 : geometry.pad_left; }
};

inline WorkspacePadding workspace_padding(const ConvGeometry& g) {
  // The zeros along an axis in all (TensorFlow's rule, as conv_geometry applies it); "valid" needs none.
  const auto total = [](std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t out) {
    return std::max<std::int64_t>((out - 1) * stride + kernel - in, 0);
  };
  const std::int64_t total_h = total(g.in_h, g.kernel_h, g.stride_h, g.out_h), total_w = total(g.in_w, g.kernel_w, g.stride_w, g.out_w);
  // The smaller half goes before, so the padding is symmetric exactly when both totals are even.
  const bool in_workspace = total_h != 2 * g.pad_top || total_w != 2 * g.pad_left;
  return WorkspacePadding{.geometry = g,
                          .in_workspace = in_workspace,
                          .padded_h = in_workspace ? g.in_h + total_h : g.in_h,
                          .padded_w = in_workspace ? g.in_w + total_w : g.in_w};
}

}  // namespace gpufm::cuda
