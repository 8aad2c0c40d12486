// Mixed precision's pieces on the GPU against the CPU: bf16 and fp16 rounding bit for bit, and
// fp16's loss scaling (the scaled loss gradient, the overflow check, the skipped step, the scale's
// update) step by step, and TF32 taking effect in matrix products. Whole models in bf16, fp16 and
// tf32 are in model_parity_test.cpp.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::test {
namespace {

class CudaPrecisionParity : public CudaBackendTest {};

std::vector<std::uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<std::uint32_t> bits;
  for (const float v : values) bits.push_back(std::bit_cast<std::uint32_t>(v));
  return bits;
}

// Values over float's whole range, half's overflow and subnormal edges, and the specials.
std::vector<float> values_to_round() {
  std::vector<float> values = {0.0f, -0.0f, 1.0f, 65504.0f, 65519.99f, 65520.0f, -65520.0f, 0x1p-24f, 0x1p-25f, 3 * 0x1p-25f, 0x1p-14f,
                               std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                               std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(), std::bit_cast<float>(0x7f800001u)};
  for (const float scale : {1e-30f, 1e-6f, 1.0f, 3e4f, 1e30f}) {
    for (const float v : uniform_values(20000, -1, 1, 9, static_cast<std::uint32_t>(values.size()))) values.push_back(v * scale);
  }
  return values;
}

TEST_F(CudaPrecisionParity, RoundingGivesTheCpusBitsInBf16AndFp16) {
  const std::vector<float> values = values_to_round();
  for (const Precision precision : {Precision::bf16, Precision::fp16}) {
    SCOPED_TRACE(std::string(name(precision)));
    DeviceBuffer on_cpu = upload(cpu(), values), on_gpu = upload(gpu(), values);
    const auto count = static_cast<std::int64_t>(values.size());
    cpu().round_activations(on_cpu.as<float>(), count, precision);
    gpu().round_activations(on_gpu.as<float>(), count, precision);
    const std::vector<float> cpu_rounded = download<float>(cpu(), on_cpu, values.size());
    EXPECT_EQ(bits_of(download<float>(gpu(), on_gpu, values.size())), bits_of(cpu_rounded));
    EXPECT_NE(bits_of(cpu_rounded), bits_of(values));
  }
}

// Three fp16 steps with growth_steps 2: the first's gradients hold an infinity (skipped, scale
// halved), the next two are finite (taken, unscaled; the scale doubles after the second).
TEST_F(CudaPrecisionParity, LossScaledStepsMatchTheCpu) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> initial = {0.5f, -1.0f, 2.0f};
  const std::vector<std::vector<float>> gradients = {{1024.0f, inf, 0.0f}, {1024.0f, -512.0f, 256.0f}, {64.0f, 32.0f, -16.0f}};
  const OptimizerSettings settings{.kind = OptimizerKind::sgd, .lr = 0.1};
  struct Result {
    std::vector<std::vector<float>> params;
    LossScale scale;
    MetricSums sums;
    std::vector<float> loss_gradient;
  };
  const auto run = [&](Backend& backend) {
    Result result;
    const LossScale start{.scale = 1024};
    DeviceBuffer state = upload(backend, &start, sizeof start), sums = backend.allocate(sizeof(MetricSums));
    DeviceBuffer params = upload(backend, initial);
    const std::vector<OptimizerScalars> table = optimizer_scalars_from(settings, settings.lr, 1, 3);
    DeviceBuffer scalars = upload(backend, table);
    for (std::size_t s = 0; s < gradients.size(); ++s) {
      DeviceBuffer gradient = upload(backend, gradients[s]);
      const StepNumbers step_numbers{.epoch_step = static_cast<std::int64_t>(s) + 1};
      DeviceBuffer numbers = upload(backend, &step_numbers, sizeof step_numbers);
      backend.find_overflow({.gradients = gradient.as<float>(), .first = 0, .count = 3, .loss_scale = state.as<LossScale>()});
      backend.optimizer_step({.numbers = numbers.as<StepNumbers>(), .scalars = scalars.as<OptimizerScalars>(), .params = params.as<float>(),
                              .gradients = gradient.as<float>(), .count = 3, .sums = sums.as<MetricSums>(),
                              .loss_scale = state.as<LossScale>(), .growth_steps = 2});
      result.params.push_back(download<float>(backend, params, initial.size()));
    }
    backend.copy_to_host(&result.scale, state.as(), sizeof result.scale);
    backend.copy_to_host(&result.sums, sums.as(), sizeof result.sums);
    // The loss gradient is the scaled loss's.
    const std::vector<float> output = {0.25f, 0.75f};
    const std::vector<std::int32_t> label = {1};
    DeviceBuffer out = upload(backend, output), labels = upload(backend, label), gradient = backend.allocate(2 * sizeof(float));
    backend.loss({.loss = Loss::crossentropy, .target = Target::labels, .output = out.as<float>(), .batch = 1, .elements = 2,
                  .labels = labels.as<std::int32_t>(), .output_gradient = gradient.as<float>(), .fold_activation = true,
                  .loss_scale = state.as<LossScale>()});
    result.loss_gradient = download<float>(backend, gradient, 2);
    return result;
  };
  const Result on_cpu = run(cpu()), on_gpu = run(gpu());
  EXPECT_EQ(on_cpu.params[0], initial);                                  // skipped
  EXPECT_TRUE(elementwise_close(on_cpu.params[1], {0.3f, -0.9f, 1.95f}, 1e-6));  // at scale 512: gradients 2, -1, 0.5
  EXPECT_EQ(on_cpu.scale.scale, 1024);                                   // halved, then doubled after two finite steps
  EXPECT_EQ(on_cpu.sums.overflow_steps, 1);
  EXPECT_EQ(on_cpu.loss_gradient, (std::vector<float>{0.25f * 1024, -0.25f * 1024}));
  for (std::size_t s = 0; s < gradients.size(); ++s) EXPECT_TRUE(elementwise_close(on_gpu.params[s], on_cpu.params[s], 1e-6)) << "step " << s + 1;
  EXPECT_EQ(on_gpu.scale.scale, on_cpu.scale.scale);
  EXPECT_EQ(on_gpu.scale.good_steps, on_cpu.scale.good_steps);
  EXPECT_EQ(on_gpu.scale.overflow, 0);
  EXPECT_EQ(on_gpu.sums.overflow_steps, on_cpu.sums.overflow_steps);
  EXPECT_EQ(on_gpu.loss_gradient, on_cpu.loss_gradient);
}

// A dense layer's outputs on `backend` for every input 1 + 2^-12 and every weight 1.
std::vector<float> dense_of_ones(Backend& backend, const Layer& layer, Precision precision) {
  const std::int64_t batch = 1024, in = layer.input.elements(), units = layer.output.elements();
  const std::unique_ptr<LayerKernel> kernel = backend.make_layer_kernel(layer, precision);
  DeviceBuffer input = upload(backend, std::vector<float>(static_cast<std::size_t>(batch * in), 1.0f + 0x1p-12f));
  DeviceBuffer weight = upload(backend, std::vector<float>(static_cast<std::size_t>(units * in), 1.0f));
  DeviceBuffer bias = backend.allocate(static_cast<std::size_t>(units) * sizeof(float));
  DeviceBuffer output = backend.allocate(static_cast<std::size_t>(batch * units) * sizeof(float));
  DeviceBuffer workspace = backend.allocate(kernel->workspace_bytes(batch));
  const StepContext context{.workspace = std::span<std::byte>(workspace.as<std::byte>(), workspace.bytes())};
  const std::vector<float*> params = {weight.as<float>(), bias.as<float>()};
  kernel->forward(ForwardArgs{.input = input.as<float>(), .output = output.as<float>(), .batch = batch, .params = params, .context = &context});
  return download<float>(backend, output, static_cast<std::size_t>(batch * units));
}

// 1024 inputs of 1 + 2^-12 times weights of 1 sum to 1024 + 2^-2 in float32 (exactly, in any
// order: every partial sum fits in 23 bits), and to 1024 when the operands are rounded to TF32's
// 10 mantissa bits: so tf32 is in effect, and fp32 is not. FAST_TF32 allows tensor cores without
// forcing them; a product this size (1024 cubed) is one cuBLAS gives them.
TEST_F(CudaPrecisionParity, Tf32ProductsRoundTheirOperandsAndFp32ProductsDoNot) {
  const Graph graph = compile(dsl::parse("input 1024\ndense 1024\n", "tf32.dsl"));
  const Layer& layer = graph.layers.front();
  const std::vector<float> on_cpu = dense_of_ones(cpu(), layer, Precision::fp32);
  ASSERT_TRUE(elementwise_close(on_cpu, std::vector<float>(on_cpu.size(), 1024.0f + 0x1p-2f), 0));
  EXPECT_TRUE(elementwise_close(dense_of_ones(gpu(), layer, Precision::fp32), on_cpu, 0));
  EXPECT_TRUE(elementwise_close(dense_of_ones(gpu(), layer, Precision::tf32), std::vector<float>(on_cpu.size(), 1024.0f), 0));
  EXPECT_TRUE(elementwise_close(dense_of_ones(cpu(), layer, Precision::tf32), on_cpu, 0)) << "the CPU has no TF32";
}

}  // namespace
}  // namespace gpufm::test
