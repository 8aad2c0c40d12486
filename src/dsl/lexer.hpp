// Splits model text into lines of tokens, keeping every token's file:line:col.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gpufm/dsl.hpp"

namespace gpufm::dsl {

struct Token {
  enum class Kind { value, equals, colon };
  Kind kind = Kind::value;
  Value value;  // for Kind::value; for the others only value.loc and value.text are set
  const SourceLoc& loc() const { return value.loc; }
};

struct Line {
  int indent = 0;  // count of leading spaces or tabs
  std::vector<Token> tokens;
  SourceLoc loc;   // of the first token
};

// Blank lines and comments (from '#' to the end of the line) are dropped.
std::vector<Line> lex(std::string_view text, const std::string& file);

// Lexes one value on its own, as `--set key=VALUE` gives it; `origin` names it in errors.
Value lex_value(std::string_view text, const SourceLoc& origin);

}  // namespace gpufm::dsl
