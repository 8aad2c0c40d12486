#include "model_options.hpp"

namespace gpufm::cli {

std::vector<dsl::Override> ModelOptions::parsed_overrides() const {
  std::vector<dsl::Override> parsed;
  for (const std::string& text : overrides) parsed.push_back(dsl::parse_override(text));
  return parsed;
}

void add_model_options(CLI::App& command, ModelOptions& options, bool required) {
  const char* help = required ? "Model file (.dsl)" : "Model file (.dsl); default: gpufm.toml's model, else models/cnn.dsl";
  CLI::Option* file = command.add_option("model", options.file, help)->option_text("FILE");
  if (required) file->required();
  // One value per --set, so that a model file after it is not taken for another override.
  command.add_option("--set", options.overrides, "Override a variable or training setting: KEY=VALUE (repeatable)")->allow_extra_args(false);
}

}  // namespace gpufm::cli
