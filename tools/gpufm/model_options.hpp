// The model file and its `--set KEY=VALUE` overrides, as every command that compiles a model
// takes them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "gpufm/dsl.hpp"

namespace gpufm::cli {

struct ModelOptions {
  std::string file;
  std::vector<std::string> overrides;

  std::vector<dsl::Override> parsed_overrides() const;
};

// FILE (the positional `model`, which gpufm.toml may give as `model = ...`; required unless
// `required` is false) and repeatable --set.
void add_model_options(CLI::App& command, ModelOptions& options, bool required = true);

}  // namespace gpufm::cli
