// A training step allocates nothing (Program binds every buffer once; the CUDA backend can then
// capture a step as a CUDA graph and never waits on cudaMalloc mid-epoch): the backend's
// allocation count, read after every step of two epochs and around an evaluation, never moves.
// Checked on the CPU backend too, so the Program's side of the promise is tested without a GPU.
#include <gtest/gtest.h>

#include <numeric>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/program.hpp"
#include "support/learnable_set.hpp"

namespace gpufm::test {
namespace {

// Every kind of layer with a kernel, so every kernel's workspace and state is in play; 100 images
// in batches of 32 end with a partial batch.
constexpr const char* every_layer_model = R"(input 8x8x1
conv2d 8 3x3 same relu
batchnorm
maxpool 2
dropout 0.25
conv2d_transpose 4 3x3 same stride=2 tanh
avgpool 2
upsample 2
conv2d 4 3x3 stride=2 leaky_relu
flatten
dense 16 sigmoid
reshape 4x4x1
flatten
dense 4
softmax
train:
  optimizer adam
  batch 32
)";

void expect_no_allocation_in_a_step(Backend& backend) {
  const Graph graph = compile(dsl::parse(every_layer_model, "every_layer.dsl"));
  const Dataset data = learnable_dataset(100, 40);
  Program program(graph, backend, graph.train.batch);
  program.initialize(3);
  const DeviceImages train = program.upload(data.train), test = program.upload(data.test);
  std::vector<std::int32_t> all(data.train.count);
  std::iota(all.begin(), all.end(), 0);
  DeviceIds ids = program.upload_ids(all);
  std::vector<std::int32_t> all_test(data.test.count);
  std::iota(all_test.begin(), all_test.end(), 0);
  const DeviceIds test_ids = program.upload_ids(all_test);

  for (std::int64_t epoch = 1; epoch <= 2; ++epoch) {
    // The epoch's shuffle may make its buffers once, before the first step; steps make none, nor
    // does asking for the running figures (the progress line's, each step here).
    std::vector<std::size_t> counts;
    program.train_epoch(train, ids, epoch, 0.001, [&](std::int64_t, std::int64_t, const EpochSoFar& so_far) {
      static_cast<void>(so_far());
      counts.push_back(backend.memory_use().allocations);
    });
    ASSERT_EQ(counts.size(), 4u);  // ceil(100 / 32)
    for (std::size_t s = 1; s < counts.size(); ++s) EXPECT_EQ(counts[s], counts[0]) << "epoch " << epoch << ", step " << s + 1;
  }
  const std::size_t before = backend.memory_use().allocations;
  program.train_epoch(train, ids, 3, 0.001);
  EXPECT_EQ(backend.memory_use().allocations, before) << "a third epoch, shuffle included, allocated";
  program.evaluate(test, test_ids, true);
  EXPECT_EQ(backend.memory_use().allocations, before) << "an evaluation allocated";
}

TEST(StepAllocations, CpuBackendAllocatesNothingInATrainingStep) {
  auto backend = make_cpu_backend();
  expect_no_allocation_in_a_step(*backend);
}

class CudaStepAllocations : public CudaBackendTest {};

TEST_F(CudaStepAllocations, CudaBackendAllocatesNothingInATrainingStep) { expect_no_allocation_in_a_step(gpu()); }

}  // namespace
}  // namespace gpufm::test
