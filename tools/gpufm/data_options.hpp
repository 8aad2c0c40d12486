// The flags that say where the IDX data is, shared by every command that reads data: a
// directory with the standard file names, or the four files named one by one.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "gpufm/dataset.hpp"

namespace gpufm::cli {

struct DataOptions {
  std::string dir = default_data_dir;
  std::string train_images, train_labels, test_images, test_labels;
};

// Adds --train-images, --train-labels, --test-images and --test-labels (all four together), which
// exclude the directory option: naming both would leave one silently unused.
void add_data_file_options(CLI::App& command, DataOptions& options, CLI::Option* directory);

// `--data DIR` and the four files, for the commands that read data beside a model. `gpufm data`,
// whose directory is its subject, names it "DIR,--data": a positional that --data (and so a
// config file's `data` key) sets too.
void add_data_options(CLI::App& command, DataOptions& options, const std::string& directory_names = "--data");

// The four paths: the ones named explicitly, else those found in the directory.
DataPaths resolve_data_paths(const DataOptions& options);

}  // namespace gpufm::cli
