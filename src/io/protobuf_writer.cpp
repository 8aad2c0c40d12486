#include "io/protobuf_writer.hpp"

#include <bit>

namespace gpufm::io {

void ProtobufMessage::add_int(int field, std::int64_t value) {
  add_key(field, WireType::varint);
  add_varint(static_cast<std::uint64_t>(value));
}

void ProtobufMessage::add_double(int field, double value) {
  add_key(field, WireType::fixed64);
  add_little_endian(std::bit_cast<std::uint64_t>(value), 8);
}

void ProtobufMessage::add_float(int field, float value) {
  add_key(field, WireType::fixed32);
  add_little_endian(std::bit_cast<std::uint32_t>(value), 4);
}

void ProtobufMessage::add_bytes(int field, std::span<const std::byte> bytes) {
  add_key(field, WireType::length_delimited);
  add_varint(bytes.size());
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

void ProtobufMessage::add_string(int field, std::string_view text) {
  add_bytes(field, std::as_bytes(std::span(text.data(), text.size())));
}

void ProtobufMessage::add_message(int field, const ProtobufMessage& message) { add_bytes(field, message.bytes()); }

void ProtobufMessage::add_packed_doubles(int field, std::span<const double> values) {
  add_key(field, WireType::length_delimited);
  add_varint(values.size() * sizeof(double));
  for (const double value : values) add_little_endian(std::bit_cast<std::uint64_t>(value), 8);
}

void ProtobufMessage::add_key(int field, WireType type) {
  add_varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(type));
}

// Seven bits a byte, lowest first; the high bit says another byte follows.
void ProtobufMessage::add_varint(std::uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<std::byte>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<std::byte>(value));
}

void ProtobufMessage::add_little_endian(std::uint64_t value, int byte_count) {
  for (int i = 0; i < byte_count; ++i) bytes_.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFF));
}

}  // namespace gpufm::io
