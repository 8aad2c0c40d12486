#include "gpufm/progbar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gpufm {

namespace {

constexpr std::int64_t bar_width = 30;

}  // namespace

std::string progbar_counter(std::int64_t step, std::int64_t steps) {
  const std::string total = std::to_string(steps);
  const std::string done = std::to_string(step);
  return std::string(total.size() - std::min(total.size(), done.size()), ' ') + done + "/" + total;
}

std::string progbar_bar(std::int64_t step, std::int64_t steps) {
  const std::int64_t filled = std::clamp<std::int64_t>(bar_width * step / std::max<std::int64_t>(steps, 1), 0, bar_width);
  std::string bar = "[";
  if (filled > 0) bar.append(static_cast<std::size_t>(filled - 1), '=').push_back(step < steps ? '>' : '=');
  bar.append(static_cast<std::size_t>(bar_width - filled), '.');
  return bar + "]";
}

std::string progbar_eta(double seconds) {
  const auto whole = static_cast<long long>(std::max(seconds, 0.0));
  char text[48];
  if (seconds > 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", whole / 3600, whole % 3600 / 60, whole % 60);
  } else if (seconds > 60) {
    std::snprintf(text, sizeof text, "%lld:%02lld", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%llds", whole);
  }
  return text;
}

std::string progbar_time_per(double seconds, std::string_view unit) {
  char text[48];
  if (seconds >= 1 || seconds == 0) {
    std::snprintf(text, sizeof text, "%.0fs/", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(text, sizeof text, "%.0fms/", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0fus/", seconds * 1e6);
  }
  return text + std::string(unit);
}

std::string progbar_metric(std::string_view name, double value) {
  char text[48];
  std::snprintf(text, sizeof text, std::abs(value) > 1e-3 ? "%.4f" : "%.4e", value);
  return " - " + std::string(name) + ": " + text;
}

}  // namespace gpufm
