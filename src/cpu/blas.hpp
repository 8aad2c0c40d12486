// Row-major matrix products for the dense and conv kernels: single-precision GEMM on OpenBLAS,
// and the bias that is broadcast over the rows of a product.
#pragma once

#include <cblas.h>

#include <cstdint>

namespace gpufm::cpu {

// How an operand is stored: as the matrix the product needs, or as its transpose.
enum class Stored { as_is, transposed };
enum class Product { written, added };  // product = left * right, or product += it

// product (rows x columns) = left (rows x inner) * right (inner x columns), every matrix
// contiguous and row-major; a transposed operand is stored (inner x rows) or (columns x inner).
// OpenBLAS splits the work over threads by blocks of the product, never along `inner`, so the
// result is the same from run to run.
inline void gemm(const float* left, Stored left_stored, const float* right, Stored right_stored, float* product,
                 std::int64_t rows, std::int64_t columns, std::int64_t inner, Product into = Product::written) {
  const bool left_transposed = left_stored == Stored::transposed;
  const bool right_transposed = right_stored == Stored::transposed;
  cblas_sgemm(CblasRowMajor, left_transposed ? CblasTrans : CblasNoTrans, right_transposed ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(rows), static_cast<blasint>(columns), static_cast<blasint>(inner), 1.0f, left,
              static_cast<blasint>(left_transposed ? rows : inner), right, static_cast<blasint>(right_transposed ? inner : columns),
              into == Product::added ? 1.0f : 0.0f, product, static_cast<blasint>(columns));
}

// matrix (rows x columns) += bias (columns) on every row.
inline void add_bias(float* matrix, std::int64_t rows, std::int64_t columns, const float* bias) {
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = matrix + r * columns;
    for (std::int64_t c = 0; c < columns; ++c) row[c] += bias[c];
  }
}

}  // namespace gpufm::cpu
