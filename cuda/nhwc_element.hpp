// Element i of an NHWC batch as its sample, row, column and channel: where the kernels that
// compute one element a thread start (the poolings, upsample, the workspace padding).
#pragma once

#include <cstdint>

#include "gpufm/host_device.hpp"

namespace gpufm::cuda {

struct NhwcElement {
  std::int64_t n;
  int h, w, c;
};

GPUFM_HOST_DEVICE inline NhwcElement nhwc_element(std::int64_t i, std::int64_t height, std::int64_t width, std::int64_t channels) {
  const std::int64_t pixel = i / channels;
  return {pixel / width / height, static_cast<int>(pixel / width % height), static_cast<int>(pixel % width),
          static_cast<int>(i % channels)};
}

}  // namespace gpufm::cuda
