// What a training step asks of the hardware, phase by phase: arithmetic (LayerFlops, from each
// op's rule) and memory traffic, estimated from the graph's shapes as the bytes each phase must
// read and write at least once (4-byte floats; the dataset's bytes for the batch gather). The
// profiler sets its measured times against them; docs/benchmarks.md sets a step's total against
// a GPU's peak arithmetic and bandwidth to estimate the fastest the step could run.
#pragma once

#include <cstdint>
#include <vector>

#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/step_phase.hpp"

namespace gpufm {

struct PhaseCost {
  StepPhase phase;
  double flops = 0;
  double bytes = 0;
};

// The phases of a training step of `batch` samples, in the order the executor runs them: while
// frozen layers are frozen, or with every layer training (fine_tuning).
std::vector<PhaseCost> training_step_cost(const Graph& graph, const Plan& plan, std::int64_t batch, bool fine_tuning = false);

struct StepTotals {
  double flops = 0, bytes = 0;
};
StepTotals totals(const std::vector<PhaseCost>& phases);

// The fastest a step could run on hardware with this peak arithmetic (FLOP/s) and bandwidth
// (bytes/s): each phase at the rate that bounds it (a roofline per phase), summed.
double step_time_limit_seconds(const std::vector<PhaseCost>& phases, double peak_flops, double peak_bytes_per_second);

}  // namespace gpufm
