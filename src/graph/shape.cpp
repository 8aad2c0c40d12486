#include "gpufm/shape.hpp"

namespace gpufm {

std::int64_t product(std::span<const std::int64_t> sizes) {
  std::int64_t n = 1;
  for (std::int64_t d : sizes) n *= d;
  return n;
}

std::string Shape::str() const {
  std::string text;
  for (std::int64_t d : dims) {
    if (!text.empty()) text += 'x';
    text += std::to_string(d);
  }
  return text;
}

std::string Shape::keras() const {
  std::string text = "(None";
  for (std::int64_t d : dims) text += ", " + std::to_string(d);
  return text + ")";
}

}  // namespace gpufm
