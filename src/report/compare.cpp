#include "gpufm/compare.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "gpufm/error.hpp"
#include "gpufm/run_dir.hpp"
#include "gpufm/run_report.hpp"
#include "gpufm/study_dir.hpp"
#include "io/record_json.hpp"

namespace gpufm {

namespace {

using nlohmann::json;

// Settings that say where or when a run happened rather than how it trained, and the --set
// overrides, whose effect the resolved settings and variables show.
bool describes_the_run_itself(const std::string& key) {
  return key == "gpufm_version" || key.rfind("data.", 0) == 0 || key == "backend" || key == "overrides";
}

// settings.json as dotted keys and their values' text. A null (no schedule, no augmentation) is
// left out, so that it lines up with another run's settings of that statement as absent.
void flatten(const json& value, const std::string& prefix, std::map<std::string, std::string>& into) {
  if (value.is_null()) return;
  if (value.is_object()) {
    for (const auto& [key, inner] : value.items()) flatten(inner, prefix.empty() ? key : prefix + "." + key, into);
  } else {
    into[prefix] = value.is_string() ? value.get<std::string>() : value.dump();
  }
}

struct LoadedRun {
  ComparedRun compared;
  std::map<std::string, std::string> settings;
  std::vector<EpochRecord> history;
};

LoadedRun load_run(const std::filesystem::path& dir, const std::string& name) {
  const RunDirectory run = RunDirectory::open(dir);
  LoadedRun loaded{ComparedRun{dir, name, {}, 0, {}, {}, {}, {}, 0}, {}, run.read_history()};
  try {
    flatten(json::parse(run.read("settings.json")), "", loaded.settings);
  } catch (const json::exception& e) {
    throw malformed_json(run.settings_file(), "settings", e);
  }
  ComparedRun& c = loaded.compared;
  c.epochs = static_cast<std::int64_t>(loaded.history.size());
  const EpochRecord* best = nullptr;
  for (const EpochRecord& r : loaded.history) {
    c.seconds += r.seconds;
    const double figure = r.val_loss.value_or(r.loss);
    if (best == nullptr || figure < best->val_loss.value_or(best->loss)) best = &r;
  }
  if (best != nullptr) {
    c.best_val_loss = best->val_loss;
    c.best_val_accuracy = best->val_accuracy;
  }
  std::error_code status;
  if (std::filesystem::is_regular_file(run.metrics_file(), status)) {
    const json metrics = json::parse(run.read("metrics.json"), nullptr, false);
    if (metrics.is_object() && metrics.contains("test")) {
      c.test_loss = metrics["test"].value("loss", 0.0);
      if (metrics["test"].contains("accuracy")) c.test_accuracy = metrics["test"]["accuracy"].get<double>();
    }
  }
  return loaded;
}

// A path's runs: itself, or a study's finished members.
std::vector<LoadedRun> runs_at(const std::filesystem::path& path) {
  std::error_code status;
  if (std::filesystem::is_regular_file(path / "study.json", status)) {
    const StudyDirectory dir = StudyDirectory::open(path);
    const Study study = dir.read();
    std::vector<LoadedRun> runs;
    std::vector<const StudyMember*> members;
    for (const StudyMember& member : study.members) members.push_back(&member);
    if (study.final) members.push_back(&*study.final);
    for (const StudyMember* member : members) {
      if (member->figures) runs.push_back(load_run(dir.member_path(*member), (path / member->name).string()));
    }
    return runs;
  }
  if (!std::filesystem::is_regular_file(path / "model.dsl", status)) {
    throw InputError(path.string() + ": neither a run directory (model.dsl) nor a study directory (study.json)");
  }
  return {load_run(path, path.string())};
}

}  // namespace

Comparison compare_runs(const std::vector<std::filesystem::path>& paths) {
  std::vector<LoadedRun> runs;
  for (const std::filesystem::path& path : paths) {
    for (LoadedRun& run : runs_at(path)) runs.push_back(std::move(run));
  }
  if (runs.empty()) throw InputError("nothing to compare: the studies given have no finished member");
  Comparison comparison;
  std::set<std::string> keys;
  for (const LoadedRun& run : runs) {
    for (const auto& [key, value] : run.settings) keys.insert(key);
  }
  for (const std::string& key : keys) {
    if (describes_the_run_itself(key)) continue;
    const auto value_of = [&](const LoadedRun& run) {
      const auto it = run.settings.find(key);
      return it == run.settings.end() ? std::string() : it->second;
    };
    if (std::any_of(runs.begin(), runs.end(), [&](const LoadedRun& run) { return value_of(run) != value_of(runs.front()); })) {
      comparison.differing_settings.push_back(key);
      for (LoadedRun& run : runs) run.compared.settings.push_back(value_of(run));
    }
  }
  std::vector<NamedHistory> histories;
  for (const LoadedRun& run : runs) histories.push_back({run.compared.name, run.history});
  comparison.curves = draw_line_charts(overlaid_curves(histories));
  for (LoadedRun& run : runs) comparison.runs.push_back(std::move(run.compared));
  return comparison;
}

}  // namespace gpufm
