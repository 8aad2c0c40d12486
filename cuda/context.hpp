// What every CUDA kernel of a backend shares: the device, one stream that all work is queued
// on in order, the cuBLAS and cuDNN handles bound to that stream, a cuBLASLt handle, the
// workspace of the matrix products, and device memory that is zeroed and counted (a test checks
// that a training step allocates nothing).
#pragma once

#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "cuda/resources.hpp"
#include "gpufm/backend.hpp"

namespace gpufm::cuda {

// Held while a stream is captured as a CUDA graph, while a kind of step runs for the first time
// (the libraries' own set-up, Backend::run_exclusively), and around the calls that may synchronise
// the whole device (creating and destroying a context, cudaMalloc, cudaFree): a study's members
// train side by side on one GPU from several threads, and such a call in one thread during
// another's capture could invalidate that capture or fail itself. Recursive, so that a call made
// inside a capture fails as CUDA says rather than waiting forever.
std::recursive_mutex& device_wide_lock();

class CudaContext {
 public:
  explicit CudaContext(int device);
  ~CudaContext();
  CudaContext(const CudaContext&) = delete;
  CudaContext& operator=(const CudaContext&) = delete;

  int device() const { return device_; }
  const cudaDeviceProp& properties() const { return properties_; }
  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }
  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasLtHandle_t cublas_lt() const { return cublas_lt_; }
  // cuBLAS's workspace, which cuBLASLt's products use too: all of them are queued on the one
  // stream, so no two use it at once.
  std::span<std::byte> matmul_workspace() const { return {matmul_workspace_.as<std::byte>(), matmul_workspace_.bytes()}; }

  // Zeroed device memory, freed when the buffer goes. Out of memory is a DeviceError saying how
  // much was asked for, how much is free, and that a smaller batch needs less.
  DeviceBuffer allocate(std::size_t bytes);
  const MemoryUse& memory_use() const { return ledger_.use(); }

  // A fusion cuBLASLt or cuDNN refused, so its layer runs the pass apart (what, for which shape,
  // the library's status): Backend::refused_fusions.
  void note_refused_fusion(std::string what) { refused_fusions_.push_back(std::move(what)); }
  const std::vector<std::string>& refused_fusions() const { return refused_fusions_; }

 private:
  int device_;
  cudaDeviceProp properties_{};
  Stream stream_;
  CublasHandle cublas_;
  CudnnHandle cudnn_;
  CublasLtHandle cublas_lt_;
  MemoryLedger ledger_;
  DeviceBuffer matmul_workspace_;
  std::vector<std::string> refused_fusions_;
};

}  // namespace gpufm::cuda
