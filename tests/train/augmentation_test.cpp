// Training-data augmentation: each transform on known images through the shared per-pixel
// functions (gpufm/augmentation.hpp), the draws behind them, the noise's statistics, and the
// CPU backend's gather of whole batches; evaluation is never augmented.
#include "gpufm/augmentation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <numeric>
#include <set>

#include "gpufm/program.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

struct Image {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::uint8_t> bytes;  // rows x cols
};

// Every pixel different, so a pixel in the wrong place shows.
Image numbered_image(std::int64_t rows, std::int64_t cols) {
  Image image{rows, cols, {}};
  for (std::int64_t i = 0; i < rows * cols; ++i) image.bytes.push_back(static_cast<std::uint8_t>(7 * i + 3));
  return image;
}

Image uniform_image(std::int64_t rows, std::int64_t cols, std::uint8_t value) {
  return Image{rows, cols, std::vector<std::uint8_t>(static_cast<std::size_t>(rows * cols), value)};
}

// The image as the model sees it after `transform`, row by row.
std::vector<float> transformed(const Image& image, const SampleTransform& transform) {
  std::vector<float> values;
  for (std::int64_t y = 0; y < image.rows; ++y) {
    for (std::int64_t x = 0; x < image.cols; ++x) {
      values.push_back(transformed_pixel(image.bytes.data(), image.rows, image.cols, transform, x, y));
    }
  }
  return values;
}

// The image with pixel (x, y) taken from source(x, y), zero where that lies outside it.
template <class Source>
std::vector<float> rearranged(const Image& image, Source source) {
  std::vector<float> values;
  for (std::int64_t y = 0; y < image.rows; ++y) {
    for (std::int64_t x = 0; x < image.cols; ++x) {
      const auto [from_x, from_y] = source(x, y);
      const bool inside = from_x >= 0 && from_x < image.cols && from_y >= 0 && from_y < image.rows;
      values.push_back(inside ? unit_pixel(image.bytes[static_cast<std::size_t>(from_y * image.cols + from_x)]) : 0.0f);
    }
  }
  return values;
}

using Point = std::array<std::int64_t, 2>;

// `batch` copies of `image` as the CPU backend gathers them for training step `step`'s batch,
// augmented as asked.
std::vector<float> gathered(const Image& image, std::int64_t batch, const Augmentation& augmentation, std::uint64_t step) {
  auto backend = make_cpu_backend();
  const auto copy = [&](const auto& values) {
    const std::size_t bytes = values.size() * sizeof(values[0]);
    DeviceBuffer buffer = backend->allocate(bytes);
    backend->copy_to_device(buffer.as(), values.data(), bytes);
    return buffer;
  };
  const std::vector<std::uint8_t> labels = {0};
  DeviceBuffer images = copy(image.bytes), label_buffer = copy(labels);
  DeviceBuffer indices = copy(std::vector<std::int32_t>(static_cast<std::size_t>(batch), 0));
  DeviceBuffer input = backend->allocate(static_cast<std::size_t>(batch * image.rows * image.cols) * sizeof(float));
  DeviceBuffer batch_labels = backend->allocate(static_cast<std::size_t>(batch) * sizeof(std::int32_t));
  const StepNumbers numbers{.run_step = step};
  backend->gather_batch(GatherArgs{.images = images.as<std::uint8_t>(), .labels = label_buffer.as<std::uint8_t>(),
                                   .indices = indices.as<std::int32_t>(), .numbers = &numbers, .batch = batch, .rows = image.rows, .cols = image.cols,
                                   .input = input.as<float>(), .batch_labels = batch_labels.as<std::int32_t>(),
                                   .augmentation = augmentation});
  std::vector<float> values(static_cast<std::size_t>(batch * image.rows * image.cols));
  backend->copy_to_host(values.data(), input.as(), values.size() * sizeof(float));
  return values;
}

// Sample b of a gathered batch.
std::vector<float> sample(const std::vector<float>& batch, const Image& image, std::int64_t b) {
  const auto pixels = static_cast<std::size_t>(image.rows * image.cols);
  return {batch.begin() + static_cast<std::ptrdiff_t>(b * pixels), batch.begin() + static_cast<std::ptrdiff_t>((b + 1) * pixels)};
}

TEST(Augmentation, NoTransformAndRotationZeroLeaveTheImage) {
  const Image image = numbered_image(5, 7);
  const std::vector<float> original = rearranged(image, [](std::int64_t x, std::int64_t y) { return Point{x, y}; });
  EXPECT_EQ(transformed(image, SampleTransform{}), original);
  EXPECT_EQ(transformed(image, rotation(0.0)), original);
}

TEST(Augmentation, FlipsMirrorTheImage) {
  const Image image = numbered_image(4, 5);
  EXPECT_EQ(transformed(image, SampleTransform{.mirror_x = -1}),
            rearranged(image, [&](std::int64_t x, std::int64_t y) { return Point{image.cols - 1 - x, y}; }));
  EXPECT_EQ(transformed(image, SampleTransform{.mirror_y = -1}),
            rearranged(image, [&](std::int64_t x, std::int64_t y) { return Point{x, image.rows - 1 - y}; }));
  EXPECT_EQ(transformed(image, SampleTransform{.mirror_x = -1, .mirror_y = -1}),
            rearranged(image, [&](std::int64_t x, std::int64_t y) { return Point{image.cols - 1 - x, image.rows - 1 - y}; }));
}

TEST(Augmentation, ShiftsMoveWholePixelsAndFillWithZero) {
  const Image image = numbered_image(4, 5);
  const std::vector<float> right = transformed(image, SampleTransform{.shift_x = 1});
  EXPECT_EQ(right, rearranged(image, [](std::int64_t x, std::int64_t y) { return Point{x - 1, y}; }));
  for (std::int64_t y = 0; y < image.rows; ++y) EXPECT_EQ(right[static_cast<std::size_t>(y * image.cols)], 0.0f) << "row " << y;
  EXPECT_EQ(transformed(image, SampleTransform{.shift_x = -2, .shift_y = 1}),
            rearranged(image, [](std::int64_t x, std::int64_t y) { return Point{x + 2, y - 1}; }));
}

// At a quarter turn the cosine is 6e-17, not 0, but every product it makes is far below half a
// unit in the last place of what it is added to, so the pixels land exactly, for odd and even
// sides alike.
TEST(Augmentation, QuarterAndHalfTurnsMovePixelsExactly) {
  for (const std::int64_t side : {5, 6}) {
    SCOPED_TRACE(testing::Message() << side << "x" << side);
    const Image image = numbered_image(side, side);
    const std::int64_t last = side - 1;
    // Counterclockwise as seen: the top row becomes the left column, read upwards.
    EXPECT_EQ(transformed(image, rotation(std::numbers::pi / 2)),
              rearranged(image, [&](std::int64_t x, std::int64_t y) { return Point{last - y, x}; }));
    EXPECT_EQ(transformed(image, rotation(-std::numbers::pi / 2)),
              rearranged(image, [&](std::int64_t x, std::int64_t y) { return Point{y, last - x}; }));
    EXPECT_EQ(transformed(image, rotation(std::numbers::pi)), transformed(image, SampleTransform{.mirror_x = -1, .mirror_y = -1}));
  }
}

TEST(Augmentation, BilinearSamplingBlendsTheFourNearestPixelsWithZeroOutside) {
  const std::uint8_t image[] = {0, 255, 51, 102};  // 2x2: 0, 1 over 0.2, 0.4
  EXPECT_FLOAT_EQ(bilinear_sample(image, 2, 2, 0.5f, 0.0f), 0.5f);
  EXPECT_FLOAT_EQ(bilinear_sample(image, 2, 2, 0.5f, 0.5f), 0.4f);
  EXPECT_FLOAT_EQ(bilinear_sample(image, 2, 2, 1.0f, 0.25f), 0.85f);
  EXPECT_FLOAT_EQ(bilinear_sample(image, 2, 2, 1.5f, 0.0f), 0.5f);  // half of pixel (1, 0), half outside
  EXPECT_EQ(bilinear_sample(image, 2, 2, -1.0f, 1.0f), 0.0f);  // a pixel's width left of 0.2
  EXPECT_EQ(bilinear_sample(image, 2, 2, 1.0f, 2.0f), 0.0f);   // a pixel's height below 0.4
}

// Inside, a uniform image stays itself (each blend is of equal values); the corners turn to
// points more than a pixel outside the source, and so to zero.
TEST(Augmentation, AnEighthTurnKeepsTheMiddleAndCutsTheCorners) {
  const Image white = uniform_image(8, 8, 255);
  const std::vector<float> turned = transformed(white, rotation(std::numbers::pi / 4));
  for (const std::int64_t i : {27, 28, 35, 36}) EXPECT_EQ(turned[static_cast<std::size_t>(i)], 1.0f) << "middle pixel " << i;
  for (const std::int64_t i : {0, 7, 56, 63}) EXPECT_EQ(turned[static_cast<std::size_t>(i)], 0.0f) << "corner " << i;
  for (const float value : turned) {
    EXPECT_GE(value, 0.0f);
    EXPECT_LE(value, 1.0f);
  }
}

// Over 4000 samples: every shift in range, angles up to the most either way, flips only when on.
TEST(Augmentation, EachSampleDrawsWithinTheSettings) {
  const Augmentation augmentation = training_augmentation({.shift = 2, .rotate = 10, .flip_horizontal = true}, 7);
  std::set<std::int32_t> shifts_x, shifts_y;
  double most_degrees = 0;
  int mirrored = 0;
  const int samples = 4000;
  for (std::int64_t position = 0; position < samples; ++position) {
    const SampleTransform t = sample_transform(augmentation, 3, position);
    shifts_x.insert(t.shift_x);
    shifts_y.insert(t.shift_y);
    const double degrees = std::atan2(t.sin_angle, t.cos_angle) * 180 / std::numbers::pi;
    EXPECT_LE(std::fabs(degrees), 10.0 + 1e-4) << "sample " << position;
    most_degrees = std::max(most_degrees, std::fabs(degrees));
    mirrored += t.mirror_x < 0;
    EXPECT_EQ(t.mirror_y, 1.0f) << "flip_vertical is off";
  }
  EXPECT_EQ(shifts_x, (std::set<std::int32_t>{-2, -1, 0, 1, 2}));
  EXPECT_EQ(shifts_y, (std::set<std::int32_t>{-2, -1, 0, 1, 2}));
  EXPECT_GT(most_degrees, 9.9);
  EXPECT_NEAR(mirrored, samples / 2, 150);  // 4.7 standard deviations of a fair coin's count
}

// Through the CPU backend's gather: each sample of a batch of copies is one of the image's four
// mirror images, each about a quarter of the time (flips with probability 1/2 each).
TEST(Augmentation, GatheredSamplesAreFlippedHalfTheTimeEach) {
  const Image image = numbered_image(4, 5);
  const std::int64_t batch = 400;
  const std::vector<float> flipped = gathered(image, batch, training_augmentation({.flip_horizontal = true, .flip_vertical = true}, 5), 0);
  const std::vector<std::vector<float>> variants = {
      transformed(image, {}), transformed(image, {.mirror_x = -1}), transformed(image, {.mirror_y = -1}),
      transformed(image, {.mirror_x = -1, .mirror_y = -1})};
  std::array<int, 4> counts{};
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto found = std::find(variants.begin(), variants.end(), sample(flipped, image, b));
    ASSERT_NE(found, variants.end()) << "sample " << b << " is no mirror image";
    ++counts[static_cast<std::size_t>(found - variants.begin())];
  }
  for (const int count : counts) EXPECT_NEAR(count, batch / 4, 40);  // 4.6 standard deviations
}

// 64 gray images of 28x28 (50,176 pixels): the noise's mean is within 4.5 standard errors
// (0.1 / sqrt(50176) = 0.00045) of 0 and its variance within 8 (0.01 * sqrt(2 / 50176) = 0.000063)
// of the 0.01 asked for.
TEST(Augmentation, NoiseHasTheVarianceAskedForAndMeanZero) {
  const Image gray = uniform_image(28, 28, 128);
  const std::vector<float> noisy = gathered(gray, 64, training_augmentation({.noise = 0.01}, 11), 2);
  double sum = 0, sum_of_squares = 0;
  for (const float value : noisy) {
    const double noise = value - unit_pixel(128);
    sum += noise;
    sum_of_squares += noise * noise;
  }
  const auto n = static_cast<double>(noisy.size());
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 0.002);
  EXPECT_NEAR(sum_of_squares / n - mean * mean, 0.01, 0.0005);
}

// As Keras' GaussianNoise: noise on black pixels goes below zero as often as above.
TEST(Augmentation, NoiseIsNotClipped) {
  const std::vector<float> noisy = gathered(uniform_image(28, 28, 0), 8, training_augmentation({.noise = 0.01}, 11), 2);
  const auto below_zero = std::count_if(noisy.begin(), noisy.end(), [](float value) { return value < 0; });
  EXPECT_NEAR(static_cast<double>(below_zero) / static_cast<double>(noisy.size()), 0.5, 0.05);
}

TEST(Augmentation, TheSameSeedAndStepGiveTheSameBatchAnotherStepAnother) {
  const Image image = numbered_image(28, 28);
  const AugmentSettings all{.shift = 2, .rotate = 10, .flip_horizontal = true, .flip_vertical = true, .noise = 0.01};
  const std::vector<float> batch = gathered(image, 8, training_augmentation(all, 1), 100);
  EXPECT_EQ(gathered(image, 8, training_augmentation(all, 1), 100), batch);
  EXPECT_NE(gathered(image, 8, training_augmentation(all, 1), 101), batch);
  EXPECT_NE(gathered(image, 8, training_augmentation(all, 2), 100), batch);
  for (std::int64_t b = 1; b < 8; ++b) EXPECT_NE(sample(batch, image, b), sample(batch, image, 0)) << "sample " << b << " of copies";
}

// Evaluation of a model that augments its training gives the figures of the same model without
// augmentation; its training, by contrast, sees other images and ends elsewhere.
TEST(Augmentation, OnlyTrainingIsAugmented) {
  const Dataset data = test::learnable_dataset(64, 16);
  const auto model = [](const std::string& augment) {
    return compile(dsl::parse("input 8x8x1\nflatten\ndense 4 softmax\ntrain:\n  batch 16\n" + augment, "m.dsl"));
  };
  const Graph plain = model(""), augmented = model("  augment shift=2 rotate=30 flip_horizontal=true flip_vertical=true noise=0.1\n");
  auto backend = make_cpu_backend();
  std::vector<std::int32_t> all(64);
  std::iota(all.begin(), all.end(), 0);
  const auto evaluated_then_trained = [&](const Graph& graph) {
    Program program(graph, *backend, 16);
    program.initialize(3);
    const DeviceImages images = program.upload(data.train);
    DeviceIds ids = program.upload_ids(all);
    const PassMetrics evaluated = program.evaluate(images, ids);
    program.train_epoch(images, ids, 1, 0.01);
    return std::pair(evaluated, program.read_params());
  };
  const auto [plain_metrics, plain_trained] = evaluated_then_trained(plain);
  const auto [augmented_metrics, augmented_trained] = evaluated_then_trained(augmented);
  EXPECT_EQ(augmented_metrics.loss, plain_metrics.loss);
  EXPECT_EQ(augmented_metrics.accuracy, plain_metrics.accuracy);
  EXPECT_NE(augmented_trained, plain_trained);
}

TEST(Augmentation, AShiftAsLongAsTheImageIsAnError) {
  Dataset data = test::learnable_dataset(8, 8);
  data.train.images_path = "train-images";
  auto backend = make_cpu_backend();
  const Graph graph = compile(dsl::parse("input 8x8x1\nflatten\ndense 4 softmax\ntrain:\n  augment shift=8\n", "m.dsl"));
  Program program(graph, *backend, 8);
  EXPECT_EQ(test::error_of<InputError>([&] { program.upload(data.train); }),
            "train-images: augment shift=8 would move images of 8x8 pixels out of sight; shift them by less than 8");
}

}  // namespace
}  // namespace gpufm
