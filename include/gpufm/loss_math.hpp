// The losses' rules, sample by sample and element by element, shared by the CPU loop
// (cpu/loss.cpp) and the CUDA kernel (cuda/loss.cu), so that the GPU runs the rules the CPU tests
// check. Each backend adds the terms up in its own order. Keras' losses, probabilities clipped to
// [1e-7, 1 - 1e-7] as Keras clips them: crossentropy -log p[label]; mse the mean of (p - t)^2;
// bce the mean of -(t log p + (1 - t) log(1 - p)). The target t is the one-hot label or the input
// image.
#pragma once

#include <cmath>
#include <cstdint>

#include "gpufm/backend.hpp"
#include "gpufm/host_device.hpp"

namespace gpufm {

// What the rules read of a batch, by value, so that a kernel takes it as an argument.
struct LossBatch {
  static constexpr float clip_low = 1e-7f, clip_high = 1.0f - 1e-7f;  // Keras' epsilon

  Loss loss = Loss::crossentropy;
  Target target = Target::labels;
  const float* output = nullptr;  // batch x elements (after the last activation)
  std::int64_t batch = 0, elements = 0;
  const std::int32_t* labels = nullptr;
  const float* target_input = nullptr;
  bool fold_activation = false;

  // What sample n's element j is compared with.
  GPUFM_HOST_DEVICE double target_of(std::int64_t n, std::int64_t j) const {
    if (target == Target::labels) return j == labels[n] ? 1.0 : 0.0;
    return target_input[n * elements + j];
  }

  // As std::clamp: a NaN output stays NaN (fmin and fmax would turn it into a bound), so that
  // its step is found non-finite and skipped.
  GPUFM_HOST_DEVICE static double clipped(float q) { return q < clip_low ? clip_low : (clip_high < q ? clip_high : q); }

  // Sample n's crossentropy loss.
  GPUFM_HOST_DEVICE double crossentropy_loss(std::int64_t n) const { return -log(clipped(output[n * elements + labels[n]])); }

  // Element j's term of sample n's mse or bce loss, before the mean over the elements.
  GPUFM_HOST_DEVICE double element_loss(std::int64_t n, std::int64_t j) const {
    const float p = output[n * elements + j];
    const double t = target_of(n, j);
    if (loss == Loss::mse) return (p - t) * (p - t);
    const double q = clipped(p);
    return -(t * log(q) + (1 - t) * log(1 - q));
  }

  // Sample n's first largest output: its predicted class.
  GPUFM_HOST_DEVICE std::int64_t prediction(std::int64_t n) const {
    const float* p = output + n * elements;
    std::int64_t best = 0;
    for (std::int64_t j = 1; j < elements; ++j) {
      if (p[best] < p[j]) best = j;
    }
    return best;
  }

  // d(batch-mean loss) / d output i, or / d pre-activation when the activation is folded in
  // (softmax with crossentropy and sigmoid with bce both give p - t there). A clipped
  // probability has no gradient.
  GPUFM_HOST_DEVICE double gradient(std::int64_t i) const {
    const float out = output[i];
    const double p = out, t = target_of(i / elements, i % elements);
    const double batch_size = static_cast<double>(batch), batch_elements = batch_size * static_cast<double>(elements);
    if (fold_activation) return (p - t) / (loss == Loss::crossentropy ? batch_size : batch_elements);
    if (loss == Loss::mse) return 2 * (p - t) / batch_elements;
    if (out < clip_low || out > clip_high) return 0;
    if (loss == Loss::crossentropy) return -t / (p * batch_size);
    return (-t / p + (1 - t) / (1 - p)) / batch_elements;
  }
};

inline LossBatch loss_batch(const LossArgs& args) {
  return LossBatch{.loss = args.loss,
                   .target = args.target,
                   .output = args.output,
                   .batch = args.batch,
                   .elements = args.elements,
                   .labels = args.labels,
                   .target_input = args.target_input,
                   .fold_activation = args.fold_activation};
}

}  // namespace gpufm
