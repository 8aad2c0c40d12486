// batchnorm's arithmetic, channel by channel and element by element, shared by the CPU kernel
// (src/ops/batchnorm.cpp) and the CUDA one (cuda/ops/batchnorm.cu), so that from the same
// per-channel sums both compute the same bits (the sums themselves are added in each backend's
// order). Keras' semantics: the biased batch variance both normalises and feeds the moving
// average.
#pragma once

#include <cmath>

#include "gpufm/host_device.hpp"

namespace gpufm::batchnorm {

struct Moments {
  double mean = 0, variance = 0;
};

// A channel's mean and biased variance from its sums of x and x^2 over `rows` values: one pass,
// E[x^2] - mean^2, in double; its cancellation matters only for means some 10^5 times the
// spread. A negative variance (rounding) is 0, and a NaN (a non-finite batch) stays NaN, as
// std::max(variance, 0.0) has it where fmax would not.
GPUFM_HOST_DEVICE inline Moments batch_moments(double sum, double sum_of_squares, double rows) {
  const double mean = sum / rows;
  const double variance = sum_of_squares / rows - rounded_product(mean, mean);
  return {mean, variance < 0.0 ? 0.0 : variance};
}

GPUFM_HOST_DEVICE inline float inverse_std(double variance, double epsilon) { return static_cast<float>(1 / sqrt(variance + epsilon)); }

// A running statistic moved towards the batch's, as Keras moves it.
GPUFM_HOST_DEVICE inline float moving_average(float running, double batch_value, double momentum) {
  return static_cast<float>(rounded_product(static_cast<double>(running), momentum) + rounded_product(batch_value, 1 - momentum));
}

// x normalised, in float as forward computes it.
GPUFM_HOST_DEVICE inline float x_hat(float x, float mean, float inverse_std) { return (x - mean) * inverse_std; }

GPUFM_HOST_DEVICE inline float output(float x, float gamma, float beta, float mean, float inverse_std) {
  return rounded_product(gamma * (x - mean), inverse_std) + beta;
}

// The input's gradient with the running statistics, constants: gamma / std * dy.
GPUFM_HOST_DEVICE inline float input_gradient(float dy, float gamma, float inverse_std) { return gamma * inverse_std * dy; }

// Through the batch statistics every x of a channel moves its x-hat:
// dx = gamma / std * (dy - mean(dy) - x-hat * mean(dy * x-hat)), from the channel's sums of dy
// and dy * x-hat over its `rows` values.
GPUFM_HOST_DEVICE inline float input_gradient_through_batch(float dy, float x_hat, float gamma, float inverse_std, double dy_sum,
                                                            double dy_x_hat_sum, double rows) {
  const double centred = dy - (dy_sum + rounded_product(static_cast<double>(x_hat), dy_x_hat_sum)) / rows;
  return static_cast<float>(gamma * inverse_std * centred);
}

}  // namespace gpufm::batchnorm
