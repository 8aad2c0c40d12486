// What every CUDA kernel of a backend shares: the device, one stream that all work is queued
// on in order, the cuBLAS and cuDNN handles bound to that stream, and device memory that is
// zeroed and counted (a test checks that a training step allocates nothing).
#pragma once

#include <cstddef>
#include <string>

#include "cuda/resources.hpp"
#include "gpufm/backend.hpp"

namespace gpufm::cuda {

class CudaContext {
 public:
  explicit CudaContext(int device);

  int device() const { return device_; }
  const cudaDeviceProp& properties() const { return properties_; }
  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }
  cudnnHandle_t cudnn() const { return cudnn_; }

  // Zeroed device memory, freed when the buffer goes. Out of memory is a DeviceError saying how
  // much was asked for, how much is free, and that a smaller batch needs less.
  DeviceBuffer allocate(std::size_t bytes);
  const MemoryUse& memory_use() const { return ledger_.use(); }

 private:
  int device_;
  cudaDeviceProp properties_{};
  Stream stream_;
  CublasHandle cublas_;
  CudnnHandle cudnn_;
  MemoryLedger ledger_;
  DeviceBuffer cublas_workspace_;
};

// "1.5 GiB" for messages.
std::string gibibytes(std::size_t bytes);

}  // namespace gpufm::cuda
