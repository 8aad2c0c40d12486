#include "cpu/dropout.hpp"

#include <algorithm>

namespace gpufm::cpu {

void apply_dropout(const DropoutMask& mask, const float* from, float* to, std::int64_t count) {
  if (!mask.drops()) {
    if (to != from) std::copy_n(from, count, to);
    return;
  }
  const StepDropout dropout(mask);
  // Element i takes word i % 4 of block i / 4: one Philox call serves four elements.
  constexpr std::int64_t words = 4;
#pragma omp parallel for schedule(static)
  for (std::int64_t block = 0; block < (count + words - 1) / words; ++block) {
    const Philox4x32 drawn = dropout.words(static_cast<std::uint64_t>(block));
    for (std::int64_t i = block * words; i < std::min(count, (block + 1) * words); ++i) to[i] = dropout.apply_word(drawn.v[i % words], from[i]);
  }
}

}  // namespace gpufm::cpu
