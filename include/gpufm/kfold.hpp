// `gpufm kfold`: K-fold cross-validation of a model file. The training set is split into K folds
// (folds.hpp); member k (fold-k) trains on the other folds and validates on fold k, which takes
// the place of the model's own validation setting. With `final`, one more run trains on the
// whole training set with the same settings and is evaluated on the test split.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "gpufm/evaluate.hpp"
#include "gpufm/study_run.hpp"

namespace gpufm {

struct KfoldRequest {
  std::filesystem::path model_file;
  std::vector<dsl::Override> overrides;  // every fold's
  DataPaths data;
  std::uint64_t seed = 42;  // every fold's training seed; it also draws the folds
  FoldDesign design;
  bool final = false;
  std::filesystem::path out;  // the study directory; empty for runs/<model>-kfold-<timestamp>
};

struct KfoldResult {
  std::filesystem::path dir;
  Study study;
  MemberStatistics statistics;          // over the folds
  std::optional<EvalResult> final_test;  // the final run's model on the test split, as `gpufm eval` finds it
};

// The folds run side by side as `backends` allow; the final run after them, on backends.first.
KfoldResult run_kfold(const KfoldRequest& request, const StudyBackends& backends, const StudyEvents& events);

// Finishes an interrupted k-fold study in its directory as it was planned: the folds not yet done
// (one that was running resumes from its checkpoint), then the final run.
KfoldResult resume_kfold(const std::filesystem::path& dir, const StudyBackends& backends, const StudyEvents& events);

}  // namespace gpufm
