// Host tensors for op tests: one std::vector<float> per tensor, and the raw pointers a kernel
// takes.
#pragma once

#include <vector>

namespace gpufm::test {

inline std::vector<float*> data_pointers(std::vector<std::vector<float>>& tensors) {
  std::vector<float*> pointers;
  for (std::vector<float>& tensor : tensors) pointers.push_back(tensor.data());
  return pointers;
}

}  // namespace gpufm::test
