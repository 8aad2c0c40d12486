// Every op's CUDA kernel against its CPU kernel (the reference): on every case of the gradient
// check (tests/ops) and on larger ones, the same input, parameters and output gradient go to both
// backends, and the forward output, the parameters after forward (batch-norm's running
// statistics), the input gradient and every parameter gradient are compared, in training and in
// inference, for a full batch and for a partial last batch, with the last activation folded into
// the loss where it can be, with the epilogues of dense and the convolutions fused (into
// cuBLASLt's products, cuDNN's convolution call and one backward pass) and not, and, in training,
// applying the dropout after them where the op can.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "cuda/cuda_test_support.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"
#include "ops/op_cases.hpp"

namespace gpufm::test {
namespace {

// float32 against float32, summed in different orders (cuBLAS and cuDNN tile their reductions;
// the CPU sums in its own order): a few units in the last place per term of the longest sum
// here, well inside 1e-4 of max(1, |cpu|). Dropout computes no sums: its mask comes from the same
// Philox words on both sides and a kept value is one correctly rounded multiplication by the
// same scale, so any difference is a wrong mask or scale.
constexpr double kernel_tolerance = 1e-4;

double tolerance_for(const Layer& layer) { return layer.op->keyword == "dropout" ? 0.0 : kernel_tolerance; }

constexpr float poison = std::numeric_limits<float>::quiet_NaN();
constexpr std::uint64_t seed = 7;

// The call's sizes: tensors, and the workspace, are sized for `capacity` samples as the Program
// sizes them for the graph's batch; the kernel runs on the first `batch` of them, as it does on
// the last, partial batch of an epoch.
struct Sizes {
  std::int64_t batch = 0, capacity = 0;
};

// The host values both backends get: random input and output gradient (NaN past the batch, so a
// kernel reading samples it was not given shows it), and random parameters in their usual ranges.
struct LayerValues {
  std::vector<float> input, output_gradient;
  std::vector<std::vector<float>> params;
};

// The inputs of a case: uniform in [-1, 1); whole numbers -2 to 2, so that pooling windows hold
// equal largest values and the gradient's routing to the first of them is compared; or those with
// half of them NaN and a fifth -infinity, for maxpool, which skips NaNs (windows of -infinity and
// NaNs, and of NaNs alone, included).
enum class Inputs { uniform, whole_numbers, with_nans_and_infinities };

LayerValues random_values(const Layer& layer, Sizes sizes, Inputs inputs) {
  const auto count = [&](const Shape& shape) { return static_cast<std::size_t>(sizes.capacity * shape.elements()); };
  const auto valid = [&](const Shape& shape) { return static_cast<std::size_t>(sizes.batch * shape.elements()); };
  LayerValues values;
  values.input = uniform_values(count(layer.input), -1, 1, seed, 1);
  const auto whole_or_special = [inputs](float value) {
    if (inputs == Inputs::with_nans_and_infinities && value < 0) return poison;
    if (inputs == Inputs::with_nans_and_infinities && value > 0.6f) return -std::numeric_limits<float>::infinity();
    return std::round(2 * value);
  };
  if (inputs != Inputs::uniform) std::transform(values.input.begin(), values.input.end(), values.input.begin(), whole_or_special);
  values.output_gradient = uniform_values(count(layer.output), -1, 1, seed, 2);
  std::fill(values.input.begin() + static_cast<std::ptrdiff_t>(valid(layer.input)), values.input.end(), poison);
  std::fill(values.output_gradient.begin() + static_cast<std::ptrdiff_t>(valid(layer.output)), values.output_gradient.end(), poison);
  for (std::size_t p = 0; p < layer.params.size(); ++p) {
    const ParamSpec& spec = layer.params[p];
    const auto elements = static_cast<std::size_t>(spec.elements());
    const auto stream = 10 + static_cast<std::uint32_t>(p);
    if (spec.name == "running_var") {
      values.params.push_back(uniform_values(elements, 0.5, 1.5, seed, stream));  // a variance is positive
    } else {
      // Weights scaled as Keras' initialisers scale them keep outputs near 1 on the large cases,
      // where the tolerance is meant to apply.
      const double scale = spec.fan_in > 0 ? std::sqrt(3.0 / static_cast<double>(spec.fan_in)) : 1.0;
      values.params.push_back(uniform_values(elements, -scale, scale, seed, stream));
    }
  }
  return values;
}

// What a backend computed, read back: only the first `batch` samples of each tensor.
struct LayerResults {
  std::vector<float> output, input_gradient;
  std::vector<std::vector<float>> params_after_forward, param_gradients;  // gradients: empty for non-trainable ones
};

// How a step runs the layer: training or inference, in a frozen block or not.
struct Mode {
  bool training = false, frozen = false;
};

// How the layer is asked to run: its activation folded into the loss (its backward then takes the
// gradient as the pre-activation's), its epilogue fused, a dropout after it applied by it.
struct Variant {
  bool folded = false, fused = true, applies_dropout = false;
};

// One forward and one backward of `layer` on `backend` (the backward told whether the loss folded
// its activation in), with every buffer it writes filled with NaN first (an element it fails to
// write stays NaN and fails the comparison), and the forward tensors its backward does not declare
// in saved_for_backward replaced by NaN (as the memory plan may reuse them by then). Given
// `backward_from`, the backward reads that output instead of its own forward's: the GPU's backward
// then gates on the CPU's values (a relu output rounded to 0 on one side and not the other would
// otherwise differ by a whole gradient).
LayerResults run_layer(Backend& backend, const Layer& layer, const LayerValues& values, Sizes sizes, Mode mode, Variant variant,
                       const std::vector<float>* backward_from = nullptr) {
  const std::unique_ptr<LayerKernel> kernel = backend.make_layer_kernel(layer, Precision::fp32);
  const bool view = layer.op->output_aliases_input;
  const SavedForBackward saved = layer.op->saved_for_backward(layer.attrs);
  const auto in = static_cast<std::size_t>(sizes.capacity * layer.input.elements());
  const auto out = static_cast<std::size_t>(sizes.capacity * layer.output.elements());
  const std::vector<float> nan_in(in, poison), nan_out(out, poison);

  DeviceBuffer input = upload(backend, values.input);
  DeviceBuffer output = upload(backend, nan_out);
  std::vector<DeviceBuffer> params, gradients;
  std::vector<float*> param_pointers, gradient_pointers;
  for (std::size_t p = 0; p < layer.params.size(); ++p) {
    params.push_back(upload(backend, values.params[p]));
    param_pointers.push_back(params.back().as<float>());
    const bool trainable = layer.params[p].trainable;
    gradients.push_back(trainable ? upload(backend, std::vector<float>(values.params[p].size(), poison)) : DeviceBuffer());
    gradient_pointers.push_back(trainable ? gradients.back().as<float>() : nullptr);
  }
  DeviceBuffer workspace = backend.allocate(kernel->workspace_bytes(sizes.capacity));
  const StepNumbers step_numbers{.run_step = 3};
  DeviceBuffer numbers = backend.allocate(sizeof step_numbers);
  backend.copy_to_device(numbers.as(), &step_numbers, sizeof step_numbers);
  const StepContext context{.training = mode.training, .frozen = mode.frozen, .seed = seed, .numbers = numbers.as<StepNumbers>(), .layer_index = 1,
                            .workspace = std::span<std::byte>(workspace.as<std::byte>(), workspace.bytes())};
  // The dropout layer after this one, as the Program passes it.
  const DropoutMask dropout = variant.applies_dropout
                                  ? DropoutMask{.seed = seed, .numbers = numbers.as<StepNumbers>(), .layer_index = 2, .rate = 0.5f}
                                  : DropoutMask{};

  float* output_pointer = view ? input.as<float>() : output.as<float>();
  kernel->forward(ForwardArgs{.input = input.as<float>(), .output = output_pointer, .batch = sizes.batch, .params = param_pointers,
                              .context = &context, .dropout = dropout});
  LayerResults results;
  const auto batch_in = static_cast<std::size_t>(sizes.batch * layer.input.elements());
  const auto batch_out = static_cast<std::size_t>(sizes.batch * layer.output.elements());
  results.output = download<float>(backend, view ? input : output, batch_out);
  for (std::size_t p = 0; p < params.size(); ++p) results.params_after_forward.push_back(download<float>(backend, params[p], values.params[p].size()));
  if (backward_from != nullptr && !view) backend.copy_to_device(output_pointer, backward_from->data(), batch_out * sizeof(float));

  DeviceBuffer output_gradient = upload(backend, values.output_gradient);
  DeviceBuffer input_gradient = upload(backend, nan_in);
  DeviceBuffer unsaved_input = upload(backend, nan_in), unsaved_output = upload(backend, nan_out);
  kernel->backward(BackwardArgs{.input = saved.input ? input.as<float>() : unsaved_input.as<float>(),
                                .output = saved.output ? output_pointer : unsaved_output.as<float>(),
                                .output_gradient = output_gradient.as<float>(),
                                .input_gradient = view ? output_gradient.as<float>() : input_gradient.as<float>(),
                                .batch = sizes.batch,
                                .params = param_pointers,
                                .param_gradients = gradient_pointers,
                                .activation_folded_into_loss = variant.folded,
                                .context = &context,
                                .dropout = dropout});
  results.input_gradient = download<float>(backend, view ? output_gradient : input_gradient, batch_in);
  for (std::size_t p = 0; p < gradients.size(); ++p) {
    results.param_gradients.push_back(layer.params[p].trainable ? download<float>(backend, gradients[p], values.params[p].size())
                                                                : std::vector<float>());
  }
  return results;
}

struct ParityCase {
  std::string statement;
  Shape input;
  std::int64_t batch = 2;
  Inputs inputs = Inputs::uniform;
};

// gtest names a failing parameter with this rather than its bytes.
void PrintTo(const ParityCase& c, std::ostream* os) { *os << c.statement << " on " << c.input.str() << ", batch " << c.batch; }

// The gradient check's cases, at their batch sizes.
std::vector<ParityCase> gradcheck_cases() {
  std::vector<ParityCase> cases;
  for (const OpCase& c : all_op_cases()) cases.push_back({c.statement, c.input, c.options.batch, Inputs::uniform});
  return cases;
}

// Sizes the gradient check cannot afford (it runs forward twice per checked element) but where
// GPU kernels take other paths: whole 28x28 images, many channels (reductions spread over blocks),
// odd batch sizes, and the layer sizes of the reference models.
std::vector<ParityCase> larger_cases() {
  return {
      {"dense 128 relu", Shape{{784}}, 5},
      {"dense 10 softmax", Shape{{128}}, 37},
      {"conv2d 32 3x3 relu", Shape{{28, 28, 1}}, 5},
      {"conv2d 64 3x3 same relu", Shape{{13, 13, 32}}, 5},
      {"conv2d 8 5x5 same stride=2 tanh", Shape{{28, 28, 3}}, 5},
      {"conv2d_transpose 16 3x3 same stride=2 relu", Shape{{7, 7, 32}}, 5},
      {"conv2d_transpose 1 3x3 same stride=2 sigmoid", Shape{{14, 14, 8}}, 5},
      {"maxpool 2", Shape{{28, 28, 8}}, 5},
      {"maxpool 3 same stride=2", Shape{{27, 27, 4}}, 5},
      {"avgpool 2", Shape{{28, 28, 8}}, 5},
      {"avgpool 3 same stride=1", Shape{{14, 14, 4}}, 5},
      {"upsample 2", Shape{{14, 14, 16}}, 5},
      {"batchnorm", Shape{{28, 28, 16}}, 5},
      {"batchnorm", Shape{{128}}, 64},
      {"dropout 0.25", Shape{{28, 28, 8}}, 5},
      {"dropout 0.5", Shape{{128}}, 33},
      {"relu", Shape{{28, 28, 4}}, 5},
      {"softmax", Shape{{10}}, 64},
      // Paths the cases above miss: equal largest values, NaN and -infinity in overlapping and
      // plain pooling windows, windows with gaps between them, rows longer than a warp, one-sided
      // "same" padding on one axis only, cuDNN's one- and three-channel NHWC paths at batch 1,
      // non-square sizes.
      {"maxpool 3 same stride=2", Shape{{13, 13, 4}}, 5, Inputs::whole_numbers},
      {"maxpool 2", Shape{{8, 8, 3}}, 3, Inputs::whole_numbers},
      {"maxpool 3 same stride=2", Shape{{13, 13, 4}}, 5, Inputs::with_nans_and_infinities},
      {"maxpool 2", Shape{{8, 8, 3}}, 3, Inputs::with_nans_and_infinities},
      {"maxpool 2 stride=3", Shape{{14, 14, 4}}, 3},
      {"avgpool 2 stride=3", Shape{{14, 14, 4}}, 3},
      {"softmax", Shape{{7, 7, 100}}, 3},
      {"leaky_relu alpha=0.1", Shape{{28, 28, 4}}, 5},
      {"upsample 2x3", Shape{{7, 7, 4}}, 3},
      {"conv2d 2 2x3 same", Shape{{9, 9, 2}}, 3},
      {"conv2d 4 3x3 same stride=1x2", Shape{{9, 9, 2}}, 3},
      {"conv2d 8 3x3 relu", Shape{{28, 28, 1}}, 1},
      {"conv2d 8 3x3 same relu", Shape{{28, 28, 3}}, 1},
  };
}

void expect_same_results(const LayerResults& gpu, const LayerResults& cpu, const Layer& layer, double tolerance) {
  EXPECT_TRUE(elementwise_close(gpu.output, cpu.output, tolerance)) << "forward output";
  EXPECT_TRUE(elementwise_close(gpu.input_gradient, cpu.input_gradient, tolerance)) << "input gradient";
  for (std::size_t p = 0; p < layer.params.size(); ++p) {
    const std::string& name = layer.params[p].name;
    EXPECT_TRUE(elementwise_close(gpu.params_after_forward[p], cpu.params_after_forward[p], tolerance)) << name << " after forward";
    if (layer.params[p].trainable) {
      EXPECT_TRUE(elementwise_close(gpu.param_gradients[p], cpu.param_gradients[p], tolerance)) << name << " gradient";
    }
  }
}

// A dense or conv layer ending in softmax or sigmoid is also run with that activation folded into
// the loss, as when it is the last layer under crossentropy or bce. dense and the convolutions
// fuse their bias, activation and bias gradient into their products and into one backward pass by
// default: they are also run with them in kernels of their own (--unfused). In training, an op
// that can apply a dropout after it also runs with one (fused or not: a layer's kernels take the
// mask wherever the epilogue runs).
std::vector<Variant> variants_for(const Layer& layer, Mode mode) {
  bool folds = false;
  for (const ArgSpec& spec : layer.op->signature) {
    if (spec.name != "activation") continue;
    const std::string activation = layer.attrs.choice("activation");
    folds = activation == "softmax" || activation == "sigmoid";
  }
  const std::string_view op = layer.op->keyword;
  const bool unfuses = op == "dense" || op == "conv2d" || op == "conv2d_transpose";
  const bool drops = mode.training && layer.op->applies_dropout_after != nullptr && layer.op->applies_dropout_after(layer.attrs);
  std::vector<Variant> variants;
  for (const bool folded : {false, true}) {
    for (const bool fused : {true, false}) {
      for (const bool applies_dropout : {false, true}) {
        if ((folded && !folds) || (!fused && !unfuses) || (applies_dropout && !drops)) continue;
        variants.push_back({.folded = folded, .fused = fused, .applies_dropout = applies_dropout});
      }
    }
  }
  return variants;
}

class CudaOpParity : public CudaBackendTestWithParam<ParityCase> {
 protected:
  // The backend is shared by the suite: it leaves as it came, fusing.
  void TearDown() override {
    if (has_gpu()) gpu().set_fused_epilogues(true);
  }
};

// Training and inference; batch-norm also training in a frozen block (its moving statistics used
// and kept).
std::vector<Mode> modes_for(const Layer& layer) {
  std::vector<Mode> modes = {{.training = true, .frozen = false}, {.training = false, .frozen = false}};
  if (layer.op->keyword == "batchnorm") modes.push_back({.training = true, .frozen = true});
  return modes;
}

TEST_P(CudaOpParity, ForwardAndBackwardMatchTheCpuKernel) {
  const ParityCase& c = GetParam();
  const Layer layer = compile_layer_text(c.statement, c.input);
  for (const Mode mode : modes_for(layer)) {
    for (const Sizes sizes : {Sizes{c.batch, c.batch}, Sizes{c.batch, c.batch + 3}}) {
      for (const Variant variant : variants_for(layer, mode)) {
        SCOPED_TRACE(testing::Message() << c.statement << " on " << c.input.str() << ", " << (mode.training ? "training" : "inference")
                                        << (mode.frozen ? " frozen" : "") << ", batch " << sizes.batch << " of " << sizes.capacity
                                        << (variant.folded ? ", activation folded" : "") << (variant.fused ? "" : ", unfused")
                                        << (variant.applies_dropout ? ", applying a dropout" : ""));
        const LayerValues values = random_values(layer, sizes, c.inputs);
        const LayerResults on_cpu = run_layer(cpu(), layer, values, sizes, mode, variant);
        gpu().set_fused_epilogues(variant.fused);
        const LayerResults on_gpu = run_layer(gpu(), layer, values, sizes, mode, variant, &on_cpu.output);
        expect_same_results(on_gpu, on_cpu, layer, tolerance_for(layer));
      }
    }
  }
}

std::string case_name(const testing::TestParamInfo<ParityCase>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char ch : info.param.statement + " " + info.param.input.str()) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(GradcheckCases, CudaOpParity, testing::ValuesIn(gradcheck_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(LargerCases, CudaOpParity, testing::ValuesIn(larger_cases()), case_name);

// Runs without a GPU: the table of CUDA kernels is plain host code.
TEST(CudaKernels, EveryOpInTheTableHasOne) {
  for (const OpDef* op : op_table()) EXPECT_NE(cuda::find_cuda_kernel(op->keyword), nullptr) << "op '" << op->keyword << "' has no CUDA kernel";
}

}  // namespace
}  // namespace gpufm::test
