#include "cpu/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gpufm::cpu {

namespace {

constexpr float clip_low = 1e-7f, clip_high = 1.0f - 1e-7f;  // Keras' epsilon

bool clipped(float p) { return p < clip_low || p > clip_high; }

// What sample n's element j is compared with.
double target(const LossArgs& args, std::int64_t n, std::int64_t j) {
  if (args.target == Target::labels) return j == args.labels[n] ? 1.0 : 0.0;
  return args.target_input[n * args.elements + j];
}

double sample_loss(const LossArgs& args, std::int64_t n) {
  const float* p = args.output + n * args.elements;
  if (args.loss == Loss::crossentropy) return -std::log(static_cast<double>(std::clamp(p[args.labels[n]], clip_low, clip_high)));
  double sum = 0;
  for (std::int64_t j = 0; j < args.elements; ++j) {
    const double t = target(args, n, j);
    if (args.loss == Loss::mse) {
      sum += (p[j] - t) * (p[j] - t);
    } else {
      const double q = std::clamp(p[j], clip_low, clip_high);
      sum -= t * std::log(q) + (1 - t) * std::log(1 - q);
    }
  }
  return sum / static_cast<double>(args.elements);
}

// The first largest output.
std::int64_t prediction(const LossArgs& args, std::int64_t n) {
  const float* p = args.output + n * args.elements;
  return std::max_element(p, p + args.elements) - p;
}

// d(batch-mean loss) / d output[n, j], or / d pre-activation when the activation is folded in
// (softmax with crossentropy and sigmoid with bce both give p - t there). A clipped
// probability has no gradient.
double element_gradient(const LossArgs& args, std::int64_t n, std::int64_t j) {
  const double p = args.output[n * args.elements + j], t = target(args, n, j);
  const double batch = static_cast<double>(args.batch), elements = static_cast<double>(args.elements);
  if (args.fold_activation) return (p - t) / (args.loss == Loss::crossentropy ? batch : batch * elements);
  if (args.loss == Loss::mse) return 2 * (p - t) / (batch * elements);
  if (clipped(args.output[n * args.elements + j])) return 0;
  if (args.loss == Loss::crossentropy) return -t / (p * batch);
  return (-t / p + (1 - t) / (1 - p)) / (batch * elements);
}

}  // namespace

void cpu_loss(const LossArgs& args) {
  if (args.fold_activation && args.loss == Loss::mse) throw std::logic_error("mse has no activation to fold into its gradient");
  const bool classifier = args.target == Target::labels;
  if (args.sums != nullptr) {
    double loss = 0, correct = 0;
    for (std::int64_t n = 0; n < args.batch; ++n) {
      loss += sample_loss(args, n);
      if (classifier && prediction(args, n) == args.labels[n]) ++correct;
    }
    if (const std::int64_t step = epoch_step_of(args.numbers); step > 0 && !std::isfinite(loss)) {
      record_nonfinite_step(*args.sums, step);
    } else {
      args.sums->loss += loss;
      args.sums->samples += static_cast<double>(args.batch);
      args.sums->correct += correct;
    }
  }
  if (args.confusion != nullptr && classifier) {
    for (std::int64_t n = 0; n < args.batch; ++n) ++args.confusion[args.labels[n] * args.elements + prediction(args, n)];
  }
  if (args.output_gradient != nullptr) {
    const std::int64_t count = args.batch * args.elements;
    const double scale = args.loss_scale != nullptr ? args.loss_scale->scale : 1.0;
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      args.output_gradient[i] = static_cast<float>(element_gradient(args, i / args.elements, i % args.elements) * scale);
    }
  }
}

}  // namespace gpufm::cpu
