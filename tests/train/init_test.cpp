#include "gpufm/init.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpufm {
namespace {

Graph model(const std::string& text) { return compile(dsl::parse(text, "m.dsl")); }

std::vector<float> initialized(const Graph& graph, std::uint64_t seed) {
  const Plan plan = plan_memory(graph);
  std::vector<float> params(static_cast<std::size_t>(plan.param_elements), -1.0f);
  initialize_params(graph, plan, params, seed);
  return params;
}

// The values of graph.layers[layer].params[param] in the flat buffer.
std::vector<float> tensor(const Graph& graph, const std::vector<float>& params, std::size_t layer, std::size_t param) {
  for (const ParamSlot& slot : plan_memory(graph).params) {
    if (slot.layer == layer && slot.param == param) {
      return {params.begin() + slot.offset, params.begin() + slot.offset + slot.elements};
    }
  }
  ADD_FAILURE() << "no slot for layer " << layer << " parameter " << param;
  return {};
}

struct RandomInit {
  Init init;
  const char* name;
  bool normal;  // truncated at 2 stddev; else uniform
  double variance;  // Keras' for a dense 784 -> 256 weight: scale / fan_in or scale / ((fan_in + fan_out) / 2)
};

void PrintTo(const RandomInit& random, std::ostream* out) { *out << random.name; }

constexpr double fan_in = 784, fan_out = 256;

const RandomInit random_inits[] = {
    {Init::glorot_uniform, "glorot_uniform", false, 2.0 / (fan_in + fan_out)},
    {Init::glorot_normal, "glorot_normal", true, 2.0 / (fan_in + fan_out)},
    {Init::he_uniform, "he_uniform", false, 2.0 / fan_in},
    {Init::he_normal, "he_normal", true, 2.0 / fan_in},
    {Init::lecun_normal, "lecun_normal", true, 1.0 / fan_in},
};

class InitRandom : public testing::TestWithParam<RandomInit> {};

// A large tensor has mean 0 and Keras' variance, no value past the bound (the uniform's limit
// sqrt(3 variance); the normal's truncation at 2 stddev, its stddev being
// sqrt(variance) / 0.87962566103423978), and values close to the bound.
TEST_P(InitRandom, HasKerasVarianceWithinItsBound) {
  const RandomInit& random = GetParam();
  Graph graph = model("input 784\ndense 256 relu\ndense 10 softmax\n");
  graph.layers[0].params[0].init = random.init;
  const std::vector<float> weight = tensor(graph, initialized(graph, 7), 0, 0);
  ASSERT_EQ(weight.size(), 784u * 256u);
  const double bound = random.normal ? 2.0 * std::sqrt(random.variance) / 0.87962566103423978 : std::sqrt(3.0 * random.variance);
  double sum = 0, sum_of_squares = 0, largest = 0;
  for (const float x : weight) {
    sum += x;
    sum_of_squares += static_cast<double>(x) * x;
    largest = std::max(largest, std::abs(static_cast<double>(x)));
  }
  const double n = static_cast<double>(weight.size());
  const double mean = sum / n, variance = sum_of_squares / n - mean * mean;
  EXPECT_LE(largest, bound * (1 + 1e-6));
  EXPECT_GT(largest, 0.99 * bound);
  EXPECT_LT(std::abs(mean), 5 * std::sqrt(random.variance / n));
  EXPECT_NEAR(variance, random.variance, 0.02 * random.variance);
}

INSTANTIATE_TEST_SUITE_P(Initializers, InitRandom, testing::ValuesIn(random_inits),
                         [](const testing::TestParamInfo<RandomInit>& info) { return std::string(info.param.name); });

TEST(Init, SameSeedSameValuesOtherSeedOtherValues) {
  const Graph graph = model("input 64\ndense 64 relu\ndense 64 relu\ndense 10 softmax\n");
  const std::vector<float> first = initialized(graph, 42);
  EXPECT_EQ(initialized(graph, 42), first);
  const std::vector<float> reseeded = tensor(graph, initialized(graph, 43), 0, 0), original = tensor(graph, first, 0, 0);
  std::size_t equal = 0;
  for (std::size_t i = 0; i < original.size(); ++i) equal += reseeded[i] == original[i];
  EXPECT_LT(equal, original.size() / 100);
}

// Each parameter draws from its own stream: two weights of one shape and spec differ.
TEST(Init, EachTensorHasItsOwnValues) {
  const Graph graph = model("input 64\ndense 64 relu\ndense 64 relu\ndense 10 softmax\n");
  const std::vector<float> params = initialized(graph, 42);
  const std::vector<float> first = tensor(graph, params, 0, 0), second = tensor(graph, params, 1, 0);
  ASSERT_EQ(first.size(), second.size());
  std::size_t equal = 0;
  for (std::size_t i = 0; i < first.size(); ++i) equal += first[i] == second[i];
  EXPECT_LT(equal, first.size() / 100);
}

// Biases and batchnorm's beta and running mean are zeros, its gamma and running variance ones;
// the running statistics sit after the trainable range; the alignment gaps are zeroed.
TEST(Init, ConstantsExactAndNonTrainableAfterTheTrainableRange) {
  const Graph graph = model("input 8x8x1\nconv2d 3 3x3 relu\nbatchnorm\nflatten\ndense 10 softmax\n");
  const Plan plan = plan_memory(graph);
  const std::vector<float> params = initialized(graph, 1);
  std::vector<bool> in_a_slot(params.size(), false);
  for (const ParamSlot& slot : plan.params) {
    const ParamSpec& spec = graph.layers[slot.layer].params[slot.param];
    const std::string name = graph.layers[slot.layer].name + "." + spec.name;
    SCOPED_TRACE(name);
    EXPECT_EQ(slot.offset >= plan.trainable_elements, !spec.trainable);
    std::fill(in_a_slot.begin() + slot.offset, in_a_slot.begin() + slot.offset + slot.elements, true);
    if (spec.init != Init::zeros && spec.init != Init::ones) continue;
    const float constant = spec.init == Init::ones ? 1.0f : 0.0f;
    for (std::int64_t i = slot.offset; i < slot.offset + slot.elements; ++i) EXPECT_EQ(params[i], constant);
  }
  const Layer& batchnorm = graph.layers[1];
  ASSERT_EQ(batchnorm.params[3].name, "running_var");
  EXPECT_EQ(batchnorm.params[3].init, Init::ones);
  EXPECT_FALSE(batchnorm.params[3].trainable);
  EXPECT_EQ(tensor(graph, params, 1, 3), std::vector<float>(3, 1.0f));
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (in_a_slot[i]) continue;
    EXPECT_EQ(params[i], 0.0f) << "gap element " << i;
  }
}

TEST(Init, BufferMustMatchThePlan) {
  const Graph graph = model("input 4\ndense 2 softmax\n");
  const Plan plan = plan_memory(graph);
  std::vector<float> params(static_cast<std::size_t>(plan.param_elements) + 1);
  EXPECT_THROW(initialize_params(graph, plan, params, 0), std::invalid_argument);
}

}  // namespace
}  // namespace gpufm
