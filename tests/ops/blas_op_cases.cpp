// Gradient-check cases for the GEMM ops: every activation, both paddings (odd splits included),
// strides, non-square kernels, and for conv2d_transpose a kernel smaller than its stride.
#include "ops/op_cases.hpp"

namespace gpufm::test {

std::vector<OpCase> blas_op_cases() {
  // Keeps inputs off relu's kink; pre-activations can still land on it, which the checker allows.
  const GradcheckOptions away_from_kinks{.input_gap = 0.05};
  return {
      {"dense 5", Shape{{7}}},
      {"dense 4 relu", Shape{{6}}, away_from_kinks},
      {"dense 4 sigmoid", Shape{{6}}},
      {"dense 4 tanh", Shape{{6}}},
      {"dense 5 softmax", Shape{{6}}},
      {"dense 4 leaky_relu alpha=0.1", Shape{{6}}, away_from_kinks},

      {"conv2d 3 3x3", Shape{{5, 5, 2}}},
      {"conv2d 2 3x3 same relu", Shape{{7, 5, 3}}, away_from_kinks},
      {"conv2d 2 3x2 stride=2", Shape{{7, 5, 3}}},
      {"conv2d 3 3x2 same stride=2 tanh", Shape{{6, 5, 2}}},  // padding 0 before, 1 after
      {"conv2d 2 4x4 same sigmoid", Shape{{5, 5, 1}}},         // padding 1 before, 2 after
      {"conv2d 4 1x1 softmax", Shape{{3, 3, 5}}},
      {"conv2d 2 2x3 stride=2 leaky_relu alpha=0.1", Shape{{5, 7, 2}}, away_from_kinks},

      {"conv2d_transpose 2 3x3", Shape{{3, 3, 2}}},
      {"conv2d_transpose 2 3x3 same", Shape{{3, 4, 2}}},
      {"conv2d_transpose 3 3x3 same stride=2 relu", Shape{{3, 3, 2}}, away_from_kinks},
      {"conv2d_transpose 2 3x2 stride=2 tanh", Shape{{3, 2, 2}}},
      {"conv2d_transpose 2 5x3 same stride=2 sigmoid", Shape{{2, 3, 2}}},  // padding 1 before, 2 after
      {"conv2d_transpose 2 3x3 stride=3 softmax", Shape{{2, 2, 2}}},
      {"conv2d_transpose 2 2x2 stride=3", Shape{{2, 3, 2}}},  // kernel smaller than the stride: gaps
      {"conv2d_transpose 2 2x2 same stride=3 leaky_relu alpha=0.1", Shape{{2, 2, 1}}, away_from_kinks},
  };
}

}  // namespace gpufm::test
