#include "gpufm/study_dir.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "gpufm/atomic_file.hpp"
#include "gpufm/error.hpp"
#include "gpufm/format.hpp"
#include "gpufm/run_dir.hpp"
#include "gpufm/study_report.hpp"
#include "io/record_json.hpp"

namespace gpufm {

namespace {

using nlohmann::json;

std::string kind_of(const Study& study) { return std::holds_alternative<FoldDesign>(study.design) ? "kfold" : "sweep"; }

json overrides_json(const std::vector<dsl::Override>& overrides) {
  json texts = json::array();
  for (const dsl::Override& override : overrides) texts.push_back(override.key + "=" + override.value);
  return texts;
}

std::vector<dsl::Override> overrides_from(const json& texts) {
  std::vector<dsl::Override> overrides;
  for (const json& text : texts) overrides.push_back(dsl::parse_override(text.get<std::string>()));
  return overrides;
}

json figures_json(const MemberFigures& figures) {
  json j = {{"epochs", figures.epochs}, {"best", figures.best}, {"seconds", figures.seconds}, {"test_loss", figures.test_loss}};
  if (figures.test_accuracy) j["test_accuracy"] = *figures.test_accuracy;
  return j;
}

MemberFigures figures_from(const json& j) {
  MemberFigures figures{.epochs = j.at("epochs"), .best = j.at("best").get<EpochRecord>(), .seconds = j.at("seconds"),
                        .test_loss = j.at("test_loss"), .test_accuracy = {}};
  if (j.contains("test_accuracy")) figures.test_accuracy = j["test_accuracy"].get<double>();
  return figures;
}

json member_json(const StudyMember& member) {
  const char* status = member.figures ? "done" : member.diverged.empty() ? "planned" : "diverged";
  json j = {{"name", member.name}, {"overrides", overrides_json(member.overrides)}, {"status", status}};
  if (member.figures) j["figures"] = figures_json(*member.figures);
  if (!member.diverged.empty()) j["diverged"] = member.diverged;
  return j;
}

// A member counts as done or diverged only when its status says so, so that marking one "planned"
// runs it again.
StudyMember member_from(const json& j) {
  StudyMember member{j.at("name").get<std::string>(), overrides_from(j.at("overrides")), std::nullopt, {}};
  if (j.at("status") == "done") member.figures = figures_from(j.at("figures"));
  if (j.at("status") == "diverged") member.diverged = j.at("diverged").get<std::string>();
  return member;
}

json study_json(const Study& study) {
  json j = {{"kind", kind_of(study)}, {"gpufm_version", GPUFM_VERSION},      {"model", study.model},
            {"model_file", study.model_file.string()}, {"data", study.data}, {"seed", study.seed},
            {"overrides", overrides_json(study.overrides)}};
  if (const auto* folds = std::get_if<FoldDesign>(&study.design)) {
    j.update({{"folds", folds->folds}, {"stratified", folds->stratified}});
  } else {
    const auto& sweep = std::get<SweepDesign>(study.design);
    j.update({{"grid", sweep.grid}, {"sample", sweep.sampled}, {"trials", sweep.trials}, {"metric", name(sweep.metric)},
              {"from", sweep.from.string()}});
  }
  json members = json::array();
  for (const StudyMember& member : study.members) members.push_back(member_json(member));
  j["members"] = members;
  if (study.final) j["final"] = member_json(*study.final);
  return j;
}

Study study_from(const json& j) {
  Study study;
  if (j.at("kind") == "kfold") {
    study.design = FoldDesign{j.at("folds"), j.at("stratified")};
  } else {
    study.design = SweepDesign{j.at("grid"), j.at("sample"), j.at("trials"), parse_metric(j.at("metric").get<std::string>()),
                               j.at("from").get<std::string>()};
  }
  study.model_file = j.at("model_file").get<std::string>();
  study.model = j.at("model");
  study.data = j.at("data");
  study.seed = j.at("seed");
  study.overrides = overrides_from(j.at("overrides"));
  for (const json& member : j.at("members")) study.members.push_back(member_from(member));
  if (j.contains("final")) study.final = member_from(j["final"]);
  return study;
}

std::string number(const std::optional<double>& value, const char* format = "%.6f") {
  if (!value) return "";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

// The summary's member rows: a sweep's finished members ranked, a k-fold study's in fold order.
std::vector<const StudyMember*> summary_members(const Study& study) {
  std::vector<const StudyMember*> rows;
  if (const auto* sweep = std::get_if<SweepDesign>(&study.design)) {
    for (const std::size_t i : leaderboard(study.members, sweep->metric)) rows.push_back(&study.members[i]);
  } else {
    for (const StudyMember& member : study.members) {
      if (member.figures) rows.push_back(&member);
    }
  }
  return rows;
}

// A k-fold study's mean and standard deviation rows.
struct AggregateRow {
  std::string label;
  double epochs = 0, seconds = 0;
  std::optional<double> val_loss, val_accuracy;
};

std::vector<AggregateRow> aggregate_rows(const MemberStatistics& s) {
  const auto part = [](const std::optional<MeanStd>& value, double MeanStd::*field) -> std::optional<double> {
    if (!value) return std::nullopt;
    return (*value).*field;
  };
  std::vector<AggregateRow> rows;
  for (const auto& [label, field] : {std::pair{"mean", &MeanStd::mean}, std::pair{"std", &MeanStd::std}}) {
    rows.push_back({label, s.epochs.*field, s.seconds.*field, part(s.val_loss, field), part(s.val_accuracy, field)});
  }
  return rows;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (const std::string& cell : cells) {
    if (!line.empty()) line += ',';
    line += csv_cell(cell);
  }
  return line + "\n";
}

std::string summary_csv(const Study& study, const std::filesystem::path& dir) {
  const bool ranked = std::holds_alternative<SweepDesign>(study.design);
  const std::vector<std::string> keys = varied_keys(study.members);
  std::vector<std::string> header = {"member"};
  if (ranked) header.insert(header.begin(), "rank");
  header.insert(header.end(), keys.begin(), keys.end());
  for (const char* column : {"epochs", "best_epoch", "val_loss", "val_accuracy", "seconds", "test_loss", "test_accuracy", "run_dir"}) {
    header.emplace_back(column);
  }
  std::string csv = csv_line(header);
  std::size_t rank = 0;
  const auto add = [&](const StudyMember& member) {
    std::vector<std::string> cells = {member.name};
    if (ranked) cells.insert(cells.begin(), std::to_string(++rank));
    for (const std::string& key : keys) cells.push_back(setting_of(member, key));
    const MemberFigures& f = *member.figures;
    cells.insert(cells.end(), {std::to_string(f.epochs), std::to_string(f.best.epoch), number(f.best.val_loss),
                               number(f.best.val_accuracy), number(f.seconds, "%.3f"), number(f.test_loss), number(f.test_accuracy),
                               (dir / member.name).string()});
    csv += csv_line(cells);
  };
  for (const StudyMember* member : summary_members(study)) add(*member);
  if (!ranked) {
    for (const AggregateRow& row : aggregate_rows(member_statistics(study.members))) {
      std::vector<std::string> cells = {row.label};
      cells.resize(1 + keys.size());
      cells.insert(cells.end(),
                   {number(row.epochs, "%.2f"), "", number(row.val_loss), number(row.val_accuracy), number(row.seconds, "%.3f"), "", "", ""});
      csv += csv_line(cells);
    }
  }
  if (study.final && study.final->figures) add(*study.final);
  return csv;
}

json summary_json(const Study& study, const std::filesystem::path& dir) {
  const auto* sweep = std::get_if<SweepDesign>(&study.design);
  const auto member_row = [&](const StudyMember& member) {
    json row = figures_json(*member.figures);
    json settings = json::object();
    for (const dsl::Override& override : member.overrides) settings[override.key] = override.value;
    row.update({{"name", member.name}, {"settings", settings}, {"run_dir", (dir / member.name).string()}});
    return row;
  };
  json summary = {{"kind", kind_of(study)}, {"members", json::array()}};
  for (const StudyMember* member : summary_members(study)) {
    summary["members"].push_back(member_row(*member));
    if (sweep) summary["members"].back()["rank"] = summary["members"].size();
  }
  if (sweep) {
    summary["metric"] = name(sweep->metric);
  } else {
    for (const AggregateRow& row : aggregate_rows(member_statistics(study.members))) {
      json& figures = summary[row.label] = {{"epochs", row.epochs}, {"seconds", row.seconds}};
      if (row.val_loss) figures["val_loss"] = *row.val_loss;
      if (row.val_accuracy) figures["val_accuracy"] = *row.val_accuracy;
    }
  }
  if (study.final && study.final->figures) summary["final"] = member_row(*study.final);
  return summary;
}

}  // namespace

StudyDirectory StudyDirectory::create(const std::filesystem::path& requested, const Study& study) {
  return StudyDirectory(create_output_directory(requested, study.model + "-" + kind_of(study), "study directory"));
}

StudyDirectory StudyDirectory::open(const std::filesystem::path& path) {
  std::error_code status;
  if (!std::filesystem::is_directory(path, status)) throw InputError(path.string() + ": no such study directory");
  if (!std::filesystem::is_regular_file(path / "study.json", status)) {
    throw InputError(path.string() + ": not a study directory (no study.json)");
  }
  return StudyDirectory(path);
}

Study StudyDirectory::read() const {
  const std::filesystem::path file = path_ / "study.json";
  try {
    return study_from(json::parse(std::ifstream(file)));
  } catch (const json::exception& e) {
    throw malformed_json(file, "study", e);
  } catch (const InputError& e) {
    throw InputError(file.string() + ": " + e.what());
  }
}

void StudyDirectory::write(const Study& study) const {
  write_file_atomically(path_ / "study.json", study_json(study).dump(2) + "\n");
  write_file_atomically(path_ / "summary.csv", summary_csv(study, path_));
  write_file_atomically(path_ / "summary.json", summary_json(study, path_).dump(2) + "\n");
  write_study_report(path_, study);
}

}  // namespace gpufm
