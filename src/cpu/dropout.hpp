// Inverted dropout over a tensor on the CPU (gpufm/dropout_mask.hpp): the dropout layer's forward
// and backward, and the pass a layer that applies the dropout after it makes over its output and
// its output's gradient.
#pragma once

#include <cstdint>

#include "gpufm/dropout_mask.hpp"

namespace gpufm::cpu {

// to[i] = the mask applied to from[i], for i in [0, count); to may be from. A mask that does not
// drop copies.
void apply_dropout(const DropoutMask& mask, const float* from, float* to, std::int64_t count);

}  // namespace gpufm::cpu
