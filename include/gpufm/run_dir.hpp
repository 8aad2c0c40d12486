// A run directory: everything one training run leaves behind, each file written atomically.
//   model.dsl                the model file as used (with --set overrides applied)
//   settings.json            the resolved settings: seed, data, backend, training recipe
//   split.json               the training and validation ids, when the run was given its split
//   history.csv, .json       per-epoch loss, accuracy, val_loss, val_accuracy, lr, time (the csv
//                            in CSVLogger's columns; the json also with skipped steps, fp16's
//                            scale and, on the last epoch, whether early stopping ended the run)
//   checkpoint.safetensors   the latest epoch's state (resumable)
//   best.safetensors         the best epoch's: by early stopping's monitor, else val_loss (loss)
//   metrics.json             final, best and test figures
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gpufm/trainer.hpp"

namespace gpufm {

// A new, empty directory for a command's output: `requested` if given (it must not hold files
// already: nothing saved is overwritten), else runs/<name>-<YYYYmmdd-HHMMSS> (with -2, -3, ... if
// taken). `what` names it in errors ("run directory").
std::filesystem::path create_output_directory(const std::filesystem::path& requested, const std::string& name, const std::string& what);

class RunDirectory {
 public:
  // A new, empty directory (create_output_directory) named after the model.
  static RunDirectory create(const std::filesystem::path& requested, const std::string& model_name);
  // An existing run (for eval and resume); InputError when it is not one.
  static RunDirectory open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path model_file() const { return path_ / "model.dsl"; }
  std::filesystem::path settings_file() const { return path_ / "settings.json"; }
  std::filesystem::path split_file() const { return path_ / "split.json"; }
  std::filesystem::path checkpoint_file() const { return path_ / "checkpoint.safetensors"; }
  std::filesystem::path best_file() const { return path_ / "best.safetensors"; }
  std::filesystem::path metrics_file() const { return path_ / "metrics.json"; }

  void write(const std::string& name, const std::string& text) const;
  std::string read(const std::string& name) const;
  void write_history(const std::vector<EpochRecord>& history) const;
  std::vector<EpochRecord> read_history() const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace gpufm
