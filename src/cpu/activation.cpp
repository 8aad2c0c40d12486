#include "cpu/activation.hpp"

#include <algorithm>
#include <cmath>

namespace gpufm::cpu {

void activation_forward(Activation a, const float* input, float* output, std::int64_t rows, std::int64_t row_length, float alpha) {
  const std::int64_t n = rows * row_length;
  if (a == Activation::softmax) {
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* x = input + r * row_length;
      float* y = output + r * row_length;
      const float largest = *std::max_element(x, x + row_length);  // subtracted, so exp never overflows
      float sum = 0.0f;
      for (std::int64_t i = 0; i < row_length; ++i) {
        y[i] = std::exp(x[i] - largest);
        sum += y[i];
      }
      for (std::int64_t i = 0; i < row_length; ++i) y[i] /= sum;
    }
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) output[i] = activate(a, input[i], alpha);
}

void activation_backward(Activation a, const float* output, const float* output_gradient, float* input_gradient,
                         std::int64_t rows, std::int64_t row_length, float alpha) {
  const std::int64_t n = rows * row_length;
  if (a == Activation::softmax) {
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* y = output + r * row_length;
      const float* dy = output_gradient + r * row_length;
      float* dx = input_gradient + r * row_length;
      float dot = 0.0f;
      for (std::int64_t i = 0; i < row_length; ++i) dot += dy[i] * y[i];
      for (std::int64_t i = 0; i < row_length; ++i) dx[i] = y[i] * (dy[i] - dot);
    }
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) input_gradient[i] = output_gradient[i] * activation_slope(a, output[i], alpha);
}

}  // namespace gpufm::cpu
