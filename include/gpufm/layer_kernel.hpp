// A layer bound to a backend: its forward and backward for a batch, with any state it needs
// (geometry, descriptors, batch statistics) made once when the graph is bound. Tensors are
// NHWC (channels last), samples contiguous: element (n, h, w, c) of a batch lies at
// ((n * H + h) * W + w) * C + c.
//
// Gradient contract: backward writes (never accumulates into) the input gradient and every
// parameter gradient.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "gpufm/dropout_mask.hpp"
#include "gpufm/step_numbers.hpp"

namespace gpufm {

// What changes from step to step, for the kernels that need it.
struct StepContext {
  bool training = false;            // dropout drops and batch-norm uses batch statistics (unless frozen)
  // The layer is in a frozen block (Keras' trainable=False), even when fine-tuning: batch-norm
  // normalises with its moving statistics and leaves them as they are, while dropout still drops.
  bool frozen = false;
  std::uint64_t seed = 0;           // the run's seed
  // In backend memory: run_step makes random masks differ per step (read by the kernels, as it
  // changes from one replay of a captured step to the next).
  const StepNumbers* numbers = nullptr;
  std::uint32_t layer_index = 0;    // so random masks differ per layer
  std::span<std::byte> workspace;   // scratch shared by all layers, at least workspace_bytes(batch)
};

// The mask in this step of the dropout layer `dropout_layer` (the context's own, or the one after
// a layer that applies it): none outside training.
inline DropoutMask dropout_mask(const StepContext& context, std::uint32_t dropout_layer, float rate) {
  if (!context.training) return {};
  return DropoutMask{.seed = context.seed, .numbers = context.numbers, .layer_index = dropout_layer, .rate = rate};
}

struct ForwardArgs {
  const float* input = nullptr;
  float* output = nullptr;  // never aliases input, except for view layers (flatten, reshape)
  std::int64_t batch = 0;
  std::span<float* const> params;  // in the layer's ParamSpec order; non-trainable ones too
  const StepContext* context = nullptr;
  // The mask of the dropout layer after this one, which this layer applies to its output as it
  // writes it (an op with applies_dropout_after; plan.hpp's dropout_in_previous); none otherwise.
  DropoutMask dropout{};
};

struct BackwardArgs {
  // Only what the op's saved_for_backward names is valid here; the rest may hold other data.
  const float* input = nullptr;
  const float* output = nullptr;
  float* output_gradient = nullptr;  // the op may overwrite it (with its activation's derivative applied)
  float* input_gradient = nullptr;   // nullptr when no earlier layer needs it
  std::int64_t batch = 0;
  std::span<float* const> params;
  std::span<float* const> param_gradients;  // nullptr for non-trainable parameters
  // The loss already folded this layer's activation into output_gradient (softmax with
  // crossentropy, sigmoid with bce): skip the activation's derivative.
  bool activation_folded_into_loss = false;
  const StepContext* context = nullptr;
  // As in forward: output and output_gradient are then those of the dropped output, and the mask
  // applies to output_gradient before anything else.
  DropoutMask dropout{};
};

class LayerKernel {
 public:
  virtual ~LayerKernel() = default;
  virtual std::size_t workspace_bytes(std::int64_t /*batch*/) const { return 0; }
  virtual void forward(const ForwardArgs& args) = 0;
  virtual void backward(const BackwardArgs& args) = 0;
};

}  // namespace gpufm
