// 8-bit pictures of samples (inputs, reconstructions, generated images), as the report and the
// TensorBoard logs show them (png.hpp encodes them).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace gpufm {

struct Image {
  std::int64_t width = 0, height = 0;
  std::int64_t channels = 0;         // 1 gray, 3 RGB
  std::vector<std::uint8_t> pixels;  // row-major, channels interleaved: height * width * channels
};

// Whether the image has a positive size, 1 or 3 channels, and exactly height * width * channels
// pixel values.
bool is_well_formed(const Image& image);

// A sample whose values lie in [0, 1] (one NHWC sample of a model's input or output: height x
// width x channels floats) as 8-bit pixels: clamped to [0, 1], scaled to 255 and rounded; NaN
// becomes 0. Throws std::invalid_argument when the number of values does not match the size.
Image image_from_unit_floats(std::span<const float> values, std::int64_t height, std::int64_t width,
                             std::int64_t channels);

// Equal-size tiles laid out left to right, then top to bottom, `columns` to a row (fewer when
// there are fewer tiles), with `gap` pixels of `background` between them; the last row's empty
// places are background too. Throws std::invalid_argument for no tiles, tiles of different sizes
// or channels, columns < 1 or gap < 0.
Image image_grid(std::span<const Image> tiles, std::int64_t columns, std::int64_t gap, std::uint8_t background);

}  // namespace gpufm
