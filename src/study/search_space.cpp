#include "gpufm/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "gpufm/error.hpp"
#include "gpufm/philox.hpp"

namespace gpufm {

namespace {

constexpr std::uint32_t sample_philox_stream = 0x53414D50u;  // "SAMP"

constexpr const char* sample_forms = "KEY=log:LOW:HIGH, KEY=uniform:LOW:HIGH, KEY=int:LOW:HIGH or KEY=choice:A,B,...";

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t end = text.find(separator, begin);
    parts.emplace_back(text.substr(begin, end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

bool any_empty(const std::vector<std::string>& parts) {
  return std::any_of(parts.begin(), parts.end(), [](const std::string& part) { return part.empty(); });
}

// KEY=REST, both sides non-empty; `flag` and `expected` word the error.
std::pair<std::string, std::string_view> split_key(std::string_view text, const std::string& flag, const std::string& expected) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size()) {
    throw InputError(flag + " " + std::string(text) + ": expected " + expected);
  }
  return {std::string(text.substr(0, equals)), text.substr(equals + 1)};
}

double number(const std::string& text, std::string_view whole) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value)) {
    throw InputError("--sample " + std::string(whole) + ": '" + text + "' is not a number");
  }
  return value;
}

std::string real_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

GridAxis parse_grid_axis(std::string_view text) {
  const std::string expected = "KEY=V1,V2,... (as: --grid lr=0.1,0.01)";
  const auto [key, values] = split_key(text, "--grid", expected);
  GridAxis axis{key, split(values, ',')};
  if (any_empty(axis.values)) throw InputError("--grid " + std::string(text) + ": an empty value; expected " + expected);
  return axis;
}

SampledSetting parse_sampled_setting(std::string_view text) {
  const auto [key, spec] = split_key(text, "--sample", sample_forms);
  const std::vector<std::string> parts = split(spec, ':');
  const std::string& form = parts.front();
  const std::string whole(text);
  SampledSetting setting{key, Distribution::choice, 0, 0, {}};
  if (form == "choice" && parts.size() == 2) {
    setting.choices = split(parts[1], ',');
    if (any_empty(setting.choices)) throw InputError("--sample " + whole + ": an empty choice; expected KEY=choice:A,B,...");
    return setting;
  }
  if ((form != "log" && form != "uniform" && form != "int") || parts.size() != 3) {
    throw InputError("--sample " + whole + ": expected " + sample_forms);
  }
  setting.low = number(parts[1], text);
  setting.high = number(parts[2], text);
  if (form == "log") {
    setting.distribution = Distribution::log_uniform;
    if (!(0 < setting.low && setting.low < setting.high)) throw InputError("--sample " + whole + ": log needs 0 < LOW < HIGH");
  } else if (form == "uniform") {
    setting.distribution = Distribution::uniform;
    if (!(setting.low < setting.high)) throw InputError("--sample " + whole + ": uniform needs LOW < HIGH");
  } else {
    setting.distribution = Distribution::integer;
    if (setting.low != std::floor(setting.low) || setting.high != std::floor(setting.high) || setting.low > setting.high) {
      throw InputError("--sample " + whole + ": int needs whole numbers LOW <= HIGH");
    }
  }
  return setting;
}

std::vector<std::string> bounding_values(const SampledSetting& setting) {
  if (setting.distribution == Distribution::choice) return setting.choices;
  if (setting.distribution == Distribution::integer) {
    return {std::to_string(static_cast<long long>(setting.low)), std::to_string(static_cast<long long>(setting.high))};
  }
  return {real_text(setting.low), real_text(setting.high)};
}

std::vector<dsl::Override> sample_trial(const std::vector<SampledSetting>& settings, std::uint64_t seed, std::int64_t trial) {
  std::vector<dsl::Override> values;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const SampledSetting& s = settings[i];
    const double u = uniform_from_word(philox_word(seed, sample_philox_stream, static_cast<std::uint32_t>(trial), i));
    std::string value;
    switch (s.distribution) {
      case Distribution::log_uniform: value = real_text(std::exp(std::log(s.low) + u * (std::log(s.high) - std::log(s.low)))); break;
      case Distribution::uniform: value = real_text(s.low + u * (s.high - s.low)); break;
      case Distribution::integer:
        value = std::to_string(static_cast<long long>(std::min(s.high, s.low + std::floor(u * (s.high - s.low + 1)))));
        break;
      case Distribution::choice:
        value = s.choices[std::min(s.choices.size() - 1, static_cast<std::size_t>(u * static_cast<double>(s.choices.size())))];
        break;
    }
    values.push_back({s.key, value});
  }
  return values;
}

std::vector<std::vector<dsl::Override>> grid_points(const std::vector<GridAxis>& axes) {
  std::vector<std::vector<dsl::Override>> points = {{}};
  for (const GridAxis& axis : axes) {
    std::vector<std::vector<dsl::Override>> longer;
    for (const std::vector<dsl::Override>& point : points) {
      for (const std::string& value : axis.values) {
        longer.push_back(point);
        longer.back().push_back({axis.key, value});
      }
    }
    points = std::move(longer);
  }
  return points;
}

std::vector<std::vector<dsl::Override>> plan_trials(const SearchSpace& space, std::uint64_t seed) {
  if (space.grid.empty() && space.sampled.empty()) {
    throw InputError("nothing to vary: give --grid KEY=V1,V2,... or --trials N with --sample KEY=DIST");
  }
  if (!space.sampled.empty() && space.trials < 1) throw InputError("--sample needs --trials N, the number of draws");
  if (space.sampled.empty() && space.trials > 0) {
    throw InputError("--trials " + std::to_string(space.trials) + " draws the --sample settings; give one");
  }
  std::set<std::string> keys;
  const auto vary = [&](const std::string& key) {
    if (!keys.insert(key).second) throw InputError("'" + key + "' is varied twice (by --grid or --sample); vary each key once");
  };
  for (const GridAxis& axis : space.grid) vary(axis.key);
  for (const SampledSetting& setting : space.sampled) vary(setting.key);

  std::vector<std::vector<dsl::Override>> trials;
  for (const std::vector<dsl::Override>& point : grid_points(space.grid)) {
    if (space.sampled.empty()) trials.push_back(point);
    for (std::int64_t draw = 0; draw < space.trials; ++draw) {
      trials.push_back(point);
      const std::vector<dsl::Override> drawn = sample_trial(space.sampled, seed, static_cast<std::int64_t>(trials.size()) - 1);
      trials.back().insert(trials.back().end(), drawn.begin(), drawn.end());
    }
  }
  return trials;
}

}  // namespace gpufm
