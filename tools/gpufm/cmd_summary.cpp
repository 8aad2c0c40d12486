// `gpufm summary FILE [--set KEY=VALUE]...`: the model's layer table and parameter counts.
#include <iostream>

#include "commands.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/summary.hpp"

namespace gpufm::cli {

namespace {

struct SummaryOptions {
  std::string model_file;
  std::vector<std::string> overrides;
};

}  // namespace

void add_summary_command(CLI::App& root) {
  auto options = std::make_shared<SummaryOptions>();
  CLI::App* command = root.add_subcommand("summary", "Print a model's layers, output shapes, parameter counts and planned memory");
  command->add_option("file", options->model_file, "Model file (.dsl)")->required();
  command->add_option("--set", options->overrides, "Override a variable or training setting: KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  command->callback([options] {
    std::vector<dsl::Override> overrides;
    for (const std::string& text : options->overrides) overrides.push_back(dsl::parse_override(text));
    const Graph graph = compile_file(options->model_file, overrides);
    std::cout << format_summary(graph, plan_memory(graph));
  });
}

}  // namespace gpufm::cli
