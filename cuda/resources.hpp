// RAII owners of the CUDA, cuBLAS, cuBLASLt and cuDNN objects: made by a checked create call, destroyed
// once by their owner. Destruction never throws (a failing destroy during unwinding would hide
// the error that is being reported), so its status is dropped.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstdint>
#include <memory>
#include <type_traits>

#include "cuda/check.hpp"

namespace gpufm::cuda {

// Owns one handle of pointer type Handle, released with destroy(handle).
template <class Handle, auto destroy>
class Owned {
 public:
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
using CudaGraph = Owned<cudaGraph_t, cudaGraphDestroy>;
using CudaGraphExec = Owned<cudaGraphExec_t, cudaGraphExecDestroy>;

inline Stream make_stream() {
  cudaStream_t stream = nullptr;
  GPUFM_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  return Stream(stream);
}
inline Event make_event() {
  cudaEvent_t event = nullptr;
  GPUFM_CHECK(cudaEventCreate(&event));
  return Event(event);
}
inline CublasHandle make_cublas_handle() {
  cublasHandle_t handle = nullptr;
  GPUFM_CHECK(cublasCreate(&handle));
  return CublasHandle(handle);
}
inline CudnnHandle make_cudnn_handle() {
  cudnnHandle_t handle = nullptr;
  GPUFM_CHECK(cudnnCreate(&handle));
  return CudnnHandle(handle);
}
inline CublasLtHandle make_cublas_lt_handle() {
  cublasLtHandle_t handle = nullptr;
  GPUFM_CHECK(cublasLtCreate(&handle));
  return CublasLtHandle(handle);
}
inline MatmulDescriptor make_matmul_descriptor(cublasComputeType_t math) {
  cublasLtMatmulDesc_t descriptor = nullptr;
  GPUFM_CHECK(cublasLtMatmulDescCreate(&descriptor, math, CUDA_R_32F));
  return MatmulDescriptor(descriptor);
}
// A float32 column-major matrix of rows x columns, `leading` floats from one column to the next.
inline MatrixLayout make_matrix_layout(std::int64_t rows, std::int64_t columns, std::int64_t leading) {
  cublasLtMatrixLayout_t layout = nullptr;
  GPUFM_CHECK(cublasLtMatrixLayoutCreate(&layout, CUDA_R_32F, static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(columns), leading));
  return MatrixLayout(layout);
}
inline MatmulPreference make_matmul_preference() {
  cublasLtMatmulPreference_t preference = nullptr;
  GPUFM_CHECK(cublasLtMatmulPreferenceCreate(&preference));
  return MatmulPreference(preference);
}
inline TensorDescriptor make_tensor_descriptor() {
  cudnnTensorDescriptor_t descriptor = nullptr;
  GPUFM_CHECK(cudnnCreateTensorDescriptor(&descriptor));
  return TensorDescriptor(descriptor);
}
inline FilterDescriptor make_filter_descriptor() {
  cudnnFilterDescriptor_t descriptor = nullptr;
  GPUFM_CHECK(cudnnCreateFilterDescriptor(&descriptor));
  return FilterDescriptor(descriptor);
}
inline ConvolutionDescriptor make_convolution_descriptor() {
  cudnnConvolutionDescriptor_t descriptor = nullptr;
  GPUFM_CHECK(cudnnCreateConvolutionDescriptor(&descriptor));
  return ConvolutionDescriptor(descriptor);
}

}  // namespace gpufm::cuda
