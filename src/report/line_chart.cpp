// Line charts: axes with round ticks and a light grid, one line per series (gaps where a value is
// not finite, a dot where a point stands alone), a legend where it hides least of them, and a
// dashed marker line.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "gpufm/charts.hpp"
#include "report/axis.hpp"
#include "report/canvas.hpp"
#include "report/legend_place.hpp"

namespace gpufm {

namespace {

constexpr double chart_width = 420, chart_height = 300;
constexpr double left = 62, right = 16, top = 34, bottom = 46;  // margins around the plot area
constexpr Rgb ink{0.15, 0.15, 0.15}, grid_ink{0.88, 0.88, 0.88}, marker_ink{0.45, 0.45, 0.45};

struct PlotArea {
  double x0, y0, x1, y1;  // x0 < x1 left to right; y0 > y1 bottom to top
};

void draw_axes(cairo_t* cr, const LineChart& chart, const report::Axis& x, const report::Axis& y, const PlotArea& area) {
  cairo_set_line_width(cr, 0.6);
  for (const double tick : y.ticks) {
    const double py = y.place(tick, area.y0, area.y1);
    report::set_color(cr, grid_ink);
    cairo_move_to(cr, area.x0, py);
    cairo_line_to(cr, area.x1, py);
    cairo_stroke(cr);
    report::set_color(cr, ink);
    report::draw_text(cr, report::tick_label(tick, y.ticks.size() > 1 ? y.ticks[1] - y.ticks[0] : 1), area.x0 - 6, py, 9, 1, 0.5);
  }
  for (const double tick : x.ticks) {
    const double px = x.place(tick, area.x0, area.x1);
    report::set_color(cr, ink);
    report::draw_text(cr, report::tick_label(tick, x.ticks.size() > 1 ? x.ticks[1] - x.ticks[0] : 1), px, area.y0 + 5, 9, 0.5, 0);
  }
  report::set_color(cr, ink);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, area.x0, area.y1, area.x1 - area.x0, area.y0 - area.y1);
  cairo_stroke(cr);
  report::draw_text(cr, chart.title, (area.x0 + area.x1) / 2, 10, 12, 0.5, 0);
  report::draw_text(cr, chart.x_label, (area.x0 + area.x1) / 2, area.y0 + 22, 10, 0.5, 0);
  report::draw_text(cr, chart.y_label, 16, (area.y0 + area.y1) / 2, 10, 0.5, 0.5, -M_PI / 2);
}

// A series' points in drawing coordinates; where a point is missing or not finite, nullopt (a gap).
std::vector<std::optional<report::Point>> placed_points(const LineSeries& series, const report::Axis& x, const report::Axis& y,
                                                        const PlotArea& area) {
  std::vector<std::optional<report::Point>> points(std::min(series.x.size(), series.y.size()));
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (std::isfinite(series.x[i]) && std::isfinite(series.y[i])) {
      points[i] = report::Point{x.place(series.x[i], area.x0, area.x1), y.place(series.y[i], area.y0, area.y1)};
    }
  }
  return points;
}

void draw_series(cairo_t* cr, const LineSeries& series, const report::Axis& x, const report::Axis& y, const PlotArea& area) {
  report::set_color(cr, series.color);
  cairo_set_line_width(cr, 1.6);
  const double dash[] = {5, 3};
  cairo_set_dash(cr, dash, series.dashed ? 2 : 0, 0);
  const std::vector<std::optional<report::Point>> points = placed_points(series, x, y, area);
  const auto drawn = [&](std::size_t i) { return i < points.size() && points[i].has_value(); };
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!drawn(i)) continue;
    const auto [px, py] = *points[i];
    const bool starts_run = i == 0 || !drawn(i - 1);
    if (starts_run && !drawn(i + 1)) {
      cairo_arc(cr, px, py, 2, 0, 2 * M_PI);  // alone between gaps: a dot
      cairo_fill(cr);
      continue;
    }
    if (starts_run) cairo_move_to(cr, px, py);
    else cairo_line_to(cr, px, py);
    if (!drawn(i + 1)) cairo_stroke(cr);
  }
  cairo_set_dash(cr, nullptr, 0, 0);
}

// Points along every line, a few to a segment, in drawing coordinates: what a legend should not hide.
std::vector<report::Point> points_on_lines(const LineChart& chart, const report::Axis& x, const report::Axis& y, const PlotArea& area) {
  constexpr int steps = 8;
  std::vector<report::Point> along;
  for (const LineSeries& series : chart.series) {
    const std::vector<std::optional<report::Point>> points = placed_points(series, x, y, area);
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!points[i]) continue;
      along.push_back(*points[i]);
      if (i + 1 == points.size() || !points[i + 1]) continue;
      const report::Point from = *points[i], to = *points[i + 1];
      for (int k = 1; k < steps; ++k) {
        const double t = static_cast<double>(k) / steps;
        along.push_back({from.x + t * (to.x - from.x), from.y + t * (to.y - from.y)});
      }
    }
  }
  return along;
}

void draw_legend(cairo_t* cr, const LineChart& chart, const report::Axis& x, const report::Axis& y, const PlotArea& area) {
  const auto labelled = std::count_if(chart.series.begin(), chart.series.end(), [](const LineSeries& s) { return !s.label.empty(); });
  if (labelled == 0) return;
  const report::Box box = report::legend_box(points_on_lines(chart, x, y, area), {area.x0, area.y1, area.x1 - area.x0, area.y0 - area.y1},
                                             120, 13.0 * static_cast<double>(labelled) + 6);
  // On a light box, so that a line passing under it does not cross the labels.
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_fill(cr);
  double row_y = box.y + 4;
  for (const LineSeries& series : chart.series) {
    if (series.label.empty()) continue;
    report::set_color(cr, series.color);
    cairo_set_line_width(cr, 1.6);
    const double dash[] = {5, 3};
    cairo_set_dash(cr, dash, series.dashed ? 2 : 0, 0);
    cairo_move_to(cr, box.x + 6, row_y + 5);
    cairo_line_to(cr, box.x + 24, row_y + 5);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    report::set_color(cr, ink);
    report::draw_text(cr, series.label, box.x + 28, row_y, 9, 0, 0);
    row_y += 13;
  }
}

void draw_chart(cairo_t* cr, const LineChart& chart) {
  std::vector<double> xs, ys;
  for (const LineSeries& series : chart.series) {
    xs.insert(xs.end(), series.x.begin(), series.x.end());
    ys.insert(ys.end(), series.y.begin(), series.y.end());
  }
  const auto [low, high] = std::minmax_element(xs.begin(), xs.end());
  const report::Axis x = xs.empty() ? report::integer_axis(0, 1) : report::integer_axis(*low, *high);
  const report::Axis y = report::nice_axis(ys);
  const PlotArea area{left, chart_height - bottom, chart_width - right, top};
  draw_axes(cr, chart, x, y, area);
  cairo_save(cr);
  cairo_rectangle(cr, area.x0, area.y1, area.x1 - area.x0, area.y0 - area.y1);
  cairo_clip(cr);
  if (chart.marked_x) {
    const double px = x.place(*chart.marked_x, area.x0, area.x1);
    report::set_color(cr, marker_ink);
    cairo_set_line_width(cr, 1);
    const double dash[] = {3, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, px, area.y0);
    cairo_line_to(cr, px, area.y1);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    // Beside the line, on the side with room: a best epoch is often the last.
    const bool on_left = px > (area.x0 + area.x1) / 2;
    report::draw_text(cr, chart.marked_label, on_left ? px - 4 : px + 4, area.y0 - 14, 9, on_left ? 1 : 0, 0);
  }
  for (const LineSeries& series : chart.series) draw_series(cr, series, x, y, area);
  cairo_restore(cr);
  draw_legend(cr, chart, x, y, area);
}

}  // namespace

Picture draw_line_charts(std::span<const LineChart> charts) {
  const double width = chart_width * static_cast<double>(std::max<std::size_t>(charts.size(), 1));
  return report::render(
      [&](cairo_t* cr) {
        for (const LineChart& chart : charts) {
          draw_chart(cr, chart);
          cairo_translate(cr, chart_width, 0);
        }
      },
      width, chart_height);
}

}  // namespace gpufm
