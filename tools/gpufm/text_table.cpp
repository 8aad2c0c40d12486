#include "text_table.hpp"

#include <algorithm>

#include "gpufm/format.hpp"

namespace gpufm::cli {

namespace {

// Characters on the terminal: "±" is one, though two bytes in UTF-8.
std::size_t display_width(const std::string& text) {
  const auto starts_a_character = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), starts_a_character));
}

}  // namespace

std::string TextTable::str() const {
  std::vector<std::size_t> widths;
  for (const Column& column : columns_) widths.push_back(display_width(column.title));
  for (const std::vector<std::string>& row : rows_) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::size_t padding = widths[c] + cell.size() - display_width(cell);
      if (c > 0) text += "  ";
      text += columns_[c].figures ? pad_left(cell, padding) : pad_right(cell, padding);
    }
    text.erase(text.find_last_not_of(' ') + 1);
    return text + "\n";
  };
  std::vector<std::string> titles;
  for (const Column& column : columns_) titles.push_back(column.title);
  std::string text = line(titles);
  for (const std::vector<std::string>& row : rows_) text += line(row);
  return text;
}

}  // namespace gpufm::cli
