#include "error_line.hpp"

#include <cstdio>

namespace gpufm::cli {

namespace {

constexpr std::size_t longest_run = 200, run_head = 120, run_tail = 40;

// The length of the valid UTF-8 sequence of two to four bytes at text[pos], or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const std::size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
  if (length == 0 || pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

std::string escaped(std::string_view text) {
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 0x20 && byte < 0x7F) {
      out += text[pos++];
    } else if (const std::size_t length = byte >= 0x80 ? utf8_sequence_length(text, pos) : 0; length > 0) {
      out.append(text.substr(pos, length));
      pos += length;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned>(byte));
      out += hex;
      ++pos;
    }
  }
  return out;
}

}  // namespace

std::string printable_line(std::string_view message) {
  const std::string text = escaped(message);
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t space = text.find(' ', pos);
    const std::size_t end = space == std::string::npos ? text.size() : space + 1;
    const std::string_view run = std::string_view(text).substr(pos, end - pos);
    if (run.size() > longest_run) {
      out.append(run.substr(0, run_head)).append("...").append(run.substr(run.size() - run_tail));
    } else {
      out.append(run);
    }
    pos = end;
  }
  return out;
}

}  // namespace gpufm::cli
