// gpufm.toml: flags of any command read from a TOML file with CLI11's config support, so that a
// project's directory says once which model, data and device its commands use:
//   model = "models/mlp.dsl"   # a key at the top is a flag of whichever command runs (if it has it)
//   data = "/data/fashion"
//   device = "cpu"
//   set = ["batch=64"]
//   [kfold]                    # a section holds flags of one command
//   folds = 10
// Keys are flag names without the dashes (train-images for --train-images; model for FILE). The
// command line wins over the file; a key that no command has is an error, as a misspelling.
#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

namespace gpufm::cli {

class ConfigFile : public CLI::ConfigTOML {
 public:
  explicit ConfigFile(const CLI::App& root) : root_(root) {}
  // The file's items, each top-level one given to the command that runs (or dropped when that
  // command lacks the flag but another has it).
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  // Whether the file, not the command line, gave this option its value.
  bool gave(const CLI::Option* option) const { return given_.count(option) > 0; }

 private:
  // The command an item sets: its section's, or for a key at the top the command that runs, when
  // it takes that flag (nullptr when only other commands do). A key that no command takes is an
  // error.
  const CLI::App* command_for(CLI::ConfigItem& item) const;

  const CLI::App& root_;
  mutable std::set<const CLI::Option*> given_;
};

// --config FILE, default gpufm.toml in the working directory (read when it exists).
void add_config_option(CLI::App& root);

enum class Origin { command_line, config_file, default_value };

// Where an option's value came from.
Origin origin_of(const CLI::App& command, const std::string& option_name);
// The same in the words the commands print: "given", "from gpufm.toml" (the config file by its
// name) or "default".
std::string origin_text(const CLI::App& command, const std::string& option_name);

}  // namespace gpufm::cli
