#include "gpufm/study_run.hpp"

namespace gpufm {

RunResult run_member(const Study& study, const StudyMember& member, const StudyDirectory& dir, std::optional<SplitIds> split,
                     Backend& backend, const RunEvents& events) {
  const RunRequest request{study.model_file, overrides_of(study, member), study.data, study.seed, dir.member_path(member), std::move(split)};
  return run_training(request, backend, events);
}

void run_members(Study& study, const StudyDirectory& dir, const StudyEvents& events,
                 const std::function<RunResult(const StudyMember&, std::size_t index)>& train) {
  for (std::size_t index = 0; index < study.members.size(); ++index) {
    StudyMember& member = study.members[index];
    if (member.figures) continue;
    if (events.member_started) events.member_started(member, index);
    member.figures = figures_of(train(member, index));
    dir.write(study);
    if (events.member_done) events.member_done(member, index);
  }
}

}  // namespace gpufm
