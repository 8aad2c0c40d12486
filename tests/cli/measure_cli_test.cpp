// `gpufm profile` and `gpufm bench` as a user runs them on the CPU: the profile's table of every
// phase and its trace file; bench's one JSON line on stdout; their bad flags and too little data.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

TEST(ProfileCli, PrintsEveryPhaseAndWritesATrace) {
  TempDir dir;
  write_learnable_set(dir.path(), 128, 32);
  const std::string model = dir.write("small.dsl", learnable_classifier).string(), trace = (dir / "trace.json").string();
  const CommandResult result =
      run_gpufm({"profile", model, "--data", dir.path().string(), "--steps", "3", "--warmup", "1", "--device", "cpu", "--trace", trace});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"Device: CPU", "Profile of small: fp32, batch 32, 3 timed steps, ", "Phase", "TFLOP/s", "GB/s", "gather",
                               "forward    conv2d", "backward   dense", "optimizer", "step", "100.0%", "Trace: " + trace});
  const nlohmann::json events = nlohmann::json::parse(read_file(trace)).at("traceEvents");
  // Eleven phases a step: the gather, four forwards, the loss, four backwards, the optimizer.
  std::size_t complete = 0;
  for (const nlohmann::json& event : events) complete += event.at("ph") == "X" ? 1 : 0;
  EXPECT_EQ(complete, 3u * 11);
}

TEST(ProfileCli, SetsTheStepAgainstTheHardwaresPeaks) {
  TempDir dir;
  write_learnable_set(dir.path(), 64, 16);
  const std::string model = dir.write("small.dsl", learnable_classifier).string();
  // At 1 TFLOP/s and 1 GB/s the small step's limit is its memory traffic: some microseconds.
  const CommandResult result = run_gpufm({"profile", model, "--data", dir.path().string(), "--steps", "2", "--warmup", "0", "--device",
                                          "cpu", "--peak-tflops", "1", "--peak-gbps", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"Limit at 1 TFLOP/s and 1 GB/s: 0.", " ms a step; measured "});
  expect_one_line_error(run_gpufm({"profile", model, "--data", dir.path().string(), "--peak-tflops", "1"}), 2, {"--peak-gbps"});
}

TEST(ProfileCli, RefusesTooFewImagesAndNoSteps) {
  TempDir dir;
  write_learnable_set(dir.path(), 16, 8);
  const std::string model = dir.write("small.dsl", learnable_classifier).string();
  expect_one_line_error(run_gpufm({"profile", model, "--data", dir.path().string(), "--device", "cpu"}), 2,
                        {"train-images", "profiling needs a batch of 32 images; it holds 16"});
  expect_one_line_error(run_gpufm({"profile", model, "--data", dir.path().string(), "--steps", "0"}), 2, {"--steps"});
}

TEST(BenchCli, PrintsOneJsonLineOnStdout) {
  TempDir dir;
  write_learnable_set(dir.path(), 128, 32);
  const std::string model = dir.write("small.dsl", learnable_classifier).string();
  const CommandResult result = run_gpufm({"bench", model, "--data", dir.path().string(), "--epochs", "2", "--device", "cpu"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.err, {"Using " + model, "Device: CPU"});
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json.at("model"), "small");
  EXPECT_EQ(json.at("epochs"), 2);
  EXPECT_EQ(json.at("epoch_s").size(), 2u);
  EXPECT_GT(json.at("images_per_s_steady").get<double>(), 0);
  EXPECT_GT(json.at("test_acc").get<double>(), 0);
  EXPECT_EQ(json.at("step_graphs"), true);
  EXPECT_TRUE(json.at("kernels_per_step").is_null()) << "the CPU has no kernels to count";
  expect_one_line_error(run_gpufm({"bench", model, "--data", dir.path().string(), "--epochs", "0"}), 2, {"--epochs"});
}

// --eager runs every step call by call, --unfused keeps bias and activation out of the library's
// products, and on the CPU (whose epilogue is one loop either way) both train to the very same
// figures; the JSON says how each ran.
TEST(BenchCli, EagerAndUnfusedStepsTrainAsDefaultOnes) {
  TempDir dir;
  write_learnable_set(dir.path(), 128, 32);
  const std::string model = dir.write("small.dsl", learnable_classifier).string();
  const auto bench = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"bench", model, "--data", dir.path().string(), "--epochs", "2", "--device", "cpu"};
    args.insert(args.end(), flags.begin(), flags.end());
    const CommandResult result = run_gpufm(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out);
  };
  const nlohmann::json replayed = bench({}), eager = bench({"--eager"}), unfused = bench({"--unfused"});
  EXPECT_EQ(replayed.at("step_graphs"), true);
  EXPECT_EQ(replayed.at("fused_epilogues"), true);
  EXPECT_EQ(replayed.at("refused_fusions"), nlohmann::json::array());
  EXPECT_EQ(eager.at("step_graphs"), false);
  EXPECT_EQ(unfused.at("fused_epilogues"), false);
  for (const nlohmann::json& other : {eager, unfused}) {
    EXPECT_EQ(other.at("test_loss"), replayed.at("test_loss"));
    EXPECT_EQ(other.at("test_acc"), replayed.at("test_acc"));
  }
}

TEST(TrainProfileStepsCli, BracketTrainingSteps) {
  TempDir dir;
  write_learnable_set(dir.path(), 128, 32);
  const std::string model = dir.write("small.dsl", learnable_classifier).string();
  const CommandResult result = run_gpufm({"train", model, "--data", dir.path().string(), "--epochs", "1", "--device", "cpu", "--out",
                                          (dir / "run").string(), "--profile-steps", "2:3"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  expect_one_line_error(run_gpufm({"train", model, "--data", dir.path().string(), "--out", (dir / "bad").string(), "--profile-steps", "3:1"}),
                        2, {"--profile-steps 3:1: expected FIRST:LAST"});
  EXPECT_FALSE(std::filesystem::exists(dir / "bad")) << "a bad flag leaves no run directory";
}

}  // namespace
}  // namespace gpufm::test
