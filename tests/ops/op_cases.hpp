// The cases every op is tested on: a layer statement and an input shape. The gradient check
// (and, on a GPU, the CPU/CUDA parity suite) runs over all of them, and a test checks that every
// op in the op table has at least one, so a new op is tested by being listed.
#pragma once

#include <string>
#include <vector>

#include "gpufm/shape.hpp"
#include "support/gradcheck.hpp"

namespace gpufm::test {

struct OpCase {
  std::string statement;  // "conv2d 4 3x3 same relu"
  Shape input;
  GradcheckOptions options = {};
};

std::vector<OpCase> blas_op_cases();         // dense, conv2d, conv2d_transpose: tests/ops/blas_op_cases.cpp
std::vector<OpCase> elementwise_op_cases();  // every other op: tests/ops/elementwise_op_cases.cpp
std::vector<OpCase> all_op_cases();

}  // namespace gpufm::test
