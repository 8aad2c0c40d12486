// The optimizer step on the CPU: one element-wise pass over the trainable range, and fp16's
// overflow check before it.
#pragma once

#include "gpufm/backend.hpp"

namespace gpufm::cpu {

// Updates params[0, count) and their optimizer state from the gradients, by the rules in
// gpufm/optimizer_math.hpp. Each element is updated on its own, so the result does not depend
// on the number of threads.
void cpu_optimizer_step(const OptimizerStepArgs& args);
void cpu_find_overflow(const OverflowCheckArgs& args);

}  // namespace gpufm::cpu
