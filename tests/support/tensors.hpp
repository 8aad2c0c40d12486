// Host tensors for op tests: one std::vector<float> per tensor, the raw pointers a kernel
// takes, and random values to fill them.
#pragma once

#include <cstdint>
#include <vector>

#include "gpufm/philox.hpp"

namespace gpufm::test {

inline std::vector<float*> data_pointers(std::vector<std::vector<float>>& tensors) {
  std::vector<float*> pointers;
  for (std::vector<float>& tensor : tensors) pointers.push_back(tensor.data());
  return pointers;
}

// Uniform values in [low, high) from Philox stream `stream` of `seed`: the same on every run
// and machine.
inline std::vector<float> uniform_values(std::size_t count, double low, double high, std::uint64_t seed, std::uint32_t stream) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = static_cast<float>(low + (high - low) * uniform_from_word(philox_word(seed, stream, 0, i)));
  }
  return values;
}

}  // namespace gpufm::test
