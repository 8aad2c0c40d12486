// Running a study's members, as k-fold and sweeps both do. A member needs nothing from another,
// so on a GPU that a small model leaves mostly idle several run side by side, each on a backend of
// its own (its own CUDA stream and handles, on the same GPU); the study directory records each as
// it finishes. The library reports through callbacks; the CLI prints.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gpufm/study_dir.hpp"

namespace gpufm {

// The backends a study's members run on: `first`, and when `side_by_side` asks for more than one
// member at a time, backends made by `make_another` (the same device) up to what the device's free
// memory holds (members_that_fit) and the members left to run.
struct StudyBackends {
  Backend& first;
  std::size_t side_by_side = 1;
  std::function<std::unique_ptr<Backend>()> make_another = {};
};

// How many members of `graph` on `data` fit side by side in `free_bytes` (none given: no limit),
// at most `wanted` and at least one. Each needs its parameters, gradients and optimizer state, its
// activation arena at the batch size, its own copy of the data, and room for its library
// workspaces and handles.
std::size_t members_that_fit(const Graph& graph, const Dataset& data, std::optional<std::size_t> free_bytes, std::size_t wanted);
std::size_t member_bytes(const Graph& graph, const Dataset& data);  // the estimate of one

// What a study reports before its first member runs, for the CLI's header.
struct StudyStart {
  const Study& study;
  const Graph& graph;  // the model with the study's overrides
  const Dataset& data;
  const StudyDirectory& dir;
  std::string backend;
  std::size_t side_by_side = 1;  // members running at once
};

struct StudyEvents {
  std::function<void(const StudyStart&)> started;
  // Around each member that runs; `index` is its place among the study's members (k-fold's
  // final run comes after them all). Called one at a time, also when members run side by side.
  std::function<void(const StudyMember&, std::size_t index)> member_started, member_done;
  // Each member's run. Side by side, only run.training.stop_requested is asked (from every
  // member's thread at once): the members' epochs would interleave.
  RunEvents run;
};

// Trains one member into its run directory in the study directory: the study's model, data and
// seed, the study's overrides then the member's, validating on `split` when given.
RunResult run_member(const Study& study, const StudyMember& member, const StudyDirectory& dir, std::optional<SplitIds> split,
                     Backend& backend, const RunEvents& events);

// Trains `member` into its run directory: resuming from the checkpoint there, if the study stopped
// while it ran, else afresh with `train` in the emptied directory.
using TrainMember = std::function<RunResult(const StudyMember&, std::size_t index, Backend& backend, const RunEvents& events)>;
RunResult run_or_resume(const StudyMember& member, std::size_t index, const StudyDirectory& dir, Backend& backend, const RunEvents& events,
                        const TrainMember& train);

// The backends for the members of `study` not yet done: backends.first, and as many more as the
// request, its free memory and those members allow, owned by `made`.
std::vector<Backend*> member_backends(const StudyBackends& backends, const Study& study, const Graph& graph, const Dataset& data,
                                      std::vector<std::unique_ptr<Backend>>& made);

// Runs every member not yet done, in order, as many at once as there are backends, and writes
// the study directory after each, so that an interrupted study loses only the steps of the members
// that were running: a member whose run directory holds a checkpoint resumes from it, one without
// starts afresh with `train`. A member whose run diverges is recorded as such, and the study goes
// on. Any other failure stops the members running beside it at their next step, resumably (their
// checkpoints saved), and is rethrown.
void run_members(Study& study, const StudyDirectory& dir, const StudyEvents& events, const std::vector<Backend*>& backends,
                 const TrainMember& train);

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
