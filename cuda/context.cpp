#include "cuda/context.hpp"

#include "gpufm/format.hpp"

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

DeviceBuffer CudaContext::allocate(std::size_t bytes) {
  void* data = nullptr;
  const std::size_t asked = bytes == 0 ? 1 : bytes;
  const std::lock_guard lock(device_wide_lock());
  const cudaError_t status = cudaMalloc(&data, asked);
  // Out of memory says how much was asked and how much is free. Any other failure (an earlier
  // kernel's fault that this call is the first to meet, say) is reported as every failed call is.
  if (status == cudaErrorMemoryAllocation) {
    std::size_t free_bytes = 0, total_bytes = 0;
    std::string free_memory;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      free_memory = ": " + human_bytes(static_cast<double>(free_bytes)) + " free of " + human_bytes(static_cast<double>(total_bytes));
    }
    static_cast<void>(cudaGetLastError());  // taken off, so the next launch check does not report it
    throw DeviceError("cudaMalloc of " + human_bytes(static_cast<double>(asked)) + " failed (" + cudaGetErrorString(status) + ")" +
                      free_memory + " on " + properties_.name + "; a smaller batch needs less");
  }
  GPUFM_CHECK(status);
  DeviceBuffer buffer = ledger_.track(data, bytes, [](void* p) {
    const std::lock_guard free_lock(device_wide_lock());
    static_cast<void>(cudaFree(p));
  });
  GPUFM_CHECK(cudaMemsetAsync(data, 0, asked, stream_));
  return buffer;
}

}  // namespace gpufm::cuda
