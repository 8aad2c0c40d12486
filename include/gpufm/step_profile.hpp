// Where a training step's time goes: each phase (the gather, every layer's forward and backward,
// the loss, the optimizer) timed on the backend's timeline (CUDA events on a GPU) over steps after
// a warm-up, beside its estimated arithmetic and memory traffic (gpufm/step_cost.hpp). The step
// runs phase by phase as training runs it, outside any graph capture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/step_cost.hpp"

namespace gpufm {

struct ProfileSettings {
  std::int64_t warmup_steps = 10;  // run first, untimed: the first steps pick algorithms and fill caches
  std::int64_t steps = 50;         // timed
  std::uint64_t seed = 42;
};

struct PhaseProfile {
  PhaseCost cost;           // the phase and its estimated FLOPs and bytes a step
  std::string label;        // "forward conv2d_1"
  double milliseconds = 0;  // mean over the timed steps
};

// A timed phase of one step, on the timeline of the whole profile: for a trace.
struct PhaseSpan {
  std::size_t phase = 0;  // into StepProfile::phases
  std::int64_t step = 0;  // the timed step, from 1
  double begin_milliseconds = 0, milliseconds = 0;
};

struct StepProfile {
  std::string model, backend;
  Precision precision = Precision::fp32;
  std::int64_t batch = 0, steps = 0;
  double step_milliseconds = 0;  // mean, from the gather's start to the optimizer's end
  std::vector<PhaseProfile> phases;
  std::vector<PhaseSpan> spans;
};

// Trains `graph` (weights from the seed) on full batches of `train` for warm-up and timed steps.
// InputError when `train` holds less than one batch.
StepProfile profile_training_steps(const Graph& graph, const ImageSplit& train, Backend& backend, const ProfileSettings& settings);

}  // namespace gpufm
