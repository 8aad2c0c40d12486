// One layer statement bound to its CPU kernel on host vectors, with random input and parameters
// for a batch; and bit-for-bit comparisons of what it computes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gpufm/graph.hpp"

namespace gpufm::test {

struct Gradients {
  std::vector<float> input;
  std::vector<std::vector<float>> params;
};

// Bit for bit, so NaNs left in a buffer compare unequal and signed zeros differ.
bool identical(const std::vector<float>& a, const std::vector<float>& b);
bool identical(const Gradients& a, const Gradients& b);

class BoundLayer {
 public:
  BoundLayer(const std::string& statement, const Shape& input, std::int64_t batch);

  const Layer& layer() const { return layer_; }
  std::int64_t batch() const { return batch_; }
  std::vector<float>& x() { return x_; }
  std::vector<std::vector<float>>& params() { return params_; }

  std::vector<float> forward();
  // Backward from output gradient dy into buffers first filled with `garbage`.
  Gradients backward(const std::vector<float>& y, std::vector<float> dy, bool activation_folded_into_loss = false,
                     float garbage = std::numeric_limits<float>::quiet_NaN());

 private:
  Layer layer_;
  std::unique_ptr<LayerKernel> kernel_;
  std::int64_t batch_;
  std::vector<float> x_;
  std::vector<std::vector<float>> params_;
  std::vector<std::byte> workspace_;
  StepContext context_;
};

}  // namespace gpufm::test
