// What a sweep is made of: grid axes expand to every combination in nested-loop order; sampled
// settings stay in their ranges, follow their distributions and depend on (seed, trial) alone;
// the plan combines both; the leaderboard ranks finished members; a study's record reads back as
// written.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "gpufm/search_space.hpp"
#include "gpufm/study_dir.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

std::vector<std::string> texts(const std::vector<dsl::Override>& overrides) {
  std::vector<std::string> out;
  for (const dsl::Override& o : overrides) out.push_back(o.key + "=" + o.value);
  return out;
}

TEST(Sweep, GridAxesParseAndExpandInNestedLoopOrder) {
  const GridAxis lr = parse_grid_axis("lr=0.1,0.01");
  EXPECT_EQ(lr.key, "lr");
  EXPECT_EQ(lr.values, (std::vector<std::string>{"0.1", "0.01"}));
  const std::vector<std::vector<dsl::Override>> points = grid_points({lr, parse_grid_axis("optimizer=sgd,adam,nadam")});
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(texts(points[0]), (std::vector<std::string>{"lr=0.1", "optimizer=sgd"}));
  EXPECT_EQ(texts(points[1]), (std::vector<std::string>{"lr=0.1", "optimizer=adam"}));
  EXPECT_EQ(texts(points[3]), (std::vector<std::string>{"lr=0.01", "optimizer=sgd"}));
  EXPECT_EQ(texts(points[5]), (std::vector<std::string>{"lr=0.01", "optimizer=nadam"}));
  EXPECT_EQ(grid_points({}).size(), 1u);
}

TEST(Sweep, BadGridAxesAreInputErrors) {
  for (const char* text : {"lr", "lr=", "=0.1"}) {
    test::expect_input_error([&] { parse_grid_axis(text); }, {"--grid", "expected KEY=V1,V2,..."});
  }
  test::expect_input_error([&] { parse_grid_axis("lr=0.1,,0.2"); }, {"--grid lr=0.1,,0.2: an empty value"});
}

TEST(Sweep, SampledSettingsParse) {
  const SampledSetting log = parse_sampled_setting("lr=log:1e-5:1e-1");
  EXPECT_EQ(log.key, "lr");
  EXPECT_EQ(log.distribution, Distribution::log_uniform);
  EXPECT_EQ(log.low, 1e-5);
  EXPECT_EQ(log.high, 1e-1);
  EXPECT_EQ(parse_sampled_setting("rate=uniform:0:0.5").distribution, Distribution::uniform);
  EXPECT_EQ(parse_sampled_setting("units=int:16:128").distribution, Distribution::integer);
  EXPECT_EQ(parse_sampled_setting("optimizer=choice:sgd,adam").choices, (std::vector<std::string>{"sgd", "adam"}));
}

TEST(Sweep, BadSampledSettingsAreInputErrors) {
  test::expect_input_error([] { parse_sampled_setting("lr"); }, {"--sample lr: expected KEY=log:LOW:HIGH"});
  test::expect_input_error([] { parse_sampled_setting("lr=normal:0:1"); }, {"--sample lr=normal:0:1: expected"});
  test::expect_input_error([] { parse_sampled_setting("lr=log:1e-3"); }, {"--sample lr=log:1e-3: expected"});
  test::expect_input_error([] { parse_sampled_setting("lr=log:0:1"); }, {"log needs 0 < LOW < HIGH"});
  test::expect_input_error([] { parse_sampled_setting("lr=log:a:1"); }, {"'a' is not a number"});
  test::expect_input_error([] { parse_sampled_setting("rate=uniform:1:1"); }, {"uniform needs LOW < HIGH"});
  test::expect_input_error([] { parse_sampled_setting("units=int:1.5:4"); }, {"int needs whole numbers LOW <= HIGH"});
  test::expect_input_error([] { parse_sampled_setting("optimizer=choice:sgd,"); }, {"an empty choice"});
}

TEST(Sweep, BoundingValuesAreTheChoicesOrTheRangesEndsAsDrawsWriteThem) {
  EXPECT_EQ(bounding_values(parse_sampled_setting("optimizer=choice:sgd,adam,nadam")), (std::vector<std::string>{"sgd", "adam", "nadam"}));
  EXPECT_EQ(bounding_values(parse_sampled_setting("units=int:16:128")), (std::vector<std::string>{"16", "128"}));
  EXPECT_EQ(bounding_values(parse_sampled_setting("lr=log:1e-5:0.1")), (std::vector<std::string>{"1e-05", "0.1"}));
  EXPECT_EQ(bounding_values(parse_sampled_setting("rate=uniform:0:0.123456")), (std::vector<std::string>{"0", "0.1235"}));
}

double value(const std::vector<dsl::Override>& drawn, const std::string& key) {
  for (const dsl::Override& o : drawn) {
    if (o.key == key) return std::stod(o.value);
  }
  ADD_FAILURE() << "no " << key;
  return 0;
}

TEST(Sweep, SamplesStayInRangeAndFollowTheirDistributions) {
  const std::vector<SampledSetting> settings = {parse_sampled_setting("lr=log:1e-4:1e-0"), parse_sampled_setting("rate=uniform:0.2:0.6"),
                                                parse_sampled_setting("units=int:3:6"), parse_sampled_setting("opt=choice:sgd,adam,nadam")};
  constexpr int trials = 2000;
  int below_geometric_mean = 0, below_middle = 0;
  std::set<std::string> units, optimizers;
  for (int t = 0; t < trials; ++t) {
    const std::vector<dsl::Override> drawn = sample_trial(settings, 11, t);
    ASSERT_EQ(drawn.size(), 4u);
    const double lr = value(drawn, "lr"), rate = value(drawn, "rate");
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1.0);
    EXPECT_GE(rate, 0.2);
    EXPECT_LE(rate, 0.6);
    below_geometric_mean += lr < 1e-2;
    below_middle += rate < 0.4;
    units.insert(drawn[2].value);
    optimizers.insert(drawn[3].value);
  }
  // Log-uniform: half below the geometric mean of the range; uniform: half below its middle.
  EXPECT_NEAR(below_geometric_mean, trials / 2, trials / 20);
  EXPECT_NEAR(below_middle, trials / 2, trials / 20);
  EXPECT_EQ(units, (std::set<std::string>{"3", "4", "5", "6"}));
  EXPECT_EQ(optimizers, (std::set<std::string>{"sgd", "adam", "nadam"}));
}

TEST(Sweep, SamplesDependOnSeedAndTrialAlone) {
  const std::vector<SampledSetting> settings = {parse_sampled_setting("lr=log:1e-5:1e-1"), parse_sampled_setting("units=int:1:1000")};
  EXPECT_EQ(texts(sample_trial(settings, 5, 3)), texts(sample_trial(settings, 5, 3)));
  EXPECT_NE(texts(sample_trial(settings, 5, 3)), texts(sample_trial(settings, 6, 3)));
  EXPECT_NE(texts(sample_trial(settings, 5, 3)), texts(sample_trial(settings, 5, 4)));
  // A longer sweep begins with the shorter one's trials.
  SearchSpace space{{}, settings, 3};
  const auto three = plan_trials(space, 5);
  space.trials = 6;
  const auto six = plan_trials(space, 5);
  for (std::size_t t = 0; t < three.size(); ++t) EXPECT_EQ(texts(three[t]), texts(six[t]));
}

TEST(Sweep, PlanDrawsTheSamplesForEachGridPoint) {
  const SearchSpace space{{parse_grid_axis("batch=16,32")}, {parse_sampled_setting("lr=log:1e-4:1e-1")}, 3};
  const std::vector<std::vector<dsl::Override>> plan = plan_trials(space, 1);
  ASSERT_EQ(plan.size(), 6u);
  for (std::size_t t = 0; t < plan.size(); ++t) {
    EXPECT_EQ(texts(plan[t])[0], t < 3 ? "batch=16" : "batch=32");
    EXPECT_EQ(texts({plan[t][1]}), texts(sample_trial(space.sampled, 1, static_cast<std::int64_t>(t))));
  }
  EXPECT_EQ(plan_trials({{parse_grid_axis("batch=16,32")}, {}, 0}, 1).size(), 2u);
}

TEST(Sweep, PlansThatVaryNothingOrAKeyTwiceAreInputErrors) {
  const GridAxis lr = parse_grid_axis("lr=0.1,0.01");
  const SampledSetting sampled_lr = parse_sampled_setting("lr=log:1e-4:1e-1");
  test::expect_input_error([] { plan_trials({}, 1); }, {"nothing to vary: give --grid KEY=V1,V2,... or --trials N with --sample KEY=DIST"});
  test::expect_input_error([&] { plan_trials({{}, {sampled_lr}, 0}, 1); }, {"--sample needs --trials N"});
  test::expect_input_error([&] { plan_trials({{lr}, {}, 4}, 1); }, {"--trials 4 draws the --sample settings; give one"});
  test::expect_input_error([&] { plan_trials({{lr}, {sampled_lr}, 2}, 1); }, {"'lr' is varied twice"});
}

StudyMember finished(const std::string& name, std::optional<double> val_loss, std::optional<double> val_accuracy) {
  MemberFigures figures;
  figures.epochs = 2;
  figures.best.epoch = 2;
  figures.best.val_loss = val_loss;
  figures.best.val_accuracy = val_accuracy;
  return StudyMember{name, {{"lr", name}}, figures, {}};
}

TEST(Study, LeaderboardRanksFinishedMembersTiesInOrderMissingAndNanLast) {
  const double nan = std::nan("");
  const std::vector<StudyMember> members = {finished("a", 0.5, 0.8), finished("b", 0.3, 0.8), StudyMember{"c", {}, std::nullopt, {}},
                                            finished("d", 0.5, 0.9), finished("e", std::nullopt, std::nullopt), finished("f", 0.2, 0.7),
                                            finished("g", nan, nan)};
  EXPECT_EQ(leaderboard(members, Monitor::val_loss), (std::vector<std::size_t>{5, 1, 0, 3, 4, 6}));
  EXPECT_EQ(leaderboard(members, Monitor::val_accuracy), (std::vector<std::size_t>{3, 0, 1, 5, 4, 6}));
  EXPECT_EQ(parse_metric("val_accuracy"), Monitor::val_accuracy);
  test::expect_input_error([] { parse_metric("loss"); }, {"--metric loss: expected val_loss or val_accuracy"});
}

TEST(Study, StatisticsAreTheMeanAndSampleStandardDeviation) {
  const std::vector<double> values = {1, 2, 3, 4};
  const MeanStd s = mean_std(values);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(5.0 / 3.0));
  const MemberStatistics members = member_statistics({finished("a", 0.5, std::nullopt), finished("b", 0.3, std::nullopt)});
  EXPECT_DOUBLE_EQ(members.val_loss->mean, 0.4);
  EXPECT_FALSE(members.val_accuracy.has_value()) << "no member has an accuracy";
}

TEST(Study, DirectoryRecordReadsBackAsWritten) {
  test::TempDir dir;
  Study study{.design = SweepDesign{{"lr=0.1,0.01"}, {"units=int:2:8"}, 2, Monitor::val_accuracy, "runs/first"},
              .model_file = "models/small.dsl",
              .model = "small",
              .data = {"a", "b", "c", "d"},
              .seed = 9,
              .overrides = {{"epochs", "3"}},
              .members = {finished("trial-001", 0.4, 0.9), StudyMember{"trial-002", {{"lr", "0.01"}}, std::nullopt, {}},
                          StudyMember{"trial-003", {{"lr", "10"}}, std::nullopt, "training diverged: ..."}},
              .final = {}};
  const StudyDirectory written = StudyDirectory::create(dir / "study", study);
  written.write(study);
  const Study read = StudyDirectory::open(dir / "study").read();
  const SweepDesign& design = std::get<SweepDesign>(read.design);
  EXPECT_EQ(design.grid, std::vector<std::string>{"lr=0.1,0.01"});
  EXPECT_EQ(design.metric, Monitor::val_accuracy);
  EXPECT_EQ(design.from, "runs/first");
  EXPECT_EQ(read.data.test_images, "c");
  EXPECT_EQ(read.seed, 9u);
  EXPECT_EQ(texts(read.overrides), std::vector<std::string>{"epochs=3"});
  ASSERT_EQ(read.members.size(), 3u);
  EXPECT_EQ(read.members[0].figures->best.val_loss, 0.4);
  EXPECT_EQ(texts(read.members[1].overrides), std::vector<std::string>{"lr=0.01"});
  EXPECT_FALSE(read.members[1].done());
  EXPECT_TRUE(read.members[2].done());
  EXPECT_EQ(read.members[2].diverged, "training diverged: ...");
  EXPECT_FALSE(read.members[2].figures.has_value());
  test::expect_input_error([&] { StudyDirectory::open(dir.path()); }, {"not a study directory (no study.json)"});
}

}  // namespace
}  // namespace gpufm
