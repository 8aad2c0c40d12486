#include "cuda/epilogue_matmul.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

namespace gpufm::cuda {

namespace {

// The most any of cuBLASLt's kernels asks a pointer to be aligned to.
constexpr std::int64_t widest_alignment = 256;

std::int64_t alignment_of(const void* pointer) {
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  if (address == 0) return widest_alignment;
  return std::min<std::int64_t>(widest_alignment, std::int64_t{1} << std::countr_zero(address));
}

// cuBLASLt's epilogue for ours, and its name for messages.
struct LibraryEpilogue {
  cublasLtEpilogue_t value;
  const char* name;
};

LibraryEpilogue library_epilogue(Epilogue epilogue) {
  switch (epilogue) {
    case Epilogue::bias: return {CUBLASLT_EPILOGUE_BIAS, "BIAS"};
    case Epilogue::bias_relu: return {CUBLASLT_EPILOGUE_RELU_BIAS, "RELU_BIAS"};
    case Epilogue::left_row_sums: return {CUBLASLT_EPILOGUE_BGRADB, "BGRADB"};
  }
  return {CUBLASLT_EPILOGUE_DEFAULT, "DEFAULT"};
}

// cuBLASLt's answers, when asked for an algorithm, for an epilogue, type, shape or alignment it
// has none for (INVALID_VALUE for a product with one row or column, among others). When it runs
// one it named, only NOT_SUPPORTED is an answer: INVALID_VALUE there is an argument of ours.
bool refuses_plan(cublasStatus_t status) { return status == CUBLAS_STATUS_NOT_SUPPORTED || status == CUBLAS_STATUS_INVALID_VALUE; }

template <class Value>
void set_attribute(cublasLtMatmulDesc_t descriptor, cublasLtMatmulDescAttributes_t attribute, const Value& value) {
  GPUFM_CHECK(cublasLtMatmulDescSetAttribute(descriptor, attribute, &value, sizeof value));
}

template <class Value>
void set_preference(cublasLtMatmulPreference_t preference, cublasLtMatmulPreferenceAttributes_t attribute, const Value& value) {
  GPUFM_CHECK(cublasLtMatmulPreferenceSetAttribute(preference, attribute, &value, sizeof value));
}

}  // namespace

EpilogueMatmul::EpilogueMatmul(CudaContext& context, Precision precision, Epilogue epilogue, Stored left, Stored right)
    : context_(context),
      cublas_lt_(context.cublas_lt()),
      stream_(context.stream()),
      workspace_(context.matmul_workspace()),
      // float32 throughout unless the precision lets operands round to TF32 (FAST_TF32); gemm's
      // fp32 is the pedantic variant of the same, which cuBLASLt may not offer with epilogues.
      math_(uses_tensor_cores(precision) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F),
      epilogue_(epilogue),
      left_(left),
      right_(right) {}

std::optional<EpilogueMatmul::Plan>& EpilogueMatmul::plan_for(const float* left, const float* right, const float* product,
                                                              MatmulShape shape, const float* vector) {
  const PlanKey key{shape, alignment_of(left), alignment_of(right), alignment_of(product), alignment_of(vector)};
  auto found = plans_.find(key);
  if (found == plans_.end()) found = plans_.emplace(key, make_plan(key, vector)).first;
  return found->second;
}

bool EpilogueMatmul::has_plan(const float* left, const float* right, const float* product, MatmulShape shape, const float* vector) {
  return plan_for(left, right, product, shape, vector).has_value();
}

bool EpilogueMatmul::run(const float* left, const float* right, float* product, MatmulShape shape, float* vector) {
  std::optional<Plan>& found = plan_for(left, right, product, shape, vector);
  if (!found) return false;
  Plan& plan = *found;
  set_attribute(plan.operation, CUBLASLT_MATMUL_DESC_BIAS_POINTER, vector);
  const float one = 1.0f, zero = 0.0f;
  const cublasStatus_t status = cublasLtMatmul(cublas_lt_, plan.operation, &one, right, plan.right, left, plan.left, &zero, product,
                                               plan.product, product, plan.product, &plan.algorithm, workspace_.data(),
                                               plan.workspace_bytes, stream_);
  // The heuristics' algorithm can still be refused when it runs (a first, eager step finds out):
  // this key's products then go unfused from now on.
  if (status == CUBLAS_STATUS_NOT_SUPPORTED) {
    note_refusal(shape, "running", status);
    found.reset();
    return false;
  }
  GPUFM_CHECK(status);
  return true;
}

// As gemm (cuda/blas.hpp): cuBLASLt is column-major, where a row-major matrix reads as its
// transpose, so it computes product^T (columns x rows) = right^T * left^T. The bias of product's
// columns is then the bias of product^T's rows (cuBLASLt's BIAS), and left's row sums are the
// sums over the inner dimension of its B operand (BGRADB).
std::optional<EpilogueMatmul::Plan> EpilogueMatmul::make_plan(const PlanKey& key, const float* vector) const {
  const auto [rows, columns, inner] = key.shape;
  const bool right_transposed = right_ == Stored::transposed, left_transposed = left_ == Stored::transposed;
  Plan plan{
      .operation = make_matmul_descriptor(math_),
      .right = right_transposed ? make_matrix_layout(inner, columns, inner) : make_matrix_layout(columns, inner, columns),
      .left = left_transposed ? make_matrix_layout(rows, inner, rows) : make_matrix_layout(inner, rows, inner),
      .product = make_matrix_layout(columns, rows, columns),
  };
  set_attribute(plan.operation, CUBLASLT_MATMUL_DESC_TRANSA, right_transposed ? CUBLAS_OP_T : CUBLAS_OP_N);
  set_attribute(plan.operation, CUBLASLT_MATMUL_DESC_TRANSB, left_transposed ? CUBLAS_OP_T : CUBLAS_OP_N);
  set_attribute(plan.operation, CUBLASLT_MATMUL_DESC_EPILOGUE, library_epilogue(epilogue_).value);
  // The heuristics read the vector's alignment from its pointer.
  set_attribute(plan.operation, CUBLASLT_MATMUL_DESC_BIAS_POINTER, vector);

  const MatmulPreference preference = make_matmul_preference();
  set_preference(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, static_cast<std::uint64_t>(workspace_.size()));
  set_preference(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, static_cast<std::uint32_t>(key.right_alignment));
  set_preference(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, static_cast<std::uint32_t>(key.left_alignment));
  set_preference(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, static_cast<std::uint32_t>(key.product_alignment));
  set_preference(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, static_cast<std::uint32_t>(key.product_alignment));

  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(cublas_lt_, plan.operation, plan.right, plan.left, plan.product,
                                                               plan.product, preference, 1, &result, &found);
  // A configuration the library refuses is an answer, not a failure: the caller runs the product
  // and the pass apart (tests/cuda/fused_epilogue_parity_test.cpp fails if the dense network's
  // forward products, BIAS and RELU_BIAS, are refused).
  const cublasStatus_t answer = status == CUBLAS_STATUS_SUCCESS && found == 0 ? CUBLAS_STATUS_NOT_SUPPORTED : status;
  if (refuses_plan(answer) || (answer == CUBLAS_STATUS_SUCCESS && refuses_plan(result.state))) {
    note_refusal(key.shape, "asking for an algorithm", answer == CUBLAS_STATUS_SUCCESS ? result.state : answer);
    return std::nullopt;
  }
  GPUFM_CHECK(status);
  GPUFM_CHECK(result.state);
  plan.algorithm = result.algo;
  plan.workspace_bytes = result.workspaceSize;
  return plan;
}

void EpilogueMatmul::note_refusal(const MatmulShape& shape, const char* when, cublasStatus_t status) const {
  context_.note_refused_fusion(std::string("cuBLASLt ") + library_epilogue(epilogue_).name + " on a " + std::to_string(shape.rows) + "x" +
                               std::to_string(shape.columns) + "x" + std::to_string(shape.inner) + " product (" + when +
                               "): " + cublasGetStatusName(status));
}

}  // namespace gpufm::cuda
