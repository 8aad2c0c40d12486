// Whole models trained on both backends from the same seed: the same epoch losses, validation and
// test figures, and final weights (batch-norm statistics included). Dropout masks and shuffles
// come from the same Philox numbers on both, so the runs differ only by float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/trainer.hpp"
#include "support/learnable_set.hpp"

namespace gpufm::test {
namespace {

// Per-epoch training and validation losses, and the test loss: within 1e-3 of the CPU's,
// relatively. Rounding differences of 1e-7 per operation grow through two epochs of updates but
// stay orders below that; a wrong kernel moves a loss by far more.
constexpr double default_loss_tolerance = 1e-3;

struct ModelCase {
  std::string name;
  std::string text;  // the model file
  // |gpu - cpu| <= this x max(1, |cpu|) for every final parameter; none where not comparable.
  std::optional<double> param_tolerance;
  // Losses within this of the CPU's, relatively, and accuracies within this many images.
  double loss_tolerance = default_loss_tolerance;
  double images_either_way = 1.5;
};

// gtest names a failing parameter with this rather than its bytes.
void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.name; }

// SGD moves each weight by lr times its gradient, so rounding differences in gradients stay
// differences of that size in the weights: 1e-3 of max(1, |w|) leaves room for the rare relu or
// max-pool that flips between backends on a value within rounding of its kink. Adam divides each
// gradient by its running magnitude, so a weight whose gradients nearly cancel can step by the
// full lr in either direction depending on rounding: for the Adam model only the losses and
// accuracies are compared (Adam's arithmetic itself is compared step by step in
// backend_parity_test.cpp).
//
// In bf16 and fp16 both backends round every stored activation the same way, but the GPU's
// products run on tensor cores (TF32 operands) where the CPU's are float32: a product that lands
// near a rounding boundary rounds to the neighbouring bf16 or half value on one side, a relative
// step of 2^-8 or 2^-11. Those steps, not a rounding of 1e-7, are what grows through the epochs,
// so these models are compared at 3e-2 (tf32's alone at 1e-2) and a few images either way.
std::vector<ModelCase> model_cases() {
  const std::string recipe = "train:\n  optimizer sgd lr=0.05 momentum=0.9\n  batch 32\n  epochs 2\n  validation 0.2\n";
  return {
      {"mlp", "input 8x8x1\nflatten\ndense 32 relu\ndense 16 tanh\ndense 4 softmax\n" + recipe, 1e-3},
      {"cnn_with_dropout_and_batchnorm",
       "input 8x8x1\nconv2d 8 3x3 same relu\nbatchnorm\nmaxpool 2\ndropout 0.25\nconv2d 16 3x3 relu\nbatchnorm\nflatten\n"
       "dense 16 relu\ndropout 0.5\ndense 4 softmax\n" + recipe,
       1e-3},
      {"conv_autoencoder",
       "input 8x8x1\nconv2d 8 3x3 same relu\navgpool 2\nconv2d_transpose 8 3x3 same stride=2 relu\nmaxpool 2\nupsample 2\n"
       "conv2d 1 3x3 same sigmoid\ntrain:\n  loss bce\n  optimizer sgd lr=0.5 momentum=0.9\n  batch 32\n  epochs 2\n  validation 0.2\n",
       1e-3},
      // A frozen block (batch-norm on its moving statistics, the optimizer past its parameters),
      // then fine-tuning (every layer, a new optimizer).
      {"frozen_block_then_fine_tuning",
       "input 8x8x1\nblock encoder frozen:\n  conv2d 8 3x3 same relu\n  batchnorm\n  maxpool 2\nflatten\ndense 4 softmax\n"
       "train:\n  optimizer sgd lr=0.05 momentum=0.9\n  batch 32\n  epochs 1\n  validation 0.2\n  fine_tune epochs=1 lr=0.01\n",
       1e-3},
      {"mlp_bf16", "input 8x8x1\nflatten\ndense 32 relu\ndense 16 tanh\ndense 4 softmax\n" + recipe + "  precision bf16\n", 3e-2, 3e-2,
       4.5},
      // growth_steps 8: the loss scale doubles twice in the two epochs (16 steps), on both alike,
      // staying far below what would overflow.
      {"cnn_fp16",
       "input 8x8x1\nconv2d 8 3x3 same relu\nbatchnorm\nmaxpool 2\ndropout 0.25\nconv2d 16 3x3 relu\nflatten\ndense 4 softmax\n" +
           recipe + "  precision fp16 initial_scale=1024 growth_steps=8\n",
       3e-2, 3e-2, 4.5},
      {"conv_autoencoder_tf32",
       "input 8x8x1\nconv2d 8 3x3 same relu\nconv2d_transpose 8 3x3 same stride=2 relu\nmaxpool 2\nconv2d 1 3x3 same sigmoid\n"
       "train:\n  loss bce\n  optimizer sgd lr=0.5 momentum=0.9\n  batch 32\n  epochs 2\n  validation 0.2\n  precision tf32\n",
       1e-2, 1e-2, 1.5},
      {"cnn_adam",
       "input 8x8x1\nconv2d 8 3x3 same relu\nbatchnorm\nmaxpool 2\ndropout 0.25\nflatten\ndense 4 softmax\n"
       "train:\n  optimizer adam lr=0.01\n  batch 32\n  epochs 2\n  validation 0.2\n",
       std::nullopt},
  };
}

struct Trained {
  std::vector<EpochRecord> history;
  PassMetrics test;
  std::vector<float> params;
};

Trained train(const Graph& graph, const Dataset& data, Backend& backend) {
  Trainer trainer(graph, data, backend);
  trainer.start(17);
  Trained result;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { result.history.push_back(r); },
               .stop_requested = {}});
  result.test = trainer.evaluate_test(false);
  result.params = trainer.program().read_params();
  return result;
}

void expect_relatively_near(double gpu, double cpu, double tolerance, const std::string& what) {
  EXPECT_LE(std::fabs(gpu - cpu), tolerance * std::fabs(cpu)) << what << ": gpu " << gpu << ", cpu " << cpu;
}

class CudaModelParity : public CudaBackendTestWithParam<ModelCase> {};

TEST_P(CudaModelParity, TwoEpochsGiveTheCpuLossesAndWeights) {
  const ModelCase& c = GetParam();
  const Graph graph = compile(dsl::parse(c.text, c.name + ".dsl"));
  // 300 images: 240 train in batches of 32, the last one partial (16 images).
  const Dataset data = learnable_dataset(300, 100);
  const Trained on_cpu = train(graph, data, cpu());
  const Trained on_gpu = train(graph, data, gpu());
  ASSERT_EQ(on_gpu.history.size(), on_cpu.history.size());
  for (std::size_t e = 0; e < on_cpu.history.size(); ++e) {
    const std::string epoch = "epoch " + std::to_string(e + 1);
    expect_relatively_near(on_gpu.history[e].loss, on_cpu.history[e].loss, c.loss_tolerance, epoch + " loss");
    expect_relatively_near(on_gpu.history[e].val_loss.value(), on_cpu.history[e].val_loss.value(), c.loss_tolerance, epoch + " val_loss");
    EXPECT_EQ(on_gpu.history[e].loss_scale, on_cpu.history[e].loss_scale) << epoch;
    if (on_cpu.history[e].accuracy) {
      // A prediction whose two largest outputs are within rounding of each other may go either
      // way: one image (in float32) of the 240 trained on, the 60 validated on, the 100 tested on
      // (the bounds sit halfway to the next count, clear of the rounding of k / n).
      EXPECT_NEAR(on_gpu.history[e].accuracy.value(), on_cpu.history[e].accuracy.value(), c.images_either_way / 240) << epoch;
      EXPECT_NEAR(on_gpu.history[e].val_accuracy.value(), on_cpu.history[e].val_accuracy.value(), c.images_either_way / 60) << epoch;
    }
  }
  expect_relatively_near(on_gpu.test.loss, on_cpu.test.loss, c.loss_tolerance, "test loss");
  EXPECT_NEAR(on_gpu.test.accuracy, on_cpu.test.accuracy, c.images_either_way / 100);
  EXPECT_EQ(on_gpu.test.samples, on_cpu.test.samples);
  if (c.param_tolerance) {
    EXPECT_TRUE(elementwise_close(on_gpu.params, on_cpu.params, *c.param_tolerance)) << "final parameters";
  }
}

INSTANTIATE_TEST_SUITE_P(SmallModels, CudaModelParity, testing::ValuesIn(model_cases()),
                         [](const testing::TestParamInfo<ModelCase>& info) { return info.param.name; });

}  // namespace
}  // namespace gpufm::test
