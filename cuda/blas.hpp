// Row-major matrix products on cuBLAS, with the signature of the CPU's (src/cpu/blas.hpp) and
// the arithmetic asked for, so the dense kernel reads the same on both backends.
#pragma once

#include <cublas_v2.h>

#include <cstdint>

#include "cuda/check.hpp"
#include "gpufm/precision.hpp"

namespace gpufm::cuda {

// Full float32 (pedantic: no tensor-core rounding, as the CPU computes), or float32 values whose
// products may round their operands to TF32 on tensor cores.
inline cublasComputeType_t matrix_math(Precision precision) {
  return uses_tensor_cores(precision) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F_PEDANTIC;
}

// How an operand is stored: as the matrix the product needs, or as its transpose.
enum class Stored { as_is, transposed };

// product (rows x columns) = left (rows x inner) * right (inner x columns), every matrix
// contiguous and row-major; a transposed operand is stored (inner x rows) or (columns x inner).
// Queued on the handle's stream. cuBLAS is column-major, where a row-major matrix reads as its
// transpose, so it computes product^T = right^T * left^T: the same bytes, with no copies.
inline void gemm(cublasHandle_t cublas, cublasComputeType_t math, const float* left, Stored left_stored, const float* right,
                 Stored right_stored, float* product, std::int64_t rows, std::int64_t columns, std::int64_t inner) {
  const bool left_transposed = left_stored == Stored::transposed;
  const bool right_transposed = right_stored == Stored::transposed;
  const float one = 1.0f, zero = 0.0f;
  GPUFM_CHECK(cublasGemmEx(cublas, right_transposed ? CUBLAS_OP_T : CUBLAS_OP_N, left_transposed ? CUBLAS_OP_T : CUBLAS_OP_N,
                           static_cast<int>(columns), static_cast<int>(rows), static_cast<int>(inner), &one, right, CUDA_R_32F,
                           static_cast<int>(right_transposed ? inner : columns), left, CUDA_R_32F,
                           static_cast<int>(left_transposed ? rows : inner), &zero, product, CUDA_R_32F, static_cast<int>(columns),
                           math, CUBLAS_GEMM_DEFAULT));
}

}  // namespace gpufm::cuda
