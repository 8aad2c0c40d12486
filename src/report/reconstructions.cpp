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
          report::draw_image(cr, inputs[i], x, y0, scale);
          report::draw_image(cr, outputs[i], x, y0 + tile_height + gap, scale);
          char error[32];
          std::snprintf(error, sizeof error, "%.4f", errors[i]);
          report::set_color(cr, ink);
          report::draw_text(cr, error, x + tile_width / 2, y0 + 2 * (tile_height + gap) + 1, 9, 0.5, 0);
        }
      },
      width, height);
}

}  // namespace gpufm
