// A row-major matrix product on cuBLASLt with a layer's next pass fused into its epilogue: the
// bias (and relu) applied to the product as it is written, or a bias gradient summed from an
// operand as it is read. One kernel where gemm (cuda/blas.hpp) and a pass of our own take two or
// three; a step of a small network is mostly launches, so each one saved counts.
//
// cuBLASLt has no algorithm for every epilogue, shape and alignment: run() says when it has
// none, and the caller computes the product and the pass apart, as with fusion off.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include "cuda/blas.hpp"
#include "cuda/context.hpp"
#include "cuda/resources.hpp"

namespace gpufm::cuda {

enum class Epilogue {
  bias,           // product += bias (columns) on every row
  bias_relu,      // then max(0, product)
  left_row_sums,  // also sums (rows) = left's rows summed over inner: dense's bias gradient, as
                  // the weight gradient (output gradient^T x input) reads the output gradient
};

// product (rows x columns) = left (rows x inner) * right (inner x columns), every matrix
// contiguous and row-major, an operand stored as the product needs it or transposed (gemm's
// rules), in `precision`'s arithmetic.
struct MatmulShape {
  std::int64_t rows = 0, columns = 0, inner = 0;
  auto operator<=>(const MatmulShape&) const = default;
};

class EpilogueMatmul {
 public:
  EpilogueMatmul(const CudaContext& context, Precision precision, Epilogue epilogue, Stored left, Stored right);

  // Queues product = left * right with the epilogue on the context's stream. `vector` is the bias
  // it adds (columns) or the sums it writes (rows). False, with nothing queued, when cuBLASLt has
  // no algorithm for this shape and these pointers' alignments.
  bool run(const float* left, const float* right, float* product, MatmulShape shape, float* vector);

 private:
  // What cuBLASLt was asked about once: an algorithm is chosen per shape, and per alignment of
  // the four pointers (in bytes), which its kernels may rely on.
  struct PlanKey {
    MatmulShape shape;
    std::int64_t left_alignment = 0, right_alignment = 0, product_alignment = 0, vector_alignment = 0;
    auto operator<=>(const PlanKey&) const = default;
  };
  struct Plan {
    MatmulDescriptor operation;
    MatrixLayout right, left, product;  // cuBLASLt's A, B and C = D: the column-major product^T = right^T * left^T
    cublasLtMatmulAlgo_t algorithm{};
    std::size_t workspace_bytes = 0;
  };

  std::optional<Plan> make_plan(const PlanKey& key, float* vector) const;

  cublasLtHandle_t cublas_lt_;
  cudaStream_t stream_;
  std::span<std::byte> workspace_;
  cublasComputeType_t math_;
  Epilogue epilogue_;
  Stored left_, right_;
  std::map<PlanKey, std::optional<Plan>> plans_;  // host-side only, made on a key's first run
};

}  // namespace gpufm::cuda
