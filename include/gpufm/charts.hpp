// The charts runs and studies draw of themselves: line charts (learning curves, a study's members
// overlaid), heat maps (confusion matrices) and an autoencoder's reconstructions. Each is drawn
// once with cairo and rendered both as SVG, for the HTML report and for editing, and as PNG, for
// anything that shows pictures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gpufm/image.hpp"

namespace gpufm {

struct Rgb {
  double r = 0, g = 0, b = 0;  // each in [0, 1]
};

// matplotlib's first colours, which Keras users' curves come in: training, validation, ...
Rgb series_color(std::size_t index);

struct LineSeries {
  std::string label;
  std::vector<double> x, y;  // a NaN or infinite y leaves a gap
  Rgb color;
  bool dashed = false;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<LineSeries> series;
  std::optional<double> marked_x;  // a dashed vertical line, as at the best epoch
  std::string marked_label;
};

struct HeatMap {
  std::string title, row_title, column_title;
  std::vector<std::string> rows, columns;
  std::vector<std::int64_t> counts;  // rows x columns; each cell is shaded by its share of its row
};

struct Picture {
  std::string svg;
  std::vector<std::byte> png;
};

// Inputs above their reconstructions, a column each, each pair's error under it.
Picture draw_reconstructions(std::span<const Image> inputs, std::span<const Image> outputs, std::span<const double> errors,
                             const std::string& title);

// Charts side by side, in one picture.
Picture draw_line_charts(std::span<const LineChart> charts);
Picture draw_heat_map(const HeatMap& map);

// `stem`.svg and `stem`.png, each written atomically.
void write_picture(const std::filesystem::path& stem, const Picture& picture);

}  // namespace gpufm
