#include "gpufm/chrome_trace.hpp"

#include <nlohmann/json.hpp>

#include "gpufm/atomic_file.hpp"

namespace gpufm {

std::string chrome_trace_json(const StepProfile& profile) {
  nlohmann::json events = nlohmann::json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "gpufm " + profile.model}}}});
  events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", profile.backend}}}});
  for (const PhaseSpan& span : profile.spans) {
    const PhaseProfile& phase = profile.phases.at(span.phase);
    events.push_back({{"name", phase.label},
                      {"cat", name(phase.cost.phase.kind)},
                      {"ph", "X"},
                      {"pid", 1},
                      {"tid", 1},
                      {"ts", span.begin_milliseconds * 1000},
                      {"dur", span.milliseconds * 1000},
                      {"args", {{"step", span.step}, {"flops", phase.cost.flops}, {"bytes", phase.cost.bytes}}}});
  }
  const nlohmann::json trace = {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
  return trace.dump(1) + "\n";
}

void write_chrome_trace(const std::filesystem::path& path, const StepProfile& profile) {
  write_file_atomically(path, chrome_trace_json(profile));
}

}  // namespace gpufm
