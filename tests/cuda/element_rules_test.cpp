// The GPU's element rules, run here on the host against the CPU kernels, bit for bit: the
// poolings and upsample (cuda/ops/{maxpool,avgpool,upsample}.hpp), forward and backward, with and
// without the dropout the layer applies; and the convolutions' padding in the workspace
// (cuda/workspace_padding.hpp), whose images convolved without padding must give the padded
// convolution. The kernels only loop over these rules, so this checks their windows, indexing,
// tie-breaking and order of additions without a GPU.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cuda/ops/avgpool.hpp"
#include "cuda/ops/maxpool.hpp"
#include "cuda/ops/upsample.hpp"
#include "cuda/workspace_padding.hpp"
#include "gpufm/graph.hpp"
#include "ops/op_cases.hpp"
#include "support/bound_layer.hpp"
#include "support/tensors.hpp"

namespace gpufm::cuda {
namespace {

constexpr std::int64_t batch = 2;

// Few distinct values, so windows hold ties (and -0 beside +0), and now and then a NaN.
std::vector<float> values_with_ties(std::int64_t count, std::uint32_t seed) {
  const float choices[] = {-1.0f, -0.0f, 0.0f, 0.5f, 1.0f, 2.0f, std::numeric_limits<float>::quiet_NaN()};
  std::mt19937 generator(seed);
  std::discrete_distribution<int> pick({4, 2, 2, 4, 4, 4, 1});
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) value = choices[pick(generator)];
  return values;
}

struct Pass {
  std::vector<float> output, input_gradient;
};

Pass cpu_pass(const Layer& layer, const std::vector<float>& x, std::vector<float> dy, const DropoutMask& dropout) {
  const std::unique_ptr<LayerKernel> kernel = layer.op->make_cpu_kernel(layer);
  Pass pass{std::vector<float>(dy.size()), std::vector<float>(x.size())};
  kernel->forward(ForwardArgs{.input = x.data(), .output = pass.output.data(), .batch = batch, .params = {}, .context = nullptr,
                              .dropout = dropout});
  kernel->backward(BackwardArgs{.input = x.data(),
                                .output = pass.output.data(),
                                .output_gradient = dy.data(),
                                .input_gradient = pass.input_gradient.data(),
                                .batch = batch,
                                .params = {},
                                .param_gradients = {},
                                .activation_folded_into_loss = false,
                                .context = nullptr,
                                .dropout = dropout});
  return pass;
}

// As cuda/gather_kernel.cuh's kernels run the rules, one element at a time.
template <class Rules>
Pass rules_pass(const Rules& rules, const std::vector<float>& x, const std::vector<float>& dy, const DropoutMask& mask) {
  const StepDropout dropout(mask);
  Pass pass{std::vector<float>(dy.size()), std::vector<float>(x.size())};
  for (std::size_t i = 0; i < dy.size(); ++i) pass.output[i] = dropout.apply(static_cast<std::int64_t>(i), rules.output(x.data(), i));
  for (std::size_t i = 0; i < x.size(); ++i) {
    pass.input_gradient[i] = rules.input_gradient(dropout, x.data(), dy.data(), static_cast<std::int64_t>(i));
  }
  return pass;
}

// Equal bit patterns: NaN to NaN, -0 to -0.
::testing::AssertionResult same_bits(const std::vector<float>& expected, const std::vector<float>& actual) {
  if (expected.size() != actual.size()) return ::testing::AssertionFailure() << expected.size() << " values against " << actual.size();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(expected[i]) != std::bit_cast<std::uint32_t>(actual[i])) {
      return ::testing::AssertionFailure() << "element " << i << ": the CPU's " << expected[i] << ", the rules' " << actual[i];
    }
  }
  return ::testing::AssertionSuccess();
}

template <class MakeRules>
void expect_rules_are_the_cpu_kernel(const std::string& statement, const Shape& input, MakeRules make_rules) {
  SCOPED_TRACE(statement + " on " + input.str());
  const Layer layer = compile_layer_text(statement, input);
  const auto rules = make_rules(layer);
  const std::vector<float> x = values_with_ties(batch * layer.input.elements(), 1);
  const std::vector<float> dy = values_with_ties(batch * layer.output.elements(), 2);
  StepNumbers numbers;
  numbers.run_step = 5;
  for (const DropoutMask& dropout : {DropoutMask{}, DropoutMask{.seed = 7, .numbers = &numbers, .layer_index = 3, .rate = 0.4f}}) {
    SCOPED_TRACE(dropout.drops() ? "with dropout" : "without dropout");
    const Pass cpu = cpu_pass(layer, x, dy, dropout), gpu = rules_pass(rules, x, dy, dropout);
    EXPECT_TRUE(same_bits(cpu.output, gpu.output)) << "forward";
    EXPECT_TRUE(same_bits(cpu.input_gradient, gpu.input_gradient)) << "backward";
  }
}

// The ops' gradient-check cases with this keyword, and more windows: strides below, at and above
// the size, "same" padding on both sides, one-pixel windows and oblong ones.
std::vector<test::OpCase> cases_of(const std::string& keyword, const std::vector<test::OpCase>& more) {
  std::vector<test::OpCase> cases = more;
  for (const test::OpCase& op_case : test::elementwise_op_cases()) {
    if (op_case.statement.starts_with(keyword + " ")) cases.push_back(op_case);
  }
  return cases;
}

const std::vector<test::OpCase> more_pool_windows = {
    {"POOL 3 stride=2", Shape{{7, 7, 3}}},     {"POOL 3 same stride=2", Shape{{6, 5, 2}}}, {"POOL 4 same stride=3", Shape{{5, 7, 2}}},
    {"POOL 2x3 same stride=1", Shape{{4, 5, 2}}}, {"POOL 1", Shape{{3, 4, 2}}},           {"POOL 2 stride=3", Shape{{8, 8, 1}}},
};

std::vector<test::OpCase> pool_cases(const std::string& keyword) {
  std::vector<test::OpCase> more = more_pool_windows;
  for (test::OpCase& op_case : more) op_case.statement.replace(0, 4, keyword);
  return cases_of(keyword, more);
}

TEST(ElementRules, MaxPoolingIsTheCpuKernelBitForBit) {
  for (const test::OpCase& op_case : pool_cases("maxpool")) {
    expect_rules_are_the_cpu_kernel(op_case.statement, op_case.input, [](const Layer& layer) { return MaxPooling{pool_windows(layer)}; });
  }
}

TEST(ElementRules, AveragePoolingIsTheCpuKernelBitForBit) {
  for (const test::OpCase& op_case : pool_cases("avgpool")) {
    expect_rules_are_the_cpu_kernel(op_case.statement, op_case.input,
                                    [](const Layer& layer) { return AveragePooling{pool_windows(layer)}; });
  }
}

TEST(ElementRules, UpsamplingIsTheCpuKernelBitForBit) {
  for (const test::OpCase& op_case : cases_of("upsample", {{"upsample 3x1", Shape{{2, 4, 3}}}, {"upsample 1", Shape{{2, 2, 1}}}})) {
    expect_rules_are_the_cpu_kernel(op_case.statement, op_case.input, upsampling);
  }
}

// Every window over position i of an axis, and no other, by the inverse rule backward gathers
// with: for each pooling geometry an axis can have.
TEST(ElementRules, TheWindowsOverAPositionAreThoseWhoseSpanHoldsIt) {
  for (int length = 1; length <= 9; ++length) {
    for (int size = 1; size <= 4; ++size) {
      for (int stride = 1; stride <= 4; ++stride) {
        for (const bool same : {false, true}) {
          if (!same && length < size) continue;
          const int windows = static_cast<int>(window_output(length, size, stride, same));
          const WindowAxis axis{.length = length,
                                .windows = windows,
                                .size = size,
                                .stride = stride,
                                .pad_before = static_cast<int>(padding_before(length, size, stride, windows))};
          for (int i = 0; i < length; ++i) {
            std::vector<int> spanning, listed;
            for (int o = 0; o < windows; ++o) {
              if (axis.begin(o) <= i && i < axis.end(o)) spanning.push_back(o);
            }
            for (int o = axis.first_over(i); o <= axis.last_over(i); ++o) listed.push_back(o);
            EXPECT_EQ(listed, spanning) << "length " << length << ", size " << size << ", stride " << stride << (same ? ", same" : "")
                                        << ": position " << i;
          }
        }
      }
    }
  }
}

// cuDNN convolves the padded images without padding, and the images' gradient is cropped from
// the padded images': as the CPU does it, that must be the "same" convolution. For the CPU's
// im2col the padding is zeros either way, so the sums are the same and come out bit for bit.
TEST(ElementRules, AConvolutionOverImagesPaddedInTheWorkspaceIsTheSameConvolution) {
  const std::vector<test::OpCase> asymmetric = {
      {"conv2d 3 2x2 same", Shape{{5, 5, 2}}},
      {"conv2d 2 3x3 same stride=2", Shape{{6, 7, 3}}},
      {"conv2d 2 4x3 same stride=1x2", Shape{{6, 5, 1}}},
      {"conv2d 2 5 same stride=3", Shape{{7, 8, 2}}},
  };
  for (const test::OpCase& op_case : asymmetric) {
    SCOPED_TRACE(op_case.statement + " on " + op_case.input.str());
    test::BoundLayer same(op_case.statement, op_case.input, batch);
    const ConvGeometry& geometry = conv_geometry(same.layer().attrs, same.layer().input, same.layer().output.channels());
    const WorkspacePadding padding = workspace_padding(geometry);
    ASSERT_TRUE(padding.in_workspace) << "TensorFlow pads more after than before here";
    const Size2 kernel = same.layer().attrs.size2("kernel"), stride = same.layer().attrs.size2("stride");
    test::BoundLayer valid("conv2d " + std::to_string(geometry.out_c) + " " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w) +
                               " stride=" + std::to_string(stride.h) + "x" + std::to_string(stride.w),
                           Shape{{padding.padded_h, padding.padded_w, geometry.in_c}}, batch);
    ASSERT_EQ(valid.layer().output, same.layer().output);
    valid.params() = same.params();
    for (std::size_t i = 0; i < valid.x().size(); ++i) valid.x()[i] = padding.padded(same.x().data(), static_cast<std::int64_t>(i));

    const std::vector<float> y = same.forward();
    EXPECT_TRUE(test::identical(y, valid.forward())) << "forward";
    const std::vector<float> dy = test::uniform_values(y.size(), -1.0, 1.0, 3, 1);
    const test::Gradients expected = same.backward(y, dy), padded = valid.backward(y, dy);
    std::vector<float> cropped(expected.input.size());
    for (std::size_t i = 0; i < cropped.size(); ++i) cropped[i] = padding.cropped(padded.input.data(), static_cast<std::int64_t>(i));
    EXPECT_TRUE(test::identical(expected.input, cropped)) << "the images' gradient";
    for (std::size_t p = 0; p < expected.params.size(); ++p) {
      EXPECT_TRUE(test::identical(expected.params[p], padded.params.at(p))) << "the gradient of " << same.layer().params[p].name;
    }
  }
}

TEST(ElementRules, SymmetricPaddingIsLeftToCudnn) {
  const Layer layer = compile_layer_text("conv2d 2 3x3 same", Shape{{5, 5, 1}});
  const WorkspacePadding padding = workspace_padding(conv_geometry(layer.attrs, layer.input, 2));
  EXPECT_FALSE(padding.in_workspace);
  EXPECT_EQ(padding.cudnn_pad_h(), 1);
  EXPECT_EQ(padding.cudnn_pad_w(), 1);
  EXPECT_EQ(padding.padded_h, 5);
}

}  // namespace
}  // namespace gpufm::cuda
