#include "cpu/dropout.hpp"

#include <algorithm>
#include <bit>

#include "cpu/philox_lanes.hpp"

namespace gpufm::cpu {

void apply_dropout(const DropoutMask& mask, const float* from, float* to, std::int64_t count) {
  if (!mask.drops()) {
    if (to != from) std::copy_n(from, count, to);
    return;
  }
  const StepDropout dropout(mask);
  const float scale = mask.scale();
  constexpr int lanes = 64;
  constexpr std::int64_t chunk = 4 * lanes;  // elements; element i takes the stream's word i
#pragma omp parallel for schedule(static)
  for (std::int64_t first = 0; first < count; first += chunk) {
    std::uint32_t words[chunk];
    philox_lanes<lanes>(dropout.words(), static_cast<std::uint64_t>(first / 4), words);
    const std::int64_t size = std::min(chunk, count - first);
    for (std::int64_t at = 0; at < size; ++at) {
      // StepDropout::apply's value, a dropped element +0 even where it was NaN, without its
      // branch: a random branch mispredicts often, and this way the loop vectorizes (4x faster).
      const std::uint32_t kept_bits = dropout_keeps(words[at], mask.rate) ? ~0u : 0u;
      to[first + at] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(from[first + at] * scale) & kept_bits);
    }
  }
}

}  // namespace gpufm::cpu
