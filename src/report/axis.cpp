#include "report/axis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gpufm::report {

namespace {

// A tick spacing: multiple times ten to the exponent.
struct Step {
  double multiple = 1;
  int exponent = 0;

  double value() const { return multiple * std::pow(10.0, exponent); }
  // Tick k of the axis. Dividing by an exact power of ten gives the double nearest the decimal
  // (0.3, not the 0.30000000000000004 of 3 * 0.1).
  double tick(long k) const {
    const double whole = static_cast<double>(k) * multiple;
    return exponent >= 0 ? whole * std::pow(10.0, exponent) : whole / std::pow(10.0, -exponent);
  }
};

// The round step (1, 2 or 5 times a power of ten) nearest above range / count.
Step nice_step(double range, int count) {
  const double rough = range / count;
  const int exponent = static_cast<int>(std::floor(std::log10(rough)));
  for (const double multiple : {1.0, 2.0, 5.0}) {
    if (Step{multiple, exponent}.value() >= rough) return Step{multiple, exponent};
  }
  return Step{1, exponent + 1};
}

Axis ticked(double low, double high, Step step) {
  const auto first = static_cast<long>(std::floor(low / step.value())), last = static_cast<long>(std::ceil(high / step.value()));
  Axis axis{step.tick(first), step.tick(last), {}};
  for (long k = first; k <= last; ++k) axis.ticks.push_back(step.tick(k));
  return axis;
}

}  // namespace

Axis nice_axis(std::span<const double> values, int count) {
  double low = INFINITY, high = -INFINITY;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  if (low > high) return ticked(0, 1, Step{2, -1});
  if (low == high) {
    const double room = low == 0 ? 1 : std::fabs(low) * 0.1;
    low -= room;
    high += room;
  }
  return ticked(low, high, nice_step(high - low, count));
}

Axis integer_axis(double low, double high, int count) {
  if (high <= low) high = low + 1;
  const Step step = nice_step(high - low, count);
  return ticked(low, high, step.exponent < 0 ? Step{1, 0} : step);
}

std::string tick_label(double value, double spacing) {
  if (std::fabs(value) < spacing * 1e-9) value = 0;  // no "-0" or "1e-17" at the origin
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(spacing) + 1e-9)));
  char text[32];
  if (decimals > 4 || std::fabs(value) >= 1e6) {
    std::snprintf(text, sizeof text, "%.3g", value);
  } else {
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  return text;
}

}  // namespace gpufm::report
