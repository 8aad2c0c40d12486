#include "support/learnable_set.hpp"

#include "gpufm/philox.hpp"
#include "support/idx_files.hpp"

namespace gpufm::test {

namespace {

ImageSplit learnable_split(std::size_t count, std::uint64_t seed, std::uint32_t stream) {
  constexpr int side = learnable_side, half = side / 2;
  ImageSplit split;
  split.count = count;
  split.rows = split.cols = side;
  split.pixels.resize(count * side * side);
  split.labels.resize(count);
  for (std::size_t n = 0; n < count; ++n) {
    const auto label = static_cast<std::uint8_t>(n % learnable_classes);
    split.labels[n] = label;
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        const std::size_t i = (n * side + y) * side + x;
        const std::uint32_t noise = philox_word(seed, stream, 0, i) % 64;
        const bool lit = (y / half) * 2 + (x / half) == label;
        split.pixels[i] = static_cast<std::uint8_t>(lit ? 255 - noise : noise);
      }
    }
  }
  return split;
}

}  // namespace

Dataset learnable_dataset(std::size_t train_count, std::size_t test_count, std::uint64_t seed) {
  Dataset data;
  data.num_classes = learnable_classes;
  data.class_names = {"top-left", "top-right", "bottom-left", "bottom-right"};
  data.train = learnable_split(train_count, seed, 1);
  data.test = learnable_split(test_count, seed, 2);
  return data;
}

DataPaths write_learnable_set(const std::filesystem::path& dir, std::size_t train_count, std::size_t test_count) {
  const Dataset data = learnable_dataset(train_count, test_count);
  const DataPaths paths{dir / "train-images-idx3-ubyte", dir / "train-labels-idx1-ubyte", dir / "t10k-images-idx3-ubyte",
                        dir / "t10k-labels-idx1-ubyte"};
  const auto side = static_cast<std::uint32_t>(learnable_side);
  write_idx(paths.train_images, {{static_cast<std::uint32_t>(train_count), side, side}, data.train.pixels});
  write_idx(paths.train_labels, {{static_cast<std::uint32_t>(train_count)}, data.train.labels});
  write_idx(paths.test_images, {{static_cast<std::uint32_t>(test_count), side, side}, data.test.pixels});
  write_idx(paths.test_labels, {{static_cast<std::uint32_t>(test_count)}, data.test.labels});
  return paths;
}

}  // namespace gpufm::test
