#include "data_options.hpp"

#include "gpufm/error.hpp"

namespace gpufm::cli {

namespace {

struct FileOption {
  const char* flag;
  std::string DataOptions::*field;
  const char* help;
};

constexpr FileOption file_options[] = {
    {"--train-images", &DataOptions::train_images, "Training images (IDX, raw or gzip)"},
    {"--train-labels", &DataOptions::train_labels, "Training labels (IDX, raw or gzip)"},
    {"--test-images", &DataOptions::test_images, "Test images (IDX, raw or gzip)"},
    {"--test-labels", &DataOptions::test_labels, "Test labels (IDX, raw or gzip)"},
};

}  // namespace

void add_data_file_options(CLI::App& command, DataOptions& options, CLI::Option* directory) {
  for (const FileOption& option : file_options) {
    CLI::Option* file = command.add_option(option.flag, options.*option.field, option.help)->group("Data files (all four or none)");
    directory->excludes(file);
  }
}

void add_data_options(CLI::App& command, DataOptions& options, const std::string& directory_names) {
  CLI::Option* directory = command.add_option(directory_names, options.dir, "Directory with the four IDX files under their standard names")
                               ->capture_default_str();
  add_data_file_options(command, options, directory);
}

DataPaths resolve_data_paths(const DataOptions& options) {
  std::string all, missing;
  for (const FileOption& option : file_options) {
    all += (all.empty() ? "" : ", ") + std::string(option.flag);
    if ((options.*option.field).empty()) missing += (missing.empty() ? "" : ", ") + std::string(option.flag);
  }
  if (missing == all) return find_data_files(options.dir);
  if (!missing.empty()) throw InputError("give all of " + all + ", or none; missing " + missing);
  return {options.train_images, options.train_labels, options.test_images, options.test_labels};
}

}  // namespace gpufm::cli
