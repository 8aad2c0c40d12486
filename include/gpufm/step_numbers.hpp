// What differs from one step to the next, kept in backend memory where the kernels read it. The
// host writes a whole pass's numbers once, before its first step (a table, a row a step), and
// each step starts by selecting its row (Backend::select_step). Every step of a pass then makes
// the same calls with the same arguments, so the CUDA backend captures one as a CUDA graph and
// replays it, with nothing on the host between steps.
#pragma once

#include <cstdint>

#include "gpufm/host_device.hpp"

namespace gpufm {

struct StepNumbers {
  std::int64_t epoch_step = 0;  // a training step's number in its epoch, from 1; 0 for a batch only measured
  std::uint64_t run_step = 0;   // training steps the run took before this one: dropout's masks and the augmentation draw by it
  std::int64_t first_id = 0;    // the batch's first position in the pass's ids
};

// A batch only measured when there are no numbers.
GPUFM_HOST_DEVICE inline std::int64_t epoch_step_of(const StepNumbers* numbers) { return numbers != nullptr ? numbers->epoch_step : 0; }

// *current = table[*cursor], then the cursor moves to the next row.
struct StepSelectArgs {
  const StepNumbers* table = nullptr;
  std::int64_t* cursor = nullptr;
  StepNumbers* current = nullptr;
};

GPUFM_HOST_DEVICE inline void select_step(const StepSelectArgs& args) {
  *args.current = args.table[*args.cursor];
  *args.cursor += 1;
}

}  // namespace gpufm
