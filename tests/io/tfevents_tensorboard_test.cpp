// gpufm's event files as the real `tensorboard` package reads them (tests/io/read_tfevents.py).
// scripts/test.sh installs tensorboard (scripts/setup.sh puts it in the build directory's venv);
// elsewhere these tests skip, saying why, where python3 or tensorboard is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gpufm/tfevents.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

using Json = nlohmann::json;

struct ShellResult {
  int exit_code = -1;
  std::string out;  // stdout; stderr goes to the test's own
};

ShellResult run_shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.out.append(buffer, got);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The venv scripts/setup.sh makes, else whatever python3 the PATH has.
std::string python() {
  return std::filesystem::exists(GPUFM_TEST_PYTHON) ? shell_quoted(GPUFM_TEST_PYTHON) : "python3";
}

// Why the oracle cannot run here, or "" when it can.
std::string oracle_missing() {
  const ShellResult probe = run_shell(python() + " -c 'import tensorboard, PIL' 2>/dev/null");
  if (probe.exit_code == 0) return "";
  if (probe.exit_code == 127) return "no python3 on the PATH";
  return python() + " has no tensorboard package (scripts/test.sh installs it into build/venv)";
}

Json read_with_tensorboard(const std::filesystem::path& directory) {
  const std::string script = std::string(GPUFM_SOURCE_DIR) + "/tests/io/read_tfevents.py";
  const ShellResult result = run_shell(python() + " " + shell_quoted(script) + " " + shell_quoted(directory.string()));
  EXPECT_EQ(result.exit_code, 0) << result.out;
  const Json read = Json::parse(result.out, nullptr, false);
  EXPECT_FALSE(read.is_discarded()) << "not JSON: " << result.out;
  return read;
}

// A tag's points as (step, float32 value): TensorBoard keeps scalars as float32, so the values
// written are compared after the same rounding, exactly.
using Points = std::vector<std::pair<std::int64_t, float>>;

Points points_of(const Json& scalars, const std::string& tag) {
  Points points;
  if (!scalars.contains(tag)) return points;
  for (const Json& point : scalars[tag]) points.emplace_back(point[0].get<std::int64_t>(), point[1].get<double>());
  return points;
}

Image gray_tile(std::uint8_t shade) { return Image{28, 28, 1, std::vector<std::uint8_t>(28 * 28, shade)}; }

// Three epochs as a run logs them, flushed after each: the figures, the learning rate, and a grid
// of reconstructions; one RGB picture besides.
TEST(TensorBoardReadsEventFiles, ScalarsAndImagesOfEachEpoch) {
  const std::string missing = oracle_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  const test::TempDir dir;
  const std::map<std::string, std::vector<double>> figures = {
      {"epoch_loss", {2.302585, 0.612345678, 0.4}},
      {"epoch_accuracy", {0.1, 0.78125, 0.8671875}},
      {"epoch_learning_rate", {0.001, 0.001, 0.0005}},
  };
  const std::vector<Image> tiles = {gray_tile(0), gray_tile(85), gray_tile(170), gray_tile(255), gray_tile(40)};
  {
    EventFileWriter writer(dir / "train");
    for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
      for (const auto& [tag, values] : figures) writer.scalar(tag, epoch, values[static_cast<std::size_t>(epoch)]);
      writer.image("reconstructions", epoch, image_grid(tiles, 4, 2, 255));
      writer.flush();
    }
    writer.image("samples", 2, Image{2, 1, 3, {255, 0, 0, 0, 0, 255}});
  }

  const Json read = read_with_tensorboard(dir / "train");
  std::cout << "tensorboard " << read.value("tensorboard", "?") << " read: " << read.dump() << "\n";
  const Json& classic = read["classic"];
  const Json& web_app = read["web_app"];
  EXPECT_EQ(classic["file_version"], 2.0);
  EXPECT_EQ(classic["scalars"].size(), figures.size());
  EXPECT_EQ(web_app["scalars"].size(), figures.size());
  for (const auto& [tag, values] : figures) {
    const Points expected = {{0, static_cast<float>(values[0])}, {1, static_cast<float>(values[1])},
                             {2, static_cast<float>(values[2])}};
    EXPECT_EQ(points_of(classic["scalars"], tag), expected) << tag;
    EXPECT_EQ(points_of(web_app["scalars"], tag), expected) << tag << ", as the web app reads it";
  }

  // The grid: 4 columns and 2 rows of 28-pixel tiles, 2 pixels apart.
  ASSERT_EQ(classic["images"]["reconstructions"].size(), 3u);
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    const Json& image = classic["images"]["reconstructions"][epoch];
    EXPECT_EQ(image["step"], epoch);
    EXPECT_EQ(image["width"], 118);
    EXPECT_EQ(image["height"], 58);
    EXPECT_EQ(image["png"], (Json{{"format", "PNG"}, {"mode", "L"}, {"width", 118}, {"height", 58}}));
  }
  EXPECT_EQ(classic["images"]["samples"][0]["png"], (Json{{"format", "PNG"}, {"mode", "RGB"}, {"width", 2}, {"height", 1}}));
  ASSERT_EQ(web_app["images"]["reconstructions"].size(), 3u);
  const Json& shown = web_app["images"]["reconstructions"][2];
  EXPECT_EQ(shown["step"], 2);
  EXPECT_EQ(shown["width"], 118);
  EXPECT_EQ(shown["height"], 58);
  EXPECT_EQ(shown["png"].size(), 1u);
}

// A histogram reads back with its figures and buckets, and the histograms dashboard has its
// buckets with their left edges.
TEST(TensorBoardReadsEventFiles, HistogramsOfEachEpoch) {
  const std::string missing = oracle_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  const test::TempDir dir;
  const std::vector<float> weights = {-0.5f, 0.25f, 0.25f, 1.0f};
  {
    EventFileWriter writer(dir / "train");
    for (std::int64_t epoch = 0; epoch < 2; ++epoch) writer.histogram("dense/weight/histogram", epoch, weights);
    writer.histogram("dense/bias/histogram", 1, std::vector<float>{0.0f, 0.0f});
  }
  const Json read = read_with_tensorboard(dir / "train");
  const Json& classic = read["classic"]["histograms"];
  ASSERT_EQ(classic["dense/weight/histogram"].size(), 2u);
  const Histogram expected = histogram_of(weights);
  const Json& first = classic["dense/weight/histogram"][0];
  EXPECT_EQ(first["step"], 0);
  EXPECT_EQ(first["min"], -0.5);
  EXPECT_EQ(first["max"], 1.0);
  EXPECT_EQ(first["num"], 4.0);
  EXPECT_EQ(first["sum"], 1.0);
  EXPECT_EQ(first["sum_squares"], 0.25 + 0.0625 * 2 + 1);
  EXPECT_EQ(first["bucket_limit"].get<std::vector<double>>(), expected.bucket_limit);
  EXPECT_EQ(first["bucket"].get<std::vector<double>>(), expected.bucket);
  EXPECT_EQ(classic["dense/bias/histogram"][0]["bucket"], (Json{2.0}));
  const Json& shown = read["web_app"]["histograms"]["dense/weight/histogram"];
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1]["step"], 1);
  double counted = 0;
  for (const Json& bucket : shown[1]["buckets"]) counted += bucket[2].get<double>();
  EXPECT_EQ(counted, 4.0);
  EXPECT_EQ(shown[1]["buckets"][0][0], -0.5) << "the first bucket starts at the minimum";
}

// TensorBoard reads a run while it trains, and a resumed run adds a second file to the directory.
TEST(TensorBoardReadsEventFiles, WhatWasFlushedWhileARunGoesOnAndAfterItResumes) {
  const std::string missing = oracle_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  const test::TempDir dir;
  {
    EventFileWriter before_the_stop(dir / "validation");
    before_the_stop.scalar("epoch_loss", 0, 0.5);
    before_the_stop.scalar("epoch_loss", 1, 0.25);
  }
  // A resumed run is a later process, so its file's name (seconds first) sorts after the first's,
  // and TensorBoard reads the files in the order of their names.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EventFileWriter resumed(dir / "validation");
  resumed.scalar("epoch_loss", 2, 0.125);
  resumed.flush();
  resumed.scalar("epoch_loss", 3, 0.0625);
  EXPECT_EQ(points_of(read_with_tensorboard(dir / "validation")["classic"]["scalars"], "epoch_loss"),
            (Points{{0, 0.5f}, {1, 0.25f}, {2, 0.125f}}));
  resumed.flush();
  EXPECT_EQ(points_of(read_with_tensorboard(dir / "validation")["classic"]["scalars"], "epoch_loss"),
            (Points{{0, 0.5f}, {1, 0.25f}, {2, 0.125f}, {3, 0.0625f}}));
}

// A run trained by `gpufm train` logs as Keras' TensorBoard callback does: its history's figures
// under logs/train and logs/validation, epochs from 0, and its test samples as a picture.
TEST(TensorBoardReadsEventFiles, ARunsLogsHoldItsHistory) {
  const std::string missing = oracle_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  const test::TempDir dir;
  test::write_learnable_set(dir.path(), 256, 64);
  const std::string model = dir.write("small.dsl", test::learnable_classifier).string();
  ASSERT_EQ(test::run_gpufm({"train", model, "--data", dir.path().string(), "--out", (dir / "run").string()}).exit_code, 0);
  const Json history = Json::parse(test::read_file(dir / "run" / "history.json"));
  const Json train = read_with_tensorboard(dir / "run" / "logs" / "train")["classic"];
  const Json validation = read_with_tensorboard(dir / "run" / "logs" / "validation")["classic"];
  const auto expected = [&](const char* field) {
    Points points;
    for (const Json& epoch : history) points.emplace_back(epoch["epoch"].get<std::int64_t>() - 1, epoch[field].get<double>());
    return points;
  };
  EXPECT_EQ(points_of(train["scalars"], "epoch_loss"), expected("loss"));
  EXPECT_EQ(points_of(train["scalars"], "epoch_accuracy"), expected("accuracy"));
  EXPECT_EQ(points_of(train["scalars"], "epoch_learning_rate"), expected("lr"));
  EXPECT_EQ(points_of(validation["scalars"], "epoch_loss"), expected("val_loss"));
  EXPECT_EQ(points_of(validation["scalars"], "epoch_accuracy"), expected("val_accuracy"));
  // Each parameter tensor's histogram each epoch, as Keras' histogram_freq=1 logs its weights.
  for (const auto& [tag, elements] : std::map<std::string, double>{{"conv2d/weight/histogram", 36},
                                                                   {"conv2d/bias/histogram", 4},
                                                                   {"dense/weight/histogram", 64 * 4},
                                                                   {"dense/bias/histogram", 4}}) {
    ASSERT_EQ(train["histograms"][tag].size(), history.size()) << tag;
    EXPECT_EQ(train["histograms"][tag][2]["step"], 2) << tag;
    EXPECT_EQ(train["histograms"][tag][2]["num"], elements) << tag;
  }
  ASSERT_EQ(train["images"]["samples"].size(), 1u);
  EXPECT_EQ(train["images"]["samples"][0]["png"], (Json{{"format", "PNG"}, {"mode", "L"}, {"width", 78}, {"height", 38}}));
}

}  // namespace
}  // namespace gpufm
