// A run's report: the learning curves chart the history (validation only where it was measured,
// the best epoch marked); the files are written, their PNGs of the planned size, and report.html
// holds every part, pictures inlined.
#include "gpufm/run_report.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "support/learnable_set.hpp"
#include "support/png_pixels.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

std::vector<EpochRecord> history_of(int epochs, bool validated) {
  std::vector<EpochRecord> history;
  for (int e = 1; e <= epochs; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.loss = 1.0 / e;
    r.accuracy = 1 - 0.5 / e;
    if (validated) {
      r.val_loss = 1.2 / e;
      r.val_accuracy = 1 - 0.6 / e;
    }
    history.push_back(r);
  }
  return history;
}

// A PNG file's width and height, decoded.
std::pair<int, int> png_size(const std::filesystem::path& file) {
  const std::string bytes = test::read_file(file);
  const test::PngPixels png = test::decode_png(std::as_bytes(std::span(bytes.data(), bytes.size())));
  return {png.width, png.height};
}

TEST(RunReport, LearningCurvesChartLossAndAccuracyWithTheBestEpochMarked) {
  const std::vector<LineChart> charts = learning_curves(history_of(4, true), 3);
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].title, "loss");
  ASSERT_EQ(charts[0].series.size(), 2u);
  EXPECT_EQ(charts[0].series[1].label, "validation");
  EXPECT_EQ(charts[0].series[1].y[1], 0.6);
  EXPECT_EQ(charts[1].series[0].y[3], 1 - 0.5 / 4);
  EXPECT_EQ(charts[0].marked_x, 3.0);
  EXPECT_EQ(charts[0].marked_label, "best epoch 3");

  std::vector<EpochRecord> autoencoder = history_of(2, false);
  for (EpochRecord& r : autoencoder) r.accuracy.reset();
  const std::vector<LineChart> loss_only = learning_curves(autoencoder, 0);
  ASSERT_EQ(loss_only.size(), 1u);
  EXPECT_EQ(loss_only[0].series.size(), 1u) << "no validation series without validation";
  EXPECT_FALSE(loss_only[0].marked_x.has_value());
}

TEST(RunReport, SampleStripsHoldTheFirstImagesOfEachClass) {
  const Dataset data = test::learnable_dataset(16, 10);  // test labels 0, 1, 2, 3, 0, 1, ...
  const std::vector<Image> strips = class_sample_strips(data.test, 4, 2);
  ASSERT_EQ(strips.size(), 4u);
  EXPECT_EQ(strips[0].width, 2 * 8 + 2);
  EXPECT_EQ(strips[0].height, 8);
  EXPECT_EQ(strips[2].width, 2 * 8 + 2) << "class 2 has two images of ten";
  EXPECT_EQ(strips[0].pixels[0], data.test.pixels[0]);
  EXPECT_EQ(strips[0].pixels[8 + 2], data.test.pixels[4 * 64]) << "the second tile is image 4, class 0's second";
}

TEST(RunReport, ClassesAreCountedAmongTheIdsGiven) {
  const std::vector<std::uint8_t> labels = {0, 1, 2, 1, 1, 3};
  const std::vector<std::int32_t> ids = {1, 3, 4, 5};
  EXPECT_EQ(count_classes(labels, ids, 3), (std::vector<std::int64_t>{0, 3, 0})) << "label 3 is past the classes counted";
  EXPECT_EQ(count_classes(labels, {}, 2), (std::vector<std::int64_t>{0, 0}));
}

TEST(RunReport, WritesThePicturesAndOneSelfContainedPage) {
  test::TempDir dir;
  const Dataset data = test::learnable_dataset(16, 40);
  RunReport report{.model = "small",
                   .model_summary = "Model: \"small\" <table>",
                   .settings_json = "{\"seed\": 42}",
                   .history = history_of(3, true),
                   .best_epoch = 2,
                   .best_epoch_monitor = Monitor::val_loss,
                   .test = PassMetrics{.loss = 0.25, .accuracy = 0.75, .samples = 40, .confusion = std::vector<std::int64_t>(16, 0)},
                   .class_names = data.class_names,
                   .class_samples = class_sample_strips(data.test, 4, 8),
                   .class_counts = {.train = {1200, 800, 1000, 1000}, .validation = {100, 150, 150, 100}, .test = {10, 10, 10, 10}},
                   .reconstructions = std::nullopt};
  for (std::size_t c = 0; c < 4; ++c) report.test->confusion[c * 5] = 10;
  write_run_report(dir.path(), report);

  EXPECT_EQ(png_size(dir / "curves.png"), std::pair(2 * 420 * 2, 300 * 2));
  const auto [confusion_width, confusion_height] = png_size(dir / "confusion.png");
  EXPECT_GT(confusion_width, 4 * 34 * 2);
  EXPECT_GT(confusion_height, 4 * 34 * 2);
  EXPECT_EQ(png_size(dir / "samples.png"), std::pair(8 * 8 + 7 * 2, 4 * 8 + 3 * 2));
  for (const char* svg : {"curves.svg", "confusion.svg"}) EXPECT_NE(test::read_file(dir / svg).find("<svg"), std::string::npos) << svg;

  const std::string html = test::read_file(dir / "report.html");
  for (const char* part : {"<h2>Learning curves</h2>", "<h2>Test confusion matrix</h2>", "<th>precision</th>", "<td>top-left</td>",
                           "accuracy 1.0000 on 40 images", "Model: &quot;small&quot; &lt;table&gt;", "{&quot;seed&quot;: 42}",
                           "best (val_loss)", "<h2>Images of each class</h2>", "<th>validated on</th>",
                           "<td>top-left</td><td>1,200 (30.0%)</td><td>100 (20.0%)</td><td>10 (25.0%)</td>"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  std::size_t svg_images = 0, png_images = 0;
  for (std::size_t at = 0; (at = html.find("src=\"data:image/svg+xml;base64,", at)) != std::string::npos; ++at) ++svg_images;
  for (std::size_t at = 0; (at = html.find("src=\"data:image/png;base64,", at)) != std::string::npos; ++at) ++png_images;
  EXPECT_EQ(svg_images, 2u);
  EXPECT_EQ(png_images, 4u);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos) << "nothing is fetched from the network";
  EXPECT_EQ(html.find("<link"), std::string::npos) << "nothing is fetched from the network";
}

TEST(RunReport, BeforeTestingThePageSaysTrainingGoesOn) {
  test::TempDir dir;
  RunReport report;
  report.model = "small";
  report.history = history_of(1, false);
  report.best_epoch = 1;
  write_run_report(dir.path(), report);
  const std::string html = test::read_file(dir / "report.html");
  EXPECT_NE(html.find("1 epoch so far"), std::string::npos);
  EXPECT_EQ(html.find("Images of each class"), std::string::npos) << "no counts, no table";
  EXPECT_FALSE(std::filesystem::exists(dir / "confusion.png"));
  EXPECT_FALSE(std::filesystem::exists(dir / "samples.png"));
}

}  // namespace
}  // namespace gpufm
