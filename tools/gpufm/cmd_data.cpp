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
  CLI::Option* dir = command->add_option("DIR", options->dir, "Directory with the four IDX files under their standard names")
                         ->capture_default_str();
  add_data_file_options(*command, *options, dir);
  command->callback([options] { std::cout << format_data_report(load_dataset(resolve_data_paths(*options))); });
}

}  // namespace gpufm::cli
