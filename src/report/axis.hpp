// A chart axis: the range its data spans, widened to round numbers, and the ticks on it.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace gpufm::report {

struct Axis {
  double low = 0, high = 1;
  std::vector<double> ticks;

  // Where value falls between `from` (at low) and `to` (at high), in drawing coordinates.
  double place(double value, double from, double to) const { return from + (value - low) / (high - low) * (to - from); }
};

// About `count` ticks at 1, 2 or 5 times a power of ten, covering every finite value (0 to 1
// when there is none; a single value gets a little room around it).
Axis nice_axis(std::span<const double> values, int count = 5);
// Whole numbers only, for epochs.
Axis integer_axis(double low, double high, int count = 6);

// A tick's label: as short as the tick spacing allows ("0.25", "1e-05", "40").
std::string tick_label(double value, double spacing);

}  // namespace gpufm::report
