// Protocol-buffer messages encoded by hand, field by field in the wire format: the few fields
// TensorBoard's Event messages need do not justify libprotobuf and generated code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace gpufm::io {

class ProtobufMessage {
 public:
  // int32, int64 and enum fields: a varint, negative values as 10-byte two's complement.
  void add_int(int field, std::int64_t value);
  void add_double(int field, double value);
  void add_float(int field, float value);
  void add_bytes(int field, std::span<const std::byte> bytes);
  void add_string(int field, std::string_view text);
  void add_message(int field, const ProtobufMessage& message);
  // A repeated double field, packed: one length-delimited run of little-endian doubles.
  void add_packed_doubles(int field, std::span<const double> values);

  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

  void add_key(int field, WireType type);
  void add_varint(std::uint64_t value);
  void add_little_endian(std::uint64_t value, int byte_count);

  std::vector<std::byte> bytes_;
};

}  // namespace gpufm::io
