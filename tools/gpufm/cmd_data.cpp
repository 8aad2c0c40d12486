// `gpufm data`: load and check an IDX data set, then show its counts, image size and classes.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "data_options.hpp"
#include "gpufm/data_report.hpp"

namespace gpufm::cli {

void add_data_command(CLI::App& root) {
  CLI::App* command = root.add_subcommand("data", "Check an IDX data set and show its counts, image size and classes");
  auto options = std::make_shared<DataOptions>();
  add_data_options(*command, *options, "DIR,--data");
  command->callback([options] { std::cout << format_data_report(load_dataset(resolve_data_paths(*options))); });
}

}  // namespace gpufm::cli
