#include "support/png_pixels.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gpufm::test {

namespace {

struct PngReader {
  std::span<const std::byte> bytes;
  std::size_t offset = 0;
};

cairo_status_t read_png_bytes(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<PngReader*>(closure);
  if (reader->offset + length > reader->bytes.size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, reader->bytes.data() + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

PngPixels decode_png(std::span<const std::byte> png) {
  PngReader reader{png};
  cairo_surface_t* surface = cairo_image_surface_create_from_png_stream(read_png_bytes, &reader);
  PngPixels decoded;
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    ADD_FAILURE() << "not a PNG: " << cairo_status_to_string(cairo_surface_status(surface));
  } else {
    cairo_surface_flush(surface);
    decoded.width = cairo_image_surface_get_width(surface);
    decoded.height = cairo_image_surface_get_height(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < decoded.height; ++y) {
      const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
      for (int x = 0; x < decoded.width; ++x) decoded.pixels.push_back(row[x] & 0xffffffu);
    }
  }
  cairo_surface_destroy(surface);
  return decoded;
}

bool is_color(std::uint32_t pixel, const Rgb& color) {
  const double channels[] = {color.r, color.g, color.b};
  for (int c = 0; c < 3; ++c) {
    const auto byte = static_cast<int>(pixel >> (16 - 8 * c) & 0xffu);
    if (std::abs(byte - channels[c] * 255) > 1) return false;
  }
  return true;
}

std::size_t pixels_of(const PngPixels& png, const Rgb& color) {
  return static_cast<std::size_t>(std::count_if(png.pixels.begin(), png.pixels.end(), [&](std::uint32_t p) { return is_color(p, color); }));
}

}  // namespace gpufm::test
