#include "cuda/context.hpp"

#include <cstdio>

namespace gpufm::cuda {

std::recursive_mutex& device_wide_lock() {
  static std::recursive_mutex lock;
  return lock;
}

CudaContext::CudaContext(int device) : device_(device) {
  const std::lock_guard lock(device_wide_lock());
  GPUFM_CHECK(cudaSetDevice(device));
  GPUFM_CHECK(cudaGetDeviceProperties(&properties_, device));
  stream_ = make_stream();
  cublas_ = make_cublas_handle();
  GPUFM_CHECK(cublasSetStream(cublas_, stream_));
  // Each product names its arithmetic (gemm's compute type, from the precision): the handle's
  // default mode leaves that choice to the call.
  GPUFM_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
  cudnn_ = make_cudnn_handle();
  GPUFM_CHECK(cudnnSetStream(cudnn_, stream_));
  cublas_lt_ = make_cublas_lt_handle();
  // cuBLAS's own workspace, set after its stream (setting a stream resets it): a captured step
  // (a CUDA graph) then uses this fixed buffer rather than memory cuBLAS finds during capture.
  // The sizes NVIDIA's cuBLAS guide recommends: 32 MiB on Hopper, 4 MiB before.
  const std::size_t workspace_bytes = properties_.major >= 9 ? std::size_t{32} << 20 : std::size_t{4} << 20;
  matmul_workspace_ = allocate(workspace_bytes);
  GPUFM_CHECK(cublasSetWorkspace(cublas_, matmul_workspace_.as(), workspace_bytes));
}

// What the members hold goes here, under the lock, in the reverse of the order it was made.
CudaContext::~CudaContext() {
  const std::lock_guard lock(device_wide_lock());
  matmul_workspace_ = DeviceBuffer();
  cublas_lt_ = CublasLtHandle();
  cudnn_ = CudnnHandle();
  cublas_ = CublasHandle();
  stream_ = Stream();
}

std::string gibibytes(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

DeviceBuffer CudaContext::allocate(std::size_t bytes) {
  void* data = nullptr;
  const std::size_t asked = bytes == 0 ? 1 : bytes;
  const std::lock_guard lock(device_wide_lock());
  if (cudaError_t status = cudaMalloc(&data, asked); status != cudaSuccess) {
    static_cast<void>(cudaGetLastError());  // taken off, so the next launch check does not report it
    std::size_t free_bytes = 0, total_bytes = 0;
    static_cast<void>(cudaMemGetInfo(&free_bytes, &total_bytes));
    throw DeviceError("cudaMalloc of " + gibibytes(asked) + " failed (" + cudaGetErrorString(status) + "): " + gibibytes(free_bytes) +
                      " free of " + gibibytes(total_bytes) + " on " + properties_.name + "; a smaller batch needs less");
  }
  DeviceBuffer buffer = ledger_.track(data, bytes, [](void* p) {
    const std::lock_guard free_lock(device_wide_lock());
    static_cast<void>(cudaFree(p));
  });
  GPUFM_CHECK(cudaMemsetAsync(data, 0, asked, stream_));
  return buffer;
}

}  // namespace gpufm::cuda
