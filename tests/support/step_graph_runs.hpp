// The training run that the captured-step tests compare (tests/train/step_graph_test.cpp on the
// CPU, tests/cuda/step_graph_parity_test.cpp on a GPU): every value that changes per step is in
// play, and every kind of batch is captured and replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/program.hpp"

namespace gpufm::test {

// Every per-step draw and number: augmentation, dropout, batch-norm's statistics, adam's bias
// corrections; 100 images in batches of 32 end with a partial batch.
inline constexpr const char* drawing_model = R"(input 8x8x1
conv2d 4 3x3 same relu
batchnorm
dropout 0.25
flatten
dense 4 softmax
train:
  optimizer adam lr=0.01
  batch 32
  augment shift=1 rotate=10 flip_horizontal=true noise=0.01
)";

struct ThreeEpochs {
  std::vector<float> params, optimizer_state;
  std::vector<PassMetrics> epochs, evaluations;
  std::optional<LossScale> loss_scale;
  std::optional<std::int64_t> training_step_kernels;
  std::optional<std::string> capture_failure;
  std::int64_t dropouts_in_previous = 0;  // that the layers before them applied (the program's plan)
};

// Three epochs of `model` on the learnable set at falling learning rates, the second stopped after
// two steps and resumed, each followed by an evaluation with its confusion matrix (40 test images:
// a batch of 32, one of 8).
ThreeEpochs train_three_epochs(Backend& backend, const std::string& model);

}  // namespace gpufm::test
