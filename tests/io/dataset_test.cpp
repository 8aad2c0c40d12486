#include "gpufm/dataset.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "support/expect_error.hpp"
#include "support/idx_files.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

namespace fs = std::filesystem;

TEST(Dataset, FindsEverySpellingOfTheStandardNames) {
  for (const bool dotted : {false, true}) {
    for (const Compression compression : {Compression::raw, Compression::gzip}) {
      TempDir dir;
      const DataPaths written = write_set(dir.path(), {.compression = compression, .dotted_names = dotted});
      const DataPaths found = find_data_files(dir.path());
      EXPECT_EQ(found.train_images, written.train_images);
      EXPECT_EQ(found.train_labels, written.train_labels);
      EXPECT_EQ(found.test_images, written.test_images);
      EXPECT_EQ(found.test_labels, written.test_labels);
      EXPECT_EQ(load_dataset(found).train.count, 6u);
    }
  }
}

TEST(Dataset, MissingDirectoryIsItsOwnError) {
  TempDir dir;
  const auto missing = dir / "nowhere";
  expect_input_error([&] { find_data_files(missing); }, {missing.string(), "no such directory"});
}

TEST(Dataset, MissingFileNamesTheDirectoryAndTheNamesTried) {
  TempDir dir;
  fs::remove(write_set(dir.path()).test_labels);
  expect_input_error([&] { find_data_files(dir.path()); },
                     {dir.path().string(), "no test labels file", "t10k-labels-idx1-ubyte,", "t10k-labels-idx1-ubyte.gz",
                      "t10k-labels.idx1-ubyte,", "t10k-labels.idx1-ubyte.gz"});
}

TEST(Dataset, ImageAndLabelCountsMustAgree) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  write_labels(paths.train_labels, {0, 1, 2, 0, 1});
  expect_input_error([&] { load_split(paths.train_images, paths.train_labels); },
                     {paths.train_labels.string(), "5 labels", paths.train_images.string(), "6 images"});
}

// Named one by one (--train-images FILE), a data file must be a file: opening a FIFO would wait
// for a writer for ever.
TEST(Dataset, APipeOrADirectoryIsNoDataFile) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  const std::filesystem::path pipe = dir / "pipe";
  ASSERT_EQ(mkfifo(pipe.c_str(), 0600), 0);
  expect_input_error([&] { load_split(pipe, paths.train_labels); }, {pipe.string(), "a pipe, socket or device, not a file"});
  expect_input_error([&] { load_split(paths.train_images, dir.path()); }, {dir.path().string(), "a directory, not a file"});
}

TEST(Dataset, EmptySplitIsRejected) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  write_images(paths.train_images, 0, 4, 3);
  write_labels(paths.train_labels, {});
  expect_input_error([&] { load_split(paths.train_images, paths.train_labels); },
                     {paths.train_images.string(), "no images"});
}

TEST(Dataset, ImagesNeedRowsAndColumns) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  write_images(paths.train_images, 6, 0, 3);
  expect_input_error([&] { load_split(paths.train_images, paths.train_labels); },
                     {paths.train_images.string(), "image size 0x3"});
}

TEST(Dataset, TrainAndTestImageSizesMustAgree) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  write_images(paths.test_images, 3, 5, 5);
  expect_input_error([&] { load_dataset(paths); },
                     {paths.test_images.string(), "images are 5x5", paths.train_images.string(), "are 4x3"});
}

TEST(Dataset, LoadsSplitContents) {
  TempDir dir;
  const Dataset data = load_dataset(write_set(dir.path()));
  EXPECT_EQ(data.train.count, 6u);
  EXPECT_EQ(data.test.count, 3u);
  EXPECT_EQ(data.train.rows, 4);
  EXPECT_EQ(data.train.cols, 3);
  EXPECT_EQ(data.train.pixels.size(), 6u * 4 * 3);
  EXPECT_EQ(data.train.labels, (std::vector<std::uint8_t>{0, 1, 2, 0, 1, 0}));
  EXPECT_EQ(data.test.labels, (std::vector<std::uint8_t>{2, 1, 0}));
}

TEST(Dataset, UnknownSetNumbersClassesUpToTheLargestLabel) {
  TempDir dir;
  const Dataset data = load_dataset(write_set(dir.path(), {.train_labels = {0, 1, 0}, .test_labels = {4, 1}}));
  EXPECT_EQ(data.name, "");
  EXPECT_EQ(data.num_classes, 5);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(Dataset, ClassesTxtNamesTheClasses) {
  TempDir dir;
  dir.write("classes.txt", "cat\ndog\r\nbird\nfish\n\n\n");
  const Dataset data = load_dataset(write_set(dir.path()));
  EXPECT_EQ(data.name, "");
  EXPECT_EQ(data.num_classes, 4);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"cat", "dog", "bird", "fish"}));
}

TEST(Dataset, BlankClassNameIsReportedWithItsLine) {
  TempDir dir;
  const auto classes = dir.write("classes.txt", "cat\n\nbird\n");
  const DataPaths paths = write_set(dir.path());
  expect_input_error([&] { load_dataset(paths); }, {classes.string() + ":2: blank class name"});
}

TEST(Dataset, LabelsMustBeBelowTheClassesTxtCount) {
  TempDir dir;
  dir.write("classes.txt", "cat\ndog\n");
  const DataPaths paths = write_set(dir.path());
  expect_input_error([&] { load_dataset(paths); },
                     {paths.train_labels.string(), "sample 2 has label 2", "only 2 classes"});
}

TEST(Dataset, CheckLabelsNamesTheFirstBadSample) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path(), {.test_labels = {1, 0, 1, 3, 2}});
  const ImageSplit test = load_split(paths.test_images, paths.test_labels);
  check_labels(test, 4);
  expect_input_error([&] { check_labels(test, 3); }, {paths.test_labels.string(), "sample 3 has label 3"});
}

TEST(Dataset, RecognisesTheInstalledFashionMnist) {
  if (!fs::is_directory(default_data_dir)) GTEST_SKIP() << default_data_dir << " is absent (dataset-fashion-mnist)";
  const Dataset data = load_dataset(find_data_files(default_data_dir));
  EXPECT_EQ(data.name, "Fashion-MNIST");
  EXPECT_EQ(data.train.count, 60000u);
  EXPECT_EQ(data.test.count, 10000u);
  EXPECT_EQ(data.train.rows, 28);
  EXPECT_EQ(data.train.cols, 28);
  ASSERT_EQ(data.num_classes, 10);
  EXPECT_EQ(data.class_names.front(), "T-shirt/top");
  EXPECT_EQ(data.class_names.back(), "Ankle boot");
  for (std::uint8_t label = 0; label < 10; ++label) {
    EXPECT_EQ(std::ranges::count(data.train.labels, label), 6000) << "class " << int{label};
  }
}

}  // namespace

}  // namespace gpufm::test
