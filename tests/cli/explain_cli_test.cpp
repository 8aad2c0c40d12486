// `gpufm explain`: a classifier run's most confidently wrong test images beside their nearest
// training images of the true and of the predicted class, as a picture, a record and a section of
// the run's report that later refreshes keep; bad input is one line and exit code 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "support/expect_error.hpp"
#include "support/idx_files.hpp"
#include "support/learnable_set.hpp"
#include "support/png_pixels.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

using nlohmann::json;

constexpr std::size_t train_count = 256, test_count = 64;

// The learnable set with every fourth test label moved to the next class: mistakes the model is
// sure to make. The training images' labels are their ids modulo the class count.
std::vector<std::uint8_t> write_set_with_mistakes(const std::filesystem::path& dir) {
  const DataPaths paths = write_learnable_set(dir, train_count, test_count);
  std::vector<std::uint8_t> labels = learnable_dataset(train_count, test_count).test.labels;
  for (std::size_t n = 0; n < labels.size(); n += 4) labels[n] = static_cast<std::uint8_t>((labels[n] + 1) % learnable_classes);
  write_idx(paths.test_labels, {{static_cast<std::uint32_t>(test_count)}, labels});
  return labels;
}

std::pair<int, int> png_size(const std::filesystem::path& file) {
  const std::string bytes = read_file(file);
  const PngPixels png = decode_png(std::as_bytes(std::span(bytes.data(), bytes.size())));
  return {png.width, png.height};
}

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t count = 0;
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
  return count;
}

TEST(ExplainCli, ExplainsARunsMistakesInAPictureARecordAndItsReport) {
  TempDir dir;
  const std::vector<std::uint8_t> test_labels = write_set_with_mistakes(dir.path());
  const std::string model = dir.write("small.dsl", learnable_classifier).string(), run = (dir / "run").string();
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", run, "--epochs", "1"}).exit_code, 0);
  EXPECT_EQ(occurrences(read_file(dir / "run" / "report.html"), "<section id=\"explanation\">\n</section>"), 1u);

  const std::int64_t k = 4;
  const CommandResult result = run_gpufm({"explain", run, "--k", std::to_string(k), "--n", "6", "--device", "cpu"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {" test images misclassified (checkpoint.safetensors (epoch 1))", "Most confused class pairs (test):",
                               "true class", "Explanation: " + run + "/explain.svg, " + run + "/explain.png, " + run + "/explain.json",
                               "Report: " + run + "/report.html"});

  const json record = json::parse(read_file(dir / "run" / "explain.json"));
  EXPECT_EQ(record.at("k"), k);
  EXPECT_EQ(record.at("test_images"), test_count);
  EXPECT_EQ(record.at("training_images"), 204) << "the first 0.8 of 256 images are trained on";
  const std::int64_t misclassified = record.at("misclassified");
  const json& images = record.at("images");
  ASSERT_GE(misclassified, 1);
  ASSERT_EQ(images.size(), static_cast<std::size_t>(std::min<std::int64_t>(6, misclassified)));
  for (std::size_t i = 0; i < images.size(); ++i) {
    const json& image = images[i];
    const std::int64_t true_class = image.at("true_class"), predicted_class = image.at("predicted_class");
    EXPECT_EQ(true_class, test_labels.at(image.at("test_id").get<std::size_t>()));
    EXPECT_NE(predicted_class, true_class);
    if (i > 0) {
      EXPECT_LE(image.at("confidence").get<double>(), images[i - 1].at("confidence").get<double>());
    }
    for (const auto& [side, wanted] : {std::pair{"local_examples", true_class}, std::pair{"counterexamples", predicted_class}}) {
      const json& neighbours = image.at(side);
      ASSERT_EQ(neighbours.size(), static_cast<std::size_t>(k)) << side;
      for (std::size_t j = 0; j < neighbours.size(); ++j) {
        const std::int64_t id = neighbours[j].at("train_id");
        EXPECT_LT(id, 204) << side << ": not an image trained on";
        EXPECT_EQ(id % learnable_classes, wanted) << side;
        if (j > 0) {
          EXPECT_GE(neighbours[j].at("distance").get<double>(), neighbours[j - 1].at("distance").get<double>()) << side;
        }
      }
    }
  }
  std::int64_t paired = 0;
  for (const json& pair : record.at("confused_pairs")) paired += pair.at("count").get<std::int64_t>();
  EXPECT_EQ(paired, misclassified) << "four classes make at most 12 pairs, all listed";

  // 8-pixel images twice their size in columns of 50 points (44 + 6); a group of 4 is 200 points,
  // less than the 260 its heading needs. Rows of 50 points (caption 14, tile 16, distance 12, gap
  // 8) under a title of 24 and headings of 16; margins of 10; 2 pixels a point.
  const int rows = static_cast<int>(images.size());
  EXPECT_EQ(png_size(dir / "run" / "explain.png"), std::make_pair(2 * (10 + 50 + 16 + 260 + 16 + 260 + 10), 2 * (24 + 16 + rows * 50 + 10)));
  EXPECT_NE(read_file(dir / "run" / "explain.svg").find("<svg"), std::string::npos);

  const std::string explained = "<h2>Mistakes explained by neighbours (checkpoint.safetensors (epoch 1))</h2>";
  std::string html = read_file(dir / "run" / "report.html");
  expect_contains(html, {explained, "<h2>Most confused class pairs (test)</h2>"});
  EXPECT_EQ(occurrences(html, "<section id=\"explanation\">"), 1u);

  // Training on rewrites the report every epoch, the explanation in it.
  ASSERT_EQ(run_gpufm({"train", "--resume", run, "--epochs", "2"}).exit_code, 0);
  html = read_file(dir / "run" / "report.html");
  expect_contains(html, {explained, "<h2>Learning curves</h2>"});
  EXPECT_EQ(occurrences(html, "<section id=\"explanation\">"), 1u);

  // Elsewhere, with the best checkpoint: the run's own explanation and report stay as they were.
  const std::string elsewhere = (dir / "best").string();
  const CommandResult best = run_gpufm({"explain", run, "--best", "--k", "1", "--n", "2", "--out", elsewhere});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  EXPECT_EQ(best.out.find("Report:"), std::string::npos) << best.out;
  EXPECT_EQ(json::parse(read_file(dir / "best.json")).at("checkpoint"), "best.safetensors (epoch 2)");
  EXPECT_EQ(png_size(dir / "best.png").first, 2 * (10 + 50 + 16 + 260 + 16 + 260 + 10));
  EXPECT_EQ(read_file(dir / "run" / "report.html"), html);
}

TEST(ExplainCli, BadInputIsOneLineAndExitCode2) {
  TempDir dir;
  write_set_with_mistakes(dir.path());
  const std::string model = dir.write("small.dsl", learnable_classifier).string(), run = (dir / "run").string();
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", run, "--epochs", "1"}).exit_code, 0);
  expect_one_line_error(run_gpufm({"explain", run, "--layer", "nope"}), 2, {"--layer nope: no such layer; the model's layers are conv2d"});
  expect_one_line_error(run_gpufm({"explain", run, "--k", "0"}), 2, {"--k 0: expected 1 to 64 neighbours of each class"});
  expect_one_line_error(run_gpufm({"explain", run, "--k", "65"}), 2, {"--k 65: expected 1 to 64 neighbours of each class"});
  expect_one_line_error(run_gpufm({"explain", run, "--n", "101"}), 2, {"--n 101: expected 1 to 100 misclassified images"});
  expect_one_line_error(run_gpufm({"explain", (dir / "nowhere").string()}), 2, {"no such run directory"});

  const std::string autoencoder = dir.write("ae.dsl", R"(input 8x8x1
flatten
dense 8 relu
dense 64 sigmoid
reshape 8x8x1
train:
  loss mse
  batch 32
  epochs 1
)").string();
  ASSERT_EQ(run_gpufm({"train", autoencoder, "--data", dir.path().string(), "--out", (dir / "ae").string()}).exit_code, 0);
  expect_one_line_error(run_gpufm({"explain", (dir / "ae").string()}), 2,
                        {"the model's target is its input; explain takes a classifier (target labels)"});
}

}  // namespace
}  // namespace gpufm::test
