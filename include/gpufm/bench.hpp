// `gpufm bench`: a model trained as its file says, and timed as ../shared/peer/torch_ref.py times
// PyTorch, so that scripts/bench.sh can set the two side by side: each epoch with its validation,
// training images per second over the epochs after the first (the first compiles and warms up),
// the final model's test figures. Also the training step alone and what it asks of the hardware.
// No run directory is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/precision.hpp"
#include "gpufm/program.hpp"

namespace gpufm {

struct BenchResult {
  std::string model, backend;
  Precision precision = Precision::fp32;
  std::int64_t params = 0, batch = 0, epochs = 0, steps_per_epoch = 0, train_samples = 0;
  std::vector<double> epoch_seconds;  // training and validation, as torch_ref.py's epoch_s
  double train_seconds = 0, train_seconds_after_first_epoch = 0;
  double images_per_second_steady = 0;  // over the epochs after the first; the first's when only one ran
  // The training step alone: from the end of each epoch's first step to the end of its last, over
  // the same epochs; 0 when an epoch has a single step.
  double step_milliseconds = 0;
  std::size_t peak_memory_bytes = 0;  // the backend's buffers at most (the dataset's included)
  double flops_per_step = 0, bytes_per_step = 0;  // estimated (gpufm/step_cost.hpp), for a full batch
  bool step_graphs = true;  // steps replayed as captured (Backend::capture), not launched call by call
  std::optional<std::string> capture_failure;  // why steps ran call by call though asked to replay
  std::optional<std::int64_t> kernels_per_step;  // a captured full training step's kernels; none on the CPU or --eager
  bool fused_epilogues = true;  // layers were let apply bias, activation and dropout in their products and passes (--unfused: not)
  std::vector<std::string> refused_fusions;  // of those, what the libraries refused (Backend::refused_fusions)
  PassMetrics test;
};

BenchResult bench_training(const Graph& graph, const Dataset& data, Backend& backend, std::uint64_t seed);

// One JSON object on one line, its keys named as torch_ref.py names the same figures.
std::string bench_json(const BenchResult& result);

}  // namespace gpufm
