// A training checkpoint as a safetensors file: one F32 tensor per parameter, named
// "<layer>.<param>" ("conv2d_1.weight", "encoder.batchnorm.running_var") in gpufm's layouts
// (docs/dsl.md), the optimizer's state as "optimizer.state" [slots, trainable elements], and in
// the metadata what a resumed run needs to continue exactly (epoch, steps taken and those the
// optimizer applied, seed, fp16's loss scale, and for a run stopped within an epoch, that epoch's
// steps done and their metric sums).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"

namespace gpufm {

// How far training got into an epoch: its steps done and their metric sums. A run stopped
// between two steps keeps them, so that resuming finishes that epoch as if it never stopped
// (the epoch's order comes from (seed, epoch), each step's randomness from the step count).
struct EpochProgress {
  std::int64_t steps_done = 0;
  MetricSums sums;
};

struct Checkpoint {
  std::vector<float> params;           // the plan's flat parameter buffer
  std::vector<float> optimizer_state;  // slots x trainable elements; may be empty
  std::int64_t epochs_done = 0;
  std::int64_t steps_taken = 0;
  std::uint64_t seed = 0;
  EpochProgress epoch_progress;  // of epoch epochs_done + 1; none done at an epoch's end
  std::optional<LossScale> loss_scale;  // fp16's; its overflow flag is clear between steps
  // The current optimizer's applied steps (Program::optimizer_iterations); absent in a checkpoint
  // written before gpufm counted them apart from the steps taken.
  std::optional<std::int64_t> optimizer_iterations;
};

void save_checkpoint(const std::filesystem::path& path, const Graph& graph, const Plan& plan, const Checkpoint& checkpoint);

// Loads a checkpoint for this graph. Every parameter must be there with its shape and finite
// values; the messages name the file, the tensor, and both shapes when they differ.
Checkpoint load_checkpoint(const std::filesystem::path& path, const Graph& graph, const Plan& plan);

// Overwrites, in the flat parameters `params`, those of every block the graph takes from another
// run (its checkpoint.safetensors: the latest epoch's) or a .safetensors file, by name, each
// checked as load_checkpoint checks them.
void load_imported_blocks(const Graph& graph, const Plan& plan, std::span<float> params);

}  // namespace gpufm
