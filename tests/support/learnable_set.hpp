// A small image set that small models learn to near 100%: 8x8 images of four classes, class k
// lighting quadrant k on a noisy background.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "gpufm/dataset.hpp"

namespace gpufm::test {

inline constexpr int learnable_side = 8;
inline constexpr int learnable_classes = 4;

Dataset learnable_dataset(std::size_t train_count, std::size_t test_count, std::uint64_t seed = 1);

// A small CNN classifier of the set, as a model file's text: adam lr=0.01, batch 32, 3 epochs,
// validating on the last 0.2.
inline constexpr const char* learnable_classifier = R"(input 8x8x1
conv2d 4 3x3 same relu
maxpool 2
flatten
dense 4 softmax
train:
  optimizer adam lr=0.01
  batch 32
  epochs 3
  validation 0.2
)";

// The same set written as the four IDX files of a data directory.
DataPaths write_learnable_set(const std::filesystem::path& dir, std::size_t train_count, std::size_t test_count);

}  // namespace gpufm::test
