// Fused epilogues on the GPU: a dense network trained with its bias, relu and bias gradients in
// cuBLASLt's products, and a convolutional one with its bias and relu in cuDNN's convolution call
// and each backward's activation derivative and bias gradient in one pass, both with dropouts
// applied by the layers before them, end as the same runs with all of them in kernels of their own
// (--unfused), and their captured training steps launch fewer kernels.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "cuda/cuda_test_support.hpp"
#include "support/step_graph_runs.hpp"

namespace gpufm::test {
namespace {

// A relu layer (cuBLASLt's RELU_BIAS, then the dropout after it in a pass of its own; backward masks
// in the relu derivative's pass), a linear one (BIAS), a softmax one (BIAS, then its own softmax
// kernel), all three with the bias gradient in the weight gradient's product (BGRADB).
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
    if (has_gpu()) gpu().set_fused_epilogues(true);
  }
};

// A relu convolution (cuDNN's fused call), a linear one (fused where cuDNN's algorithm is implicit
// precomputed GEMM) that applies the dropout after it, a tanh one (never fused forward), a
// transposed one; every backward takes its activation derivative and bias gradient in one pass. A
// maxpool applies the dropout after it.
constexpr const char* conv_model = R"(input 8x8x1
conv2d 4 3x3 same relu
conv2d 4 3x3 same
dropout 0.25
conv2d 6 3x3 same stride=2 tanh
conv2d_transpose 2 3x3 same stride=2 relu
maxpool 2
dropout 0.5
flatten
dense 4 softmax
train:
  optimizer sgd lr=0.01 momentum=0.9
  batch 32
)";

// cuBLASLt and cuBLAS (and cuDNN's fused and plain convolutions) tile the products differently,
// so sums differ in their last bits; plain SGD carries those differences forward without
// magnifying them (Adam's normalised steps would turn the rounding noise of a near-zero gradient
// into a full step). Returns the fusions the libraries refused in the fused run.
std::vector<std::string> expect_fused_trains_as_unfused_in_fewer_launches(Backend& gpu, const std::string& model,
                                                                          double tolerance = 1e-4) {
  gpu.set_step_graphs(true);
  gpu.set_fused_epilogues(true);
  const std::size_t refused_before = gpu.refused_fusions().size();
  const ThreeEpochs fused = train_three_epochs(gpu, model);
  const std::vector<std::string> all_refused = gpu.refused_fusions();
  const std::vector<std::string> refused(all_refused.begin() + static_cast<std::ptrdiff_t>(refused_before), all_refused.end());
  gpu.set_fused_epilogues(false);
  const ThreeEpochs unfused = train_three_epochs(gpu, model);
  EXPECT_GT(fused.dropouts_in_previous, 0);
  EXPECT_EQ(unfused.dropouts_in_previous, 0);
  EXPECT_TRUE(elementwise_close(fused.params, unfused.params, tolerance));
  for (std::size_t e = 0; e < unfused.epochs.size(); ++e) {
    EXPECT_NEAR(fused.epochs[e].loss, unfused.epochs[e].loss, tolerance) << "epoch " << e + 1;
    EXPECT_NEAR(fused.evaluations[e].loss, unfused.evaluations[e].loss, tolerance) << "epoch " << e + 1;
  }
  EXPECT_TRUE(fused.training_step_kernels && unfused.training_step_kernels);
  if (fused.training_step_kernels && unfused.training_step_kernels) {
    EXPECT_LT(*fused.training_step_kernels, *unfused.training_step_kernels);
    testing::Test::RecordProperty("fused_kernels", static_cast<int>(*fused.training_step_kernels));
    testing::Test::RecordProperty("unfused_kernels", static_cast<int>(*unfused.training_step_kernels));
  }
  std::string refused_list;
  for (const std::string& fusion : refused) refused_list += fusion + "; ";
  testing::Test::RecordProperty("refused_fusions", refused_list.empty() ? "none" : refused_list);
  return refused;
}

// Whether a refusal is of cuBLASLt's forward epilogues, which a GPU with cuBLASLt has for float32
// products of these shapes (BGRADB and cuDNN's fused call vary more, and are only recorded).
bool refuses_forward_epilogue(const std::string& refusal) {
  return refusal.starts_with("cuBLASLt BIAS ") || refusal.starts_with("cuBLASLt RELU_BIAS ");
}

// Up to 7 fewer: a kernel forward (the bias, with relu) and one backward (the bias gradient) a
// layer, and the dropout's backward; fewer where cuBLASLt has no BGRADB algorithm for a product
// and its bias gradient is summed apart.
TEST_F(CudaFusedEpilogues, DenseTrainsAsUnfusedKernelsInFewerLaunches) {
  // Fewer launches alone would not show the products fused: the dropout and the one-pass backward
  // save launches even where cuBLASLt refuses every product.
  for (const std::string& refusal : expect_fused_trains_as_unfused_in_fewer_launches(gpu(), dense_model)) {
    EXPECT_FALSE(refuses_forward_epilogue(refusal)) << refusal;
  }
}

// In TF32 the fused bias gradient (BGRADB) is summed inside a tensor-core product, which may
// round dy to TF32's 10-bit mantissa first (a relative 2^-11) where the unfused pass sums it in
// full: over a dozen SGD steps at lr 0.01 that stays far inside 1e-3.
TEST_F(CudaFusedEpilogues, DenseInTf32TrainsAsUnfused) {
  expect_fused_trains_as_unfused_in_fewer_launches(gpu(), std::string(dense_model) + "  precision tf32\n", 1e-3);
}

// At least one fewer a convolution with an activation (its backward's one pass), and three for the
// dropouts (the maxpool's forward and backward, the linear convolution's backward), whatever cuDNN
// does with the forward.
TEST_F(CudaFusedEpilogues, ConvolutionsTrainAsUnfusedKernelsInFewerLaunches) {
  expect_fused_trains_as_unfused_in_fewer_launches(gpu(), conv_model);
}

}  // namespace
}  // namespace gpufm::test
