#include "gpufm/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

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

std::string optional_number(const std::optional<double>& value) {
  if (!value) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", *value);
  return text;
}

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
  // history.csv as Keras' CSVLogger writes it: epoch from 0, one column per metric.
  std::string csv = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n";
  for (const EpochRecord& r : history) {
    char line[256];
    std::snprintf(line, sizeof line, "%lld,%.6f,%s,%s,%s,%g,%.3f\n", static_cast<long long>(r.epoch - 1), r.loss,
                  optional_number(r.accuracy).c_str(), optional_number(r.val_loss).c_str(), optional_number(r.val_accuracy).c_str(), r.lr,
                  r.seconds);
    csv += line;
  }
  write("history.csv", csv);
  write("history.json", nlohmann::json(history).dump(2) + "\n");
}

std::vector<EpochRecord> RunDirectory::read_history() const {
  try {
    return nlohmann::json::parse(read("history.json")).get<std::vector<EpochRecord>>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError((path_ / "history.json").string() + ": malformed history (" + e.what() + ")");
  }
}

}  // namespace gpufm
