// `gpufm compare`: runs side by side, as users compare a baseline with its variants. Each path is
// a run directory, or a study directory standing for its finished members. The settings that
// differ between the runs, their best validation figures, test accuracy and time, and one chart
// overlaying their validation curves.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/charts.hpp"

namespace gpufm {

struct ComparedRun {
  std::filesystem::path dir;
  std::string name;                    // the path as given, or study/member
  std::vector<std::string> settings;   // its values of Comparison::differing_settings ("" where absent)
  std::int64_t epochs = 0;
  std::optional<double> best_val_loss, best_val_accuracy;  // the best epoch's (by val_loss, else loss)
  std::optional<double> test_accuracy, test_loss;          // once trained to the end
  double seconds = 0;                                      // every epoch's
};

struct Comparison {
  std::vector<std::string> differing_settings;  // settings.json keys, dotted ("train.optimizer.lr"), where the runs differ
  std::vector<ComparedRun> runs;
  Picture curves;  // validation loss (and accuracy) of every run, overlaid
};

// InputError naming a path that is neither a run directory nor a study directory.
Comparison compare_runs(const std::vector<std::filesystem::path>& paths);

}  // namespace gpufm
