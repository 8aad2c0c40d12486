// What a sweep varies, in `--set`'s keys and values: grid axes (--grid KEY=V1,V2,...), of which
// every combination is tried, and sampled settings (--sample KEY=DIST), drawn afresh for each of
// N trials. The plan of trials follows from the space and the seed alone, so it is reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpufm/dsl.hpp"

namespace gpufm {

struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// "lr=0.1,0.01" -> {lr, [0.1, 0.01]}.
GridAxis parse_grid_axis(std::string_view text);

enum class Distribution { log_uniform, uniform, integer, choice };

// KEY=log:LOW:HIGH (log-uniform, 0 < LOW < HIGH), KEY=uniform:LOW:HIGH, KEY=int:LOW:HIGH (both
// ends included), KEY=choice:A,B,...
struct SampledSetting {
  std::string key;
  Distribution distribution = Distribution::uniform;
  double low = 0, high = 0;
  std::vector<std::string> choices;
};

SampledSetting parse_sampled_setting(std::string_view text);

// A trial's values, each drawn by Philox from (seed, trial, setting): a trial draws the same
// values however many trials there are. Reals are written with four significant digits.
std::vector<dsl::Override> sample_trial(const std::vector<SampledSetting>& settings, std::uint64_t seed, std::int64_t trial);

// The values that bound what a setting can draw, written as a draw writes them: every choice, or
// a range's two ends (a rounded draw can reach either). A sweep checks the model with each, so a
// bad value is an error even when no trial happens to draw it.
std::vector<std::string> bounding_values(const SampledSetting& setting);

struct SearchSpace {
  std::vector<GridAxis> grid;
  std::vector<SampledSetting> sampled;
  std::int64_t trials = 0;  // sampled trials per grid point; 0 when nothing is sampled
};

// Every combination of the axes' values, in the order of nested loops over the axes as given (the
// last varies fastest); one empty combination without axes.
std::vector<std::vector<dsl::Override>> grid_points(const std::vector<GridAxis>& axes);

// The trials in order: for each grid point, its values and `trials` draws of the sampled settings
// (trial t of the whole plan drawing t's values). InputError when nothing varies, a key is varied
// twice, or --trials and --sample come one without the other.
std::vector<std::vector<dsl::Override>> plan_trials(const SearchSpace& space, std::uint64_t seed);

}  // namespace gpufm
