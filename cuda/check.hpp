// Every CUDA runtime, cuBLAS and cuDNN call goes through GPUFM_CHECK, and every kernel launch
// is followed by GPUFM_CHECK_LAUNCH: a failure throws a DeviceError naming the call, the file
// and the line, with the library's own words for the status.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "gpufm/error.hpp"

namespace gpufm::cuda {

[[noreturn]] void throw_device_error(const char* library_status, const char* call, const char* file, int line);
[[noreturn]] void throw_runtime_error(cudaError_t status, const char* call, const char* file, int line);

// A failed runtime call also leaves its error as the thread's last one, which the next launch
// check would report against an innocent kernel: it is taken off as it is reported.
inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) {
    static_cast<void>(cudaGetLastError());
    throw_runtime_error(status, call, file, line);
  }
}
inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_device_error(cublasGetStatusString(status), call, file, line);
}
inline void check(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS) throw_device_error(cudnnGetErrorString(status), call, file, line);
}

}  // namespace gpufm::cuda

#define GPUFM_CHECK(call) ::gpufm::cuda::check((call), #call, __FILE__, __LINE__)
// After a kernel launch: a bad configuration shows at once; a fault inside the kernel shows at
// the next synchronising call, which is checked too.
#define GPUFM_CHECK_LAUNCH(kernel) ::gpufm::cuda::check(cudaGetLastError(), #kernel "<<<...>>>", __FILE__, __LINE__)
