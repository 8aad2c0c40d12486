#include "dsl/lexer.hpp"

#include <cctype>
#include <cstdio>
#include <string>

namespace gpufm::dsl {

namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_word_char(char c) { return is_word_start(c) || is_digit(c) || c == '.'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_ascii_text(char c) { return (c >= ' ' && c < 0x7f) || c == '\t' || c == '\r'; }

// What a byte outside the language's ASCII text is, where errors name it: editors add a
// byte-order mark or a non-breaking space unseen, and a binary file's bytes would garble the line.
std::string describe_odd_byte(std::string_view text, std::size_t pos) {
  const std::string_view rest = text.substr(pos);
  if (rest.starts_with("\xEF\xBB\xBF")) return "UTF-8 byte-order mark (save the model file without one)";
  if (rest.starts_with("\xC2\xA0")) return "non-breaking space (bytes 0xC2 0xA0; use a plain space)";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[pos])));
  return std::string("byte ") + hex + " (a model file is ASCII text)";
}

// A token as errors quote it: a runaway one cut short.
std::string quoted(std::string_view token) {
  constexpr std::size_t most = 40;
  std::string text = "'";
  text.append(token.substr(0, most)).append(token.size() > most ? "...'" : "'");
  return text;
}

// Reads tokens from one line of text; `col` is 0-based into `text`.
class LineLexer {
 public:
  LineLexer(std::string_view text, SourceLoc start) : text_(text), start_(std::move(start)) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    skip_space();
    while (pos_ < text_.size() && text_[pos_] != '#') {
      out.push_back(next());
      skip_space();
    }
    return out;
  }

  Value single_value() {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a value, found nothing");
    Token token = next();
    skip_space();
    if (token.kind != Token::Kind::value) fail_at(token.loc(), "expected a value, found '" + token.value.text + "'");
    if (pos_ < text_.size()) fail("unexpected " + quoted(text_.substr(pos_)) + " after the value");
    return token.value;
  }

 private:
  SourceLoc here() const {
    SourceLoc loc = start_;
    loc.col = start_.col + static_cast<int>(pos_);
    return loc;
  }
  [[noreturn]] void fail(const std::string& message) const { fail_at(here(), message); }
  [[noreturn]] static void fail_at(const SourceLoc& loc, const std::string& message) { throw SourceError(loc, message); }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  bool at_token_end() const {
    return pos_ >= text_.size() || is_space(text_[pos_]) || text_[pos_] == '=' || text_[pos_] == ':' ||
           text_[pos_] == '#';
  }
  std::size_t skip_digits() {
    const std::size_t from = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    return pos_ - from;
  }

  Token make(Token::Kind kind, Value::Kind value_kind, std::size_t from, std::string text) const {
    SourceLoc loc = start_;
    loc.col = start_.col + static_cast<int>(from);
    return Token{kind, Value{value_kind, std::move(text), loc}};
  }

  Token next() {
    const std::size_t from = pos_;
    const char c = text_[pos_];
    if (c == '=' || c == ':') {
      ++pos_;
      return make(c == '=' ? Token::Kind::equals : Token::Kind::colon, Value::Kind::word, from, std::string(1, c));
    }
    if (c == '"') return string_token(from);
    if (c == '$') return variable_token(from);
    const bool signed_number = (c == '-' || c == '+') && pos_ + 1 < text_.size() &&
                               (is_digit(text_[pos_ + 1]) || text_[pos_ + 1] == '.');
    if (is_digit(c) || c == '.' || signed_number) return number_token(from);
    if (is_word_start(c)) {
      while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
      expect_token_end(from);
      return make(Token::Kind::value, Value::Kind::word, from, std::string(text_.substr(from, pos_ - from)));
    }
    if (!is_ascii_text(c)) fail("unexpected " + describe_odd_byte(text_, pos_));
    fail("unexpected character '" + std::string(1, c) + "'");
  }

  Token string_token(std::size_t from) {
    const std::size_t close = text_.find('"', from + 1);
    if (close == std::string_view::npos) fail("unterminated string: a '\"' is missing before the end of the line");
    pos_ = close + 1;
    expect_token_end(from);
    return make(Token::Kind::value, Value::Kind::string, from, std::string(text_.substr(from + 1, close - from - 1)));
  }

  Token variable_token(std::size_t from) {
    ++pos_;
    if (pos_ >= text_.size() || !is_word_start(text_[pos_])) fail("expected a variable name after '$'");
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    expect_token_end(from);
    return make(Token::Kind::value, Value::Kind::variable, from, std::string(text_.substr(from + 1, pos_ - from - 1)));
  }

  // Integers, reals (0.25, 1e-3, -2.5E+2) and dims (28x28x1).
  Token number_token(std::size_t from) {
    if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
    const bool has_integer_part = skip_digits() > 0;
    bool is_real = false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      is_real = true;
      if (skip_digits() == 0 && !has_integer_part) fail("expected digits around '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) ++pos_;
      if (skip_digits() == 0) fail("expected digits in the exponent");
      is_real = true;
    }
    const bool plain_integer = !is_real && is_digit(text_[from]);
    if (plain_integer && pos_ < text_.size() && text_[pos_] == 'x') {
      while (pos_ < text_.size() && text_[pos_] == 'x') {
        ++pos_;
        if (skip_digits() == 0) fail("expected a size after 'x' (sizes look like 28x28x1)");
      }
      expect_token_end(from);
      return make(Token::Kind::value, Value::Kind::dims, from, std::string(text_.substr(from, pos_ - from)));
    }
    expect_token_end(from);
    return make(Token::Kind::value, is_real ? Value::Kind::real : Value::Kind::integer, from,
                std::string(text_.substr(from, pos_ - from)));
  }

  void expect_token_end(std::size_t from) {
    if (at_token_end()) return;
    std::size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end]) && is_ascii_text(text_[end])) ++end;
    if (end < text_.size() && !is_space(text_[end])) {
      pos_ = end;
      fail("unexpected " + describe_odd_byte(text_, end));
    }
    SourceLoc loc = start_;
    loc.col = start_.col + static_cast<int>(from);
    fail_at(loc, "malformed value " + quoted(text_.substr(from, end - from)));
  }

  std::string_view text_;
  SourceLoc start_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Line> lex(std::string_view text, const std::string& file) {
  std::vector<Line> lines;
  int line_number = 0;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    const std::string_view line_text = text.substr(begin, end - begin);
    std::vector<Token> tokens = LineLexer(line_text, SourceLoc{file, line_number, 1}).tokens();
    if (!tokens.empty()) {
      const int indent = static_cast<int>(line_text.find_first_not_of(" \t"));
      lines.push_back(Line{indent, tokens, tokens.front().loc()});
    }
    begin = end + 1;
  }
  return lines;
}

Value lex_value(std::string_view text, const SourceLoc& origin) {
  return LineLexer(text, origin).single_value();
}

}  // namespace gpufm::dsl
