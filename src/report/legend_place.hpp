// Where a chart's legend goes: in the corner of the plot where it hides the least of the lines
// (accuracy curves rise into the top right corner that suits falling loss curves).
#pragma once

#include <span>

namespace gpufm::report {

struct Point {
  double x, y;
};

// A rectangle in drawing coordinates (y grows downwards).
struct Box {
  double x, y, width, height;
  bool holds(Point p) const { return p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height; }
};

// A legend box of `width` x `height`, 4 units inside one of the plot's corners: of top right,
// bottom right, top left and bottom left, the first that covers the fewest of `points`.
Box legend_box(std::span<const Point> points, const Box& plot, double width, double height);

}  // namespace gpufm::report
