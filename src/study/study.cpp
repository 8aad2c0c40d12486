#include "gpufm/study.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "gpufm/error.hpp"
#include "gpufm/monitor.hpp"

namespace gpufm {

namespace {

std::optional<double> figure(const EpochRecord& record, Monitor monitor) {
  switch (monitor) {
    case Monitor::val_loss: return record.val_loss;
    case Monitor::val_accuracy: return record.val_accuracy;
    case Monitor::loss: return record.loss;
    case Monitor::accuracy: return record.accuracy;
  }
  return std::nullopt;
}

// The figure of every finished member, or nothing when one lacks it.
std::optional<MeanStd> statistics_of(const std::vector<StudyMember>& members, Monitor monitor) {
  std::vector<double> values;
  for (const StudyMember& member : members) {
    if (!member.figures) continue;
    const std::optional<double> value = figure(member.figures->best, monitor);
    if (!value) return std::nullopt;
    values.push_back(*value);
  }
  return mean_std(values);
}

}  // namespace

MemberFigures figures_of(const RunResult& result) {
  MemberFigures figures{.epochs = static_cast<std::int64_t>(result.history.size()),
                        .best = result.history.at(static_cast<std::size_t>(result.best_epoch - 1)),
                        .seconds = 0,
                        .test_loss = result.test.loss,
                        .test_accuracy = {}};
  for (const EpochRecord& record : result.history) figures.seconds += record.seconds;
  if (figures.best.accuracy) figures.test_accuracy = result.test.accuracy;
  return figures;
}

Monitor parse_metric(std::string_view text) {
  for (const Monitor metric : {Monitor::val_loss, Monitor::val_accuracy}) {
    if (name(metric) == text) return metric;
  }
  throw InputError("--metric " + std::string(text) + ": expected val_loss or val_accuracy");
}

std::vector<dsl::Override> overrides_of(const Study& study, const StudyMember& member) {
  std::vector<dsl::Override> overrides = study.overrides;
  overrides.insert(overrides.end(), member.overrides.begin(), member.overrides.end());
  return overrides;
}

std::vector<std::size_t> leaderboard(const std::vector<StudyMember>& members, Monitor metric) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].figures) order.push_back(i);
  }
  const auto value = [&](std::size_t i) {
    const std::optional<double> value = figure(members[i].figures->best, metric);
    return value && !std::isnan(*value) ? value : std::nullopt;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::optional<double> x = value(a), y = value(b);
    if (!x || !y) return x.has_value() && !y.has_value();
    return higher_is_better(metric) ? *x > *y : *x < *y;
  });
  return order;
}

std::string settings_text(const std::vector<dsl::Override>& overrides) {
  std::string text;
  for (const dsl::Override& o : overrides) text += (text.empty() ? "" : " ") + o.key + "=" + o.value;
  return text;
}

std::vector<std::string> varied_keys(const std::vector<StudyMember>& members) {
  std::vector<std::string> keys;
  for (const StudyMember& member : members) {
    for (const dsl::Override& override : member.overrides) {
      if (std::find(keys.begin(), keys.end(), override.key) == keys.end()) keys.push_back(override.key);
    }
  }
  return keys;
}

std::string setting_of(const StudyMember& member, const std::string& key) {
  std::string value;
  for (const dsl::Override& override : member.overrides) {
    if (override.key == key) value = override.value;  // the last one wins, as when applied
  }
  return value;
}

MeanStd mean_std(std::span<const double> values) {
  if (values.empty()) return {};
  const auto n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (const double value : values) squares += (value - mean) * (value - mean);
  return {mean, values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0};
}

MemberStatistics member_statistics(const std::vector<StudyMember>& members) {
  std::vector<double> epochs, seconds;
  for (const StudyMember& member : members) {
    if (!member.figures) continue;
    epochs.push_back(static_cast<double>(member.figures->epochs));
    seconds.push_back(member.figures->seconds);
  }
  return {mean_std(epochs), mean_std(seconds), statistics_of(members, Monitor::val_loss), statistics_of(members, Monitor::val_accuracy)};
}

}  // namespace gpufm
