// Checks an op's CPU backward against central differences of its forward, through a random
// projection: f(x, params) = <forward(x, params), r> for a fixed random r, so one backward with
// output gradient r gives every partial derivative of f.
#pragma once

#include <cstdint>
#include <string>

#include "gpufm/shape.hpp"

namespace gpufm::test {

struct GradcheckOptions {
  std::int64_t batch = 2;
  std::uint64_t seed = 7;
  bool training = true;
  double step = 1e-3;       // the finite-difference step
  double tolerance = 2e-2;  // on |numeric - analytic| / max(1, |numeric|, |analytic|)
  int max_checks = 64;      // per tensor, spread evenly over its elements
  // Inputs are drawn from +-[input_gap, 1]: a gap keeps relu-like kinks out of reach of the step.
  double input_gap = 0.0;
};

// Runs the check on one layer (model text, as "conv2d 4 3x3 same relu") for an input shape;
// reports each mismatch as a test failure naming the tensor and the element.
void expect_gradients_match(const std::string& statement, const Shape& input, const GradcheckOptions& options = {});

}  // namespace gpufm::test
