// Training-data augmentation (the train section's `augment`), done by the batch gather: each
// sample of a training batch gets its own transform (flips, a rotation about the image's centre,
// a shift), then each of its pixels its own Gaussian noise. This header is the whole
// computation, shared by the CPU backend's gather loop and the CUDA gather kernel, so that both
// give the same batch:
// - every random draw is a Philox word keyed by (seed, step, position in the batch, pixel), so it
//   depends on nothing else (not on threads, nor on the order of the work);
// - every output pixel is computed on its own, by inverse mapping: from its place in the output
//   back through the shift, the rotation and the flips to a point of the source image, sampled
//   there bilinearly, zero outside;
// - the arithmetic is the same on both sides: cosines, sines and logarithms in double, rounded to
//   float (the device's float versions differ from the host's in the last bits; rounded from
//   double they agree but for a draw in about 10^8), and products rounded on their own
//   (rounded_product()). Flips and shifts alone move whole pixels, exactly.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "gpufm/philox.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

// One Philox call per sample for its transform, one per pixel for its noise.
inline constexpr std::uint32_t augment_transform_philox_stream = 0x41554754u;  // "AUGT"
inline constexpr std::uint32_t augment_noise_philox_stream = 0x4155474Eu;      // "AUGN"

// What the gather of one batch does to its samples; the default does nothing, as for every
// batch that is not trained on.
struct Augmentation {
  std::int32_t shift = 0;        // whole pixels along each axis, up to this many either way (below the image's side)
  double max_radians = 0;        // rotation, up to this much either way
  bool flip_horizontal = false;  // each with probability 1/2
  bool flip_vertical = false;
  float noise_stddev = 0;
  std::uint64_t seed = 0;

  GPUFM_HOST_DEVICE bool active() const {
    return shift > 0 || max_radians > 0 || flip_horizontal || flip_vertical || noise_stddev > 0;
  }
};

// The augmentation of a run's training batches; each step's draws depend on its run_step too.
inline Augmentation training_augmentation(const AugmentSettings& settings, std::uint64_t seed) {
  return Augmentation{.shift = static_cast<std::int32_t>(settings.shift),
                      .max_radians = settings.rotate * std::numbers::pi / 180.0,
                      .flip_horizontal = settings.flip_horizontal,
                      .flip_vertical = settings.flip_vertical,
                      .noise_stddev = static_cast<float>(std::sqrt(settings.noise)),
                      .seed = seed};
}

// One sample's transform of its source image: flipped, then rotated counterclockwise (as seen)
// about the centre, then moved right by shift_x and down by shift_y pixels.
struct SampleTransform {
  std::int32_t shift_x = 0, shift_y = 0;
  float cos_angle = 1, sin_angle = 0;
  float mirror_x = 1, mirror_y = 1;  // -1: flipped left-right (x), upside down (y)
};

// A rotation alone, rounded to float as every sample's is.
GPUFM_HOST_DEVICE inline SampleTransform rotation(double radians) {
  return SampleTransform{.cos_angle = static_cast<float>(cos(radians)), .sin_angle = static_cast<float>(sin(radians))};
}

// A whole number of pixels in [-most, most], each equally likely (most is less than an image's
// side, so 2 * most + 1 fits).
GPUFM_HOST_DEVICE inline std::int32_t shift_from_word(std::uint32_t word, std::int32_t most) {
  return static_cast<std::int32_t>(word % (2u * static_cast<std::uint32_t>(most) + 1u)) - most;
}

// The transform of the sample at `position` in the batch of training step `step` (its run_step),
// from the four words of one Philox call (philox_word's words 4 * position to 4 * position + 3 of
// the stream): the shifts, the angle, and the flips in the last word's two lowest bits.
GPUFM_HOST_DEVICE inline SampleTransform sample_transform(const Augmentation& augmentation, std::uint64_t step, std::int64_t position) {
  const Philox4x32 words = philox_block(augmentation.seed, augment_transform_philox_stream, static_cast<std::uint32_t>(step),
                                       static_cast<std::uint64_t>(position));
  SampleTransform transform = rotation(augmentation.max_radians * (2.0 * uniform_from_word(words.v[2]) - 1.0));
  transform.shift_x = shift_from_word(words.v[0], augmentation.shift);
  transform.shift_y = shift_from_word(words.v[1], augmentation.shift);
  transform.mirror_x = augmentation.flip_horizontal && (words.v[3] & 1u) != 0 ? -1.0f : 1.0f;
  transform.mirror_y = augmentation.flip_vertical && (words.v[3] & 2u) != 0 ? -1.0f : 1.0f;
  return transform;
}

// A dataset byte as the model sees it: scaled to [0, 1].
GPUFM_HOST_DEVICE inline float unit_pixel(std::uint8_t value) {
  return rounded_product(static_cast<float>(value), 1.0f / 255.0f);
}

// Pixel (x, y) of a rows x cols image, zero outside it.
GPUFM_HOST_DEVICE inline float pixel_or_zero(const std::uint8_t* image, std::int64_t rows, std::int64_t cols, std::int64_t x,
                                             std::int64_t y) {
  return x >= 0 && x < cols && y >= 0 && y < rows ? unit_pixel(image[y * cols + x]) : 0.0f;
}

// From a (t = 0) to b (t = 1); exactly a at t = 0.
GPUFM_HOST_DEVICE inline float interpolate(float a, float b, float t) { return a + rounded_product(t, b - a); }

// The image at point (x, y), bilinearly between its four nearest pixels, zero outside the image.
// The value is continuous in the point, so a point that lands on a pixel's edge on one backend
// and a hair off it on the other still gives nearly the same value; at whole coordinates it is
// the pixel itself.
GPUFM_HOST_DEVICE inline float bilinear_sample(const std::uint8_t* image, std::int64_t rows, std::int64_t cols, float x, float y) {
  const float left = floorf(x), top = floorf(y);
  const auto x0 = static_cast<std::int64_t>(left), y0 = static_cast<std::int64_t>(top);
  const float across = x - left, down = y - top;
  const float upper = interpolate(pixel_or_zero(image, rows, cols, x0, y0), pixel_or_zero(image, rows, cols, x0 + 1, y0), across);
  const float lower =
      interpolate(pixel_or_zero(image, rows, cols, x0, y0 + 1), pixel_or_zero(image, rows, cols, x0 + 1, y0 + 1), across);
  return interpolate(upper, lower, down);
}

// Pixel (x, y) of the transformed image: the source at the point that the transform takes
// there, found by undoing the shift, the rotation and the flips, about the image's centre.
GPUFM_HOST_DEVICE inline float transformed_pixel(const std::uint8_t* image, std::int64_t rows, std::int64_t cols,
                                                 const SampleTransform& transform, std::int64_t x, std::int64_t y) {
  const float centre_x = 0.5f * static_cast<float>(cols - 1), centre_y = 0.5f * static_cast<float>(rows - 1);
  const float u = static_cast<float>(x - transform.shift_x) - centre_x, v = static_cast<float>(y - transform.shift_y) - centre_y;
  // Undoing a counterclockwise rotation of an image whose y axis points down.
  const float source_u = rounded_product(u, transform.cos_angle) - rounded_product(v, transform.sin_angle);
  const float source_v = rounded_product(u, transform.sin_angle) + rounded_product(v, transform.cos_angle);
  return bilinear_sample(image, rows, cols, centre_x + rounded_product(transform.mirror_x, source_u),
                         centre_y + rounded_product(transform.mirror_y, source_v));
}

// The noise added to pixel `pixel` of the sample at `position` in a batch of images of `pixels`
// pixels: a standard normal by Box-Muller from two words of one Philox call, times the
// deviation.
GPUFM_HOST_DEVICE inline float pixel_noise(const Augmentation& augmentation, std::uint64_t step, std::int64_t position,
                                           std::int64_t pixels, std::int64_t pixel) {
  const Philox4x32 words = philox_block(augmentation.seed, augment_noise_philox_stream, static_cast<std::uint32_t>(step),
                                       static_cast<std::uint64_t>(position * pixels + pixel));
  constexpr double two_pi = 2.0 * std::numbers::pi;
  const double radius = sqrt(-2.0 * log(static_cast<double>(1.0f - uniform_from_word(words.v[0]))));  // log of (0, 1]
  const double standard_normal = radius * cos(two_pi * uniform_from_word(words.v[1]));
  return rounded_product(augmentation.noise_stddev, static_cast<float>(standard_normal));
}

// Pixel `pixel` of the sample at `position` in training step `step`'s batch, as the model sees
// it; the sample's transform is sample_transform(augmentation, step, position). Noise is not
// clipped to [0, 1], as Keras' GaussianNoise does not clip: clipping would make it brighten dark
// pixels only, and most pixels are dark.
GPUFM_HOST_DEVICE inline float augmented_pixel(const Augmentation& augmentation, std::uint64_t step, const SampleTransform& transform,
                                               const std::uint8_t* image, std::int64_t rows, std::int64_t cols,
                                               std::int64_t position, std::int64_t pixel) {
  const float value = transformed_pixel(image, rows, cols, transform, pixel % cols, pixel / cols);
  return augmentation.noise_stddev > 0 ? value + pixel_noise(augmentation, step, position, rows * cols, pixel) : value;
}

}  // namespace gpufm
