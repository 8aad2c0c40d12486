// Captured steps on the GPU: the training run of tests/support/step_graph_runs.hpp, its steps
// replayed as CUDA graphs, ends as the same run launched kernel by kernel (--eager), each
// captured training step counts its kernels, and backends side by side in threads capture theirs.
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cuda/cuda_test_support.hpp"
#include "support/step_graph_runs.hpp"

namespace gpufm::test {
namespace {

class CudaStepGraphs : public CudaBackendTest {
 protected:
  // The run with its steps replayed (which must all have been captured), then launched one by one.
  static std::pair<ThreeEpochs, ThreeEpochs> replayed_and_launched(const std::string& model) {
    gpu().set_step_graphs(true);
    ThreeEpochs replayed = train_three_epochs(gpu(), model);
    EXPECT_EQ(replayed.capture_failure, std::nullopt);
    gpu().set_step_graphs(false);
    return {std::move(replayed), train_three_epochs(gpu(), model)};
  }
  // The backend is shared by the suite: it leaves as it came, replaying.
  void TearDown() override {
    if (has_gpu()) gpu().set_step_graphs(true);
  }
};

// The same kernels with the same arguments, in the same order: the values agree but for the
// order of floating-point atomics some cuDNN algorithms sum in (1e-5 after twelve steps). A value
// frozen at capture that should change per step (a dropout mask, an augmentation, a bias
// correction) would differ by far more.
TEST_F(CudaStepGraphs, ReplayedGraphsTrainAsKernelsLaunchedOneByOne) {
  const auto [replayed, launched] = replayed_and_launched(drawing_model);
  EXPECT_TRUE(elementwise_close(replayed.params, launched.params, 1e-5));
  EXPECT_TRUE(elementwise_close(replayed.optimizer_state, launched.optimizer_state, 1e-5));
  for (std::size_t e = 0; e < launched.epochs.size(); ++e) {
    EXPECT_NEAR(replayed.epochs[e].loss, launched.epochs[e].loss, 1e-5) << "epoch " << e + 1;
    EXPECT_EQ(replayed.evaluations[e].confusion, launched.evaluations[e].confusion) << "epoch " << e + 1;
  }
  // select_step, gather, a kernel or more per layer forward and backward, the loss's, the optimizer's.
  ASSERT_TRUE(replayed.training_step_kernels.has_value());
  EXPECT_GE(*replayed.training_step_kernels, 12);
  EXPECT_EQ(launched.training_step_kernels, std::nullopt) << "nothing is captured with step graphs off";
}

TEST_F(CudaStepGraphs, ReplayedFp16GraphsSkipAndRescaleAsKernelsLaunchedOneByOne) {
  const std::string model = std::string(drawing_model) + "  precision fp16 initial_scale=131072 growth_steps=2\n";
  const auto [replayed, launched] = replayed_and_launched(model);
  EXPECT_TRUE(elementwise_close(replayed.params, launched.params, 1e-5));
  ASSERT_TRUE(replayed.loss_scale && launched.loss_scale);
  EXPECT_EQ(replayed.loss_scale->scale, launched.loss_scale->scale);
  std::int64_t overflows = 0;
  for (std::size_t e = 0; e < launched.epochs.size(); ++e) {
    EXPECT_EQ(replayed.epochs[e].overflow_steps, launched.epochs[e].overflow_steps) << "epoch " << e + 1;
    overflows += replayed.epochs[e].overflow_steps;
  }
  EXPECT_GT(overflows, 0) << "the scale starts high so that replayed steps skip and rescale";
}

// A study's members side by side: backends of their own on one GPU, each training in a thread of
// its own, capture their steps while the others allocate, train and free, and end as one alone.
TEST_F(CudaStepGraphs, BackendsSideBySideCaptureAndTrainAsOneAlone) {
  gpu().set_step_graphs(true);
  const ThreeEpochs alone = train_three_epochs(gpu(), drawing_model);
  constexpr int members = 3;
  std::vector<std::unique_ptr<Backend>> backends;
  for (int m = 0; m < members; ++m) backends.push_back(make_cuda_backend(gpu_info()));
  std::vector<ThreeEpochs> side_by_side(members);
  std::vector<std::string> failures(members);
  {
    std::vector<std::jthread> threads;
    for (int m = 0; m < members; ++m) {
      threads.emplace_back([&, m] {
        try {
          backends[m]->bind_to_calling_thread();
          side_by_side[m] = train_three_epochs(*backends[m], drawing_model);
        } catch (const std::exception& error) {
          failures[m] = error.what();
        }
      });
    }
  }
  for (int m = 0; m < members; ++m) {
    ASSERT_EQ(failures[m], "") << "member " << m;
    EXPECT_EQ(side_by_side[m].capture_failure, std::nullopt) << "member " << m;
    EXPECT_TRUE(elementwise_close(side_by_side[m].params, alone.params, 1e-5)) << "member " << m;
  }
}

}  // namespace
}  // namespace gpufm::test
