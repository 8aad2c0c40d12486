#include "gpufm/study_run.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "gpufm/optimizer_math.hpp"
#include "gpufm/plan.hpp"

namespace gpufm {

namespace {

// Libraries' workspaces and handles beside a member's own buffers (cuDNN's convolution workspace
// is sized from its heuristics at bind time, cuBLAS keeps its own): a generous allowance.
constexpr std::size_t member_overhead_bytes = std::size_t{256} << 20;

std::size_t pending_members(const Study& study) {
  return static_cast<std::size_t>(std::count_if(study.members.begin(), study.members.end(), [](const StudyMember& m) { return !m.done(); }));
}

}  // namespace

std::size_t member_bytes(const Graph& graph, const Dataset& data) {
  const Plan plan = plan_memory(graph);
  const auto batch = static_cast<std::size_t>(graph.train.batch);
  const auto slots = static_cast<std::size_t>(optimizer_state_slots(graph.train.optimizer));
  const std::size_t params = static_cast<std::size_t>(plan.param_elements) * sizeof(float);
  const std::size_t trained = static_cast<std::size_t>(plan.trainable_elements) * sizeof(float) * (1 + slots);
  const std::size_t arena = static_cast<std::size_t>(plan.training.bytes_per_sample) * batch;
  const std::size_t images = data.train.pixels.size() + data.train.labels.size() + data.test.pixels.size() + data.test.labels.size();
  const std::size_t ids = (data.train.count + data.test.count) * sizeof(std::int32_t);
  return params + trained + arena + images + ids + member_overhead_bytes;
}

std::size_t members_that_fit(const Graph& graph, const Dataset& data, std::optional<std::size_t> free_bytes, std::size_t wanted) {
  wanted = std::max<std::size_t>(wanted, 1);
  if (!free_bytes) return wanted;
  return std::clamp<std::size_t>(*free_bytes / member_bytes(graph, data), 1, wanted);
}

std::vector<Backend*> member_backends(const StudyBackends& backends, const Study& study, const Graph& graph, const Dataset& data,
                                      std::vector<std::unique_ptr<Backend>>& made) {
  std::vector<Backend*> chosen = {&backends.first};
  if (backends.side_by_side <= 1 || !backends.make_another) return chosen;
  const std::size_t wanted = std::min(backends.side_by_side, pending_members(study));
  const std::size_t count = members_that_fit(graph, data, backends.first.free_memory(), wanted);
  while (chosen.size() < count) {
    made.push_back(backends.make_another());
    chosen.push_back(made.back().get());
  }
  return chosen;
}

RunResult run_member(const Study& study, const StudyMember& member, const StudyDirectory& dir, std::optional<SplitIds> split,
                     Backend& backend, const RunEvents& events) {
  const RunRequest request{study.model_file, overrides_of(study, member), study.data, study.seed, dir.member_path(member), std::move(split)};
  return run_training(request, backend, events);
}

RunResult run_or_resume(const StudyMember& member, std::size_t index, const StudyDirectory& dir, Backend& backend, const RunEvents& events,
                        const TrainMember& train) {
  const std::filesystem::path run_dir = dir.member_path(member);
  std::error_code status;
  if (std::filesystem::is_regular_file(run_dir / "checkpoint.safetensors", status)) {
    return resume_training(run_dir, std::nullopt, backend, events);
  }
  std::filesystem::remove_all(run_dir, status);
  if (status) throw IoError("could not empty " + run_dir.string() + ": " + status.message());
  return train(member, index, backend, events);
}

void run_members(Study& study, const StudyDirectory& dir, const StudyEvents& events, const std::vector<Backend*>& backends,
                 const TrainMember& train) {
  std::mutex record;  // guards the members' records, the study directory and the member events
  std::size_t next = 0;
  std::atomic<bool> failed = false;
  std::exception_ptr first_failure, first_interruption;
  // Side by side, a member's epochs are not reported, and a failure elsewhere stops it.
  RunEvents run_events = events.run;
  if (backends.size() > 1) {
    run_events = RunEvents{.started = {}, .training = {}, .step_observer = nullptr};
    run_events.training.stop_requested = [&failed, stop = events.run.training.stop_requested] { return failed || (stop && stop()); };
  }
  // Takes the next member not yet done, until none is left or a member failed.
  const auto run_next_members = [&](Backend& backend) {
    while (!failed) {
      std::size_t index = 0;
      {
        const std::lock_guard lock(record);
        while (next < study.members.size() && study.members[next].done()) ++next;
        if (next == study.members.size()) return;
        index = next++;
        if (events.member_started) events.member_started(study.members[index], index);
      }
      std::optional<MemberFigures> figures;
      std::string diverged;
      try {
        figures = figures_of(run_or_resume(study.members[index], index, dir, backend, run_events, train));
      } catch (const Diverged& e) {
        diverged = e.what();
      }
      const std::lock_guard lock(record);
      study.members[index].figures = figures;
      study.members[index].diverged = diverged;
      dir.write(study);
      if (events.member_done) events.member_done(study.members[index], index);
    }
  };
  // The first failure is rethrown; members stopped because of it (or by the caller) throw Interrupted.
  const auto worker = [&](Backend& backend) {
    try {
      backend.bind_to_calling_thread();
      run_next_members(backend);
    } catch (const Interrupted&) {
      const std::lock_guard lock(record);
      if (!first_interruption) first_interruption = std::current_exception();
      failed = true;
    } catch (...) {
      const std::lock_guard lock(record);
      if (!first_failure) first_failure = std::current_exception();
      failed = true;
    }
  };
  if (backends.size() == 1) {
    worker(*backends.front());
  } else {
    std::vector<std::jthread> threads;
    for (Backend* backend : backends) threads.emplace_back(worker, std::ref(*backend));
  }
  if (first_failure) std::rethrow_exception(first_failure);
  if (first_interruption) std::rethrow_exception(first_interruption);
}

}  // namespace gpufm
