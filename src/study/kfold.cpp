#include "gpufm/kfold.hpp"

#include "gpufm/folds.hpp"

namespace gpufm {

namespace {

// The final run has nothing to validate on; a model that watches a validation figure (early
// stopping, a plateau schedule) says so now rather than after the folds.
void check_final_compiles(const Study& study) {
  try {
    compile_file(study.model_file, overrides_of(study, *study.final));
  } catch (const InputError& e) {
    throw InputError(std::string("--final trains on the whole training set, validating nothing: ") + e.what());
  }
}

}  // namespace

KfoldResult run_kfold(const KfoldRequest& request, Backend& backend, const StudyEvents& events) {
  Study study{.design = request.design, .model_file = request.model_file, .model = {}, .data = request.data, .seed = request.seed,
              .overrides = request.overrides, .members = {}, .final = {}};
  const Graph graph = compile_file(request.model_file, request.overrides);
  study.model = graph.name;
  if (request.final) {
    study.final = StudyMember{"final", {{"validation", "0"}}, std::nullopt};
    check_final_compiles(study);
  }
  const Dataset data = load_dataset(request.data);
  const std::vector<std::vector<std::int32_t>> folds =
      split_into_folds(data.train.labels, request.design.folds, request.design.stratified, request.seed);
  for (std::size_t k = 1; k <= folds.size(); ++k) study.members.push_back({"fold-" + std::to_string(k), {}, std::nullopt});

  const StudyDirectory dir = StudyDirectory::create(request.out, study);
  dir.write(study);
  if (events.started) events.started(StudyStart{study, graph, data, dir, backend.describe()});
  run_members(study, dir, events, [&](const StudyMember& member, std::size_t index) {
    return run_member(study, member, dir, fold_split(folds, index), backend, events.run);
  });
  KfoldResult result{dir.path(), {}, member_statistics(study.members), std::nullopt};
  if (study.final) {
    StudyMember& final = *study.final;
    if (events.member_started) events.member_started(final, study.members.size());
    const RunResult run = run_member(study, final, dir, std::nullopt, backend, events.run);
    final.figures = figures_of(run);
    dir.write(study);
    if (events.member_done) events.member_done(final, study.members.size());
    // The final model: the last epoch's, or the best one's when early stopping restored it.
    result.final_test = evaluate_checkpoint(EvalRequest{dir.member_path(final), run.restored_epoch > 0, {}, study.data}, backend);
  }
  result.study = std::move(study);
  return result;
}

}  // namespace gpufm
