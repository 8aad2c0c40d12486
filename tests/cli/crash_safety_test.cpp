// What a run survives: killed with SIGKILL at a random moment, it resumes from its last checkpoint
// to the same weights and figures as a run left alone; a disk that fills up while a checkpoint is
// written fails the run naming the file, and the checkpoint saved before stays whole.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

using nlohmann::json;

// history.csv without its `seconds` column, the one figure two runs of the same training differ in.
std::string history_without_times(const std::string& csv) {
  std::istringstream lines(csv);
  std::string out;
  std::ptrdiff_t seconds = -1;  // the column, from the header
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (seconds < 0) seconds = std::find(cells.begin(), cells.end(), "seconds") - cells.begin();
    if (seconds < static_cast<std::ptrdiff_t>(cells.size())) cells.erase(cells.begin() + seconds);
    for (const std::string& cell : cells) out += cell + ",";
    out += "\n";
  }
  return out;
}

// Adam (optimizer state in the checkpoint), dropout (its masks drawn by step) and a plateau
// schedule (replayed from the history on resume): all of it must continue exactly.
constexpr const char* classifier = R"(input 8x8x1
conv2d 4 3x3 same relu
maxpool 2
dropout 0.2
flatten
dense 4 softmax
train:
  optimizer adam lr=0.01
  schedule plateau patience=1 factor=0.5
  batch 4
  epochs 6
  validation 0.2
)";

class CrashSafety : public testing::Test {
 protected:
  void SetUp() override {
    write_learnable_set(dir.path(), 256, 64);
    model = dir.write("small.dsl", classifier).string();
  }
  std::vector<std::string> train(const std::string& run) const {
    return {"train", model, "--data", dir.path().string(), "--out", (dir / run).string(), "--device", "cpu"};
  }
  std::string checkpoint(const std::string& run) const { return read_file(dir / run / "checkpoint.safetensors"); }
  TempDir dir;
  std::string model;
};

TEST_F(CrashSafety, AKilledRunResumesToTheWeightsOfARunLeftAlone) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run_gpufm(train("alone")).exit_code, 0);
  const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);

  // Killed after its first checkpoint, at a moment drawn over a third of the run's length: before its
  // end, which the five epochs after the first take most of, even on a machine twice as busy.
  const std::uint32_t seed = std::random_device{}();
  const auto delay = std::chrono::microseconds(std::mt19937(seed)() % static_cast<std::uint32_t>(duration.count() / 3));
  SCOPED_TRACE(testing::Message() << "killed " << delay.count() << " us after epoch 1 (seed " << seed << ")");
  RunningGpufm killed(train("killed"));
  ASSERT_TRUE(killed.wait_for_output("Epoch 2/6", std::chrono::seconds(60)));
  std::this_thread::sleep_for(delay);
  killed.send(SIGKILL);
  ASSERT_EQ(killed.finish().exit_code, 128 + SIGKILL) << "the run ended before the kill";

  const CommandResult resumed = run_gpufm({"train", "--resume", (dir / "killed").string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(checkpoint("killed"), checkpoint("alone")) << "the final weights and optimizer state differ";
  EXPECT_EQ(read_file(dir / "killed" / "best.safetensors"), read_file(dir / "alone" / "best.safetensors"));
  EXPECT_EQ(history_without_times(read_file(dir / "killed" / "history.csv")), history_without_times(read_file(dir / "alone" / "history.csv")));
  const json killed_metrics = json::parse(read_file(dir / "killed" / "metrics.json"));
  const json alone_metrics = json::parse(read_file(dir / "alone" / "metrics.json"));
  for (const char* key : {"epochs", "best_epoch", "best", "final", "test"}) EXPECT_EQ(killed_metrics[key], alone_metrics[key]) << key;
}

TEST_F(CrashSafety, AFullDiskFailsTheRunNamingTheFileAndKeepsTheCheckpointBeforeIt) {
  std::vector<std::string> one_epoch = train("run");
  one_epoch.insert(one_epoch.end(), {"--epochs", "1"});
  ASSERT_EQ(run_gpufm(one_epoch).exit_code, 0);
  const std::string saved = checkpoint("run");

  // Room for the history, not for a checkpoint.
  const CommandResult full = run_gpufm_with_file_size_limit({"train", "--resume", (dir / "run").string(), "--epochs", "2"}, saved.size() - 1);
  expect_one_line_error(full, 1, {"could not write " + (dir / "run").string() + "/", ".safetensors: File too large"});
  EXPECT_EQ(checkpoint("run"), saved);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "run")) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
  }
  EXPECT_EQ(run_gpufm({"eval", (dir / "run").string()}).exit_code, 0);

  // With room again, the run resumes and ends as one never stopped.
  ASSERT_EQ(run_gpufm({"train", "--resume", (dir / "run").string(), "--epochs", "2"}).exit_code, 0);
  std::vector<std::string> two_epochs = train("alone");
  two_epochs.insert(two_epochs.end(), {"--epochs", "2"});
  ASSERT_EQ(run_gpufm(two_epochs).exit_code, 0);
  EXPECT_EQ(checkpoint("run"), checkpoint("alone"));
}

}  // namespace
}  // namespace gpufm::test
