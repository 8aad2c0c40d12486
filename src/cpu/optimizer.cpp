#include "cpu/optimizer.hpp"

#include <cmath>

#include "gpufm/optimizer_math.hpp"

namespace gpufm::cpu {

void cpu_find_overflow(const OverflowCheckArgs& args) {
  bool overflow = false;
#pragma omp parallel for schedule(static) reduction(|| : overflow)
  for (std::int64_t i = args.first; i < args.count; ++i) overflow = overflow || !std::isfinite(args.gradients[i]);
  if (overflow) args.loss_scale->overflow = 1;
}

void cpu_optimizer_step(const OptimizerStepArgs& args) {
  if (!skips_optimizer_step(args)) {
    const OptimizerScalars& scalars = applied_step_scalars(args);
    const float unscale = gradient_unscale(args.loss_scale);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = args.first; i < args.count; ++i) {
      update_element(scalars, args.params[i], args.gradients[i] * unscale, args.state, i, args.count);
    }
  }
  if (args.loss_scale != nullptr) finish_scaled_step(args);
}

}  // namespace gpufm::cpu
