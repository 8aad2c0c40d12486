// `gpufm sweep`: a model file trained once per trial of a search space (search_space.hpp), the
// trials ranked by a validation figure of their best epoch. Every trial is checked (its settings
// compile, it validates) before the first one trains. An interrupted sweep resumes: the trials
// done are kept, one that was running continues from its last checkpoint (or starts again
// without one), and the rest run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gpufm/study_run.hpp"

namespace gpufm {

struct SweepRequest {
  std::filesystem::path model_file;
  std::vector<dsl::Override> overrides;  // every trial's, before its own
  DataPaths data;
  std::uint64_t seed = 42;  // every trial's training seed; it also draws the sampled settings
  SweepDesign design;       // --grid and --sample as given, --trials, --metric, --from
  std::filesystem::path out;  // the study directory; empty for runs/<model>-sweep-<timestamp>
};

struct SweepResult {
  std::filesystem::path dir;
  Study study;
  std::vector<std::size_t> leaderboard;  // the study's members, best first
};

// The trials run side by side as `backends` allow.
SweepResult run_sweep(const SweepRequest& request, const StudyBackends& backends, const StudyEvents& events);
SweepResult resume_sweep(const std::filesystem::path& dir, const StudyBackends& backends, const StudyEvents& events);

// A finished sweep's best trial, for a sweep that starts from it (--from): the study's overrides
// then the trial's own.
struct BestTrial {
  std::string name;
  std::vector<dsl::Override> settings;
};
BestTrial best_trial(const std::filesystem::path& dir);

}  // namespace gpufm
