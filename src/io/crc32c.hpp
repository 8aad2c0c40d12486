// CRC-32C (Castagnoli, the iSCSI CRC; not zlib's CRC-32), and the masked form TFRecord files
// (TensorBoard's event files) store after each length and each payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace gpufm::io {

std::uint32_t crc32c(std::span<const std::byte> bytes);

// The CRC rotated right by 15 bits plus 0xA282EAD8: TFRecord stores this so that a CRC of data
// that itself holds CRCs does not degenerate.
std::uint32_t masked_crc32c(std::span<const std::byte> bytes);

}  // namespace gpufm::io
