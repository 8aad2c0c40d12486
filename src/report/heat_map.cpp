// Heat maps: a grid of counts, each cell shaded by its share of its row (for a confusion matrix,
// the fraction of a true class given each prediction), row labels on the left, column labels
// turned under the grid.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "gpufm/charts.hpp"
#include "report/canvas.hpp"

namespace gpufm {

namespace {

constexpr double cell = 34, row_label_width = 96, column_label_height = 84, title_height = 30, margin = 12;
constexpr Rgb ink{0.15, 0.15, 0.15}, low_shade{0.97, 0.98, 1.0}, high_shade{0.03, 0.19, 0.42};  // matplotlib's "Blues"

Rgb shade(double share) {
  return {low_shade.r + share * (high_shade.r - low_shade.r), low_shade.g + share * (high_shade.g - low_shade.g),
          low_shade.b + share * (high_shade.b - low_shade.b)};
}

}  // namespace

Picture draw_heat_map(const HeatMap& map) {
  const std::size_t rows = map.rows.size(), columns = map.columns.size();
  if (map.counts.size() != rows * columns) throw std::logic_error("heat map: counts do not fill rows x columns");
  const double x0 = margin + row_label_width + 16, y0 = title_height;
  const double width = x0 + cell * static_cast<double>(columns) + margin;
  const double height = y0 + cell * static_cast<double>(rows) + column_label_height + 16;
  return report::render(
      [&](cairo_t* cr) {
        report::set_color(cr, ink);
        report::draw_text(cr, map.title, width / 2, 9, 12, 0.5, 0);
        for (std::size_t r = 0; r < rows; ++r) {
          const auto row = std::span(map.counts).subspan(r * columns, columns);
          const double total = static_cast<double>(std::accumulate(row.begin(), row.end(), std::int64_t{0}));
          const double y = y0 + cell * static_cast<double>(r);
          for (std::size_t c = 0; c < columns; ++c) {
            const double share = total > 0 ? static_cast<double>(row[c]) / total : 0;
            const double x = x0 + cell * static_cast<double>(c);
            report::set_color(cr, shade(share));
            cairo_rectangle(cr, x, y, cell, cell);
            cairo_fill(cr);
            report::set_color(cr, share > 0.5 ? Rgb{1, 1, 1} : ink);
            report::draw_text(cr, std::to_string(row[c]), x + cell / 2, y + cell / 2, 9, 0.5, 0.5);
          }
          report::set_color(cr, ink);
          report::draw_text(cr, map.rows[r], x0 - 6, y + cell / 2, 10, 1, 0.5);
        }
        const double grid_bottom = y0 + cell * static_cast<double>(rows);
        for (std::size_t c = 0; c < columns; ++c) {
          report::draw_text(cr, map.columns[c], x0 + cell * (static_cast<double>(c) + 0.5), grid_bottom + 6, 10, 1, 0.5, -M_PI / 3);
        }
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, x0, y0, cell * static_cast<double>(columns), cell * static_cast<double>(rows));
        cairo_stroke(cr);
        report::draw_text(cr, map.row_title, margin, y0 + cell * static_cast<double>(rows) / 2, 10, 0.5, 1, -M_PI / 2);
        report::draw_text(cr, map.column_title, x0 + cell * static_cast<double>(columns) / 2, height - 6, 10, 0.5, 1);
      },
      width, height);
}

}  // namespace gpufm
