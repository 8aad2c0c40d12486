// The arithmetic a model trains in (`precision` in the train section, `--precision`), and the
// dynamic loss scaling that fp16 needs.
//
//   fp32  float32 throughout: the reference.
//   tf32  float32 values; matrix products and convolutions may round their operands to TF32 (10
//         mantissa bits) on tensor cores. The CPU has no TF32 arithmetic and computes in fp32.
//   bf16, fp16
//         activations and their gradients hold bfloat16 or IEEE half values: every layer's output,
//         the input batch, the loss's gradient and every gradient passed back between layers are
//         rounded to nearest-even at the precision (an fp16 value past 65504 becomes infinite).
//         Parameters, their gradients and the optimizer's state stay float32 (master weights), and
//         so do batch-norm's statistics, the loss and its sums. Both backends round the same way,
//         with the functions below, so the CPU is the reference for GPU runs in any precision.
//
// fp16's range is narrow: small gradients would round to zero. Its loss is scaled up before the
// backward pass and the parameter gradients scaled back down before the optimizer, the scale
// adjusted as Keras' LossScaleOptimizer does: a step whose gradients are not all finite is skipped
// and halves the scale; `growth_steps` finite steps in a row double it.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <string_view>

#include "gpufm/host_device.hpp"

namespace gpufm {

enum class Precision { fp32, tf32, bf16, fp16 };

std::string_view name(Precision precision);

// Whether activations and their gradients are rounded to fewer bits than float32's.
constexpr bool rounds_activations(Precision precision) { return precision == Precision::bf16 || precision == Precision::fp16; }
// Whether matrix products and convolutions may run on tensor cores (TF32, or rounded operands).
constexpr bool uses_tensor_cores(Precision precision) { return precision != Precision::fp32; }

// x rounded to the nearest bfloat16 (8 mantissa bits, float32's exponents), ties to even; NaN
// stays NaN and infinities stay infinite.
GPUFM_HOST_DEVICE inline float round_to_bfloat16(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return x;  // NaN: the carry below could make it infinite
  const std::uint32_t tie_to_even = 0x7fffu + ((bits >> 16) & 1u);
  return std::bit_cast<float>((bits + tie_to_even) & 0xffff0000u);
}

// x rounded to the nearest IEEE half (10 mantissa bits, exponents -14 to 15), ties to even, with
// half's subnormals (multiples of 2^-24) below 2^-14; past the largest half, 65504, it is infinite.
GPUFM_HOST_DEVICE inline float round_to_half(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t sign = bits & 0x80000000u, magnitude = bits ^ sign;
  if (magnitude >= 0x7f800000u) return x;  // infinite or NaN
  float rounded;
  if (magnitude < 0x38800000u) {  // below 2^-14: adding 0.5, whose float32 spacing is 2^-24, rounds to a multiple of it
    rounded = (std::bit_cast<float>(magnitude) + 0.5f) - 0.5f;
  } else {  // 23 mantissa bits to 10
    const std::uint32_t tie_to_even = 0xfffu + ((magnitude >> 13) & 1u);
    rounded = std::bit_cast<float>((magnitude + tie_to_even) & 0xffffe000u);
    if (rounded > 65504.0f) rounded = std::bit_cast<float>(0x7f800000u);
  }
  return std::bit_cast<float>(std::bit_cast<std::uint32_t>(rounded) | sign);
}

// What an activation or its gradient holds in `precision`.
GPUFM_HOST_DEVICE inline float stored_value(Precision precision, float x) {
  if (precision == Precision::bf16) return round_to_bfloat16(x);
  if (precision == Precision::fp16) return round_to_half(x);
  return x;
}

// fp16's dynamic loss scale (Keras' LossScaleOptimizer defaults).
struct LossScaleSettings {
  double initial = 32768;           // 2^15
  std::int64_t growth_steps = 2000; // finite steps in a row before the scale doubles
};

// The loss scale as training changes it, in backend memory beside the parameters and saved in
// checkpoints, so that a resumed run scales as one that never stopped.
struct LossScale {
  float scale = 1;
  std::int32_t good_steps = 0;  // finite steps in a row since the scale last changed
  std::int32_t overflow = 0;    // this step's gradients are not all finite: its optimizer step is skipped
};

// The scale for the next step, once this step's optimizer has run (or been skipped): halved
// after an overflow, never below 1, or doubled after growth_steps finite steps, never past the
// largest float. It clears the overflow.
GPUFM_HOST_DEVICE inline void update_loss_scale(LossScale& state, std::int64_t growth_steps) {
  if (state.overflow != 0) {
    const float halved = state.scale * 0.5f;
    state.scale = halved > 1 ? halved : 1.0f;
    state.good_steps = 0;
  } else if (++state.good_steps >= growth_steps) {
    if (state.scale <= std::numeric_limits<float>::max() / 2) state.scale *= 2.0f;
    state.good_steps = 0;
  }
  state.overflow = 0;
}

}  // namespace gpufm
