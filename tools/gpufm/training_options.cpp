#include "training_options.hpp"

#include <algorithm>

#include "config_file.hpp"
#include "device_option.hpp"
#include "gpufm/error.hpp"
#include "value_checks.hpp"

namespace gpufm::cli {

namespace {

constexpr const char* default_model_file = "models/cnn.dsl";

}  // namespace

std::vector<dsl::Override> TrainingOptions::overrides() const {
  std::vector<dsl::Override> parsed = model.parsed_overrides();
  if (epochs) parsed.push_back({"epochs", std::to_string(*epochs)});
  if (!on_nan.empty()) parsed.push_back({"on_nan", on_nan == "skip-step" ? "skip_step" : on_nan});
  if (!precision.empty()) parsed.push_back({"precision", precision});
  return parsed;
}

void add_model_run_options(CLI::App& command, TrainingOptions& options, const std::string& seed_help) {
  add_model_options(command, options.model, false);
  // Keras' mixed-precision policy names and PyTorch Lightning's precision flags name them too.
  command
      .add_option("--precision", options.precision,
                  "Arithmetic: fp32, tf32, bf16 or fp16, or as Keras' policies and Lightning name them: float32, mixed_bfloat16, "
                  "mixed_float16, 32-true, bf16-mixed, 16-mixed (overrides the model file's; default fp32)")
      ->transform(one_of({"fp32", "tf32", "bf16", "fp16"}, {{"float32", "fp32"},
                                                          {"mixed_bfloat16", "bf16"},
                                                          {"mixed_float16", "fp16"},
                                                          {"32-true", "fp32"},
                                                          {"bf16-mixed", "bf16"},
                                                          {"16-mixed", "fp16"}}));
  add_data_options(command, options.data);
  add_device_option(command, options.device);
  command.add_option("--seed", options.seed, seed_help)->capture_default_str()->check(seed_number());
}

void add_epochs_option(CLI::App& command, TrainingOptions& options) {
  command.add_option("--epochs", options.epochs, "Epochs to train (overrides the model file's)")->check(whole_number(1, 1000000));
}

void add_training_options(CLI::App& command, TrainingOptions& options, const std::string& seed_help, const std::string& out_help) {
  add_model_run_options(command, options, seed_help);
  add_epochs_option(command, options);
  command.add_option("--on-nan", options.on_nan, "When a step's loss is NaN or infinite: stop the run, or skip the step (default: stop)")
      ->check(CLI::IsMember({"stop", "skip-step"}));
  command.add_option("--out", options.out, out_help);
}

void refuse_flags_when_resuming(const CLI::App& command, std::initializer_list<std::string_view> applies, const std::string& why) {
  for (const CLI::Option* option : command.get_options()) {
    const std::string name = option->get_name();
    if (std::find(applies.begin(), applies.end(), name) != applies.end() || origin_of(command, name) != Origin::command_line) continue;
    throw InputError(why + "; give no " + (name == "model" ? std::string("FILE") : name));
  }
}

std::filesystem::path model_file(const TrainingOptions& options) {
  if (!options.model.file.empty()) return options.model.file;
  std::error_code status;
  if (!std::filesystem::is_regular_file(default_model_file, status)) {
    throw InputError(std::string("no model file: give FILE, or model = \"...\" in gpufm.toml; the default, ") + default_model_file +
                     ", is not in " + std::filesystem::current_path().string());
  }
  return default_model_file;
}

std::string sources_line(const CLI::App& command, const TrainingOptions& options, const std::filesystem::path& model) {
  const bool files = !options.data.train_images.empty();
  const std::string data = files ? options.data.train_images + " and the three other files" : options.data.dir;
  return "Using " + model.string() + " (" + origin_text(command, "model") + "), data " + data + " (" +
         origin_text(command, files ? "--train-images" : "--data") + ")";
}

}  // namespace gpufm::cli
