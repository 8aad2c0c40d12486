#include "gpufm/data_report.hpp"

#include <gtest/gtest.h>

namespace gpufm::test {

namespace {

// Train pixels alternate 0 and 255 (mean 0.5, std 0.5); test pixels are all 255 (mean 1, std 0).
Dataset small_set() {
  Dataset data;
  data.num_classes = 4;
  data.class_names = {"cat", "dog", "bird", "fish"};
  data.train = {.count = 6, .rows = 2, .cols = 2, .pixels = {}, .labels = {0, 1, 2, 0, 1, 0},
                .images_path = "/data/train-images", .labels_path = "/data/train-labels"};
  for (int i = 0; i < 6 * 2 * 2; ++i) data.train.pixels.push_back(i % 2 == 0 ? 0 : 255);
  data.test = {.count = 3, .rows = 2, .cols = 2, .pixels = std::vector<std::uint8_t>(3 * 2 * 2, 255),
               .labels = {2, 1, 0}, .images_path = "/data/test-images", .labels_path = "/data/test-labels"};
  return data;
}

TEST(DataReport, ShowsCountsPixelStatsFilesAndClassHistogram) {
  const std::string expected =
      "Data set:    unrecognised set\n"
      "Image size:  2x2, 1 channel\n"
      "Classes:     4\n"
      "\n"
      "Split  Images  Pixel mean  Pixel std\n"
      "train       6      0.5000     0.5000\n"
      "test        3      1.0000     0.0000\n"
      "\n"
      "Files:\n"
      "  train images  /data/train-images\n"
      "  train labels  /data/train-labels\n"
      "  test images   /data/test-images\n"
      "  test labels   /data/test-labels\n"
      "\n"
      "Id  Class  Train           Test           Train histogram\n"
      " 0  cat        3  (50.0%)     1  (33.3%)  ####################\n"
      " 1  dog        2  (33.3%)     1  (33.3%)  #############\n"
      " 2  bird       1  (16.7%)     1  (33.3%)  #######\n"
      " 3  fish       0   (0.0%)     0   (0.0%)\n";
  EXPECT_EQ(format_data_report(small_set()), expected);
}

TEST(DataReport, NamesARecognisedSet) {
  Dataset data = small_set();
  data.name = "Fashion-MNIST";
  EXPECT_EQ(format_data_report(data).rfind("Data set:    Fashion-MNIST\n", 0), 0u);
}

}  // namespace

}  // namespace gpufm::test
