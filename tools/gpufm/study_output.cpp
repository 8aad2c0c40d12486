#include "study_output.hpp"

#include <algorithm>
#include <cstdio>

#include "config_file.hpp"
#include "gpufm/error.hpp"

#include "gpufm/format.hpp"

namespace gpufm::cli {

namespace {

// "best epoch 3 - val_loss 0.2284 - val_accuracy 0.9844 (3 epochs, 0.2s)"; a member trained
// without validation shows its loss and accuracy.
std::string figures_line(const MemberFigures& f) {
  std::string text = "best epoch " + std::to_string(f.best.epoch);
  const bool validated = f.best.val_loss.has_value();
  const auto add = [&](const char* name, const std::optional<double>& value) {
    if (value) text += std::string(" - ") + name + " " + figure_text(*value);
  };
  add(validated ? "val_loss" : "loss", validated ? f.best.val_loss : f.best.loss);
  add(validated ? "val_accuracy" : "accuracy", validated ? f.best.val_accuracy : f.best.accuracy);
  return text + " (" + std::to_string(f.epochs) + (f.epochs == 1 ? " epoch, " : " epochs, ") + seconds_text(f.seconds) + ")";
}

}  // namespace

void print_study_header(std::ostream& out, const StudyStart& start, const std::string& device_why,
                        const std::vector<std::string>& own_lines) {
  out << "Model: " << start.graph.name << " (" << with_commas(start.graph.param_count()) << " parameters), " << describe(start.graph.train)
      << "\n";
  for (const std::string& line : own_lines) out << line << "\n";
  out << "Device: " << start.backend << " (" << device_why << ")";
  if (start.side_by_side > 1) out << ", " << start.side_by_side << " members at a time";
  out << "\n";
  out << "Study: " << start.dir.path().string() << "\n" << std::flush;
}

std::string data_line(const Dataset& data) {
  return "Data: " + (data.name.empty() ? std::string("IDX set") : data.name) + " from " + data.train.images_path.parent_path().string() +
         ", " + with_commas(static_cast<std::int64_t>(data.train.count)) + " training images";
}

StudyEvents study_events(std::ostream& out, Progress& progress, const std::function<void(const StudyStart&)>& started,
                         const std::function<std::string(const StudyMember&, std::size_t index)>& title) {
  // The study directory, known once the study has started, for each member's line.
  auto dir = std::make_shared<std::filesystem::path>();
  return StudyEvents{
      .started =
          [&progress, started, dir](const StudyStart& start) {
            *dir = start.dir.path();
            started(start);
            progress.follow(start.graph.train);
          },
      .member_started =
          [&out, title, dir](const StudyMember& member, std::size_t index) {
            out << "\n" << title(member, index) << " (" << (*dir / member.name).string() << ")\n" << std::flush;
          },
      .member_done =
          [&out](const StudyMember& member, std::size_t) {
            out << member.name << ": " << (member.figures ? figures_line(*member.figures) : member.diverged) << "\n";
          },
      .run = RunEvents{.started =
                           [&out](const RunStart& start) {
                             if (start.first_step > 1) {
                               out << "Resuming from its checkpoint at epoch " << start.first_epoch << " step " << start.first_step << "\n";
                             } else if (start.first_epoch > 1) {
                               out << "Resuming from its checkpoint after epoch " << start.first_epoch - 1 << "\n";
                             }
                           },
                       .training = progress.events()},
  };
}

std::string mean_std_text(const MeanStd& value, const std::function<std::string(double)>& text) {
  return text(value.mean) + " ± " + text(value.std);
}

std::vector<std::string> figure_cells(const StudyMember& member) {
  if (!member.figures) return {"diverged", "-", "-", "-"};
  const MemberFigures& f = *member.figures;
  return {std::to_string(f.epochs), figure_text(f.best.val_loss), figure_text(f.best.val_accuracy), seconds_text(f.seconds)};
}

std::string resuming_line(const Study& study, const std::string& members) {
  const auto done = std::count_if(study.members.begin(), study.members.end(), [](const StudyMember& m) { return m.done(); });
  return "Resuming: " + std::to_string(done) + " of " + std::to_string(study.members.size()) + " " + members + " done";
}

}  // namespace gpufm::cli
