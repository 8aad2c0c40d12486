// `gpufm kfold` and `gpufm sweep` as a user runs them, on a small generated IDX set: the study
// directory, the tables, the final test report, a resumed sweep and k-fold study, a diverging
// trial, a staged sweep (--from),
// gpufm.toml choosing the model, and one-line errors for bad flags.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

using nlohmann::json;

constexpr const char* classifier = R"(let units = 8
input 8x8x1
flatten
dense $units relu
dense 4 softmax
train:
  optimizer adam lr=0.01
  batch 32
  epochs 2
  validation 0.2
)";

json read_json(const std::filesystem::path& path) { return json::parse(read_file(path)); }

// The figures without the times, which differ from run to run, and the run directories' paths.
json without_times(json figures) {
  if (figures.is_object()) {
    figures.erase("seconds");
    figures.erase("run_dir");
    for (json& value : figures) value = without_times(value);
  } else if (figures.is_array()) {
    for (json& value : figures) value = without_times(value);
  }
  return figures;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class StudyCli : public testing::Test {
 protected:
  void SetUp() override {
    write_learnable_set(dir.path(), 256, 64);
    model = dir.write("small.dsl", classifier).string();
  }
  std::string out(const std::string& name) const { return (dir / name).string(); }
  // gpufm COMMAND small.dsl --data DIR --device cpu ARGS...
  CommandResult run(const std::string& command, const std::vector<std::string>& args) const {
    std::vector<std::string> all = {command, model, "--data", dir.path().string(), "--device", "cpu"};
    all.insert(all.end(), args.begin(), args.end());
    return run_gpufm(all);
  }
  // The trials' figures as the summary ranks them.
  std::vector<std::pair<std::string, double>> ranked(const std::string& study) const {
    std::vector<std::pair<std::string, double>> trials;
    const json summary = read_json(dir / study / "summary.json");
    for (const json& trial : summary["members"]) {
      trials.emplace_back(trial["name"], trial["best"]["val_loss"]);
    }
    return trials;
  }
  TempDir dir;
  std::string model;
};

TEST_F(StudyCli, KfoldWritesEveryFoldAndPrintsTheTableAndTheFinalReport) {
  const CommandResult result = run("kfold", {"--folds", "4", "--stratified", "--final", "--out", out("cv")});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(first_line(result.out), "Using " + model + " (given), data " + dir.path().string() + " (given)");
  expect_contains(result.out, {"256 training images in 4 stratified folds of 64 (seed 42)",
                               "Validation: each fold in turn, trained on the others, in place of the model's validation 0.2",
                               "Study: " + out("cv"), "Fold 1/4 (" + out("cv") + "/fold-1)", "Fold 4/4", "fold-4: best epoch ",
                               "Final run: all 256 training images, nothing validated", "Folds (each fold's best epoch)\nfold   ",
                               "  best val_loss  ",
                               "\nmean ± std  2.0 ± 0.0  ", "Summary: " + out("cv") + "/summary.csv, summary.json", "Test (final run)",
                               "Confusion matrix (rows: true class, columns: predicted)", "weighted avg"});
  std::vector<std::int32_t> validated;
  for (int fold = 1; fold <= 4; ++fold) {
    const std::filesystem::path run_dir = dir / "cv" / ("fold-" + std::to_string(fold));
    EXPECT_TRUE(std::filesystem::is_regular_file(run_dir / "metrics.json")) << run_dir;
    const json split = read_json(run_dir / "split.json");
    EXPECT_EQ(split["validation"].size(), 64u);
    EXPECT_EQ(split["train"].size(), 192u);
    for (const json& id : split["validation"]) validated.push_back(id);
  }
  std::sort(validated.begin(), validated.end());
  EXPECT_EQ(std::unique(validated.begin(), validated.end()) - validated.begin(), 256) << "each image validated by one fold";
  const json summary = read_json(dir / "cv" / "summary.json");
  EXPECT_EQ(summary["members"].size(), 4u);
  EXPECT_TRUE(summary["mean"].contains("val_loss"));
  EXPECT_TRUE(summary["std"].contains("val_accuracy"));
  EXPECT_EQ(summary["final"]["settings"]["validation"], "0");
  const json study = read_json(dir / "cv" / "study.json");
  EXPECT_EQ(study["kind"], "kfold");
  EXPECT_EQ(study["folds"], 4);
  const std::string csv = read_file(dir / "cv" / "summary.csv");
  expect_contains(csv, {"member,epochs,best_epoch,val_loss,val_accuracy,seconds,test_loss,test_accuracy,run_dir\nfold-1,2,",
                        "\nmean,2.00,,", "\nstd,0.00,,", "\nfinal,2,"});
  // The study's report: the folds' table with their mean, every fold's curves overlaid; each fold's own.
  expect_contains(read_file(dir / "cv" / "report.html"), {"<h2>Folds</h2>", "<td>fold-4</td>", "<td>mean ± std</td>", "<td>final</td>",
                                                          "<h2>Every member's curves</h2>", "data:image/svg+xml;base64,"});
  for (const char* picture : {"curves.svg", "curves.png", "fold-1/report.html", "fold-1/curves.png", "final/confusion.png"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "cv" / picture)) << picture;
  }

  // Each fold is a run directory: eval reads it, and resuming keeps its split.
  const CommandResult eval = run_gpufm({"eval", out("cv") + "/fold-2"});
  EXPECT_EQ(eval.exit_code, 0) << eval.err;
  const CommandResult resumed = run_gpufm({"train", "--resume", out("cv") + "/fold-1", "--epochs", "3", "--device", "cpu"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_contains(resumed.out, {"192 training images, validating on 64 held out by its split.json", "resuming at epoch 3"});
}

TEST_F(StudyCli, SweepRanksTheGridOnTheLeaderboard) {
  const CommandResult result = run("sweep", {"--grid", "lr=0.05,0.01,0.002", "--out", out("grid")});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_contains(result.out, {"Sweep: 3 trials (--grid lr=0.05,0.01,0.002), ranked by val_loss (seed 42)",
                               "Trial 2/3: lr=0.01 (" + out("grid") + "/trial-002)", "Leaderboard (by val_loss of each trial's best epoch)",
                               "rank  trial      lr     epochs  val_loss  val_accuracy  time\n", "Best: trial-00"});
  expect_contains(read_file(dir / "grid" / "report.html"),
                  {"<h2>Leaderboard</h2>", "<th>rank</th><th>member</th><th>lr</th>", "<th>val_accuracy</th><th>test accuracy</th>", "<td>1</td>"});
  const auto trials = ranked("grid");
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_LE(trials[0].second, trials[1].second);
  EXPECT_LE(trials[1].second, trials[2].second);
  // The leaderboard prints the trials in the summary's order.
  EXPECT_LT(result.out.find("   1  " + trials[0].first), result.out.find("   2  " + trials[1].first));
  EXPECT_LT(result.out.find("   2  " + trials[1].first), result.out.find("   3  " + trials[2].first));
  const json study = read_json(dir / "grid" / "study.json");
  ASSERT_EQ(study["members"].size(), 3u);
  EXPECT_EQ(study["members"][2]["overrides"], json::array({"lr=0.002"}));
  EXPECT_EQ(study["members"][2]["status"], "done");
  EXPECT_EQ(read_json(dir / "grid" / "trial-003" / "settings.json")["overrides"], json::array({"lr=0.002"}));
}

TEST_F(StudyCli, AnInterruptedSweepResumesAndLosesOnlyTheTrialsThatWereRunning) {
  ASSERT_EQ(run("sweep", {"--grid", "lr=0.05,0.01,0.002", "--out", out("sweep")}).exit_code, 0);
  const auto finished = ranked("sweep");
  // Stopped while trial-002 (checkpointed after its epochs) and trial-003 (not started) ran.
  json study = read_json(dir / "sweep" / "study.json");
  for (const int trial : {1, 2}) {
    study["members"][trial]["status"] = "planned";
    study["members"][trial].erase("figures");
  }
  std::ofstream(dir / "sweep" / "study.json") << study.dump(2);
  std::filesystem::remove_all(dir / "sweep" / "trial-003");

  const CommandResult resumed = run_gpufm({"sweep", "--resume", out("sweep"), "--device", "cpu"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  expect_contains(resumed.out, {"Resuming: 1 of 3 trials done", "Trial 2/3", "Resuming from its checkpoint after epoch 2", "Trial 3/3",
                                "Epoch 1/2"});
  EXPECT_EQ(resumed.out.find("Trial 1/3"), std::string::npos) << "a finished trial runs again";
  EXPECT_EQ(ranked("sweep"), finished);
}

TEST_F(StudyCli, AnInterruptedKfoldResumesFoldByFoldThenTheFinalRun) {
  ASSERT_EQ(run("kfold", {"--folds", "3", "--final", "--out", out("cv")}).exit_code, 0);
  const json finished = without_times(read_json(dir / "cv" / "summary.json"));
  // Stopped while fold-2 (checkpointed after its epochs) ran, before fold-3 and the final run.
  json study = read_json(dir / "cv" / "study.json");
  for (json* member : {&study["members"][1], &study["members"][2], &study["final"]}) {
    (*member)["status"] = "planned";
    member->erase("figures");
  }
  std::ofstream(dir / "cv" / "study.json") << study.dump(2);
  std::filesystem::remove_all(dir / "cv" / "fold-3");
  std::filesystem::remove_all(dir / "cv" / "final");

  const CommandResult resumed = run_gpufm({"kfold", "--resume", out("cv"), "--device", "cpu"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  expect_contains(resumed.out, {"Finishing the k-fold study in " + out("cv"), "Resuming: 1 of 3 folds done", "Fold 2/3",
                                "Resuming from its checkpoint after epoch 2", "Fold 3/3", "Final run: all 256 training images", "Test (final run)"});
  EXPECT_EQ(resumed.out.find("Fold 1/3"), std::string::npos) << "a finished fold runs again";
  EXPECT_EQ(without_times(read_json(dir / "cv" / "summary.json")), finished);
  expect_one_line_error(run_gpufm({"kfold", "--resume", out("cv"), "--folds", "4"}), 2,
                        {"--resume finishes the k-fold study as it was planned; give no --folds"});
  ASSERT_EQ(run("sweep", {"--grid", "lr=0.01", "--epochs", "1", "--out", out("sweep")}).exit_code, 0);
  expect_one_line_error(run_gpufm({"kfold", "--resume", out("sweep")}), 2, {"a sweep; kfold --resume continues a k-fold study"});
}

// Members side by side (each on a backend of its own, as on a GPU) give the figures they give one
// after another: each is an ordinary run drawing nothing from the others.
TEST_F(StudyCli, MembersSideBySideGiveTheFiguresOfOneAfterAnother) {
  ASSERT_EQ(run("sweep", {"--grid", "lr=0.05,0.01,0.002", "--parallel", "1", "--out", out("one")}).exit_code, 0);
  const CommandResult side_by_side = run("sweep", {"--grid", "lr=0.05,0.01,0.002", "--parallel", "2", "--out", out("two")});
  ASSERT_EQ(side_by_side.exit_code, 0) << side_by_side.out << side_by_side.err;
  expect_contains(side_by_side.out, {"(--device cpu), 2 members at a time", "Trial 3/3", "trial-001: best epoch", "trial-003: best epoch"});
  EXPECT_EQ(side_by_side.out.find("Epoch 1/2"), std::string::npos) << "interleaved epochs were printed";
  EXPECT_EQ(without_times(read_json(dir / "two" / "summary.json")), without_times(read_json(dir / "one" / "summary.json")));

  ASSERT_EQ(run("kfold", {"--folds", "3", "--final", "--parallel", "1", "--out", out("cv1")}).exit_code, 0);
  const CommandResult folds = run("kfold", {"--folds", "3", "--final", "--parallel", "3", "--out", out("cv3")});
  ASSERT_EQ(folds.exit_code, 0) << folds.out << folds.err;
  expect_contains(folds.out, {"3 members at a time", "Test (final run)"});
  EXPECT_EQ(without_times(read_json(dir / "cv3" / "summary.json")), without_times(read_json(dir / "cv1" / "summary.json")));
  expect_one_line_error(run("sweep", {"--grid", "lr=0.05", "--parallel", "0"}), 2, {"--parallel"});
}

// Interrupted while two members run side by side, both save a checkpoint; the resumed sweep
// finishes them exactly.
TEST_F(StudyCli, AnInterruptedSideBySideSweepResumesEveryRunningMember) {
  const std::vector<std::string> sweep = {"sweep", model, "--data", dir.path().string(), "--device", "cpu", "--grid", "lr=0.05,0.01,0.002",
                                          "--epochs", "40", "--parallel", "2"};
  std::vector<std::string> alone = sweep, stopped = sweep;
  alone.insert(alone.end(), {"--out", out("alone")});
  stopped.insert(stopped.end(), {"--out", out("stopped")});
  ASSERT_EQ(run_gpufm(alone).exit_code, 0);
  RunningGpufm running(stopped);
  ASSERT_TRUE(running.wait_for_output("Trial 2/3", std::chrono::seconds(60)));
  running.send(SIGINT);
  const CommandResult interrupted = running.finish();
  ASSERT_EQ(interrupted.exit_code, 130) << "the sweep ended before the interrupt: " << interrupted.out;
  expect_contains(interrupted.err, {"resume with: gpufm sweep --resume " + out("stopped")});
  EXPECT_TRUE(std::filesystem::exists(dir / "stopped" / "trial-001" / "checkpoint.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(dir / "stopped" / "trial-002" / "checkpoint.safetensors"));

  const CommandResult resumed = run_gpufm({"sweep", "--resume", out("stopped"), "--device", "cpu", "--parallel", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(without_times(read_json(dir / "stopped" / "summary.json")), without_times(read_json(dir / "alone" / "summary.json")));
}

TEST_F(StudyCli, ADivergingTrialIsRecordedAndTheSweepGoesOn) {
  const CommandResult result = run("sweep", {"--grid", "lr=1e30,0.01", "--out", out("sweep")});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_contains(result.out, {"trial-001: training diverged: the loss was not finite (NaN or infinite) at epoch 1, step 2/7", "trial-002: best epoch"});
  const std::string leaderboard = result.out.substr(result.out.find("Leaderboard"));
  EXPECT_LT(leaderboard.find("trial-002"), leaderboard.find("trial-001")) << leaderboard;
  expect_contains(leaderboard, {"diverged"});
  const json study = read_json(dir / "sweep" / "study.json");
  EXPECT_EQ(study["members"][0]["status"], "diverged");
  EXPECT_EQ(study["members"][1]["status"], "done");
  ASSERT_EQ(read_json(dir / "sweep" / "summary.json")["members"].size(), 1u);

  const CommandResult resumed = run_gpufm({"sweep", "--resume", out("sweep"), "--device", "cpu"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_contains(resumed.out, {"Resuming: 2 of 2 trials done"});
  EXPECT_EQ(resumed.out.find("Trial 1/2"), std::string::npos) << "a diverged trial runs again";
}

TEST_F(StudyCli, CompareShowsTheSettingsThatDifferAndOverlaysTheCurves) {
  ASSERT_EQ(run("sweep", {"--grid", "lr=0.05,0.002", "--out", out("sweep")}).exit_code, 0);
  ASSERT_EQ(run("train", {"--set", "batch=16", "--set", "units=5", "--set", "augment.shift=1", "--out", out("base")}).exit_code, 0);
  const CommandResult result = run_gpufm({"compare", out("base"), out("sweep"), "--plot", out("curves")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // A variable shows by its value, a statement one run has and another lacks by its settings.
  expect_contains(result.out, {"run", "train.augment.shift", "train.batch", "train.optimizer.lr", "variables.units", "best val_loss",
                               "test accuracy", "\n" + out("base") + "  ", "\n" + out("sweep") + "/trial-001  ", "0.05  ", "0.002  ",
                               "Curves: " + out("curves") + ".svg"});
  EXPECT_EQ(result.out.find("train.augment "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("null"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("overrides"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("data."), std::string::npos) << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 5) << result.out;  // header, three runs, the curves' line
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "curves.png"));
  EXPECT_NE(read_file(dir / "curves.svg").find("<svg"), std::string::npos);
  expect_one_line_error(run_gpufm({"compare", dir.path().string()}), 2, {"neither a run directory (model.dsl) nor a study directory"});
}

TEST_F(StudyCli, SampledSweepsAreReproducibleAndFromStartsFromTheBestTrial) {
  const std::vector<std::string> search = {"--trials", "3", "--sample", "lr=log:1e-3:1e-1", "--sample", "units=int:4:12", "--seed", "3",
                                           "--epochs", "1"};
  std::vector<std::string> first = search, again = search;
  first.insert(first.end(), {"--out", out("first")});
  again.insert(again.end(), {"--out", out("again")});
  ASSERT_EQ(run("sweep", first).exit_code, 0);
  ASSERT_EQ(run("sweep", again).exit_code, 0);
  const json plan = read_json(dir / "first" / "study.json")["members"];
  ASSERT_EQ(plan.size(), 3u);
  const json replanned = read_json(dir / "again" / "study.json")["members"];
  for (std::size_t t = 0; t < plan.size(); ++t) EXPECT_EQ(plan[t]["overrides"], replanned[t]["overrides"]);

  const json best = read_json(dir / "first" / "summary.json")["members"][0];
  const std::string best_settings = "epochs=1 lr=" + best["settings"]["lr"].get<std::string>() + " units=" +
                                    best["settings"]["units"].get<std::string>();
  const CommandResult staged = run("sweep", {"--from", out("first"), "--grid", "batch=16,32", "--out", out("second")});
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;
  expect_contains(staged.out, {"From " + out("first") + ": its best trial, " + best["name"].get<std::string>() + ": " + best_settings});
  const json second = read_json(dir / "second" / "study.json");
  EXPECT_EQ(second["from"], out("first"));
  EXPECT_EQ(second["overrides"], json::array({"epochs=1", "lr=" + best["settings"]["lr"].get<std::string>(),
                                              "units=" + best["settings"]["units"].get<std::string>()}));
}

TEST_F(StudyCli, GpufmTomlChoosesTheModelAndDataElseTheDefaultModel) {
  const TempDir work;
  work.write("gpufm.toml", "model = \"" + model + "\"\ndata = \"" + dir.path().string() + "\"\ndevice = \"cpu\"\n[kfold]\nfolds = 2\n");
  const CommandResult kfold = run_gpufm({"kfold", "--epochs", "1", "--out", out("toml")}, work.path().string());
  ASSERT_EQ(kfold.exit_code, 0) << kfold.out << kfold.err;
  EXPECT_EQ(first_line(kfold.out), "Using " + model + " (from gpufm.toml), data " + dir.path().string() + " (from gpufm.toml)");
  expect_contains(kfold.out, {"in 2 folds of 128", "Device: CPU ("});
  const CommandResult train = run_gpufm({"train", "--epochs", "1", "--out", out("toml-train")}, work.path().string());
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(first_line(train.out), "Using " + model + " (from gpufm.toml), data " + dir.path().string() + " (from gpufm.toml)");

  // The command line wins; without a model anywhere, models/cnn.dsl in the working directory.
  work.write("gpufm.toml", "data = \"" + dir.path().string() + "\"\n");
  std::filesystem::create_directory(work / "models");
  work.write("models/cnn.dsl", classifier);
  const CommandResult fallback =
      run_gpufm({"sweep", "--grid", "lr=0.01", "--data", dir.path().string(), "--epochs", "1", "--out", out("cnn")}, work.path().string());
  ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_EQ(first_line(fallback.out), "Using models/cnn.dsl (default), data " + dir.path().string() + " (given)");

  // eval reads the run's own model and data, whatever gpufm.toml says.
  work.write("gpufm.toml", "model = \"missing.dsl\"\ndata = \"/missing\"\n");
  const CommandResult eval = run_gpufm({"eval", out("toml") + "/fold-1"}, work.path().string());
  EXPECT_EQ(eval.exit_code, 0) << eval.err;

  work.write("gpufm.toml", "foldz = 3\n");
  expect_one_line_error(run_gpufm({"kfold"}, work.path().string()), 2, {"gpufm.toml: 'foldz' is no flag of any gpufm command it may set"});
  work.write("gpufm.toml", "[kfold]\ngrid = \"lr=1\"\n");
  expect_one_line_error(run_gpufm({"kfold"}, work.path().string()), 2, {"gpufm.toml: 'kfold.grid' is no flag of gpufm kfold it may set"});
  work.write("gpufm.toml", "model = \"" + model + "\n");
  expect_one_line_error(run_gpufm({"kfold"}, work.path().string()), 2, {"gpufm.toml: 'model': unterminated string \"" + model});
  work.write("gpufm.toml", std::string("\0\x01 = 1\n", 7));
  expect_one_line_error(run_gpufm({"kfold"}, work.path().string()), 2, {"gpufm.toml: '\\x00\\x01' is no flag of any gpufm command"});
}

TEST_F(StudyCli, BadFlagsAndValuesExitTwoWithOneLine) {
  expect_one_line_error(run("kfold", {"--folds", "1"}), 2, {"--folds", "1"});
  expect_one_line_error(run("kfold", {"--folds", "300"}), 2, {"--folds 300: expected 2 to 256 (the training images)"});
  const std::string watching = dir.write("watching.dsl", std::string(classifier) + "  early_stopping val_loss\n").string();
  expect_one_line_error(run_gpufm({"kfold", watching, "--data", dir.path().string(), "--final"}), 2,
                        {"--final trains on the whole training set, validating nothing: ", "early_stopping monitors val_loss"});
  expect_one_line_error(run("sweep", {}), 2, {"nothing to vary"});
  expect_one_line_error(run("sweep", {"--grid", "lr"}), 2, {"--grid lr: expected KEY=V1,V2,..."});
  expect_one_line_error(run("sweep", {"--trials", "2", "--sample", "lr=log:0:1"}), 2, {"--sample lr=log:0:1: log needs 0 < LOW < HIGH"});
  expect_one_line_error(run("sweep", {"--sample", "lr=log:1e-3:1"}), 2, {"--sample needs --trials N"});
  // A value that no trial draws is checked too: seed 2's one trial draws adam.
  expect_one_line_error(run("sweep", {"--trials", "1", "--sample", "optimizer=choice:adam,adamm", "--seed", "2"}), 2,
                        {"--sample optimizer (optimizer=adamm): ", "unknown optimizer 'adamm'"});
  expect_one_line_error(run("sweep", {"--trials", "1", "--sample", "validation=uniform:0.05:1"}), 2,
                        {"--sample validation (validation=1): ", "fraction must be in [0, 1)"});
  expect_one_line_error(run("sweep", {"--grid", "lr=0.1", "--metric", "val_f1"}), 2, {"--metric", "val_f1"});
  expect_one_line_error(run("sweep", {"--grid", "kernel=3,5"}), 2, {"trial-001 (kernel=3): ", "unknown key 'kernel'"});
  expect_one_line_error(run("sweep", {"--grid", "lr=0.1", "--set", "validation=0"}), 2,
                        {"trial-001 (lr=0.1): the sweep ranks trials by val_loss, but the model validates nothing"});
  expect_one_line_error(run("sweep", {"--from", dir.path().string(), "--grid", "lr=0.1"}), 2, {"not a study directory (no study.json)"});
  ASSERT_EQ(run("kfold", {"--folds", "2", "--epochs", "1", "--out", out("cv")}).exit_code, 0);
  expect_one_line_error(run("sweep", {"--from", out("cv"), "--grid", "lr=0.1"}), 2, {"a k-fold study; --from takes a sweep's directory"});
  expect_one_line_error(run_gpufm({"sweep", "--resume", out("cv")}), 2, {"a k-fold study; --resume continues a sweep"});
  expect_one_line_error(run("sweep", {"--resume", out("cv")}), 2, {"--resume finishes the sweep as it was planned; give no FILE"});
  expect_one_line_error(run("kfold", {"--out", out("cv")}), 2, {"the study directory already holds files"});
}

}  // namespace
}  // namespace gpufm::test
