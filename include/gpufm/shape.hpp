// The shape of one sample's tensor: {height, width, channels} for images (channels last, as
// Keras prints them and as gpufm stores them), {features} for flat vectors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gpufm {

// The product of sizes; 1 for none. Callers bound the sizes (the graph compiler checks them).
std::int64_t product(std::span<const std::int64_t> sizes);

struct Shape {
  std::vector<std::int64_t> dims;

  bool is_image() const { return dims.size() == 3; }
  bool is_flat() const { return dims.size() == 1; }
  std::int64_t height() const { return dims.at(0); }
  std::int64_t width() const { return dims.at(1); }
  std::int64_t channels() const { return dims.back(); }
  std::int64_t elements() const { return product(dims); }

  std::string str() const;    // "28x28x1", "784"
  std::string keras() const;  // "(None, 28, 28, 1)"
  bool operator==(const Shape&) const = default;
};

}  // namespace gpufm
