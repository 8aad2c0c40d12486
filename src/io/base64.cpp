#include "gpufm/base64.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace gpufm {

std::string base64(std::span<const std::byte> bytes) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  // Each 3 bytes become 4 characters of 6 bits; a last group of 1 or 2 bytes is padded with '='.
  for (std::size_t at = 0; at < bytes.size(); at += 3) {
    const std::size_t group = std::min<std::size_t>(3, bytes.size() - at);
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      bits = (bits << 8) | (i < group ? std::to_integer<std::uint32_t>(bytes[at + i]) : 0u);
    }
    for (std::size_t i = 0; i < 4; ++i) {
      text += i <= group ? alphabet[(bits >> (18 - 6 * i)) & 0x3F] : '=';
    }
  }
  return text;
}

}  // namespace gpufm
