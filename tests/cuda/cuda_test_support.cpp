#include "cuda/cuda_test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <sstream>

namespace gpufm::test {

std::unique_ptr<Backend> CudaBackendTest::gpu_;
std::unique_ptr<Backend> CudaBackendTest::cpu_;
GpuInfo CudaBackendTest::gpu_info_;
std::string CudaBackendTest::skip_reason_;
std::string CudaBackendTest::failure_;

void CudaBackendTest::SetUpTestSuite() {
  skip_reason_.clear();
  failure_.clear();
  cpu_ = make_cpu_backend();
  const GpuProbe probe = probe_gpus();
  if (probe.gpus.empty()) {
    skip_reason_ = probe.why_none;
    return;
  }
  gpu_info_ = probe.gpus.front();
  // Thrown here, an error would abort the whole suite with gtest's generic message; kept, it
  // fails each test with the backend's own words.
  try {
    gpu_ = make_cuda_backend(gpu_info_);
  } catch (const std::exception& e) {
    failure_ = e.what();
  }
}

void CudaBackendTest::TearDownTestSuite() {
  gpu_.reset();
  cpu_.reset();
}

void skip_or_fail_without_gpu(const std::string& why) {
  if (std::getenv("GPUFM_REQUIRE_GPU") != nullptr) FAIL() << "GPUFM_REQUIRE_GPU is set, but no GPU: " << why;
  GTEST_SKIP() << "no GPU: " << why;
}

void CudaBackendTest::SetUp() {
  if (!skip_reason_.empty()) return skip_or_fail_without_gpu(skip_reason_);
  ASSERT_TRUE(failure_.empty()) << "the CUDA backend could not be made on " << gpu_info_.name << ": " << failure_;
}

testing::AssertionResult elementwise_close(const std::vector<float>& gpu, const std::vector<float>& cpu, double tolerance) {
  if (gpu.size() != cpu.size()) {
    return testing::AssertionFailure() << "sizes differ: " << gpu.size() << " on the GPU, " << cpu.size() << " on the CPU";
  }
  constexpr std::size_t shown = 5;
  std::size_t mismatches = 0;
  double worst = 0;
  std::ostringstream first;
  first.precision(9);
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    const double difference = std::fabs(static_cast<double>(gpu[i]) - cpu[i]);
    const double allowed = tolerance * std::max(1.0, std::fabs(static_cast<double>(cpu[i])));
    // Written so that a NaN on either side fails: NaN <= x is false; equal infinities agree.
    if (difference <= allowed || (std::isinf(cpu[i]) && gpu[i] == cpu[i])) continue;
    if (mismatches < shown) first << "\n  [" << i << "] gpu " << gpu[i] << ", cpu " << cpu[i];
    worst = std::isnan(difference) ? difference : std::max(worst, difference);
    ++mismatches;
  }
  if (mismatches == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << mismatches << " of " << cpu.size() << " elements differ by more than " << tolerance
                                     << " x max(1, |cpu|) (largest difference " << worst << "); first ones:" << first.str();
}

DeviceBuffer upload(Backend& backend, const void* values, std::size_t bytes) {
  DeviceBuffer buffer = backend.allocate(bytes);
  if (bytes > 0) backend.copy_to_device(buffer.as(), values, bytes);
  return buffer;
}

}  // namespace gpufm::test
