#include "cpu/activation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace gpufm::cpu {

namespace {

// body(activation), the element-wise activation passed as a compile-time constant: activate's
// and activation_slope's switch then folds away and the loops in body vectorize (with the switch
// inside, relu's bias pass ran 5x slower).
template <class Body>
void with_element_wise(Activation a, Body body) {
  switch (a) {
    case Activation::linear: return body(std::integral_constant<Activation, Activation::linear>{});
    case Activation::relu: return body(std::integral_constant<Activation, Activation::relu>{});
    case Activation::sigmoid: return body(std::integral_constant<Activation, Activation::sigmoid>{});
    case Activation::tanh: return body(std::integral_constant<Activation, Activation::tanh>{});
    case Activation::leaky_relu: return body(std::integral_constant<Activation, Activation::leaky_relu>{});
    case Activation::softmax:
      throw std::logic_error("softmax is not element-wise: activation_forward and activation_backward take its whole rows");
  }
}

}  // namespace

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
  with_element_wise(a, [&](auto activation) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) output[i] = activate(activation, input[i], alpha);
  });
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
  with_element_wise(a, [&](auto activation) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) input_gradient[i] = output_gradient[i] * activation_slope(activation, output[i], alpha);
  });
}

void bias_activation_forward(Activation a, float* matrix, const float* bias, std::int64_t rows, std::int64_t columns, float alpha) {
  with_element_wise(a, [&](auto activation) {
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = matrix + r * columns;
      for (std::int64_t c = 0; c < columns; ++c) row[c] = activate(activation, row[c] + bias[c], alpha);
    }
  });
}

void activation_backward_and_sum_rows(Activation a, const float* output, float* gradient, std::int64_t rows, std::int64_t columns,
                                      float alpha, double* chunk_sums, float* row_sum) {
  with_element_wise(a, [&](auto activation) {
#pragma omp parallel for schedule(static)
    for (std::int64_t chunk = 0; chunk < sum_rows_chunks; ++chunk) {
      double* sums = chunk_sums + chunk * columns;
      std::fill_n(sums, columns, 0.0);
      for (std::int64_t r = rows * chunk / sum_rows_chunks; r < rows * (chunk + 1) / sum_rows_chunks; ++r) {
        float* g = gradient + r * columns;
        if constexpr (decltype(activation)::value != Activation::linear) {
          const float* y = output + r * columns;
          for (std::int64_t c = 0; c < columns; ++c) g[c] *= activation_slope(activation, y[c], alpha);
        }
        for (std::int64_t c = 0; c < columns; ++c) sums[c] += g[c];
      }
    }
  });
  for (std::int64_t c = 0; c < columns; ++c) {
    double total = 0;
    for (std::int64_t chunk = 0; chunk < sum_rows_chunks; ++chunk) total += chunk_sums[chunk * columns + c];
    row_sum[c] = static_cast<float>(total);
  }
}

}  // namespace gpufm::cpu
