#include "io/crc32c.hpp"

#include <array>

namespace gpufm::io {

namespace {

constexpr std::uint32_t reflected_polynomial = 0x82F63B78;
constexpr std::uint32_t mask_delta = 0xA282EAD8;

// The CRC of each byte value, so that the loop below takes a byte per step instead of a bit.
constexpr std::array<std::uint32_t, 256> byte_table = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t value = 0; value < table.size(); ++value) {
    std::uint32_t crc = value;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) != 0 ? reflected_polynomial : 0u);
    table[value] = crc;
  }
  return table;
}();

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> bytes) {
  std::uint32_t crc = 0xFFFFFFFF;
  for (const std::byte byte : bytes) crc = (crc >> 8) ^ byte_table[(crc ^ std::to_integer<std::uint32_t>(byte)) & 0xFF];
  return crc ^ 0xFFFFFFFF;
}

std::uint32_t masked_crc32c(std::span<const std::byte> bytes) {
  const std::uint32_t crc = crc32c(bytes);
  return ((crc >> 15) | (crc << 17)) + mask_delta;
}

}  // namespace gpufm::io
