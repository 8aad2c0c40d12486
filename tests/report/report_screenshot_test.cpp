// A run's report.html opens in a real browser: headless Chromium (scripts/screenshot-report.sh)
// takes a screenshot in which the learning curves' lines and the confusion matrix's dark cells
// show. Skips, saying so, where Chromium is not installed (scripts/test.sh installs it).
#include <gtest/gtest.h>

#include <cstdlib>

#include "gpufm/run_report.hpp"
#include "support/learnable_set.hpp"
#include "support/png_pixels.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

TEST(ReportScreenshot, ChromiumShowsTheCurvesAndTheConfusionMatrix) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "no chromium: install Debian's chromium package";
  test::TempDir dir;
  const Dataset data = test::learnable_dataset(16, 40);
  RunReport report;
  report.model = "small";
  report.class_names = data.class_names;
  report.class_samples = class_sample_strips(data.test, 4, 8);
  for (int e = 1; e <= 5; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.loss = 1.0 / e;
    r.val_loss = 1.3 / e;
    r.accuracy = 1 - 0.5 / e;
    r.val_accuracy = 1 - 0.6 / e;
    report.history.push_back(r);
  }
  report.best_epoch = 5;
  report.test = PassMetrics{.loss = 0.3, .accuracy = 0.9, .samples = 40, .confusion = {9, 1, 0, 0, 0, 10, 0, 0, 0, 2, 8, 0, 0, 0, 0, 10}};
  write_run_report(dir.path(), report);

  const std::string command = std::string(GPUFM_SOURCE_DIR) + "/scripts/screenshot-report.sh " + (dir / "report.html").string() + " " +
                              (dir / "shot.png").string() + " 1200x1800";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string shot = test::read_file(dir / "shot.png");
  const test::PngPixels png = test::decode_png(std::as_bytes(std::span(shot.data(), shot.size())));
  EXPECT_EQ(png.width, 1200);
  EXPECT_GT(test::pixels_of(png, series_color(0)), 300u) << "the training curves";
  EXPECT_GT(test::pixels_of(png, series_color(1)), 100u) << "the validation curves";
  EXPECT_GT(test::pixels_of(png, {0.03, 0.19, 0.42}), 1000u) << "the confusion matrix's darkest cells";
}

}  // namespace
}  // namespace gpufm
