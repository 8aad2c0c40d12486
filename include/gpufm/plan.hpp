// Memory decided once, before training: nothing is allocated inside a step.
//
// Parameters live in one flat buffer, trainable ones first (frozen layers' before the others), so
// that their gradients and the optimizer's state are flat buffers of the trainable range with the
// same layout (one optimizer kernel over it). Activations and their gradients are offsets into one
// arena, sharing space where their lifetimes in the step do not overlap. Arena sizes are per
// sample: every activation scales with the batch, so offsets times the batch size place a whole
// batch. Offsets, not pointers: the same plan binds to the CPU, a GPU, or several replicas.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpufm/graph.hpp"

namespace gpufm {

inline constexpr std::int64_t plan_alignment_bytes = 64;

struct ParamSlot {
  std::size_t layer = 0, param = 0;  // graph.layers[layer].params[param]
  std::int64_t offset = 0;           // in elements, into the flat parameter buffer
  std::int64_t elements = 0;
};

// One step of a training step, in order: every forward, the loss, then the backwards that
// are needed (a layer's backward runs when it has parameters to train or an earlier layer does).
struct Step {
  enum class Kind { forward, loss, backward };
  Kind kind = Kind::forward;
  std::size_t layer = 0;       // unused for the loss
  bool input_gradient = false;  // backward: also compute the gradient of the layer's input
};

struct BufferSlot {
  std::string name;                 // "input", "conv2d.output", "conv2d.output_gradient"
  std::int64_t bytes_per_sample = 0;
  std::int64_t offset_per_sample = 0;  // into the arena
  int first_step = 0, last_step = 0;   // inclusive positions in the schedule
};

struct ArenaPlan {
  std::vector<BufferSlot> buffers;
  std::size_t input_buffer = 0;                // the batch as the first layer reads it
  std::vector<std::size_t> output_buffer;      // per layer
  std::vector<long> output_gradient_buffer;    // per layer; -1 where no gradient is kept
  std::int64_t bytes_per_sample = 0;           // the arena, with sharing
  std::int64_t unshared_bytes_per_sample = 0;  // the sum of its buffers, without sharing
};

// Whether a dropout layer runs inside the layer before it where that layer can apply it
// (OpDef::applies_dropout_after): that layer's output is then the dropped one, and the dropout's
// output and gradient are views of that layer's, with no memory and no kernel of their own.
enum class DropoutFusion { into_previous, separate };

struct Plan {
  std::vector<bool> dropout_in_previous;  // per layer: a dropout that the layer before applies
  std::vector<ParamSlot> params;          // trainable ones first, each group in graph order
  std::int64_t param_elements = 0;        // the flat parameter buffer
  std::int64_t trainable_elements = 0;    // its trainable range [0, trainable_elements): gradients and optimizer state
  std::int64_t frozen_elements = 0;       // [0, frozen_elements): frozen layers', trained only when fine-tuning
  std::vector<Step> schedule;             // of a training step (frozen layers fine-tuning too)
  std::vector<Step> frozen_schedule;      // of a training step while frozen layers are frozen: a part of `schedule`
  ArenaPlan training;                     // forward, loss and backward
  ArenaPlan inference;                    // forward only

  // The layer's output is its input's buffer: a view (flatten, reshape) or a dropout run by the
  // layer before.
  bool output_aliases_input(const Graph& graph, std::size_t layer) const {
    return graph.layers[layer].op->output_aliases_input || dropout_in_previous[layer];
  }
};

Plan plan_memory(const Graph& graph, std::int64_t bytes_per_element = 4, DropoutFusion fusion = DropoutFusion::into_previous);

}  // namespace gpufm
