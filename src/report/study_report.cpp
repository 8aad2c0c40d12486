#include "gpufm/study_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gpufm/atomic_file.hpp"
#include "gpufm/charts.hpp"
#include "gpufm/format.hpp"
#include "gpufm/run_dir.hpp"
#include "gpufm/run_report.hpp"
#include "report/html.hpp"

namespace gpufm {

namespace {

// A member's epochs as its run directory's history has them; none before it has run.
std::vector<EpochRecord> member_history(const std::filesystem::path& dir, const StudyMember& member) {
  std::error_code status;
  if (!std::filesystem::is_regular_file(dir / member.name / "history.json", status)) return {};
  return RunDirectory::open(dir / member.name).read_history();
}

std::vector<LineChart> member_curves(const std::filesystem::path& dir, const Study& study) {
  std::vector<NamedHistory> members;
  for (const StudyMember& member : study.members) members.push_back({member.name, member_history(dir, member)});
  return overlaid_curves(members);
}

// A classifier's members are judged by accuracy too; an autoencoder's by their losses alone.
bool has_accuracy(const Study& study) {
  return std::any_of(study.members.begin(), study.members.end(),
                     [](const StudyMember& member) { return member.figures && member.figures->test_accuracy.has_value(); });
}

std::vector<std::string> member_row(const StudyMember& member, const std::vector<std::string>& keys, const std::string& rank, bool accuracy) {
  std::vector<std::string> cells;
  if (!rank.empty()) cells.push_back(rank);
  cells.push_back(member.name);
  for (const std::string& key : keys) cells.push_back(setting_of(member, key));
  if (!member.figures) {
    cells.push_back(member.diverged.empty() ? "planned" : "diverged");
    cells.insert(cells.end(), accuracy ? 4 : 3, "-");
    return cells;
  }
  const MemberFigures& f = *member.figures;
  cells.insert(cells.end(), {std::to_string(f.epochs), figure_text(f.best.val_loss)});
  if (accuracy) {
    cells.insert(cells.end(), {figure_text(f.best.val_accuracy), figure_text(f.test_accuracy)});
  } else {
    cells.push_back(figure_text(f.test_loss));
  }
  cells.push_back(seconds_text(f.seconds));
  return cells;
}

std::string members_table(const Study& study) {
  const auto* sweep = std::get_if<SweepDesign>(&study.design);
  const std::vector<std::string> keys = varied_keys(study.members);
  std::vector<std::string> header = {"member"};
  if (sweep) header.insert(header.begin(), "rank");
  header.insert(header.end(), keys.begin(), keys.end());
  const bool accuracy = has_accuracy(study);
  header.insert(header.end(), {"epochs", "best val_loss"});
  if (accuracy) {
    header.insert(header.end(), {"val_accuracy", "test accuracy"});
  } else {
    header.push_back("test loss");
  }
  header.push_back("time");
  std::vector<std::vector<std::string>> rows = {header};
  if (sweep) {
    const std::vector<std::size_t> ranked = leaderboard(study.members, sweep->metric);
    for (std::size_t r = 0; r < ranked.size(); ++r) {
      rows.push_back(member_row(study.members[ranked[r]], keys, std::to_string(r + 1), accuracy));
    }
    for (const StudyMember& member : study.members) {
      if (!member.figures) rows.push_back(member_row(member, keys, "-", accuracy));
    }
  } else {
    for (const StudyMember& member : study.members) rows.push_back(member_row(member, keys, "", accuracy));
    const MemberStatistics s = member_statistics(study.members);
    const auto mean_std = [](const std::optional<MeanStd>& value) {
      return value ? figure_text(value->mean) + " ± " + figure_text(value->std) : std::string("-");
    };
    std::vector<std::string> mean_row = {"mean ± std"};
    mean_row.resize(1 + keys.size());
    mean_row.insert(mean_row.end(), {figure_text(s.epochs.mean), mean_std(s.val_loss)});
    if (accuracy) mean_row.push_back(mean_std(s.val_accuracy));
    mean_row.insert(mean_row.end(), {"", seconds_text(s.seconds.mean)});
    rows.push_back(mean_row);
    if (study.final) rows.push_back(member_row(*study.final, keys, "", accuracy));
  }
  return report::html_table(rows);
}

// An autoencoder study's members' reconstructions of the same images, one above the other, each
// with its settings and loss; "" when no member has any.
std::string reconstructions_section(const std::filesystem::path& dir, const Study& study) {
  std::string html;
  for (const StudyMember& member : study.members) {
    std::error_code status;
    if (!member.figures || !std::filesystem::is_regular_file(dir / member.name / "reconstructions.svg", status)) continue;
    const Picture reconstructions{RunDirectory::open(dir / member.name).read("reconstructions.svg"), {}};
    const std::string settings = settings_text(member.overrides);
    html += "<p>" + report::escape_html(member.name + (settings.empty() ? "" : " (" + settings + ")")) + ": best val_loss " +
            figure_text(member.figures->best.val_loss) + "</p>\n" +
            report::svg_image(reconstructions, member.name + "'s reconstructions") + "\n";
  }
  return html.empty() ? "" : "<h2>Reconstructions by member</h2>\n" + html;
}

}  // namespace

void write_study_report(const std::filesystem::path& dir, const Study& study) {
  const Picture curves = draw_line_charts(member_curves(dir, study));
  write_picture(dir / "curves", curves);
  const auto* sweep = std::get_if<SweepDesign>(&study.design);
  const std::string what = sweep ? "sweep, ranked by " + std::string(name(sweep->metric)) + " of each trial's best epoch"
                                 : std::to_string(std::get<FoldDesign>(study.design).folds) + "-fold cross-validation";
  const std::vector<std::string> sections = {
      "<p>" + report::escape_html(study.model + " (" + study.model_file.string() + "), " + what + ", seed " + std::to_string(study.seed)) +
          "</p>\n",
      std::string(sweep ? "<h2>Leaderboard</h2>\n" : "<h2>Folds</h2>\n") + members_table(study),
      "<h2>Every member's curves</h2>\n" + report::svg_image(curves, "every member's validation curves") + "\n",
      reconstructions_section(dir, study),
  };
  write_file_atomically(dir / "report.html", report::html_page(study.model + ": " + dir.filename().string(), sections));
}

}  // namespace gpufm
