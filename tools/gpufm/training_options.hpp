// The flags of the commands that train a model file (train, kfold, sweep): FILE and --set,
// --precision, --epochs, --on-nan, the data, --device and --eager, --seed and --out; bench and
// profile take some of them. Also the model file they fall back to, and the line they print first,
// saying which model and data they took.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data_options.hpp"
#include "device_option.hpp"
#include "model_options.hpp"

namespace gpufm::cli {

struct TrainingOptions {
  ModelOptions model;
  DataOptions data;
  std::optional<std::int64_t> epochs;
  std::string on_nan;  // "stop" or "skip-step"; empty: the model file's
  std::string precision;  // fp32, tf32, bf16 or fp16; empty: the model file's
  DeviceOptions device;
  std::uint64_t seed = 42;
  std::string out;

  // --set's overrides, then --epochs, --on-nan and --precision.
  std::vector<dsl::Override> overrides() const;
};

// `seed_help` says what the seed draws; `out_help` what --out names.
void add_training_options(CLI::App& command, TrainingOptions& options, const std::string& seed_help, const std::string& out_help);
// FILE and --set, --precision, the data, --device and --seed: a model run on data, for a measurement.
void add_model_run_options(CLI::App& command, TrainingOptions& options, const std::string& seed_help);
void add_epochs_option(CLI::App& command, TrainingOptions& options);

// A resumed run or study goes on as it was planned: a flag on the command line outside `applies`
// would change that, and is an error saying `why` (gpufm.toml's flags are meant for new runs,
// and go unused), rather than ignored.
void refuse_flags_when_resuming(const CLI::App& command, std::initializer_list<std::string_view> applies, const std::string& why);

// FILE from the command line or gpufm.toml, else models/cnn.dsl in the working directory.
std::filesystem::path model_file(const TrainingOptions& options);

//   Using models/mlp.dsl (from gpufm.toml), data /usr/share/datasets/fashion-mnist (default)
std::string sources_line(const CLI::App& command, const TrainingOptions& options, const std::filesystem::path& model);

}  // namespace gpufm::cli
