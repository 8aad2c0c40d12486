// The binary as a user runs it: exit codes (0 ok, 2 bad input or usage) and one-line errors.
#include <gtest/gtest.h>

#include "support/expect_error.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

const std::string models = std::string(GPUFM_SOURCE_DIR) + "/models/";

void expect_usage_error(const CommandResult& result, const std::vector<std::string>& words) {
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind("gpufm: error: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  expect_contains(result.err, words);
}

TEST(Cli, VersionAndHelpExitZero) {
  const CommandResult version = run_gpufm({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "gpufm " GPUFM_VERSION "\n");
  const CommandResult help = run_gpufm({"summary", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  expect_contains(help.out, {"Usage:", "--set"});
  // --help-all: every command's options in one text.
  const CommandResult all = run_gpufm({"--help-all"});
  EXPECT_EQ(all.exit_code, 0);
  expect_contains(all.out, {"--config", "\ntrain\n", "--resume", "\nkfold\n", "--folds", "\nsweep\n", "--grid", "\nexplain\n"});
}

TEST(Cli, UsageErrorsExitTwo) {
  expect_usage_error(run_gpufm({}), {"A command is required"});
  expect_usage_error(run_gpufm({"fly"}), {"fly"});
  expect_usage_error(run_gpufm({"summary"}), {"model is required"});
  expect_usage_error(run_gpufm({"summary", models + "cnn.dsl", "--bogus"}), {"--bogus"});
  expect_usage_error(run_gpufm({"train", models + "mlp.dsl", "--epochs", "2", "--epochs", "3"}), {"--epochs: given 2 times; give it once"});
}

TEST(Cli, SummaryPrintsTheTableAndTotals) {
  const CommandResult result = run_gpufm({"summary", models + "cnn.dsl"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"conv2d (Conv2D)", "Total params: 225,034", "Trainable params: 225,034"});
  EXPECT_EQ(result.err, "");
}

TEST(Cli, SummaryTakesRepeatedOverridesAnywhere) {
  const CommandResult result = run_gpufm({"summary", "--set", "kernel=7", models + "cnn.dsl", "--set", "batch=32"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"(None, 22, 22, 32)", "batch 32,"});
}

TEST(Cli, ModelErrorsAreOneLineWithTheirPlace) {
  TempDir dir;
  const auto typo = dir.write("typo.dsl", "input 28x28x1\nconv2d 32 3x3 rleu\n");
  expect_usage_error(run_gpufm({"summary", typo.string()}), {typo.string() + ":2:15: conv2d: unexpected 'rleu'; did you mean 'relu'?"});
  expect_usage_error(run_gpufm({"summary", (dir / "none.dsl").string()}), {"none.dsl: no such model file"});
  expect_usage_error(run_gpufm({"summary", models + "cnn.dsl", "--set", "kernl=7"}), {"--set kernl=7: unknown key 'kernl'"});
  expect_usage_error(run_gpufm({"summary", models + "cnn.dsl", "--set", "kernel"}), {"--set kernel: expected KEY=VALUE"});
}

TEST(Cli, InfoRunsWithOrWithoutAGpu) {
  const CommandResult result = run_gpufm({"info"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"gpufm " GPUFM_VERSION, "CUDA backend: "});
  EXPECT_TRUE(result.out.find("GPU: none (") != std::string::npos || result.out.find("GPU 0 (--device cuda:0): ") != std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace gpufm::test
