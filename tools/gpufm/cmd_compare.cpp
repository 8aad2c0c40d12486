// `gpufm compare RUN_OR_STUDY... [--plot STEM]`: runs side by side (a study stands for its finished
// members): the settings that differ, each run's best validation figures, test accuracy and time,
// and one chart overlaying their validation curves, written as STEM.svg and STEM.png.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "gpufm/compare.hpp"
#include "gpufm/format.hpp"
#include "text_table.hpp"

namespace gpufm::cli {

namespace {

struct CompareOptions {
  std::vector<std::string> paths;
  std::string plot = "compare";
};

std::string comparison_table(const Comparison& comparison) {
  std::vector<TextTable::Column> columns = {{"run", false}};
  for (const std::string& key : comparison.differing_settings) columns.push_back({key, false});
  for (const char* title : {"epochs", "best val_loss", "val_accuracy", "test accuracy", "time"}) columns.push_back({title});
  TextTable table(columns);
  for (const ComparedRun& run : comparison.runs) {
    std::vector<std::string> cells = {run.name};
    cells.insert(cells.end(), run.settings.begin(), run.settings.end());
    cells.insert(cells.end(), {std::to_string(run.epochs), figure_text(run.best_val_loss), figure_text(run.best_val_accuracy),
                               figure_text(run.test_accuracy), seconds_text(run.seconds)});
    table.add_row(cells);
  }
  return table.str();
}

}  // namespace

void add_compare_command(CLI::App& root) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command = root.add_subcommand("compare", "Compare runs side by side: the settings that differ, their figures, their curves");
  command->add_option("runs", options->paths, "Run directories, or study directories (their finished members)")->required();
  command->add_option("--plot", options->plot, "Write the overlaid curves to PLOT.svg and PLOT.png")->capture_default_str();
  command->callback([options] {
    const Comparison comparison = compare_runs(std::vector<std::filesystem::path>(options->paths.begin(), options->paths.end()));
    std::cout << (comparison.differing_settings.empty() ? "The runs' settings are the same.\n" : "") << comparison_table(comparison);
    write_picture(options->plot, comparison.curves);
    std::cout << "Curves: " << options->plot << ".svg, " << options->plot << ".png\n";
  });
}

}  // namespace gpufm::cli
