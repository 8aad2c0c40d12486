// `gpufm summary FILE [--set KEY=VALUE]...`: the model's layer table and parameter counts.
#include <iostream>

#include "commands.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/summary.hpp"
#include "model_options.hpp"

namespace gpufm::cli {

void add_summary_command(CLI::App& root) {
  auto options = std::make_shared<ModelOptions>();
  CLI::App* command = root.add_subcommand("summary", "Print a model's layers, output shapes, parameter counts and planned memory");
  add_model_options(*command, *options);
  command->callback([options] {
    const Graph graph = compile_file(options->file, options->parsed_overrides());
    std::cout << format_summary(graph, plan_memory(graph));
  });
}

}  // namespace gpufm::cli
