// Reconstructions: each input above what the model made of it, the per-image error under each
// pair, pixels enlarged without smoothing.
#include <cairo.h>

#include <cstdio>
#include <stdexcept>

#include "gpufm/charts.hpp"
#include "report/canvas.hpp"

namespace gpufm {

namespace {

constexpr double scale = 2, gap = 6, label_height = 14, title_height = 24, margin = 10, row_label_width = 92;
constexpr Rgb ink{0.15, 0.15, 0.15};

// An 8-bit image as a cairo surface (gray repeated into RGB).
cairo_surface_t* surface_of(const Image& image) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(image.width), static_cast<int>(image.height));
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (std::int64_t y = 0; y < image.height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + y * stride);
    for (std::int64_t x = 0; x < image.width; ++x) {
      const std::uint8_t* p = &image.pixels[static_cast<std::size_t>((y * image.width + x) * image.channels)];
      const std::uint32_t r = p[0], g = image.channels == 3 ? p[1] : p[0], b = image.channels == 3 ? p[2] : p[0];
      row[x] = r << 16 | g << 8 | b;
    }
  }
  cairo_surface_mark_dirty(surface);
  return surface;
}

void draw_image(cairo_t* cr, const Image& image, double x, double y) {
  cairo_surface_t* surface = surface_of(image);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, surface, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(surface);
}

}  // namespace

Picture draw_reconstructions(std::span<const Image> inputs, std::span<const Image> outputs, std::span<const double> errors,
                             const std::string& title) {
  if (inputs.empty() || inputs.size() != outputs.size() || inputs.size() != errors.size()) {
    throw std::logic_error("reconstructions: as many inputs, outputs and errors, at least one");
  }
  const double tile_width = static_cast<double>(inputs[0].width) * scale, tile_height = static_cast<double>(inputs[0].height) * scale;
  const double column = std::max(tile_width, 44.0) + gap;
  const double x0 = margin + row_label_width, y0 = title_height;
  const double width = x0 + column * static_cast<double>(inputs.size()) + margin;
  const double height = y0 + 2 * (tile_height + gap) + label_height + margin;
  return report::render(
      [&](cairo_t* cr) {
        report::set_color(cr, ink);
        report::draw_text(cr, title, width / 2, 6, 12, 0.5, 0);
        report::draw_text(cr, "input", x0 - 8, y0 + tile_height / 2, 10, 1, 0.5);
        report::draw_text(cr, "reconstruction", x0 - 8, y0 + tile_height + gap + tile_height / 2, 10, 1, 0.5);
        report::draw_text(cr, "error (mse)", x0 - 8, y0 + 2 * (tile_height + gap) + 1, 9, 1, 0);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          const double x = x0 + column * static_cast<double>(i) + (column - gap - tile_width) / 2;
          draw_image(cr, inputs[i], x, y0);
          draw_image(cr, outputs[i], x, y0 + tile_height + gap);
          char error[32];
          std::snprintf(error, sizeof error, "%.4f", errors[i]);
          report::set_color(cr, ink);
          report::draw_text(cr, error, x + tile_width / 2, y0 + 2 * (tile_height + gap) + 1, 9, 0.5, 0);
        }
      },
      width, height);
}

}  // namespace gpufm
