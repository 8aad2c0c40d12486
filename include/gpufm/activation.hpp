// The activation functions, as scalar rules shared by the CPU and CUDA backends. Derivatives
// are computed from the output y = f(x), so backward needs only the output.
#pragma once

#include <cmath>
#include <string_view>

#include "gpufm/host_device.hpp"

namespace gpufm {

// In the order of activation_names (op.hpp).
enum class Activation { linear, relu, sigmoid, tanh, softmax, leaky_relu };

Activation activation_of(std::string_view name);  // a name from activation_names

// f(x) for the element-wise activations (softmax works on rows: see the backends).
GPUFM_HOST_DEVICE inline float activate(Activation a, float x, float alpha) {
  switch (a) {
    case Activation::relu: return x > 0.0f ? x : 0.0f;
    case Activation::leaky_relu: return x > 0.0f ? x : alpha * x;
    case Activation::sigmoid: return 1.0f / (1.0f + expf(-x));
    case Activation::tanh: return tanhf(x);
    default: return x;
  }
}

// f'(x) written in terms of y = f(x): sigmoid y(1 - y), tanh 1 - y^2. For leaky_relu, y > 0
// exactly when x > 0 (alpha >= 0).
GPUFM_HOST_DEVICE inline float activation_slope(Activation a, float y, float alpha) {
  switch (a) {
    case Activation::relu: return y > 0.0f ? 1.0f : 0.0f;
    case Activation::leaky_relu: return y > 0.0f ? 1.0f : alpha;
    case Activation::sigmoid: return y * (1.0f - y);
    case Activation::tanh: return 1.0f - y * y;
    default: return 1.0f;
  }
}

}  // namespace gpufm
