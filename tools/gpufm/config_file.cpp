#include "config_file.hpp"

#include <algorithm>

#include "error_line.hpp"

namespace gpufm::cli {

namespace {

constexpr const char* default_config_file = "gpufm.toml";

// The option a config key names, as CLI11 looks it up: --KEY, -K, or the positional KEY; only
// options a config file may set.
const CLI::Option* option_for(const CLI::App& command, const std::string& key) {
  const CLI::Option* option = command.get_option_no_throw("--" + key);
  if (option == nullptr && key.size() == 1) option = command.get_option_no_throw("-" + key);
  if (option == nullptr) option = command.get_option_no_throw(key);
  return option != nullptr && option->get_configurable() ? option : nullptr;
}

std::string config_file_name(const CLI::App& root) { return root.get_config_ptr()->as<std::string>(); }

// "gpufm.toml: 'kfold.folds'", where errors name a key.
std::string key_in_file(const CLI::App& root, const CLI::ConfigItem& item) {
  return config_file_name(root) + ": '" + printable_line(item.fullname()) + "'";
}

std::vector<const CLI::App*> all_commands(const CLI::App& root) {
  return root.get_subcommands([](const CLI::App*) { return true; });
}

const CLI::App* command_named(const CLI::App& root, const std::string& name) {
  for (const CLI::App* command : all_commands(root)) {
    if (command->get_name() == name) return command;
  }
  return nullptr;
}

}  // namespace

std::vector<CLI::ConfigItem> ConfigFile::from_config(std::istream& input) const {
  std::vector<CLI::ConfigItem> items;
  for (CLI::ConfigItem& item : CLI::ConfigTOML::from_config(input)) {
    const bool section_mark = item.name == "++" || item.name == "--";
    if (!section_mark) {
      // CLI11 keeps a quote it finds no match for as part of the value.
      for (const std::string& input : item.inputs) {
        if (input.starts_with('"') || input.starts_with('\'')) {
          throw CLI::ConfigError(key_in_file(root_, item) + ": unterminated string " + printable_line(input));
        }
      }
      const CLI::App* command = command_for(item);
      if (command == nullptr) continue;
      const CLI::Option* option = option_for(*command, item.name);
      if (option->count() == 0) given_.insert(option);  // else the command line gave it, and wins
    }
    items.push_back(std::move(item));
  }
  return items;
}

const CLI::App* ConfigFile::command_for(CLI::ConfigItem& item) const {
  const std::string where = key_in_file(root_, item);
  if (item.parents.size() > 1) throw CLI::ConfigError(where + ": sections are commands ([kfold]), one level deep");
  if (!item.parents.empty()) {
    const CLI::App* command = command_named(root_, item.parents.front());
    if (command == nullptr) throw CLI::ConfigError(where + ": there is no gpufm command '" + item.parents.front() + "'");
    if (option_for(*command, item.name) == nullptr) {
      throw CLI::ConfigError(where + " is no flag of gpufm " + command->get_name() + " it may set");
    }
    return command;
  }
  const std::vector<const CLI::App*> commands = all_commands(root_);
  if (std::none_of(commands.begin(), commands.end(), [&](const CLI::App* c) { return option_for(*c, item.name) != nullptr; })) {
    throw CLI::ConfigError(where + " is no flag of any gpufm command it may set");
  }
  const std::vector<CLI::App*> running = root_.get_subcommands();
  if (running.empty() || option_for(*running.front(), item.name) == nullptr) return nullptr;
  item.parents = {running.front()->get_name()};
  return running.front();
}

void add_config_option(CLI::App& root) {
  root.set_config("--config", default_config_file, "TOML file of flags for any command (read when present)");
  root.config_formatter(std::make_shared<ConfigFile>(root));
}

Origin origin_of(const CLI::App& command, const std::string& option_name) {
  const CLI::Option* option = command.get_option(option_name);
  if (option->count() == 0) return Origin::default_value;
  const auto config = std::dynamic_pointer_cast<const ConfigFile>(command.get_parent()->get_config_formatter());
  return config && config->gave(option) ? Origin::config_file : Origin::command_line;
}

std::string origin_text(const CLI::App& command, const std::string& option_name) {
  switch (origin_of(command, option_name)) {
    case Origin::command_line: return "given";
    case Origin::config_file: return "from " + config_file_name(*command.get_parent());
    case Origin::default_value: break;
  }
  return "default";
}

}  // namespace gpufm::cli
