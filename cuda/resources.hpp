// RAII owners of the CUDA, cuBLAS, cuBLASLt and cuDNN objects: made by a checked create call, destroyed
// once by their owner. Destruction never throws (a failing destroy during unwinding would hide
// the error that is being reported), so its status is dropped.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "cuda/check.hpp"

namespace gpufm::cuda {

// Owns one handle of pointer type Handle, released with destroy(handle).
template <class Handle, auto destroy>
class Owned {
 public:
  using handle_type = Handle;
  Owned() = default;
  explicit Owned(Handle handle) : handle_(handle) {}
  Handle get() const { return handle_.get(); }
  operator Handle() const { return handle_.get(); }

 private:
  struct Release {
    void operator()(Handle handle) const { static_cast<void>(destroy(handle)); }
  };
  std::unique_ptr<std::remove_pointer_t<Handle>, Release> handle_;
};

using Stream = Owned<cudaStream_t, cudaStreamDestroy>;
using Event = Owned<cudaEvent_t, cudaEventDestroy>;
using CublasHandle = Owned<cublasHandle_t, cublasDestroy>;
using CudnnHandle = Owned<cudnnHandle_t, cudnnDestroy>;
using CublasLtHandle = Owned<cublasLtHandle_t, cublasLtDestroy>;
using MatmulDescriptor = Owned<cublasLtMatmulDesc_t, cublasLtMatmulDescDestroy>;
using MatrixLayout = Owned<cublasLtMatrixLayout_t, cublasLtMatrixLayoutDestroy>;
using MatmulPreference = Owned<cublasLtMatmulPreference_t, cublasLtMatmulPreferenceDestroy>;
using TensorDescriptor = Owned<cudnnTensorDescriptor_t, cudnnDestroyTensorDescriptor>;
using FilterDescriptor = Owned<cudnnFilterDescriptor_t, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor = Owned<cudnnConvolutionDescriptor_t, cudnnDestroyConvolutionDescriptor>;
using ActivationDescriptor = Owned<cudnnActivationDescriptor_t, cudnnDestroyActivationDescriptor>;
using CudaGraph = Owned<cudaGraph_t, cudaGraphDestroy>;
using CudaGraphExec = Owned<cudaGraphExec_t, cudaGraphExecDestroy>;
using PinnedHostMemory = Owned<void*, cudaFreeHost>;

// An OwnedType holding what create(&handle, arguments...) makes, the call checked as GPUFM_CHECK
// checks it (its message names the create call and the line that asked for it).
#define GPUFM_CREATE(OwnedType, create, ...)                        \
  [&] {                                                              \
    typename OwnedType::handle_type handle = nullptr;                \
    GPUFM_CHECK(create(&handle __VA_OPT__(, ) __VA_ARGS__));         \
    return OwnedType(handle);                                        \
  }()

inline Stream make_stream() { return GPUFM_CREATE(Stream, cudaStreamCreateWithFlags, cudaStreamNonBlocking); }
inline Event make_event() { return GPUFM_CREATE(Event, cudaEventCreate); }
inline PinnedHostMemory make_pinned_host_memory(std::size_t bytes) { return GPUFM_CREATE(PinnedHostMemory, cudaMallocHost, bytes); }
inline CublasHandle make_cublas_handle() { return GPUFM_CREATE(CublasHandle, cublasCreate); }
inline CudnnHandle make_cudnn_handle() { return GPUFM_CREATE(CudnnHandle, cudnnCreate); }
inline CublasLtHandle make_cublas_lt_handle() { return GPUFM_CREATE(CublasLtHandle, cublasLtCreate); }
inline MatmulDescriptor make_matmul_descriptor(cublasComputeType_t math) {
  return GPUFM_CREATE(MatmulDescriptor, cublasLtMatmulDescCreate, math, CUDA_R_32F);
}
// A float32 column-major matrix of rows x columns, `leading` floats from one column to the next.
inline MatrixLayout make_matrix_layout(std::int64_t rows, std::int64_t columns, std::int64_t leading) {
  return GPUFM_CREATE(MatrixLayout, cublasLtMatrixLayoutCreate, CUDA_R_32F, static_cast<std::uint64_t>(rows),
                      static_cast<std::uint64_t>(columns), leading);
}
inline MatmulPreference make_matmul_preference() { return GPUFM_CREATE(MatmulPreference, cublasLtMatmulPreferenceCreate); }
inline TensorDescriptor make_tensor_descriptor() { return GPUFM_CREATE(TensorDescriptor, cudnnCreateTensorDescriptor); }
inline FilterDescriptor make_filter_descriptor() { return GPUFM_CREATE(FilterDescriptor, cudnnCreateFilterDescriptor); }
inline ConvolutionDescriptor make_convolution_descriptor() {
  return GPUFM_CREATE(ConvolutionDescriptor, cudnnCreateConvolutionDescriptor);
}
inline ActivationDescriptor make_activation_descriptor() {
  return GPUFM_CREATE(ActivationDescriptor, cudnnCreateActivationDescriptor);
}

}  // namespace gpufm::cuda
