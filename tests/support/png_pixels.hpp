// A PNG decoded to 0xRRGGBB pixels (with cairo), and colour checks on it, for tests of pictures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gpufm/charts.hpp"

namespace gpufm::test {

struct PngPixels {
  int width = 0, height = 0;
  std::vector<std::uint32_t> pixels;  // row-major, 0xRRGGBB
  std::uint32_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y * width + x)]; }
};

// Fails the test (and returns no pixels) when the bytes are not a PNG.
PngPixels decode_png(std::span<const std::byte> png);

// Whether a pixel is this colour, within the one step of rounding 16-bit channels take.
bool is_color(std::uint32_t pixel, const Rgb& color);
// How many pixels are this colour.
std::size_t pixels_of(const PngPixels& png, const Rgb& color);

}  // namespace gpufm::test
