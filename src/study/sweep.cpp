#include "gpufm/sweep.hpp"

#include <cstdio>

#include "gpufm/search_space.hpp"

namespace gpufm {

namespace {

// Every trial compiles and has the figure the sweep ranks by, or the sweep does not start.
void check_trial(const Study& study, const StudyMember& trial, Monitor metric) {
  const std::string which = trial.name + " (" + settings_text(trial.overrides) + "): ";
  Graph graph;
  try {
    graph = compile_file(study.model_file, overrides_of(study, trial));
  } catch (const InputError& e) {
    throw InputError(which + e.what());
  }
  if (!graph.train.has_validation()) {
    throw InputError(which + "the sweep ranks trials by " + std::string(name(metric)) +
                     ", but the model validates nothing; add 'validation 0.1' to its train section or --set validation=0.1");
  }
  if (metric == Monitor::val_accuracy && graph.train.target != Target::labels) {
    throw InputError(which + "a model whose target is its input has no accuracy to rank by; use --metric val_loss");
  }
}

SearchSpace search_space(const SweepDesign& design) {
  SearchSpace space{{}, {}, design.trials};
  for (const std::string& text : design.grid) space.grid.push_back(parse_grid_axis(text));
  for (const std::string& text : design.sampled) space.sampled.push_back(parse_sampled_setting(text));
  return space;
}

// The first trial with each sampled setting at each of its bounding values in turn, named by the
// --sample flag: the trials check only the values they happen to draw.
void check_sampled_values(const Study& study, const SearchSpace& space, Monitor metric) {
  for (const SampledSetting& setting : space.sampled) {
    for (const std::string& value : bounding_values(setting)) {
      StudyMember probe = study.members.front();
      probe.name = "--sample " + setting.key;
      for (dsl::Override& override : probe.overrides) {
        if (override.key == setting.key) override.value = value;
      }
      check_trial(study, probe, metric);
    }
  }
}

std::vector<StudyMember> planned_trials(const SearchSpace& space, std::uint64_t seed) {
  std::vector<StudyMember> trials;
  for (std::vector<dsl::Override>& settings : plan_trials(space, seed)) {
    char name[32];
    std::snprintf(name, sizeof name, "trial-%03zu", trials.size() + 1);
    trials.push_back({name, std::move(settings), std::nullopt, {}});
  }
  return trials;
}

// Runs the trials not yet done.
SweepResult run_trials(Study study, const Graph& graph, const Dataset& data, const StudyDirectory& dir, const StudyBackends& backends,
                       const StudyEvents& events) {
  std::vector<std::unique_ptr<Backend>> made;
  const std::vector<Backend*> member_backend_list = member_backends(backends, study, graph, data, made);
  if (events.started) events.started(StudyStart{study, graph, data, dir, backends.first.describe(), member_backend_list.size()});
  run_members(study, dir, events, member_backend_list,
              [&](const StudyMember& trial, std::size_t, Backend& backend, const RunEvents& run_events) {
                return run_member(study, trial, dir, std::nullopt, backend, run_events);
              });
  std::vector<std::size_t> ranked = leaderboard(study.members, std::get<SweepDesign>(study.design).metric);
  return SweepResult{dir.path(), std::move(study), std::move(ranked)};
}

}  // namespace

SweepResult run_sweep(const SweepRequest& request, const StudyBackends& backends, const StudyEvents& events) {
  const SearchSpace space = search_space(request.design);
  Study study{.design = request.design, .model_file = request.model_file, .model = {}, .data = request.data, .seed = request.seed,
              .overrides = request.overrides, .members = planned_trials(space, request.seed), .final = {}};
  const Graph graph = compile_file(request.model_file, request.overrides);
  study.model = graph.name;
  for (const StudyMember& trial : study.members) check_trial(study, trial, request.design.metric);
  check_sampled_values(study, space, request.design.metric);
  const Dataset data = load_dataset(request.data);
  const StudyDirectory dir = StudyDirectory::create(request.out, study);
  dir.write(study);
  return run_trials(std::move(study), graph, data, dir, backends, events);
}

SweepResult resume_sweep(const std::filesystem::path& path, const StudyBackends& backends, const StudyEvents& events) {
  ReopenedStudy reopened = reopen_study<SweepDesign>(path, "a k-fold study; --resume continues a sweep");
  return run_trials(std::move(reopened.study), reopened.graph, reopened.data, reopened.dir, backends, events);
}

BestTrial best_trial(const std::filesystem::path& path) {
  const Study study = StudyDirectory::open(path).read();
  const auto* sweep = std::get_if<SweepDesign>(&study.design);
  if (sweep == nullptr) throw InputError(path.string() + ": a k-fold study; --from takes a sweep's directory");
  const std::vector<std::size_t> ranked = leaderboard(study.members, sweep->metric);
  if (ranked.empty()) throw InputError(path.string() + ": no trial of this sweep has finished; --from takes its best");
  const StudyMember& best = study.members[ranked.front()];
  return BestTrial{best.name, overrides_of(study, best)};
}

}  // namespace gpufm
