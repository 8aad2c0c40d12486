// Inverted dropout's rule, shared by the dropout layer and the layers that apply the dropout
// after them themselves (plan.hpp, "dropout_in_previous"), on every backend: in training, element
// i of the dropout's output is kept, and scaled by 1 / (1 - rate), when its Philox word for
// (seed, the dropout layer's index, the run's step, i) reaches the rate; else it is 0. Backward
// applies the same map to the gradient, so the mask is drawn again rather than kept.
#pragma once

#include <cstdint>

#include "gpufm/philox.hpp"
#include "gpufm/step_numbers.hpp"

namespace gpufm {

struct DropoutMask {
  std::uint64_t seed = 0;                // the run's
  const StepNumbers* numbers = nullptr;  // backend memory: its run_step, read where the mask is drawn; nullptr: no dropout
  std::uint32_t layer_index = 0;         // the dropout layer's
  float rate = 0;

  GPUFM_HOST_DEVICE bool drops() const { return numbers != nullptr; }
  GPUFM_HOST_DEVICE float scale() const { return 1.0f / (1.0f - rate); }
};

GPUFM_HOST_DEVICE inline bool dropout_keeps(std::uint32_t word, float rate) { return uniform_from_word(word) >= rate; }

// A mask drawn for the current step: made where the step's numbers can be read (on a GPU, in the
// kernel, as a captured step replays with new numbers). One that does not drop keeps every value.
class StepDropout {
 public:
  GPUFM_HOST_DEVICE explicit StepDropout(const DropoutMask& mask)
      : mask_(mask), step_(mask.drops() ? static_cast<std::uint32_t>(mask.numbers->run_step) : 0), scale_(mask.scale()) {}

  // Element i of the dropout's output, from its input `value`: a dropped element is +0.
  GPUFM_HOST_DEVICE float apply(std::int64_t i, float value) const {
    if (!mask_.drops()) return value;
    return dropout_keeps(philox_word(words(), static_cast<std::uint64_t>(i)), mask_.rate) ? value * scale_ : 0.0f;
  }

  // The stream whose word i decides element i: code that takes every element in turn (the CPU's)
  // draws many of its words at once.
  GPUFM_HOST_DEVICE PhiloxStream words() const { return PhiloxStream{mask_.seed, mask_.layer_index, step_}; }

 private:
  DropoutMask mask_;
  std::uint32_t step_;
  float scale_;
};

}  // namespace gpufm
