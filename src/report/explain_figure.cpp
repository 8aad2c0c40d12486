// An explanation's picture: a row per misclassified test image, captioned with its classes, then
// its local examples and its counterexamples, two groups under their headings with a rule between
// them, each neighbour's distance under it; pixels enlarged without smoothing.
#include <cairo.h>

#include <algorithm>
#include <cstdio>

#include "gpufm/explain.hpp"
#include "report/canvas.hpp"

namespace gpufm {

namespace {

constexpr double scale = 2, gap = 6, least_column = 44, least_group_width = 260, group_gap = 16;
constexpr double margin = 10, title_height = 24, heading_height = 16, caption_height = 14, distance_height = 12, row_gap = 8;
constexpr Rgb ink{0.15, 0.15, 0.15}, rule_ink{0.7, 0.7, 0.7};
// matplotlib's green and red: the true class's side, the predicted class's side.
constexpr Rgb local_ink{0.17, 0.63, 0.17}, counter_ink{0.84, 0.15, 0.16};

std::string caption(const Explanation& explanation, const ExplainedImage& image) {
  char confidence[32];
  std::snprintf(confidence, sizeof confidence, "%.3f", image.confidence);
  return "test image " + std::to_string(image.id) + ": true " + explanation.class_name(image.true_class) + " / predicted " +
         explanation.class_name(image.predicted_class) + " (" + confidence + ")";
}

}  // namespace

Picture draw_explanation(const Explanation& explanation) {
  const std::string title = "Misclassified test images and their nearest training images (" + std::to_string(explanation.k) +
                            " of each class, layer " + explanation.layer + ")";
  if (explanation.images.empty()) {
    const double width = 520, height = title_height + caption_height + margin;
    return report::render(
        [&](cairo_t* cr) {
          report::set_color(cr, ink);
          report::draw_text(cr, title, width / 2, 6, 12, 0.5, 0);
          report::draw_text(cr, "No test image is misclassified.", margin, title_height, 10, 0, 0);
        },
        width, height);
  }
  const Image& first = explanation.images.front().image;
  const double tile_width = static_cast<double>(first.width) * scale, tile_height = static_cast<double>(first.height) * scale;
  const double column = std::max(tile_width, least_column) + gap;
  const double group_width = std::max(static_cast<double>(explanation.k) * column, least_group_width);
  const double local_x = margin + column + group_gap, counter_x = local_x + group_width + group_gap;
  const double width = counter_x + group_width + margin;
  const double row_height = caption_height + tile_height + distance_height + row_gap, rows_y = title_height + heading_height;
  const double height = rows_y + row_height * static_cast<double>(explanation.images.size()) + margin;
  // A group of neighbours from x, each centred in its column with its distance under it.
  const auto draw_group = [&](cairo_t* cr, const std::vector<Neighbour>& neighbours, double x, double y) {
    for (std::size_t j = 0; j < neighbours.size(); ++j) {
      const double tile_x = x + column * static_cast<double>(j) + (column - gap - tile_width) / 2;
      report::draw_image(cr, neighbours[j].image, tile_x, y, scale);
      char distance[32];
      std::snprintf(distance, sizeof distance, "%.4g", neighbours[j].distance);
      report::set_color(cr, ink);
      report::draw_text(cr, distance, tile_x + tile_width / 2, y + tile_height + 1, 9, 0.5, 0);
    }
  };
  return report::render(
      [&](cairo_t* cr) {
        report::set_color(cr, ink);
        report::draw_text(cr, title, width / 2, 6, 12, 0.5, 0);
        report::draw_text(cr, "test image", margin, title_height, 10, 0, 0);
        report::set_color(cr, local_ink);
        report::draw_text(cr, "local examples: nearest of the true class", local_x, title_height, 10, 0, 0);
        report::set_color(cr, counter_ink);
        report::draw_text(cr, "counterexamples: nearest of the predicted class", counter_x, title_height, 10, 0, 0);
        for (std::size_t i = 0; i < explanation.images.size(); ++i) {
          const ExplainedImage& image = explanation.images[i];
          const double y = rows_y + row_height * static_cast<double>(i);
          report::set_color(cr, ink);
          report::draw_text(cr, caption(explanation, image), margin, y, 9, 0, 0);
          const double tiles_y = y + caption_height;
          report::draw_image(cr, image.image, margin + (column - gap - tile_width) / 2, tiles_y, scale);
          draw_group(cr, image.local_examples, local_x, tiles_y);
          draw_group(cr, image.counterexamples, counter_x, tiles_y);
          report::set_color(cr, rule_ink);
          cairo_set_line_width(cr, 1);
          for (const double rule_x : {local_x - group_gap / 2, counter_x - group_gap / 2}) {
            cairo_move_to(cr, rule_x, tiles_y);
            cairo_line_to(cr, rule_x, tiles_y + tile_height + distance_height);
          }
          cairo_stroke(cr);
        }
      },
      width, height);
}

}  // namespace gpufm
