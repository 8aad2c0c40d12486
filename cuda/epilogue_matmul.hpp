// A row-major matrix product on cuBLASLt with a layer's next pass fused into its epilogue: the
// bias (and relu) applied to the product as it is written, or a bias gradient summed from an
// operand as it is read. One kernel where gemm (cuda/blas.hpp) and a pass of our own take two or
// three; a step of a small network is mostly launches, so each one saved counts.
//
// cuBLASLt has no algorithm for every epilogue, shape and alignment: has_plan() and run() say when
// it has none (noted in the context's refused fusions), and the caller computes the product and
// the pass apart, as with fusion off.
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
  EpilogueMatmul(CudaContext& context, Precision precision, Epilogue epilogue, Stored left, Stored right);

  // Whether cuBLASLt has an algorithm for this shape and these pointers' alignments: asked once
  // (host-side only), so that a caller can choose its other passes before it queues any.
  bool has_plan(const float* left, const float* right, const float* product, MatmulShape shape, const float* vector);

  // Queues product = left * right with the epilogue on the context's stream. `vector` is the bias
  // it adds (columns) or the sums it writes (rows). False, with nothing queued, when cuBLASLt has
  // no algorithm for this shape and these pointers' alignments, or refuses the one it named when
  // it runs (then has_plan says so from now on).
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

  // The key's plan, made on its first use; empty when cuBLASLt refuses it.
  std::optional<Plan>& plan_for(const float* left, const float* right, const float* product, MatmulShape shape, const float* vector);
  std::optional<Plan> make_plan(const PlanKey& key, const float* vector) const;
  void note_refusal(const MatmulShape& shape, const char* when, cublasStatus_t status) const;

  CudaContext& context_;
  cublasLtHandle_t cublas_lt_;
  cudaStream_t stream_;
  std::span<std::byte> workspace_;
  cublasComputeType_t math_;
  Epilogue epilogue_;
  Stored left_, right_;
  std::map<PlanKey, std::optional<Plan>> plans_;  // host-side only, made on a key's first run
};

}  // namespace gpufm::cuda
