// `gpufm train --device cuda|cuda:N|auto` as a user runs it: without a GPU, cuda is a one-line
// error with exit code 3 giving the driver's reason and auto says on its device line that it fell
// back to the CPU and why; with one, all train on it and name it. A GPU number past the last is
// exit code 3 too.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/device.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

constexpr const char* small_model = R"(input 8x8x1
flatten
dense 8 relu
dense 4 softmax
train:
  batch 16
  epochs 1
)";

class CudaDeviceCli : public testing::Test {
 protected:
  void SetUp() override {
    write_learnable_set(dir.path(), 64, 16);
    model = dir.write("small.dsl", small_model).string();
  }
  CommandResult train(const std::string& device, const std::string& run) const {
    return run_gpufm({"train", model, "--data", dir.path().string(), "--device", device, "--out", (dir / run).string()});
  }
  TempDir dir;
  std::string model;
  const GpuProbe probe = probe_gpus();
};

TEST_F(CudaDeviceCli, DeviceCudaWithoutAGpuExitsThreeWithOneLineSayingWhy) {
  if (!probe.gpus.empty()) GTEST_SKIP() << "a GPU is present (" << probe.gpus.front().name << "); DeviceCudaTrainsOnTheGpu covers it";
  for (const std::string device : {"cuda", "cuda:0"}) {
    const CommandResult result = train(device, "run");
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_EQ(result.err.rfind("gpufm: error: --device " + device + ": no usable GPU: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    expect_contains(result.err, {probe.why_none});
    EXPECT_FALSE(std::filesystem::exists(dir / "run")) << "a run directory was made for a run that never started";
  }
}

TEST_F(CudaDeviceCli, AGpuNumberPastTheLastExitsThree) {
  const std::string device = "cuda:" + std::to_string(probe.gpus.size());
  const CommandResult result = train(device, "run");
  const std::string count = std::to_string(probe.gpus.size());
  expect_one_line_error(result, 3, {"--device " + device + ": ", probe.gpus.empty() ? "no usable GPU" : "this machine has " + count});
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
}

TEST_F(CudaDeviceCli, DeviceAutoWithoutAGpuTrainsOnTheCpuAndSaysWhy) {
  if (!probe.gpus.empty()) GTEST_SKIP() << "a GPU is present (" << probe.gpus.front().name << "); DeviceAutoPicksTheGpu covers it";
  const CommandResult result = train("auto", "run");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_contains(result.out, {"Device: CPU (", probe.why_none});
}

TEST_F(CudaDeviceCli, DeviceCudaTrainsOnTheGpu) {
  if (probe.gpus.empty()) return skip_or_fail_without_gpu(probe.why_none);
  for (const std::string device : {"cuda", "cuda:0"}) {
    const CommandResult result = train(device, device == "cuda" ? "run" : "run-cuda0");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    expect_contains(result.out, {"Device: " + probe.gpus.front().name, "--device " + device + ", GPU 0 of ", "Epoch 1/1", "Test (final model): "});
  }
}

TEST_F(CudaDeviceCli, DeviceAutoPicksTheGpu) {
  if (probe.gpus.empty()) return skip_or_fail_without_gpu(probe.why_none);
  const CommandResult result = train("auto", "run");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_contains(result.out, {"Device: " + probe.gpus.front().name});
}

}  // namespace
}  // namespace gpufm::test
