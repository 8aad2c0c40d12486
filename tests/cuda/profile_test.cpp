// The profiler on the CUDA backend: CUDA events mark a timeline that only moves forward, a
// profile of a step has the CPU's phases with positive times that add up to the step, and the
// memory ledger counts what the GPU holds.
#include <gtest/gtest.h>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/step_profile.hpp"
#include "support/learnable_set.hpp"

namespace gpufm::test {
namespace {

class CudaProfile : public CudaBackendTest {};

TEST_F(CudaProfile, TimelineMarksFollowTheStreamsWork) {
  const std::unique_ptr<Timeline> timeline = gpu().make_timeline(3);
  const DeviceBuffer buffer = gpu().allocate(std::size_t{64} << 20);
  timeline->mark(0);
  gpu().zero(buffer.as(), buffer.bytes());  // 64 MiB of work between two marks
  timeline->mark(1);
  timeline->mark(2);
  const std::vector<double> marks = timeline->read_milliseconds();
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_GE(marks[0], 0);
  EXPECT_GT(marks[1], marks[0]) << "the memset took no time";
  EXPECT_GE(marks[2], marks[1]);
}

TEST_F(CudaProfile, AStepsPhasesAreTheCpusAndAddUpToTheStep) {
  const Graph graph = compile(dsl::parse(learnable_classifier, "test.dsl"));
  const Dataset data = learnable_dataset(128, 16);
  const ProfileSettings settings{.warmup_steps = 3, .steps = 6, .seed = 2};
  const StepProfile on_gpu = profile_training_steps(graph, data.train, gpu(), settings);
  const StepProfile on_cpu = profile_training_steps(graph, data.train, cpu(), settings);
  ASSERT_EQ(on_gpu.phases.size(), on_cpu.phases.size());
  double sum = 0;
  for (std::size_t p = 0; p < on_gpu.phases.size(); ++p) {
    EXPECT_EQ(on_gpu.phases[p].label, on_cpu.phases[p].label);
    EXPECT_GE(on_gpu.phases[p].milliseconds, 0) << on_gpu.phases[p].label;
    // A phase with arithmetic to do takes time between its marks: its kernels ran on the stream
    // the events were recorded on.
    if (on_gpu.phases[p].cost.flops > 0) {
      EXPECT_GT(on_gpu.phases[p].milliseconds, 0) << on_gpu.phases[p].label;
    }
    sum += on_gpu.phases[p].milliseconds;
  }
  EXPECT_GT(on_gpu.step_milliseconds, 0);
  EXPECT_NEAR(sum, on_gpu.step_milliseconds, 1e-6 * on_gpu.step_milliseconds + 1e-9);
  EXPECT_EQ(on_gpu.spans.size(), 6 * on_gpu.phases.size());
}

TEST_F(CudaProfile, MemoryLedgerCountsBuffersHeldAndFreed) {
  const MemoryUse before = gpu().memory_use();
  {
    const DeviceBuffer first = gpu().allocate(1000), second = gpu().allocate(3000);
    EXPECT_EQ(gpu().memory_use().bytes_in_use, before.bytes_in_use + 4000);
    EXPECT_EQ(gpu().memory_use().allocations, before.allocations + 2);
  }
  EXPECT_EQ(gpu().memory_use().bytes_in_use, before.bytes_in_use);
  EXPECT_GE(gpu().memory_use().peak_bytes, before.bytes_in_use + 4000);
}

}  // namespace
}  // namespace gpufm::test
