// Fused epilogues on the GPU: a dense network trained with its bias, relu and bias gradients in
// cuBLASLt's products ends as the same run with them in kernels of their own (--unfused), and
// its captured training step launches fewer kernels.
#include <gtest/gtest.h>

#include "cuda/cuda_test_support.hpp"
#include "support/step_graph_runs.hpp"

namespace gpufm::test {
namespace {

// A relu layer (cuBLASLt's RELU_BIAS), a linear one (BIAS), a softmax one (BIAS, then its own
// softmax kernel), all three with the bias gradient in the weight gradient's product (BGRADB).
constexpr const char* dense_model = R"(input 8x8x1
flatten
dense 16 relu
dropout 0.25
dense 8
dense 4 softmax
train:
  optimizer sgd lr=0.01 momentum=0.9
  batch 32
)";

class CudaFusedEpilogues : public CudaBackendTest {
 protected:
  // The backend is shared by the suite: it leaves as it came, fusing.
  void TearDown() override {
    if (!IsSkipped()) gpu().set_fused_epilogues(true);
  }
};

// cuBLASLt and cuBLAS tile the products differently, so sums differ in their last bits; plain
// SGD carries those differences forward without magnifying them (Adam's normalised steps would
// turn the rounding noise of a near-zero gradient into a full step).
TEST_F(CudaFusedEpilogues, TrainAsUnfusedKernelsInFewerLaunches) {
  gpu().set_step_graphs(true);
  gpu().set_fused_epilogues(true);
  const ThreeEpochs fused = train_three_epochs(gpu(), dense_model);
  gpu().set_fused_epilogues(false);
  const ThreeEpochs unfused = train_three_epochs(gpu(), dense_model);
  EXPECT_TRUE(elementwise_close(fused.params, unfused.params, 1e-4));
  for (std::size_t e = 0; e < unfused.epochs.size(); ++e) {
    EXPECT_NEAR(fused.epochs[e].loss, unfused.epochs[e].loss, 1e-4) << "epoch " << e + 1;
    EXPECT_NEAR(fused.evaluations[e].loss, unfused.evaluations[e].loss, 1e-4) << "epoch " << e + 1;
  }
  ASSERT_TRUE(fused.training_step_kernels && unfused.training_step_kernels);
  // Up to 6 fewer: a kernel forward (the bias, with relu) and one backward (the bias gradient)
  // a layer; fewer where cuBLASLt had no algorithm for a product and it ran unfused.
  EXPECT_LT(*fused.training_step_kernels, *unfused.training_step_kernels);
  RecordProperty("fused_kernels", static_cast<int>(*fused.training_step_kernels));
  RecordProperty("unfused_kernels", static_cast<int>(*unfused.training_step_kernels));
}

}  // namespace
}  // namespace gpufm::test
