// How a failed CUDA call reads (cuda/check.hpp): the call, its file and line, and the library's
// words for the status; a fault inside a kernel, which whatever call comes next reports, says that
// an earlier kernel faulted and how to find it. The statuses are given, so no GPU is needed.
#include <gtest/gtest.h>

#include <string>

#include "cuda/check.hpp"
#include "support/expect_error.hpp"

namespace gpufm::test {
namespace {

TEST(DeviceErrors, AFailedCallNamesItselfItsPlaceAndTheStatus) {
  const int line = __LINE__ + 1;
  const std::string message = error_of<DeviceError>([] { GPUFM_CHECK(cudaErrorInvalidValue); });
  expect_contains(message, {"cudaErrorInvalidValue failed at ", "device_error_test.cpp:" + std::to_string(line),
                            cudaGetErrorString(cudaErrorInvalidValue)});
  EXPECT_EQ(message.find("earlier kernel"), std::string::npos) << message;
  expect_contains(error_of<DeviceError>([] { GPUFM_CHECK(CUBLAS_STATUS_NOT_SUPPORTED); }),
                  {"CUBLAS_STATUS_NOT_SUPPORTED failed at ", cublasGetStatusString(CUBLAS_STATUS_NOT_SUPPORTED)});
  expect_contains(error_of<DeviceError>([] { GPUFM_CHECK(CUDNN_STATUS_BAD_PARAM); }),
                  {"CUDNN_STATUS_BAD_PARAM failed at ", cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM)});
}

TEST(DeviceErrors, AKernelFaultSaysAnEarlierKernelFaultedAndHowToFindIt) {
  for (const cudaError_t fault : {cudaErrorIllegalAddress, cudaErrorLaunchFailure, cudaErrorMisalignedAddress, cudaErrorAssert}) {
    const std::string message = error_of<DeviceError>([fault] { GPUFM_CHECK(fault); });
    expect_contains(message, {cudaGetErrorString(fault), "a kernel queued before this call faulted", "compute-sanitizer"});
  }
}

}  // namespace
}  // namespace gpufm::test
