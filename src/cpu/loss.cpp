#include "cpu/loss.hpp"

#include <cmath>
#include <stdexcept>

#include "gpufm/loss_math.hpp"

namespace gpufm::cpu {

namespace {

double sample_loss(const LossBatch& batch, std::int64_t n) {
  if (batch.loss == Loss::crossentropy) return batch.crossentropy_loss(n);
  double sum = 0;
  for (std::int64_t j = 0; j < batch.elements; ++j) sum += batch.element_loss(n, j);
  return sum / static_cast<double>(batch.elements);
}

}  // namespace

void cpu_loss(const LossArgs& args) {
  if (args.fold_activation && args.loss == Loss::mse) throw std::logic_error("mse has no activation to fold into its gradient");
  const LossBatch batch = loss_batch(args);
  const bool classifier = args.target == Target::labels;
  if (args.sums != nullptr) {
    double loss = 0, correct = 0;
    for (std::int64_t n = 0; n < args.batch; ++n) {
      loss += sample_loss(batch, n);
      if (classifier && batch.prediction(n) == args.labels[n]) ++correct;
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
    for (std::int64_t n = 0; n < args.batch; ++n) ++args.confusion[args.labels[n] * args.elements + batch.prediction(n)];
  }
  if (args.output_gradient != nullptr) {
    const std::int64_t count = args.batch * args.elements;
    const double scale = args.loss_scale != nullptr ? args.loss_scale->scale : 1.0;
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      args.output_gradient[i] = static_cast<float>(batch.gradient(i) * scale);
    }
  }
}

}  // namespace gpufm::cpu
