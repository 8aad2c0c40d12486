// `gpufm kfold [FILE] [--folds K] [--stratified] [--final] [--set K=V]... [--epochs N] [--data DIR]
// [--device D] [--seed S] [--out DIR] [--parallel N|auto]`: K-fold cross-validation (several folds
// at once on a GPU), a table of the folds' figures with their mean and standard deviation, and
// with --final the test report of a model trained on the whole training set; `gpufm kfold
// --resume STUDY_DIR` finishes an interrupted study. Without FILE, the model is gpufm.toml's, else
// models/cnn.dsl.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "config_file.hpp"
#include "eval_output.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/kfold.hpp"
#include "interrupt.hpp"
#include "parallel_option.hpp"
#include "study_output.hpp"
#include "text_table.hpp"
#include "training_options.hpp"
#include "value_checks.hpp"

namespace gpufm::cli {

namespace {

struct KfoldOptions {
  TrainingOptions training;
  std::int64_t folds = 5;
  bool stratified = false;
  bool final = false;
  std::string resume;
  std::string parallel = "auto";
};

std::string number(const char* format, double value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::vector<std::string> kfold_lines(const StudyStart& start, bool resuming) {
  const auto& design = std::get<FoldDesign>(start.study.design);
  const auto count = static_cast<std::int64_t>(start.data.train.count);
  const std::int64_t smallest = count / design.folds, largest = (count + design.folds - 1) / design.folds;
  const std::string sizes = with_commas(smallest) + (largest > smallest ? " to " + with_commas(largest) : "");
  const TrainSettings& train = start.graph.train;
  std::string replaced;
  if (train.validation > 0) replaced = ", in place of the model's validation " + number("%g", train.validation);
  if (train.validate_on_test) replaced = ", in place of the model's validation on the test split";
  const std::string folds = std::to_string(design.folds) + (design.stratified ? " stratified" : "") + " folds of " + sizes;
  std::vector<std::string> lines = {data_line(start.data) + " in " + folds + " (seed " + std::to_string(start.study.seed) + ")",
                                    "Validation: each fold in turn, trained on the others" + replaced};
  if (resuming) lines.push_back(resuming_line(start.study, "folds"));
  return lines;
}

std::string folds_table(const KfoldResult& result) {
  TextTable table({{"fold", false}, {"epochs"}, {"best val_loss"}, {"val_accuracy"}, {"time"}});
  for (const StudyMember& fold : result.study.members) {
    std::vector<std::string> cells = {fold.name};
    for (std::string& cell : figure_cells(fold)) cells.push_back(std::move(cell));
    table.add_row(cells);
  }
  const MemberStatistics& s = result.statistics;
  const auto epochs = [](double value) { return number("%.1f", value); };
  const auto figure = [](double value) { return figure_text(value); };
  const auto optional = [&](const std::optional<MeanStd>& value) { return value ? mean_std_text(*value, figure) : "-"; };
  table.add_row({"mean ± std", mean_std_text(s.epochs, epochs), optional(s.val_loss), optional(s.val_accuracy),
                 mean_std_text(s.seconds, seconds_text)});
  return table.str();
}

}  // namespace

void add_kfold_command(CLI::App& root) {
  auto options = std::make_shared<KfoldOptions>();
  CLI::App* command = root.add_subcommand("kfold", "Cross-validate a model: train one run per fold, print the folds' figures");
  add_training_options(*command, options->training, "Seed of every fold's training and of the folds' draw",
                       "Study directory (default: runs/<model>-kfold-<timestamp>)");
  command->add_option("--folds", options->folds, "Number of folds K")->capture_default_str()->check(whole_number(2, 1000000));
  command->add_flag("--stratified", options->stratified, "Keep each class's share the same in every fold");
  command->add_flag("--final", options->final, "Then train on the whole training set and evaluate on the test split");
  command->add_option("--resume", options->resume, "Finish the interrupted k-fold study in this study directory");
  add_parallel_option(*command, options->parallel);
  command->callback([options, command] {
    const TrainingOptions& training = options->training;
    const bool resuming = !options->resume.empty();
    if (resuming) refuse_flags_when_resuming(*command, {"--resume", "--device", "--eager", "--unfused", "--parallel"}, "--resume finishes the k-fold study as it was planned");
    SelectedBackend selected = select_device(training.device);
    Progress progress(std::cout, isatty(STDOUT_FILENO) != 0);
    std::int64_t train_count = 0;
    std::size_t folds = 0;
    StudyEvents events = study_events(
        std::cout, progress,
        [&](const StudyStart& start) {
          train_count = static_cast<std::int64_t>(start.data.train.count);
          folds = start.study.members.size();
          print_study_header(std::cout, start, selected.why, kfold_lines(start, resuming));
        },
        [&](const StudyMember&, std::size_t index) {
          if (index < folds) return "Fold " + std::to_string(index + 1) + "/" + std::to_string(folds);
          return "Final run: all " + with_commas(train_count) + " training images, nothing validated";
        });
    stop_on_interrupt(events.run.training);
    KfoldResult result;
    try {
      if (resuming) {
        std::cout << "Finishing the k-fold study in " << options->resume << "\n";
        result = resume_kfold(options->resume, study_backends(selected, options->parallel), events);
      } else {
        const std::filesystem::path model = model_file(training);
        std::cout << sources_line(*command, training, model) << "\n";
        const FoldDesign design{options->folds, options->stratified};
        result = run_kfold(KfoldRequest{model, training.overrides(), resolve_data_paths(training.data), training.seed, design,
                                        options->final, training.out},
                           study_backends(selected, options->parallel), events);
      }
    } catch (const Interrupted& e) {
      throw Interrupted(std::string(e.what()) + "; resume with: gpufm kfold --resume " + e.run_dir().parent_path().string(), e.run_dir());
    }
    std::cout << "\nFolds (each fold's best epoch)\n" << folds_table(result);
    std::cout << "Summary: " << (result.dir / "summary.csv").string() << ", summary.json\n";
    if (result.final_test) {
      std::cout << "\nTest (final run)\n";
      print_eval(std::cout, *result.final_test);
    }
  });
}

}  // namespace gpufm::cli
