// Running a study's members, as k-fold and sweeps both do. A member needs nothing from another,
// so members could run side by side (one per GPU); here they run one after another, and the study
// directory records each as it finishes. The library reports through callbacks; the CLI prints.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "gpufm/study_dir.hpp"

namespace gpufm {

// What a study reports before its first member runs, for the CLI's header.
struct StudyStart {
  const Study& study;
  const Graph& graph;  // the model with the study's overrides
  const Dataset& data;
  const StudyDirectory& dir;
  std::string backend;
};

struct StudyEvents {
  std::function<void(const StudyStart&)> started;
  // Around each member that runs; `index` is its place among the study's members (k-fold's
  // final run comes after them all).
  std::function<void(const StudyMember&, std::size_t index)> member_started, member_done;
  RunEvents run;  // each member's run
};

// Trains one member into its run directory in the study directory: the study's model, data and
// seed, the study's overrides then the member's, validating on `split` when given.
RunResult run_member(const Study& study, const StudyMember& member, const StudyDirectory& dir, std::optional<SplitIds> split,
                     Backend& backend, const RunEvents& events);

// Trains `member` into its run directory: resuming from the checkpoint there, if the study stopped
// while it ran, else afresh with `train` in the emptied directory.
RunResult run_or_resume(const StudyMember& member, std::size_t index, const StudyDirectory& dir, Backend& backend, const RunEvents& events,
                        const std::function<RunResult(const StudyMember&, std::size_t index)>& train);

// Runs every member not yet done, in order, and writes the study directory after each, so that an
// interrupted study loses only the steps of the member that was running: a member whose run
// directory holds a checkpoint resumes from it, one without starts afresh with `train`. A member
// whose run diverges is recorded as such, and the study goes on.
void run_members(Study& study, const StudyDirectory& dir, const StudyEvents& events, Backend& backend,
                 const std::function<RunResult(const StudyMember&, std::size_t index)>& train);

// A study directory reopened to finish it: the study as recorded, its model compiled with the
// study's overrides, and its data.
struct ReopenedStudy {
  StudyDirectory dir;
  Study study;
  Graph graph;
  Dataset data;
};

// InputError ("PATH: `wrong_kind`") when the study's design is not `Design`.
template <class Design>
ReopenedStudy reopen_study(const std::filesystem::path& path, const std::string& wrong_kind) {
  StudyDirectory dir = StudyDirectory::open(path);
  Study study = dir.read();
  if (!std::holds_alternative<Design>(study.design)) throw InputError(path.string() + ": " + wrong_kind);
  Graph graph = compile_file(study.model_file, study.overrides);
  Dataset data = load_dataset(study.data);
  return ReopenedStudy{std::move(dir), std::move(study), std::move(graph), std::move(data)};
}

}  // namespace gpufm
