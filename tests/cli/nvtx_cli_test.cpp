// gpufm's NVTX ranges as a profiler sees them: `gpufm train` run with a recording NVTX tool
// (tests/support/nvtx_recorder.cpp, loaded as Nsight Systems is, through NVTX_INJECTION64_PATH)
// pushes epochs, steps with their numbers, every layer's forward and backward, the loss, the
// optimizer and the evaluation in the "gpufm" domain, each range popped. NVTX runs on the host,
// so the CPU backend shows the ranges a GPU run has.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

TEST(NvtxCli, TrainingPushesANamedRangeForEveryPhase) {
  if (!std::filesystem::exists(GPUFM_NVTX_RECORDER)) GTEST_SKIP() << "no NVTX recorder at " << GPUFM_NVTX_RECORDER << " (built with the tests)";
  TempDir dir;
  write_learnable_set(dir.path(), 64, 16);  // validation 0.2: 51 training images, two steps an epoch
  const std::string model = dir.write("small.dsl", learnable_classifier).string(), log = (dir / "nvtx.log").string();
  setenv("NVTX_INJECTION64_PATH", GPUFM_NVTX_RECORDER, 1);
  setenv("GPUFM_NVTX_LOG", log.c_str(), 1);
  const CommandResult result =
      run_gpufm({"train", model, "--data", dir.path().string(), "--epochs", "2", "--device", "cpu", "--out", (dir / "run").string()});
  unsetenv("NVTX_INJECTION64_PATH");
  unsetenv("GPUFM_NVTX_LOG");
  ASSERT_EQ(result.exit_code, 0) << result.err;

  std::map<std::string, int> pushes;
  int depth = 0, deepest = 0;
  std::istringstream lines(read_file(log));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("push gpufm ", 0) == 0) {
      ++pushes[line.substr(11)];
      deepest = std::max(deepest, ++depth);
    } else {
      EXPECT_EQ(line, "pop gpufm") << "a range outside the gpufm domain";
      --depth;
      EXPECT_GE(depth, 0) << "popped more than pushed";
    }
  }
  EXPECT_EQ(depth, 0) << "ranges left open";
  EXPECT_EQ(deepest, 3) << "epoch, then a step or an evaluation, then its phases";
  EXPECT_EQ(pushes["epoch#1"], 1);
  EXPECT_EQ(pushes["epoch#2"], 1);
  for (const char* step : {"step#1", "step#2", "step#3", "step#4"}) EXPECT_EQ(pushes[step], 1) << step;
  EXPECT_EQ(pushes["step#5"], 0);
  // Four training steps, plus the evaluations' batches: validation each epoch, then the test split.
  EXPECT_EQ(pushes["optimizer"], 4);
  EXPECT_EQ(pushes["backward dense"], 4);
  EXPECT_EQ(pushes["backward conv2d"], 4);
  EXPECT_GE(pushes["forward conv2d"], 4 + 2 + 1);
  EXPECT_EQ(pushes["forward conv2d"], pushes["loss"]);
  EXPECT_EQ(pushes["forward conv2d"], pushes["gather"]);
  EXPECT_EQ(pushes["evaluate"], 3);
}

}  // namespace
}  // namespace gpufm::test
