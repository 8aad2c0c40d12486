// The CPU's one-pass epilogues of dense and the convolutions (src/cpu/activation.hpp): forward
// gives what the bias and then the activation give in passes of their own; backward leaves the
// activation's derivative applied as activation_backward does, and sums the bias gradient in
// double to what a plain sum gives, the same on one thread as on two.
#include "cpu/activation.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cpu/blas.hpp"

namespace gpufm {
namespace {

// Rows enough that every one of the sum's chunks holds several, and one left over.
constexpr std::int64_t rows = 3 * cpu::sum_rows_chunks * 7 + 1, columns = 37;

std::vector<float> random_matrix(std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<float> matrix(rows * columns);
  for (float& v : matrix) v = value(generator);
  return matrix;
}

struct Backward {
  std::vector<float> gradient, bias_gradient;
};

Backward one_pass_backward(Activation a, const std::vector<float>& output, const std::vector<float>& output_gradient) {
  Backward result{output_gradient, std::vector<float>(columns)};
  std::vector<double> chunk_sums(cpu::sum_rows_chunks * columns);
  cpu::activation_backward_and_sum_rows(a, output.data(), result.gradient.data(), rows, columns, 0.1f, chunk_sums.data(),
                                        result.bias_gradient.data());
  return result;
}

TEST(CpuEpilogue, ForwardInOnePassGivesTheBiasThenTheActivation) {
  const std::vector<float> bias = [] {
    std::vector<float> values = random_matrix(3);
    values.resize(columns);
    return values;
  }();
  for (const Activation a : {Activation::linear, Activation::relu, Activation::sigmoid, Activation::tanh, Activation::leaky_relu}) {
    std::vector<float> one_pass = random_matrix(1), two_passes = one_pass;
    cpu::bias_activation_forward(a, one_pass.data(), bias.data(), rows, columns, 0.1f);
    cpu::add_bias(two_passes.data(), rows, columns, bias.data());
    cpu::activation_forward(a, two_passes.data(), two_passes.data(), rows, columns, 0.1f);
    EXPECT_EQ(one_pass, two_passes) << "activation " << static_cast<int>(a);
  }
}

TEST(CpuEpilogue, BackwardInOnePassAppliesTheSlopeAndSumsTheBiasGradient) {
  const std::vector<float> output = random_matrix(1), output_gradient = random_matrix(2);
  for (const Activation a : {Activation::linear, Activation::relu, Activation::sigmoid, Activation::tanh, Activation::leaky_relu}) {
    SCOPED_TRACE(static_cast<int>(a));
    const Backward fused = one_pass_backward(a, output, output_gradient);
    std::vector<float> slope_applied = output_gradient;
    if (a != Activation::linear) {
      cpu::activation_backward(a, output.data(), output_gradient.data(), slope_applied.data(), rows, columns, 0.1f);
    }
    EXPECT_EQ(fused.gradient, slope_applied);
    for (std::int64_t c = 0; c < columns; ++c) {
      double sum = 0;
      for (std::int64_t r = 0; r < rows; ++r) sum += slope_applied[r * columns + c];
      EXPECT_NEAR(fused.bias_gradient[c], sum, 1e-5 * (1 + std::abs(sum))) << "column " << c;
    }
  }
}

TEST(CpuEpilogue, BiasGradientIsTheSameOnOneThreadAsOnTwo) {
  const std::vector<float> output = random_matrix(4), output_gradient = random_matrix(5);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Backward alone = one_pass_backward(Activation::relu, output, output_gradient);
  omp_set_num_threads(2);
  const Backward shared = one_pass_backward(Activation::relu, output, output_gradient);
  omp_set_num_threads(threads);
  EXPECT_EQ(alone.bias_gradient, shared.bias_gradient);
  EXPECT_EQ(alone.gradient, shared.gradient);
}

}  // namespace
}  // namespace gpufm
