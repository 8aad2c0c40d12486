// Small text formatting helpers shared by the reports the library builds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <string>

namespace gpufm {

// 1185793 -> "1,185,793"
std::string with_commas(std::int64_t n);

// Bytes in binary units with two decimals, as Keras 3 prints sizes: "4.52 MB" (1 MB = 1024 KB), "0.00 B".
std::string human_bytes(double bytes);

// "a, b, c": the items with the separator between them.
std::string join(std::span<const std::string_view> items, std::string_view separator);

// A figure as the reports print them, with four decimals: "0.2284"; "-" for none.
std::string figure_text(double value);
std::string figure_text(const std::optional<double>& value);
// Seconds with one decimal: "41.3s".
std::string seconds_text(double seconds);

// A CSV cell as Python's csv module writes it: quoted, with quotes doubled, when it holds a comma,
// a quote or a line end.
std::string csv_cell(const std::string& text);

// Left- or right-aligned in a field of the given width (never truncated).
std::string pad_right(const std::string& s, std::size_t width);
std::string pad_left(const std::string& s, std::size_t width);

}  // namespace gpufm
