#include "gpufm/init.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "gpufm/philox.hpp"

namespace gpufm {

namespace {

// The standard deviation of a standard normal truncated to [-2, 2]; Keras divides by it so that
// the truncated values have the variance asked for.
constexpr double truncated_normal_stddev = 0.87962566103423978;

enum class Fan { in, average };

// Keras' VarianceScaling (keras/src/initializers/random_initializers.py): the variance is
// scale / max(1, n), n being fan_in or the mean of fan_in and fan_out.
double variance(const ParamSpec& spec, double scale, Fan fan) {
  const double n = fan == Fan::in ? static_cast<double>(spec.fan_in) : (spec.fan_in + spec.fan_out) / 2.0;
  return scale / std::max(1.0, n);
}

// U(-limit, limit) with limit = sqrt(3 * variance).
void fill_uniform(std::span<float> values, double variance, std::uint64_t seed, std::uint32_t stream) {
  const double limit = std::sqrt(3.0 * variance);
  const auto count = static_cast<std::int64_t>(values.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    const double u = uniform_from_word(philox_word(seed, stream, 0, static_cast<std::uint64_t>(i)));
    values[i] = static_cast<float>(limit * (2.0 * u - 1.0));
  }
}

// A standard normal truncated to [-2, 2] for element i. Box-Muller turns each pair of Philox
// words into two independent normals; one beyond 2 is redrawn, as Keras' truncated_normal
// does, by taking the next candidate: the other normals of the block, then the next block of
// the element (the counter's last word counts the blocks).
float truncated_standard_normal(std::uint64_t seed, std::uint32_t stream, std::uint64_t i) {
  for (std::uint32_t block = 0;; ++block) {
    const Philox4x32 words = philox_block(seed, stream, block, i);
    for (int pair = 0; pair < 2; ++pair) {
      const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform_from_word(words.v[2 * pair])));  // log of (0, 1]
      const double angle = 2.0 * std::numbers::pi * uniform_from_word(words.v[2 * pair + 1]);
      for (const double z : {radius * std::cos(angle), radius * std::sin(angle)}) {
        if (std::abs(z) <= 2.0) return static_cast<float>(z);
      }
    }
  }
}

// Normal with stddev sqrt(variance) / truncated_normal_stddev, truncated at 2 stddev.
void fill_truncated_normal(std::span<float> values, double variance, std::uint64_t seed, std::uint32_t stream) {
  const double stddev = std::sqrt(variance) / truncated_normal_stddev;
  const auto count = static_cast<std::int64_t>(values.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    values[i] = static_cast<float>(stddev * truncated_standard_normal(seed, stream, static_cast<std::uint64_t>(i)));
  }
}

// Each initializer as Keras defines it in random_initializers.py.
void fill(const ParamSpec& spec, std::span<float> values, std::uint64_t seed, std::uint32_t stream) {
  switch (spec.init) {
    case Init::zeros: std::fill(values.begin(), values.end(), 0.0f); return;
    case Init::ones: std::fill(values.begin(), values.end(), 1.0f); return;
    case Init::glorot_uniform: return fill_uniform(values, variance(spec, 1.0, Fan::average), seed, stream);
    case Init::glorot_normal: return fill_truncated_normal(values, variance(spec, 1.0, Fan::average), seed, stream);
    case Init::he_uniform: return fill_uniform(values, variance(spec, 2.0, Fan::in), seed, stream);
    case Init::he_normal: return fill_truncated_normal(values, variance(spec, 2.0, Fan::in), seed, stream);
    case Init::lecun_normal: return fill_truncated_normal(values, variance(spec, 1.0, Fan::in), seed, stream);
  }
}

}  // namespace

void initialize_params(const Graph& graph, const Plan& plan, std::span<float> flat_params, std::uint64_t seed) {
  if (static_cast<std::int64_t>(flat_params.size()) != plan.param_elements) {
    throw std::invalid_argument("the parameter buffer has " + std::to_string(flat_params.size()) + " floats, the plan " +
                                std::to_string(plan.param_elements));
  }
  std::fill(flat_params.begin(), flat_params.end(), 0.0f);
  for (std::size_t k = 0; k < plan.params.size(); ++k) {
    const ParamSlot& slot = plan.params[k];
    fill(graph.layers[slot.layer].params[slot.param],
         flat_params.subspan(static_cast<std::size_t>(slot.offset), static_cast<std::size_t>(slot.elements)), seed,
         static_cast<std::uint32_t>(k));
  }
}

}  // namespace gpufm
