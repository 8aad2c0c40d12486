// `gpufm sweep [FILE] [--grid KEY=V1,V2,...]... [--trials N --sample KEY=DIST...] [--metric M]
// [--from STUDY_DIR] [--set K=V]... [--epochs N] [--data DIR] [--device D] [--seed S] [--out DIR]
// [--parallel N|auto]`: one run per trial (several at once on a GPU), then the leaderboard;
// `gpufm sweep --resume STUDY_DIR` finishes an interrupted sweep. Without FILE, the model is
// gpufm.toml's, else models/cnn.dsl.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "config_file.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/sweep.hpp"
#include "interrupt.hpp"
#include "parallel_option.hpp"
#include "study_output.hpp"
#include "text_table.hpp"
#include "training_options.hpp"
#include "value_checks.hpp"

namespace gpufm::cli {

namespace {

struct SweepOptions {
  TrainingOptions training;
  std::vector<std::string> grid, sample;
  std::int64_t trials = 0;
  std::string metric = "val_loss";
  std::string from;
  std::string resume;
  std::string parallel = "auto";
};

std::vector<std::string> sweep_lines(const StudyStart& start, bool resuming) {
  const Study& study = start.study;
  const SweepDesign& design = std::get<SweepDesign>(study.design);
  std::string search;
  for (const std::string& axis : design.grid) search += " --grid " + axis;
  if (design.trials > 0) search += " --trials " + std::to_string(design.trials);
  for (const std::string& setting : design.sampled) search += " --sample " + setting;
  std::vector<std::string> lines = {
      data_line(start.data),
      "Sweep: " + std::to_string(study.members.size()) + " trials (" + search.substr(1) + "), ranked by " + std::string(name(design.metric)) +
          " (seed " + std::to_string(study.seed) + ")"};
  if (resuming) lines.push_back(resuming_line(study, "trials"));
  return lines;
}

std::string leaderboard_table(const SweepResult& result) {
  const std::vector<std::string> keys = varied_keys(result.study.members);
  std::vector<TextTable::Column> columns = {{"rank"}, {"trial", false}};
  for (const std::string& key : keys) columns.push_back({key, false});
  for (const char* title : {"epochs", "val_loss", "val_accuracy", "time"}) columns.push_back({title});
  TextTable table(columns);
  const auto add = [&](const StudyMember& trial, const std::string& rank) {
    std::vector<std::string> cells = {rank, trial.name};
    for (const std::string& key : keys) cells.push_back(setting_of(trial, key));
    for (std::string& cell : figure_cells(trial)) cells.push_back(std::move(cell));
    table.add_row(cells);
  };
  std::size_t rank = 0;
  for (const std::size_t i : result.leaderboard) add(result.study.members[i], std::to_string(++rank));
  for (const StudyMember& trial : result.study.members) {
    if (!trial.diverged.empty()) add(trial, "-");
  }
  return table.str();
}

}  // namespace

void add_sweep_command(CLI::App& root) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* command = root.add_subcommand("sweep", "Search settings: train one run per trial, print the leaderboard");
  add_training_options(*command, options->training, "Seed of every trial's training and of the sampled settings",
                       "Study directory (default: runs/<model>-sweep-<timestamp>)");
  // One value per flag, so that a model file after it is not taken for another.
  command->add_option("--grid", options->grid, "Try every value: KEY=V1,V2,... (repeatable; every combination of the grids)")
      ->allow_extra_args(false);
  command->add_option("--trials", options->trials, "Draw the --sample settings N times (for each grid combination)")
      ->check(whole_number(1, 1000000));
  command->add_option("--sample", options->sample, "Draw a setting: KEY=log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH or choice:A,B,...")
      ->allow_extra_args(false);
  command->add_option("--metric", options->metric, "Rank the trials by their best epoch's val_loss or val_accuracy")
      ->check(CLI::IsMember({"val_loss", "val_accuracy"}))
      ->capture_default_str();
  command->add_option("--from", options->from, "Start from the best trial of this sweep's study directory (its settings first)");
  command->add_option("--resume", options->resume, "Finish the interrupted sweep in this study directory");
  add_parallel_option(*command, options->parallel);
  command->callback([options, command] {
    const TrainingOptions& training = options->training;
    const bool resuming = !options->resume.empty();
    if (resuming) refuse_flags_when_resuming(*command, {"--resume", "--device", "--eager", "--unfused", "--parallel"}, "--resume finishes the sweep as it was planned");
    SelectedBackend selected = select_device(training.device);
    Progress progress(std::cout, isatty(STDOUT_FILENO) != 0);
    std::size_t trials = 0;
    StudyEvents events = study_events(
        std::cout, progress,
        [&](const StudyStart& start) {
          trials = start.study.members.size();
          print_study_header(std::cout, start, selected.why, sweep_lines(start, resuming));
        },
        [&](const StudyMember& trial, std::size_t index) {
          return "Trial " + std::to_string(index + 1) + "/" + std::to_string(trials) + ": " + settings_text(trial.overrides);
        });
    stop_on_interrupt(events.run.training);
    SweepResult result;
    try {
      if (resuming) {
        std::cout << "Finishing the sweep in " << options->resume << "\n";
        result = resume_sweep(options->resume, study_backends(selected, options->parallel), events);
      } else {
        const std::filesystem::path model = model_file(training);
        std::cout << sources_line(*command, training, model) << "\n";
        std::vector<dsl::Override> overrides = training.overrides();
        if (!options->from.empty()) {
          BestTrial best = best_trial(options->from);
          std::cout << "From " << options->from << ": its best trial, " << best.name << ": " << settings_text(best.settings) << "\n";
          overrides.insert(overrides.begin(), best.settings.begin(), best.settings.end());
        }
        const SweepDesign design{options->grid, options->sample, options->trials, parse_metric(options->metric), options->from};
        result = run_sweep(SweepRequest{model, overrides, resolve_data_paths(training.data), training.seed, design, training.out},
                           study_backends(selected, options->parallel), events);
      }
    } catch (const Interrupted& e) {
      throw Interrupted(std::string(e.what()) + "; resume with: gpufm sweep --resume " + e.run_dir().parent_path().string(), e.run_dir());
    }
    const Monitor metric = std::get<SweepDesign>(result.study.design).metric;
    std::cout << "\nLeaderboard (by " << name(metric) << " of each trial's best epoch)\n" << leaderboard_table(result);
    const StudyMember& best = result.study.members[result.leaderboard.front()];
    std::cout << "Best: " << best.name << " (" << settings_text(best.overrides) << "): " << (result.dir / best.name).string() << "\n";
    std::cout << "Summary: " << (result.dir / "summary.csv").string() << ", summary.json\n";
  });
}

}  // namespace gpufm::cli
