#include "gpufm/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <ctime>
#include <iterator>
#include <string_view>

#include "gpufm/atomic_file.hpp"
#include "gpufm/text_file.hpp"
#include "gpufm/error.hpp"
#include "io/record_json.hpp"

namespace gpufm {

namespace {

std::string timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

void make_directory(const std::filesystem::path& path) {
  std::error_code status;
  std::filesystem::create_directories(path, status);
  if (status) throw IoError("could not create " + path.string() + ": " + status.message());
}

// A number as Python's repr writes a float (CSVLogger's csv module does): the shortest digits that
// read back as the same double, in fixed notation with a decimal point for exponents -4 to 15,
// else as 1.5e-05; "NA" for none, as CSVLogger writes a missing value.
std::string csv_number(const std::optional<double>& value) {
  if (!value) return "NA";
  char text[32];
  const std::to_chars_result scientific = std::to_chars(std::begin(text), std::end(text), *value, std::chars_format::scientific);
  const std::string_view written(text, scientific.ptr);
  const std::size_t e = written.find('e');
  if (e == std::string_view::npos) return std::string(written);  // inf, nan
  const int exponent = std::stoi(std::string(written.substr(e + 1)));
  if (exponent < -4 || exponent >= 16) return std::string(written);
  const std::to_chars_result fixed = std::to_chars(std::begin(text), std::end(text), *value, std::chars_format::fixed);
  std::string number(text, fixed.ptr);
  if (number.find('.') == std::string::npos) number += ".0";
  return number;
}

struct CsvColumn {
  const char* name;
  std::optional<double> (*value)(const EpochRecord&);
};

// CSVLogger's columns: epoch, then the logged keys in alphabetical order, learning_rate as Keras 3
// names it when a schedule logs it, and the epoch's seconds.
constexpr CsvColumn csv_columns[] = {
    {"accuracy", [](const EpochRecord& r) { return r.accuracy; }},
    {"learning_rate", [](const EpochRecord& r) -> std::optional<double> { return r.lr; }},
    {"loss", [](const EpochRecord& r) -> std::optional<double> { return r.loss; }},
    {"seconds", [](const EpochRecord& r) -> std::optional<double> { return r.seconds; }},
    {"val_accuracy", [](const EpochRecord& r) { return r.val_accuracy; }},
    {"val_loss", [](const EpochRecord& r) { return r.val_loss; }},
};

bool is_accuracy(const CsvColumn& column) { return std::string_view(column.name).ends_with("accuracy"); }

}  // namespace

std::filesystem::path create_output_directory(const std::filesystem::path& requested, const std::string& name, const std::string& what) {
  std::error_code status;
  if (!requested.empty()) {
    if (std::filesystem::exists(requested, status) && !std::filesystem::is_empty(requested, status)) {
      throw InputError(requested.string() + ": the " + what + " already holds files; choose another --out (nothing is overwritten)");
    }
    make_directory(requested);
    return requested;
  }
  const std::filesystem::path base = std::filesystem::path("runs") / (name + "-" + timestamp());
  std::filesystem::path path = base;
  for (int n = 2; std::filesystem::exists(path, status); ++n) path = base.string() + "-" + std::to_string(n);
  make_directory(path);
  return path;
}

RunDirectory RunDirectory::create(const std::filesystem::path& requested, const std::string& model_name) {
  return RunDirectory(create_output_directory(requested, model_name, "run directory"));
}

RunDirectory RunDirectory::open(const std::filesystem::path& path) {
  std::error_code status;
  if (!std::filesystem::is_directory(path, status)) throw InputError(path.string() + ": no such run directory");
  for (const char* name : {"model.dsl", "settings.json"}) {
    if (!std::filesystem::is_regular_file(path / name, status)) {
      throw InputError(path.string() + ": not a run directory (no " + name + ")");
    }
  }
  return RunDirectory(path);
}

void RunDirectory::write(const std::string& name, const std::string& text) const { write_file_atomically(path_ / name, text); }

std::string RunDirectory::read(const std::string& name) const {
  std::optional<std::string> text = read_text_file(path_ / name);
  if (!text) throw InputError((path_ / name).string() + ": cannot read it");
  return std::move(*text);
}

void RunDirectory::write_history(const std::vector<EpochRecord>& history) const {
  // history.csv as Keras' CSVLogger writes it: epoch from 0; no accuracy columns for a model
  // that measures none (an autoencoder); without validation, its columns hold NA.
  const bool has_accuracy = !history.empty() && history.front().accuracy.has_value();
  std::string csv = "epoch";
  for (const CsvColumn& column : csv_columns) {
    if (has_accuracy || !is_accuracy(column)) csv += std::string(",") + column.name;
  }
  csv += "\n";
  for (const EpochRecord& r : history) {
    csv += std::to_string(r.epoch - 1);
    for (const CsvColumn& column : csv_columns) {
      if (has_accuracy || !is_accuracy(column)) csv.append(",").append(csv_number(column.value(r)));
    }
    csv += "\n";
  }
  write("history.csv", csv);
  write("history.json", nlohmann::json(history).dump(2) + "\n");
}

std::vector<EpochRecord> RunDirectory::read_history() const {
  try {
    return nlohmann::json::parse(read("history.json")).get<std::vector<EpochRecord>>();
  } catch (const nlohmann::json::exception& e) {
    throw malformed_json(path_ / "history.json", "history", e);
  }
}

}  // namespace gpufm
