// What k-fold cross-validation and sweeps have in common: a study trains one model file many
// times. Each member (a fold, a trial) is one run with the study's overrides and then its own, in
// a run directory of its own inside the study directory, so `gpufm eval` and `gpufm train
// --resume` work on it as on any run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gpufm/run.hpp"

namespace gpufm {

// A finished member's figures, from its run.
struct MemberFigures {
  std::int64_t epochs = 0;  // run: fewer than planned when early stopping ended the run
  EpochRecord best;         // the best epoch's record (best.safetensors'): by early stopping's monitor, else val_loss
  double seconds = 0;       // training and validation, every epoch
  double test_loss = 0;     // the final model on the test split, as its metrics.json has it
  std::optional<double> test_accuracy;
};
MemberFigures figures_of(const RunResult& result);

struct StudyMember {
  std::string name;                      // fold-1, trial-001: its run directory's, inside the study directory
  std::vector<dsl::Override> overrides;  // its own, after the study's
  std::optional<MemberFigures> figures;  // once it has run
  std::string diverged;                  // why its run diverged (Diverged's message); it then has no figures

  bool done() const { return figures.has_value() || !diverged.empty(); }
};

// A k-fold study's folds, drawn with the study's seed (folds.hpp).
struct FoldDesign {
  std::int64_t folds = 5;
  bool stratified = false;
};

// A sweep's search as given (its members hold the trials it planned) and the figure it ranks by.
struct SweepDesign {
  std::vector<std::string> grid, sampled;
  std::int64_t trials = 0;
  Monitor metric = Monitor::val_loss;
  std::filesystem::path from;  // the sweep whose best trial's settings begin the study's overrides
};

struct Study {
  std::variant<FoldDesign, SweepDesign> design;
  std::filesystem::path model_file;
  std::string model;  // the model's name
  DataPaths data;
  std::uint64_t seed = 42;               // every member's training seed; it also draws the folds or samples
  std::vector<dsl::Override> overrides;  // every member's, before its own
  std::vector<StudyMember> members;      // in the order planned
  std::optional<StudyMember> final;      // k-fold --final: trained on the whole training set
};

// What ranks a sweep's trials: "val_loss" or "val_accuracy"; InputError naming --metric otherwise.
Monitor parse_metric(std::string_view text);

// The study's overrides, then the member's.
std::vector<dsl::Override> overrides_of(const Study& study, const StudyMember& member);

// "lr=0.01 batch=64"
std::string settings_text(const std::vector<dsl::Override>& overrides);

// Every key the members set, in the order they first appear (a sweep's table's columns), and
// the value a member gives one ("" when it leaves the key alone).
std::vector<std::string> varied_keys(const std::vector<StudyMember>& members);
std::string setting_of(const StudyMember& member, const std::string& key);

// The finished members, best first by `metric` of their best epoch; ties keep the planned order,
// and members without the figure (or with NaN, as a diverged run has) come last.
std::vector<std::size_t> leaderboard(const std::vector<StudyMember>& members, Monitor metric);

// Mean and sample standard deviation (n - 1; 0 for a single value).
struct MeanStd {
  double mean = 0, std = 0;
};
MeanStd mean_std(std::span<const double> values);

// Over the finished members; a validation figure only when every one of them has it.
struct MemberStatistics {
  MeanStd epochs, seconds;
  std::optional<MeanStd> val_loss, val_accuracy;
};
MemberStatistics member_statistics(const std::vector<StudyMember>& members);

}  // namespace gpufm
