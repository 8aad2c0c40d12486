#include "gpufm/study_run.hpp"

namespace gpufm {

RunResult run_member(const Study& study, const StudyMember& member, const StudyDirectory& dir, std::optional<SplitIds> split,
                     Backend& backend, const RunEvents& events) {
  const RunRequest request{study.model_file, overrides_of(study, member), study.data, study.seed, dir.member_path(member), std::move(split)};
  return run_training(request, backend, events);
}

RunResult run_or_resume(const StudyMember& member, std::size_t index, const StudyDirectory& dir, Backend& backend, const RunEvents& events,
                        const std::function<RunResult(const StudyMember&, std::size_t index)>& train) {
  const std::filesystem::path run_dir = dir.member_path(member);
  std::error_code status;
  if (std::filesystem::is_regular_file(run_dir / "checkpoint.safetensors", status)) {
    return resume_training(run_dir, std::nullopt, backend, events);
  }
  std::filesystem::remove_all(run_dir, status);
  if (status) throw IoError("could not empty " + run_dir.string() + ": " + status.message());
  return train(member, index);
}

void run_members(Study& study, const StudyDirectory& dir, const StudyEvents& events, Backend& backend,
                 const std::function<RunResult(const StudyMember&, std::size_t index)>& train) {
  for (std::size_t index = 0; index < study.members.size(); ++index) {
    StudyMember& member = study.members[index];
    if (member.done()) continue;
    if (events.member_started) events.member_started(member, index);
    try {
      member.figures = figures_of(run_or_resume(member, index, dir, backend, events.run, train));
    } catch (const Diverged& e) {
      member.diverged = e.what();
    }
    dir.write(study);
    if (events.member_done) events.member_done(member, index);
  }
}

}  // namespace gpufm
