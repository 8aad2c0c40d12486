// What the CUDA tests share: a fixture holding the CUDA backend on the first GPU beside the CPU
// backend it is compared with (skipped, saying why, where no GPU can be used), the elementwise
// comparison they report through.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/device.hpp"
#include "support/tensors.hpp"

namespace gpufm::test {

// Where no GPU can be used: the test is skipped, saying why, or fails where GPUFM_REQUIRE_GPU is
// set (scripts/gpu-check.sh on the GPU machine, where a GPU that cannot be used is the finding).
// Called as `return skip_or_fail_without_gpu(why);`.
void skip_or_fail_without_gpu(const std::string& why);

// Both backends, made once per test suite: creating cuBLAS and cuDNN handles costs far more than
// most of these tests. A test is skipped with "no GPU: <the driver's answer>" when the probe finds
// none, and fails when a GPU is there but the backend cannot be made on it.
class CudaBackendTest : public testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  void SetUp() override;
  static Backend& gpu() { return *gpu_; }
  // Whether gpu() is there: a TearDown that resets it runs even where SetUp skipped or failed.
  static bool has_gpu() { return gpu_ != nullptr; }
  static Backend& cpu() { return *cpu_; }
  static const GpuInfo& gpu_info() { return gpu_info_; }

 private:
  static std::unique_ptr<Backend> gpu_, cpu_;
  static GpuInfo gpu_info_;
  static std::string skip_reason_;    // no GPU: why
  static std::string failure_;        // a GPU, but no backend on it: why
};

template <class Param>
class CudaBackendTestWithParam : public CudaBackendTest, public testing::WithParamInterface<Param> {};

// |gpu - cpu| <= tolerance * max(1, |cpu|) for every element (a NaN never is); the failure
// message counts the mismatches and shows the first few. Tolerance 0 asks for equal values.
testing::AssertionResult elementwise_close(const std::vector<float>& gpu, const std::vector<float>& cpu, double tolerance);

// Host values copied into new backend memory.
DeviceBuffer upload(Backend& backend, const void* values, std::size_t bytes);
template <class T>
DeviceBuffer upload(Backend& backend, const std::vector<T>& values) {
  return upload(backend, values.data(), values.size() * sizeof(T));
}
// Backend memory read back as `count` values of type T.
template <class T>
std::vector<T> download(Backend& backend, const DeviceBuffer& buffer, std::size_t count) {
  std::vector<T> values(count);
  backend.copy_to_host(values.data(), buffer.as(), count * sizeof(T));
  return values;
}

}  // namespace gpufm::test
