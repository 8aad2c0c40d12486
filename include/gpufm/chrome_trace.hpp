// A step profile as a Chrome trace (the Trace Event Format that Perfetto and chrome://tracing
// open): every timed step's phases as complete events on one track, in microseconds, each with
// its estimated FLOPs and bytes.
#pragma once

#include <filesystem>
#include <string>

#include "gpufm/step_profile.hpp"

namespace gpufm {

std::string chrome_trace_json(const StepProfile& profile);
void write_chrome_trace(const std::filesystem::path& path, const StepProfile& profile);  // replaced whole

}  // namespace gpufm
