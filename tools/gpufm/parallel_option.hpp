// --parallel N|auto, shared by kfold and sweep: how many of a study's members run at once, each on
// a backend of its own.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "gpufm/device.hpp"
#include "gpufm/study_run.hpp"

namespace gpufm::cli {

// auto: on a GPU, up to gpu_side_by_side members at once (fewer when its free memory holds
// fewer); on the CPU one, whose cores a member already keeps busy.
inline constexpr std::size_t gpu_side_by_side = 4;

void add_parallel_option(CLI::App& command, std::string& parallel);

// The study's backends: `selected`'s, and more like it as --parallel asks.
StudyBackends study_backends(const SelectedBackend& selected, const std::string& parallel);

}  // namespace gpufm::cli
