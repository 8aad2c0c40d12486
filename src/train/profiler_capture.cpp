#include "gpufm/profiler_capture.hpp"

#include <charconv>
#include <string>

#include "gpufm/error.hpp"

namespace gpufm {

namespace {

bool parse_step(std::string_view text, std::int64_t& step) {
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), step);
  return status == std::errc() && end == text.data() + text.size() && step >= 1;
}

}  // namespace

StepRange parse_step_range(std::string_view text) {
  const std::size_t colon = text.find(':');
  StepRange range;
  const bool parsed = colon == std::string_view::npos
                          ? parse_step(text, range.first) && parse_step(text, range.last)
                          : parse_step(text.substr(0, colon), range.first) && parse_step(text.substr(colon + 1), range.last);
  if (!parsed || range.last < range.first) {
    throw InputError("--profile-steps " + std::string(text) + ": expected FIRST:LAST, training steps from 1 with FIRST <= LAST (as 20:30)");
  }
  return range;
}

}  // namespace gpufm
