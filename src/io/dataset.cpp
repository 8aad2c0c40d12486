#include "gpufm/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "gpufm/format.hpp"
#include "gpufm/idx.hpp"
#include "io/file_error.hpp"

namespace gpufm {

namespace {

namespace fs = std::filesystem;
using io::file_error;

// Large enough for any real image, small enough that rows * cols * channels fits an int.
constexpr std::uint32_t max_image_side = 1u << 15;

// A published set, recognised by the CRC-32 of its decompressed label payloads (the bytes after
// the 8-byte header), which identifies the set whatever the files are called or compressed with.
struct KnownSet {
  const char* name;
  std::uint32_t train_labels_crc, test_labels_crc;
  std::vector<std::string> class_names;
};

const std::vector<KnownSet>& known_sets() {
  static const std::vector<KnownSet> sets = {
      {"Fashion-MNIST", 0x2ED6E46A, 0x242BC73F,
       {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}},
  };
  return sets;
}

std::uint32_t crc32_of(const std::vector<std::uint8_t>& bytes) {
  return static_cast<std::uint32_t>(crc32_z(crc32_z(0, nullptr, 0), bytes.data(), bytes.size()));
}

const KnownSet* recognise(const ImageSplit& train, const ImageSplit& test) {
  const std::uint32_t train_crc = crc32_of(train.labels);
  const std::uint32_t test_crc = crc32_of(test.labels);
  for (const KnownSet& set : known_sets()) {
    if (set.train_labels_crc == train_crc && set.test_labels_crc == test_crc) return &set;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i > 0 ? separator : "") + items[i];
  return text;
}

// The standard name, the same with '.' before "idx" (as some mirrors spell it), each also ".gz".
std::vector<std::string> spellings(const std::string& standard_name) {
  std::string dotted = standard_name;
  dotted[dotted.find("-idx")] = '.';
  return {standard_name, standard_name + ".gz", dotted, dotted + ".gz"};
}

fs::path find_file(const fs::path& dir, const std::string& standard_name, const std::string& what) {
  const std::vector<std::string> names = spellings(standard_name);
  for (const std::string& name : names) {
    if (fs::is_regular_file(dir / name)) return dir / name;
  }
  throw file_error(dir, "no " + what + " file (tried " + join(names, ", ") + ")");
}

std::string trimmed_right(std::string text) {
  text.erase(std::find_if(text.rbegin(), text.rend(), [](unsigned char c) { return !std::isspace(c); }).base(),
             text.end());
  return text;
}

// One name per line; blank lines at the end are ignored, a blank line before a name is an error.
std::vector<std::string> read_class_names(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw file_error(file, "cannot open");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) names.push_back(trimmed_right(line));
  while (!names.empty() && names.back().empty()) names.pop_back();
  if (names.empty()) throw file_error(file, "no class names");
  const auto blank = std::ranges::find(names, std::string());
  if (blank != names.end()) {
    throw InputError(file.string() + ":" + std::to_string(blank - names.begin() + 1) + ": blank class name");
  }
  return names;
}

std::vector<std::string> numbered_names(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(std::to_string(i));
  return names;
}

// load_split guarantees at least one label.
int largest_label(const std::vector<std::uint8_t>& labels) { return *std::ranges::max_element(labels); }

void name_classes(Dataset& data) {
  const fs::path classes_file = data.train.labels_path.parent_path() / "classes.txt";
  if (const KnownSet* known = recognise(data.train, data.test)) {
    data.name = known->name;
    data.class_names = known->class_names;
  } else if (fs::exists(classes_file)) {
    data.class_names = read_class_names(classes_file);
  } else {
    data.class_names = numbered_names(std::max(largest_label(data.train.labels), largest_label(data.test.labels)) + 1);
  }
  data.num_classes = static_cast<int>(data.class_names.size());
}

std::string image_size_text(const ImageSplit& split) {
  return std::to_string(split.rows) + "x" + std::to_string(split.cols);
}

}  // namespace

DataPaths find_data_files(const fs::path& dir) {
  if (!fs::exists(dir)) throw file_error(dir, "no such directory");
  if (!fs::is_directory(dir)) throw file_error(dir, "not a directory");
  return {
      find_file(dir, "train-images-idx3-ubyte", "training images"),
      find_file(dir, "train-labels-idx1-ubyte", "training labels"),
      find_file(dir, "t10k-images-idx3-ubyte", "test images"),
      find_file(dir, "t10k-labels-idx1-ubyte", "test labels"),
  };
}

std::vector<std::string> class_names_for(const Dataset& data, std::int64_t classes) {
  std::vector<std::string> names = data.class_names;
  names.resize(static_cast<std::size_t>(classes));
  for (std::size_t c = data.class_names.size(); c < names.size(); ++c) names[c] = std::to_string(c);
  return names;
}

ImageSplit load_split(const fs::path& images, const fs::path& labels) {
  IdxArray image_array = read_idx_u8(images, 3);
  IdxArray label_array = read_idx_u8(labels, 1);
  const std::uint32_t count = image_array.dims[0], rows = image_array.dims[1], cols = image_array.dims[2];
  if (count == 0) throw file_error(images, "no images (the header's count is 0)");
  if (rows == 0 || cols == 0 || rows > max_image_side || cols > max_image_side) {
    throw file_error(images, "image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                                 ", expected rows and columns from 1 to " + with_commas(max_image_side));
  }
  if (label_array.dims[0] != count) {
    throw file_error(labels, with_commas(label_array.dims[0]) + " labels, but " + images.string() + " has " +
                                 with_commas(count) + " images");
  }
  ImageSplit split;
  split.count = count;
  split.rows = static_cast<int>(rows);
  split.cols = static_cast<int>(cols);
  split.pixels = std::move(image_array.data);
  split.labels = std::move(label_array.data);
  split.images_path = images;
  split.labels_path = labels;
  return split;
}

Dataset load_dataset(const DataPaths& paths) {
  Dataset data;
  data.train = load_split(paths.train_images, paths.train_labels);
  data.test = load_split(paths.test_images, paths.test_labels);
  if (data.test.rows != data.train.rows || data.test.cols != data.train.cols) {
    throw file_error(paths.test_images, "images are " + image_size_text(data.test) + ", but the training images (" +
                                            paths.train_images.string() + ") are " + image_size_text(data.train));
  }
  name_classes(data);
  check_labels(data.train, data.num_classes);
  check_labels(data.test, data.num_classes);
  return data;
}

Image split_image(const ImageSplit& split, std::size_t n) {
  const auto pixels = static_cast<std::size_t>(split.rows) * static_cast<std::size_t>(split.cols);
  const std::uint8_t* first = split.pixels.data() + n * pixels;
  return Image{split.cols, split.rows, 1, {first, first + pixels}};
}

void check_labels(const ImageSplit& split, int num_classes) {
  const auto out_of_range = std::ranges::find_if(split.labels, [&](std::uint8_t label) { return label >= num_classes; });
  if (out_of_range == split.labels.end()) return;
  throw file_error(split.labels_path, "sample " + with_commas(out_of_range - split.labels.begin()) + " has label " +
                                              std::to_string(*out_of_range) + ", but there are only " +
                                              std::to_string(num_classes) + " classes");
}

}  // namespace gpufm
