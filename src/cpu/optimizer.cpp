#include "cpu/optimizer.hpp"

#include "gpufm/optimizer_math.hpp"

namespace gpufm::cpu {

void cpu_optimizer_step(const OptimizerStepArgs& args) {
  if (skips_step(args.sums, args.step)) return;
  const OptimizerScalars scalars = optimizer_scalars(args.settings, args.lr, args.t);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = args.first; i < args.count; ++i) {
    update_element(scalars, args.params[i], args.gradients[i], args.state, i, args.count);
  }
}

}  // namespace gpufm::cpu
