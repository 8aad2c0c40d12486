// An image classification set as users have it: IDX images (N x rows x cols, u8) and labels
// (N, u8) for a training and a test split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gpufm/image.hpp"

namespace gpufm {

// Where Debian's dataset-fashion-mnist package puts the set.
inline constexpr const char* default_data_dir = "/usr/share/datasets/fashion-mnist";

struct DataPaths {
  std::filesystem::path train_images, train_labels, test_images, test_labels;
};

// The four files in a directory under their standard names: train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each also spelt
// with '.' before "idx" and each with or without ".gz". Throws InputError naming the
// directory and the names tried when one is missing.
DataPaths find_data_files(const std::filesystem::path& dir);

struct ImageSplit {
  std::size_t count = 0;
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, row-major per image
  std::vector<std::uint8_t> labels;  // count class ids
  std::filesystem::path images_path, labels_path;
};

// Image n of a split, as a picture (gray).
Image split_image(const ImageSplit& split, std::size_t n);

struct Dataset {
  std::string name;                      // "Fashion-MNIST" when recognised, else empty
  int num_classes = 0;                   // from the known set, classes.txt, or the largest label + 1
  std::vector<std::string> class_names;  // num_classes names ("0", "1", ... when unknown)
  ImageSplit train, test;
};

// The names of a classifier's `classes` outputs: the data's class names, numbered on past its
// last class where the model has more outputs than the data has classes.
std::vector<std::string> class_names_for(const Dataset& data, std::int64_t classes);

// Reads one split and checks that the image and label counts agree.
ImageSplit load_split(const std::filesystem::path& images, const std::filesystem::path& labels);

// Reads both splits, checks that they have the same image size, and names the classes: a known
// set is recognised by the CRC-32 of its label files; otherwise a classes.txt beside the
// training labels (one name per line) names them. Every label is checked to be below the
// class count.
Dataset load_dataset(const DataPaths& paths);

// Throws InputError naming the labels file, the sample index and the value of the first label
// that is not below num_classes (the number of outputs of a model, say).
void check_labels(const ImageSplit& split, int num_classes);

}  // namespace gpufm
