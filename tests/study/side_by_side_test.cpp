// How many of a study's members run at once: as many as asked, as the device's free memory holds
// by each member's estimate, and as there are members left; never none.
#include <gtest/gtest.h>

#include "gpufm/study_run.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

TEST(SideBySide, AsManyMembersAsAskedAndAsFreeMemoryHolds) {
  const Graph graph = compile(dsl::parse(test::learnable_classifier, "test.dsl"));
  const Dataset data = test::learnable_dataset(512, 128);
  const std::size_t one = member_bytes(graph, data);
  // The set's bytes and the libraries' allowance are in the estimate.
  EXPECT_GT(one, data.train.pixels.size() + data.test.pixels.size() + (std::size_t{256} << 20));
  EXPECT_EQ(members_that_fit(graph, data, std::nullopt, 4), 4u);  // the CPU: no device memory to run out of
  EXPECT_EQ(members_that_fit(graph, data, 10 * one, 4), 4u);
  EXPECT_EQ(members_that_fit(graph, data, 2 * one + one / 2, 4), 2u);
  EXPECT_EQ(members_that_fit(graph, data, one / 2, 4), 1u) << "too little memory still runs one";
  EXPECT_EQ(members_that_fit(graph, data, 10 * one, 0), 1u);
}

TEST(SideBySide, BackendsForTheMembersLeftOnly) {
  const Graph graph = compile(dsl::parse(test::learnable_classifier, "test.dsl"));
  const Dataset data = test::learnable_dataset(64, 16);
  Study study;
  for (const char* name : {"trial-001", "trial-002", "trial-003"}) study.members.push_back({name, {}, std::nullopt, {}});
  study.members[0].diverged = "diverged";  // done
  auto first = make_cpu_backend();
  int made_count = 0;
  const StudyBackends backends{*first, 4, [&made_count] {
                                 ++made_count;
                                 return make_cpu_backend();
                               }};
  std::vector<std::unique_ptr<Backend>> made;
  const std::vector<Backend*> chosen = member_backends(backends, study, graph, data, made);
  ASSERT_EQ(chosen.size(), 2u);  // two members left
  EXPECT_EQ(chosen[0], first.get());
  EXPECT_EQ(made_count, 1);
  EXPECT_EQ(chosen[1], made.front().get());
  EXPECT_EQ(member_backends(StudyBackends{*first, 1, {}}, study, graph, data, made).size(), 1u);
}

}  // namespace
}  // namespace gpufm
