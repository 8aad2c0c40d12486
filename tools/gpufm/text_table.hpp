// Columns aligned for the terminal: each as wide as its widest cell, two spaces apart; names
// left-aligned, figures right-aligned.
#pragma once

#include <string>
#include <vector>

namespace gpufm::cli {

class TextTable {
 public:
  struct Column {
    std::string title;
    bool figures = true;  // right-aligned
  };
  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string str() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace gpufm::cli
