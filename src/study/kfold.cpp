#include "gpufm/kfold.hpp"

#include "gpufm/folds.hpp"

namespace gpufm {

namespace {

// The final run has nothing to validate on; a model that watches a validation figure (early
// stopping, a plateau schedule) says so now rather than after the folds.
Graph compile_final(const Study& study) {
  try {
    return compile_file(study.model_file, overrides_of(study, *study.final));
  } catch (const InputError& e) {
    throw InputError(std::string("--final trains on the whole training set, validating nothing: ") + e.what());
  }
}

// Trains the folds not yet done, then the final run if one is planned, and evaluates it.
KfoldResult finish_kfold(Study study, const Graph& graph, const Dataset& data, const StudyDirectory& dir, const StudyBackends& backends,
                         const StudyEvents& events) {
  const FoldDesign design = std::get<FoldDesign>(study.design);
  const std::vector<std::vector<std::int32_t>> folds = split_into_folds(data.train.labels, design.folds, design.stratified, study.seed);
  std::vector<std::unique_ptr<Backend>> made;
  const std::vector<Backend*> member_backend_list = member_backends(backends, study, graph, data, made);
  if (events.started) events.started(StudyStart{study, graph, data, dir, backends.first.describe(), member_backend_list.size()});
  run_members(study, dir, events, member_backend_list,
              [&](const StudyMember& member, std::size_t index, Backend& backend, const RunEvents& run_events) {
                return run_member(study, member, dir, fold_split(folds, index), backend, run_events);
              });
  Backend& backend = backends.first;
  KfoldResult result{dir.path(), {}, member_statistics(study.members), std::nullopt};
  if (study.final) {
    StudyMember& final = *study.final;
    const std::size_t index = study.members.size();
    if (!final.done()) {
      if (events.member_started) events.member_started(final, index);
      final.figures = figures_of(run_or_resume(final, index, dir, backend, events.run,
                                               [&](const StudyMember& member, std::size_t, Backend& on, const RunEvents& run_events) {
                                                 return run_member(study, member, dir, std::nullopt, on, run_events);
                                               }));
      dir.write(study);
      if (events.member_done) events.member_done(final, index);
    }
    // The final model: the last epoch's, or the best one's when early stopping restores it.
    const TrainSettings settings = compile_final(study).train;
    const bool best = settings.early_stopping && settings.early_stopping->restore_best;
    result.final_test = evaluate_checkpoint(EvalRequest{dir.member_path(final), best, {}, study.data}, backend);
  }
  result.study = std::move(study);
  return result;
}

}  // namespace

KfoldResult run_kfold(const KfoldRequest& request, const StudyBackends& backends, const StudyEvents& events) {
  Study study{.design = request.design, .model_file = request.model_file, .model = {}, .data = request.data, .seed = request.seed,
              .overrides = request.overrides, .members = {}, .final = {}};
  const Graph graph = compile_file(request.model_file, request.overrides);
  study.model = graph.name;
  if (request.final) {
    study.final = StudyMember{"final", {{"validation", "0"}}, std::nullopt, {}};
    compile_final(study);
  }
  const Dataset data = load_dataset(request.data);
  // Drawn here too, so that a bad fold count is an error before the study directory exists.
  split_into_folds(data.train.labels, request.design.folds, request.design.stratified, request.seed);
  for (std::int64_t k = 1; k <= request.design.folds; ++k) study.members.push_back({"fold-" + std::to_string(k), {}, std::nullopt, {}});
  const StudyDirectory dir = StudyDirectory::create(request.out, study);
  dir.write(study);
  return finish_kfold(std::move(study), graph, data, dir, backends, events);
}

KfoldResult resume_kfold(const std::filesystem::path& path, const StudyBackends& backends, const StudyEvents& events) {
  ReopenedStudy reopened = reopen_study<FoldDesign>(path, "a sweep; kfold --resume continues a k-fold study");
  return finish_kfold(std::move(reopened.study), reopened.graph, reopened.data, reopened.dir, backends, events);
}

}  // namespace gpufm
