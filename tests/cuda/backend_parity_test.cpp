// The CUDA backend's pieces outside the layers against the CPU backend's: the epoch shuffle, the
// batch gather with and without augmentation, the loss with its metric sums and confusion
// counts, and each optimizer's step.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "cuda/cuda_test_support.hpp"
#include "gpufm/augmentation.hpp"
#include "gpufm/optimizer_math.hpp"

namespace gpufm::test {
namespace {

class CudaBackendParity : public CudaBackendTest {};

// train_epoch shuffles its ids in place, each epoch starting from the order the last one left,
// so the epochs are chained here the same way. 200,000 ids draw a few equal 32-bit Philox words
// (about n^2 / 2^33 pairs), which both backends must break by id.
TEST_F(CudaBackendParity, ShuffleGivesTheCpuOrderEpochAfterEpoch) {
  for (const std::int64_t count : {std::int64_t{1}, std::int64_t{1000}, std::int64_t{200'000}}) {
    std::vector<std::int32_t> ids(static_cast<std::size_t>(count));
    std::iota(ids.begin(), ids.end(), 0);
    DeviceBuffer on_cpu = upload(cpu(), ids), on_gpu = upload(gpu(), ids);
    for (std::uint64_t epoch = 1; epoch <= 3; ++epoch) {
      cpu().shuffle(on_cpu.as<std::int32_t>(), count, 42, epoch);
      gpu().shuffle(on_gpu.as<std::int32_t>(), count, 42, epoch);
      const auto expected = download<std::int32_t>(cpu(), on_cpu, ids.size());
      EXPECT_EQ(download<std::int32_t>(gpu(), on_gpu, ids.size()), expected) << count << " ids, epoch " << epoch;
      if (count > 1) {
        EXPECT_NE(expected, ids) << "the CPU shuffle left " << count << " ids in order";
      }
    }
  }
}

struct GatheredBatch {
  std::vector<float> input;
  std::vector<std::int32_t> labels;
};

// A batch of 17 of 50 images of 28 rows by 20 columns (not square, so rows and columns cannot be
// mixed up unseen), gathered by `backend` with `augmentation` as training step 1234's batch: the
// pass's ids from the fifth on.
GatheredBatch gathered(Backend& backend, const Augmentation& augmentation) {
  const std::int64_t count = 50, rows = 28, cols = 20, batch = 17;
  std::vector<std::uint8_t> images(static_cast<std::size_t>(count * rows * cols)), labels(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < images.size(); ++i) images[i] = static_cast<std::uint8_t>((i * 7919) % 256);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
  // Out of order, with a repeat, ending at the last image.
  const std::vector<std::int32_t> indices = {2, 4, 6, 7, 3, 49, 0, 17, 17, 8, 22, 31, 5, 44, 12, 1, 38, 26, 9, 40, 49};
  const StepNumbers step{.run_step = 1234, .first_id = 4};
  EXPECT_EQ(static_cast<std::int64_t>(indices.size()) - step.first_id, batch);
  DeviceBuffer device_images = upload(backend, images), device_labels = upload(backend, labels), device_indices = upload(backend, indices);
  DeviceBuffer numbers = upload(backend, &step, sizeof step);
  DeviceBuffer input = backend.allocate(static_cast<std::size_t>(batch * rows * cols) * sizeof(float));
  DeviceBuffer batch_labels = backend.allocate(static_cast<std::size_t>(batch) * sizeof(std::int32_t));
  backend.gather_batch(GatherArgs{.images = device_images.as<std::uint8_t>(), .labels = device_labels.as<std::uint8_t>(),
                                  .indices = device_indices.as<std::int32_t>(), .numbers = numbers.as<StepNumbers>(), .batch = batch,
                                  .rows = rows, .cols = cols,
                                  .input = input.as<float>(), .batch_labels = batch_labels.as<std::int32_t>(),
                                  .augmentation = augmentation});
  return {download<float>(backend, input, static_cast<std::size_t>(batch * rows * cols)),
          download<std::int32_t>(backend, batch_labels, static_cast<std::size_t>(batch))};
}

// Pixels scale by the same float constant on both sides, so the batch is equal, not close.
TEST_F(CudaBackendParity, GatherBatchCopiesTheSameImagesAndLabels) {
  const GatheredBatch on_cpu = gathered(cpu(), Augmentation{}), on_gpu = gathered(gpu(), Augmentation{});
  EXPECT_TRUE(elementwise_close(on_gpu.input, on_cpu.input, 0.0));
  EXPECT_EQ(on_gpu.labels, on_cpu.labels);
}

// Both run gpufm/augmentation.hpp with the same Philox draws. Flips and shifts move whole
// pixels: equal, not close. Rotations interpolate and noise takes a logarithm and a cosine,
// whose double results the device may round to the other float about once in 10^8 draws; a
// misplaced pixel or a wrong draw would differ by far more than 1e-6.
TEST_F(CudaBackendParity, GatherBatchAugmentsAsTheCpuDoes) {
  const struct {
    const char* label;
    AugmentSettings settings;
    double tolerance;
  } cases[] = {
      {"flips and shifts", {.shift = 3, .flip_horizontal = true, .flip_vertical = true}, 0.0},
      {"rotation", {.rotate = 25}, 1e-6},
      {"noise", {.noise = 0.01}, 1e-6},
      {"everything", {.shift = 2, .rotate = 15, .flip_horizontal = true, .flip_vertical = true, .noise = 0.04}, 1e-6},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const Augmentation augmentation = training_augmentation(c.settings, 42);
    const GatheredBatch on_cpu = gathered(cpu(), augmentation), on_gpu = gathered(gpu(), augmentation);
    EXPECT_TRUE(elementwise_close(on_gpu.input, on_cpu.input, c.tolerance));
    EXPECT_EQ(on_gpu.labels, on_cpu.labels);
    EXPECT_NE(on_cpu.input, gathered(cpu(), Augmentation{}).input) << "nothing was augmented";
  }
}

struct LossCombination {
  Loss loss;
  Target target;
  bool fold_activation;
};

// Every loss with every target it takes (crossentropy compares with labels only), folded into
// the last activation's gradient where the pair allows it (softmax and sigmoid; mse folds nothing).
constexpr LossCombination loss_combinations[] = {
    {Loss::crossentropy, Target::labels, false}, {Loss::crossentropy, Target::labels, true}, {Loss::mse, Target::labels, false},
    {Loss::mse, Target::input, false},           {Loss::bce, Target::labels, false},         {Loss::bce, Target::labels, true},
    {Loss::bce, Target::input, false},           {Loss::bce, Target::input, true},
};

// A batch of outputs as a last layer gives them: softmax rows for crossentropy, sigmoid values
// for bce, anything for mse; one output is exactly 0 and one exactly 1, where the probability is
// clipped (Keras' epsilon) and has no gradient.
struct LossBatch {
  std::int64_t batch = 7, elements = 10;
  std::vector<float> output, target_input;
  std::vector<std::int32_t> labels;
};

LossBatch loss_batch(Loss loss) {
  LossBatch b;
  const auto count = static_cast<std::size_t>(b.batch * b.elements);
  b.output = uniform_values(count, 0.0, 1.0, 3, 1);
  if (loss == Loss::crossentropy) {
    for (std::int64_t n = 0; n < b.batch; ++n) {
      float* row = b.output.data() + n * b.elements;
      const float sum = std::accumulate(row, row + b.elements, 0.0f);
      for (std::int64_t j = 0; j < b.elements; ++j) row[j] /= sum;
    }
    std::fill_n(b.output.begin() + 2 * b.elements, b.elements, 0.0f);  // row 2: all on class 3, none on its label
    b.output[2 * b.elements + 3] = 1.0f;
  } else if (loss == Loss::bce) {
    b.output[5] = 0.0f;
    b.output[11] = 1.0f;
  }
  b.target_input = uniform_values(count, 0.0, 1.0, 3, 2);
  b.labels = {0, 9, 4, 4, 7, 1, 2};
  return b;
}

struct LossResults {
  MetricSums sums;
  std::vector<std::int64_t> confusion;
  std::vector<float> gradient;
};

// Sums and confusion counts start from earlier values, since the loss adds to them.
LossResults run_loss(Backend& backend, const LossCombination& c, const LossBatch& b, bool with_gradient) {
  const MetricSums earlier{.loss = 10.5, .correct = 3, .samples = 12};
  std::vector<std::int64_t> earlier_confusion(static_cast<std::size_t>(b.elements * b.elements));
  std::iota(earlier_confusion.begin(), earlier_confusion.end(), 0);
  DeviceBuffer output = upload(backend, b.output), target_input = upload(backend, b.target_input), labels = upload(backend, b.labels);
  DeviceBuffer sums = upload(backend, &earlier, sizeof earlier), confusion = upload(backend, earlier_confusion);
  DeviceBuffer gradient = upload(backend, std::vector<float>(b.output.size(), std::numeric_limits<float>::quiet_NaN()));
  backend.loss(LossArgs{.loss = c.loss, .target = c.target, .output = output.as<float>(), .batch = b.batch, .elements = b.elements,
                        .labels = labels.as<std::int32_t>(), .target_input = target_input.as<float>(),
                        .output_gradient = with_gradient ? gradient.as<float>() : nullptr, .fold_activation = c.fold_activation,
                        .sums = sums.as<MetricSums>(), .confusion = c.target == Target::labels ? confusion.as<std::int64_t>() : nullptr});
  LossResults results;
  backend.copy_to_host(&results.sums, sums.as(), sizeof results.sums);
  results.confusion = download<std::int64_t>(backend, confusion, earlier_confusion.size());
  if (with_gradient) results.gradient = download<float>(backend, gradient, b.output.size());
  return results;
}

// The loss sum is a double on both sides, of per-sample losses the GPU may compute in float:
// 1e-6 of it is far below any difference a wrong formula makes. The gradient is one formula per
// element, with no sum: 1e-5 of max(1, |cpu|).
TEST_F(CudaBackendParity, LossSumsConfusionAndGradientMatchForEveryLossAndTarget) {
  for (const LossCombination& c : loss_combinations) {
    for (const bool with_gradient : {true, false}) {  // false: evaluation, which only measures
      SCOPED_TRACE(testing::Message() << name(c.loss) << " on " << name(c.target) << (c.fold_activation ? ", activation folded" : "")
                                      << (with_gradient ? "" : ", measuring only"));
      const LossBatch b = loss_batch(c.loss);
      const LossResults on_cpu = run_loss(cpu(), c, b, with_gradient), on_gpu = run_loss(gpu(), c, b, with_gradient);
      EXPECT_NEAR(on_gpu.sums.loss, on_cpu.sums.loss, 1e-6 * std::fabs(on_cpu.sums.loss));
      EXPECT_EQ(on_gpu.sums.correct, on_cpu.sums.correct);
      EXPECT_EQ(on_gpu.sums.samples, on_cpu.sums.samples);
      EXPECT_EQ(on_gpu.confusion, on_cpu.confusion);
      EXPECT_TRUE(elementwise_close(on_gpu.gradient, on_cpu.gradient, 1e-5)) << "gradient";
    }
  }
}

// Each optimizer over five steps with a new gradient and learning rate each step, on an odd
// element count (a vectorised kernel's tail). Both sides run the same update_element
// (gpufm/optimizer_math.hpp) in float32; only the compiler's fused multiply-adds differ, a
// rounding each: 1e-6 of max(1, |cpu|) after five steps.
TEST_F(CudaBackendParity, OptimizerStepsMatchForEveryOptimizer) {
  const std::vector<std::pair<std::string, OptimizerSettings>> optimizers = {
      {"sgd", {.kind = OptimizerKind::sgd, .lr = 0.1}},
      {"sgd momentum nesterov", {.kind = OptimizerKind::sgd, .lr = 0.1, .momentum = 0.9, .nesterov = true}},
      {"adam", {.kind = OptimizerKind::adam}},
      {"adam weight_decay", {.kind = OptimizerKind::adam, .weight_decay = 0.004}},
      {"nadam", {.kind = OptimizerKind::nadam, .lr = 0.002}},
      {"rmsprop momentum", {.kind = OptimizerKind::rmsprop, .momentum = 0.9}},
  };
  const std::int64_t count = 1001;
  for (const auto& [label, settings] : optimizers) {
    SCOPED_TRACE(label);
    const auto state_count = static_cast<std::size_t>(optimizer_state_slots(settings) * count);
    const std::vector<float> initial = uniform_values(static_cast<std::size_t>(count), -1, 1, 5, 1);
    DeviceBuffer cpu_params = upload(cpu(), initial), gpu_params = upload(gpu(), initial);
    DeviceBuffer cpu_state = cpu().allocate(state_count * sizeof(float)), gpu_state = gpu().allocate(state_count * sizeof(float));
    for (std::int64_t t = 1; t <= 5; ++t) {
      const std::vector<float> gradient = uniform_values(static_cast<std::size_t>(count), -1, 1, 5, 1 + static_cast<std::uint32_t>(t));
      DeviceBuffer cpu_gradient = upload(cpu(), gradient), gpu_gradient = upload(gpu(), gradient);
      const double lr = settings.lr * (1.0 - 0.1 * static_cast<double>(t));  // a schedule changes lr between steps
      const StepNumbers numbers{.epoch_step = 1};
      const OptimizerScalars scalars = optimizer_scalars(settings, lr, t);
      DeviceBuffer cpu_numbers = upload(cpu(), &numbers, sizeof numbers), gpu_numbers = upload(gpu(), &numbers, sizeof numbers);
      DeviceBuffer cpu_scalars = upload(cpu(), &scalars, sizeof scalars), gpu_scalars = upload(gpu(), &scalars, sizeof scalars);
      cpu().optimizer_step({.numbers = cpu_numbers.as<StepNumbers>(), .scalars = cpu_scalars.as<OptimizerScalars>(),
                            .params = cpu_params.as<float>(), .gradients = cpu_gradient.as<float>(), .state = cpu_state.as<float>(),
                            .count = count});
      gpu().optimizer_step({.numbers = gpu_numbers.as<StepNumbers>(), .scalars = gpu_scalars.as<OptimizerScalars>(),
                            .params = gpu_params.as<float>(), .gradients = gpu_gradient.as<float>(), .state = gpu_state.as<float>(),
                            .count = count});
      EXPECT_TRUE(elementwise_close(download<float>(gpu(), gpu_params, initial.size()), download<float>(cpu(), cpu_params, initial.size()), 1e-6))
          << "parameters after step " << t;
      EXPECT_TRUE(elementwise_close(download<float>(gpu(), gpu_state, state_count), download<float>(cpu(), cpu_state, state_count), 1e-6))
          << "optimizer state after step " << t;
    }
  }
}

// A training step whose batch loss is NaN: both backends leave it out of the sums, record its
// number, and skip its optimizer step; the next step is taken.
TEST_F(CudaBackendParity, ANonFiniteTrainingStepIsRecordedAndSkippedAsOnTheCpu) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> output = {0.25f, 0.75f, nan, nan};
  const std::vector<std::int32_t> labels = {1, 0};
  const std::vector<float> initial = {0.5f, -1.0f, 2.0f}, gradient = {0.1f, 0.2f, -0.3f};
  const OptimizerSettings settings{.kind = OptimizerKind::sgd, .lr = 0.1};
  const auto run = [&](Backend& backend) {
    const MetricSums earlier{.loss = 1, .correct = 2, .samples = 3};
    DeviceBuffer out = upload(backend, output), label_buffer = upload(backend, labels), sums = upload(backend, &earlier, sizeof earlier);
    DeviceBuffer params = upload(backend, initial), gradients = upload(backend, gradient);
    const std::vector<OptimizerScalars> table = optimizer_scalars_from(settings, settings.lr, 1, 6);
    DeviceBuffer scalars = upload(backend, table);
    std::vector<std::vector<float>> params_after;
    for (const std::int64_t step : {5, 6}) {
      if (step == 6) backend.copy_to_device(out.as(), std::vector<float>{0.25f, 0.75f, 0.5f, 0.5f}.data(), output.size() * sizeof(float));
      const StepNumbers step_numbers{.epoch_step = step};
      DeviceBuffer numbers = upload(backend, &step_numbers, sizeof step_numbers);
      backend.loss(LossArgs{.loss = Loss::crossentropy, .target = Target::labels, .output = out.as<float>(), .batch = 2, .elements = 2,
                            .labels = label_buffer.as<std::int32_t>(), .sums = sums.as<MetricSums>(), .numbers = numbers.as<StepNumbers>()});
      backend.optimizer_step({.numbers = numbers.as<StepNumbers>(), .scalars = scalars.as<OptimizerScalars>(), .params = params.as<float>(),
                              .gradients = gradients.as<float>(), .count = 3, .sums = sums.as<MetricSums>()});
      params_after.push_back(download<float>(backend, params, initial.size()));
    }
    MetricSums result;
    backend.copy_to_host(&result, sums.as(), sizeof result);
    return std::pair{result, params_after};
  };
  const auto [cpu_sums, cpu_params] = run(cpu());
  const auto [gpu_sums, gpu_params] = run(gpu());
  EXPECT_EQ(cpu_sums.nonfinite_steps, 1);
  EXPECT_EQ(cpu_params[0], initial);
  EXPECT_NE(cpu_params[1], initial);
  EXPECT_NEAR(gpu_sums.loss, cpu_sums.loss, 1e-6 * std::fabs(cpu_sums.loss));
  EXPECT_EQ(gpu_sums.samples, cpu_sums.samples);
  EXPECT_EQ(gpu_sums.correct, cpu_sums.correct);
  EXPECT_EQ(gpu_sums.nonfinite_steps, cpu_sums.nonfinite_steps);
  EXPECT_EQ(gpu_sums.first_nonfinite_step, cpu_sums.first_nonfinite_step);
  EXPECT_EQ(gpu_sums.last_nonfinite_step, cpu_sums.last_nonfinite_step);
  EXPECT_EQ(gpu_params[0], initial);
  EXPECT_TRUE(elementwise_close(gpu_params[1], cpu_params[1], 1e-6));
}

// The progress line's copies: each arrives after the work queued before it, numbered in order; a
// copy on its way is taken before the next is queued. Launches after a look at a copy that had
// not arrived yet still pass their checks (the "not ready" answer is not left as an error).
TEST_F(CudaBackendParity, HostMirrorCopiesArriveInOrderWithoutWaiting) {
  for (Backend* backend : {&cpu(), &gpu()}) {
    SCOPED_TRACE(backend->describe());
    const std::vector<float> first = {1, 2, 3}, second = {4, 5, 6};
    DeviceBuffer values = upload(*backend, first);
    const std::unique_ptr<HostMirror> mirror = backend->make_host_mirror(first.size() * sizeof(float));
    EXPECT_EQ(mirror->latest().bytes, nullptr);
    ASSERT_TRUE(mirror->request(values.as()));
    static_cast<void>(mirror->latest());
    backend->round_activations(values.as<float>(), 3, Precision::bf16);  // a launch, checked, while the copy may be on its way
    backend->synchronize();
    HostMirror::Copy copy = mirror->latest();
    ASSERT_NE(copy.bytes, nullptr);
    EXPECT_EQ(copy.request, 1u);
    EXPECT_EQ(std::vector<float>(static_cast<const float*>(copy.bytes), static_cast<const float*>(copy.bytes) + 3), first);

    backend->copy_to_device(values.as(), second.data(), second.size() * sizeof(float));
    ASSERT_TRUE(mirror->request(values.as()));
    backend->synchronize();
    copy = mirror->latest();
    EXPECT_EQ(copy.request, 2u);
    EXPECT_EQ(std::vector<float>(static_cast<const float*>(copy.bytes), static_cast<const float*>(copy.bytes) + 3), second);
  }
}

}  // namespace
}  // namespace gpufm::test
