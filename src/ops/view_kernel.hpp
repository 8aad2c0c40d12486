// The kernel of the view layers (flatten, reshape) on every backend: their output is their input
// and their input gradient is their output gradient, so there is nothing to compute either way.
#pragma once

#include <memory>

#include "gpufm/layer_kernel.hpp"

namespace gpufm {

struct Layer;

class ViewKernel final : public LayerKernel {
 public:
  void forward(const ForwardArgs&) override {}
  void backward(const BackwardArgs&) override {}
};

inline std::unique_ptr<LayerKernel> make_view_kernel(const Layer&) {
  return std::make_unique<ViewKernel>();
}

}  // namespace gpufm
