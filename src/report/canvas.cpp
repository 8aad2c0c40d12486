#include "report/canvas.hpp"

#include <cairo-svg.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace gpufm::report {

namespace {

struct SurfaceRelease {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextRelease {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceRelease>;
using Context = std::unique_ptr<cairo_t, ContextRelease>;

// cairo's stream callbacks, appending to a byte string.
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string(what) + ": " + cairo_status_to_string(status));
}

void paint(cairo_surface_t* surface, const Drawing& draw, double scale) {
  const Context cr(cairo_create(surface));
  cairo_scale(cr.get(), scale, scale);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  draw(cr.get());
  check(cairo_status(cr.get()), "drawing a chart");
}

// An 8-bit image as a cairo surface (gray repeated into RGB).
Surface surface_of(const Image& image) {
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(image.width), static_cast<int>(image.height)));
  cairo_surface_flush(surface.get());
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (std::int64_t y = 0; y < image.height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + y * stride);
    for (std::int64_t x = 0; x < image.width; ++x) {
      const std::uint8_t* p = &image.pixels[static_cast<std::size_t>((y * image.width + x) * image.channels)];
      const std::uint32_t r = p[0], g = image.channels == 3 ? p[1] : p[0], b = image.channels == 3 ? p[2] : p[0];
      row[x] = r << 16 | g << 8 | b;
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

}  // namespace

Picture render(const Drawing& draw, double width, double height, double png_scale) {
  Picture picture;
  {
    const Surface svg(cairo_svg_surface_create_for_stream(append_bytes, &picture.svg, width, height));
    paint(svg.get(), draw, 1.0);
    cairo_surface_finish(svg.get());
    check(cairo_surface_status(svg.get()), "writing SVG");
  }
  const int pixels_wide = static_cast<int>(width * png_scale), pixels_high = static_cast<int>(height * png_scale);
  const Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixels_wide, pixels_high));
  paint(image.get(), draw, png_scale);
  std::string png;
  check(cairo_surface_write_to_png_stream(image.get(), append_bytes, &png), "encoding PNG");
  picture.png.resize(png.size());
  std::memcpy(picture.png.data(), png.data(), png.size());
  return picture;
}

void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, double x_align, double y_align, double angle) {
  cairo_save(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  cairo_font_extents_t font;
  cairo_font_extents(cr, &font);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  // Aligned by the advance and the font's ascent, so that labels of one row share a baseline.
  cairo_move_to(cr, -x_align * extents.x_advance, font.ascent - y_align * (font.ascent + font.descent));
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

void set_color(cairo_t* cr, const Rgb& color) { cairo_set_source_rgb(cr, color.r, color.g, color.b); }

void draw_image(cairo_t* cr, const Image& image, double x, double y, double scale) {
  const Surface surface = surface_of(image);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, surface.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
}

}  // namespace gpufm::report
