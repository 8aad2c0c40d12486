#include "report/legend_place.hpp"

#include <algorithm>
#include <array>

namespace gpufm::report {

Box legend_box(std::span<const Point> points, const Box& plot, double width, double height) {
  constexpr double inset = 4;
  const double left = plot.x + inset, right = plot.x + plot.width - inset - width;
  const double top = plot.y + inset, bottom = plot.y + plot.height - inset - height;
  const std::array<Box, 4> corners = {Box{right, top, width, height}, Box{right, bottom, width, height}, Box{left, top, width, height},
                                      Box{left, bottom, width, height}};
  const auto covered = [&](const Box& box) { return std::count_if(points.begin(), points.end(), [&](Point p) { return box.holds(p); }); };
  // min_element keeps the first of equals: the order above is the order of preference.
  return *std::min_element(corners.begin(), corners.end(), [&](const Box& a, const Box& b) { return covered(a) < covered(b); });
}

}  // namespace gpufm::report
