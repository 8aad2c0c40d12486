// `gpufm explain RUN [--k 5] [--n 12] [--layer NAME] [--best] [--out STEM]`: a classifier run's
// most confidently wrong test images beside their nearest training images of the true and of the
// predicted class in its feature space, written as STEM.svg, STEM.png and STEM.json (default
// RUN/explain, which the run's report.html then shows); the most confused class pairs printed.
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "device_option.hpp"
#include "gpufm/device.hpp"
#include "gpufm/explain.hpp"
#include "gpufm/neighbour_list.hpp"
#include "gpufm/run_report.hpp"
#include "text_table.hpp"

namespace gpufm::cli {

namespace {

struct ExplainCommandOptions {
  std::string run;
  ExplainOptions explain;
  bool best = false;
  std::string out;
  DeviceOptions device;
};

std::string confused_pairs_table(const Explanation& explanation) {
  TextTable table({{"true class", false}, {"predicted class", false}, {"test images", true}});
  for (const ConfusedPair& pair : explanation.confused_pairs) {
    table.add_row({explanation.class_name(pair.true_class), explanation.class_name(pair.predicted_class), std::to_string(pair.count)});
  }
  return table.str();
}

}  // namespace

void add_explain_command(CLI::App& root) {
  auto options = std::make_shared<ExplainCommandOptions>();
  CLI::App* command =
      root.add_subcommand("explain", "Show a classifier's misclassified test images beside their nearest training images of each class");
  command->add_option("run", options->run, "The classifier's run directory")->required();
  command->add_option("--k", options->explain.k, "Nearest training images of the true class, and of the predicted class (1 to " +
                                                    std::to_string(most_neighbours) + ")")
      ->capture_default_str();
  command->add_option("--n", options->explain.count,
                      "How many misclassified images, the most confidently wrong (1 to " + std::to_string(most_explained_images) + ")")
      ->capture_default_str();
  command->add_option("--layer", options->explain.layer,
                      "The layer whose outputs are the feature space (default: the input of the last dense layer)");
  command->add_flag("--best", options->best, "Use the run's best checkpoint rather than its latest");
  command->add_option("--out", options->out, "Write OUT.svg, OUT.png and OUT.json (default: RUN/explain, shown in RUN/report.html)");
  add_device_option(*command, options->device);
  command->callback([options] {
    SelectedBackend selected = select_device(options->device);
    const Explanation explanation = explain_run(ExplainRequest{options->run, options->explain, options->best}, *selected.backend);
    const std::filesystem::path run = options->run, own_stem = run / "explain";
    const std::filesystem::path out = options->out.empty() ? own_stem : std::filesystem::path(options->out);
    write_explanation(out, explanation);
    std::cout << explanation.misclassified << " of " << explanation.test_images << " test images misclassified (" << explanation.checkpoint
              << ")";
    if (!explanation.images.empty()) {
      std::cout << "; the " << explanation.images.size() << " most confidently wrong beside their " << explanation.k
                << " nearest training images of each class, in the outputs of layer " << explanation.layer << " (" << explanation.dimension
                << " values)";
    }
    std::cout << "\n";
    if (!explanation.confused_pairs.empty()) std::cout << "\nMost confused class pairs (test):\n" << confused_pairs_table(explanation);
    std::cout << "\nExplanation: " << out.string() << ".svg, " << out.string() << ".png, " << out.string() << ".json\n";
    if (std::filesystem::weakly_canonical(out) == std::filesystem::weakly_canonical(own_stem) && refresh_report_explanation(run)) {
      std::cout << "Report: " << (run / "report.html").string() << "\n";
    }
  });
}

}  // namespace gpufm::cli
