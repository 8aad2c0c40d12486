#include "dsl/lexer.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace gpufm::dsl {
namespace {

using test::error_of;

TEST(Lexer, KindsTextAndColumns) {
  const std::vector<Line> lines = lex("conv2d 32 3x3 same stride=2 rate=0.25 lr=1e-3 $k \"a b\" -1  # note", "m.dsl");
  ASSERT_EQ(lines.size(), 1u);
  const std::vector<Token>& t = lines[0].tokens;
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t[0].value.kind, Value::Kind::word);
  EXPECT_EQ(t[1].value.kind, Value::Kind::integer);
  EXPECT_EQ(t[2].value.kind, Value::Kind::dims);
  EXPECT_EQ(t[2].value.text, "3x3");
  EXPECT_EQ(t[2].loc().col, 11);
  EXPECT_EQ(t[5].kind, Token::Kind::equals);
  EXPECT_EQ(t[9].value.kind, Value::Kind::real);
  EXPECT_EQ(t[12].value.kind, Value::Kind::real);
  EXPECT_EQ(t[12].value.text, "1e-3");
  EXPECT_EQ(t[13].value.kind, Value::Kind::variable);
  EXPECT_EQ(t[13].value.text, "k");
  EXPECT_EQ(t[14].value.kind, Value::Kind::string);
  EXPECT_EQ(t[14].value.text, "a b");
  EXPECT_EQ(lines[0].loc.str(), "m.dsl:1:1");
}

TEST(Lexer, SkipsBlankAndCommentLinesAndMeasuresIndent) {
  const std::vector<Line> lines = lex("# header\n\ninput 784\r\ntrain:\n    batch 32\n\tepochs 2\n", "m.dsl");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].loc.line, 3);
  EXPECT_EQ(lines[0].indent, 0);
  EXPECT_EQ(lines[1].tokens[1].kind, Token::Kind::colon);
  EXPECT_EQ(lines[2].indent, 4);
  EXPECT_EQ(lines[2].loc.str(), "m.dsl:5:5");
  EXPECT_EQ(lines[3].indent, 1);
}

TEST(Lexer, DimsOfThreeAndSignedNumbers) {
  const std::vector<Line> lines = lex("input 28x28x1 -0.5 +2 .5", "m.dsl");
  const std::vector<Token>& t = lines[0].tokens;
  EXPECT_EQ(t[1].value.text, "28x28x1");
  EXPECT_EQ(t[2].value.kind, Value::Kind::real);
  EXPECT_EQ(t[3].value.kind, Value::Kind::integer);
  EXPECT_EQ(t[4].value.kind, Value::Kind::real);
}

TEST(Lexer, ErrorsPointAtTheOffendingText) {
  EXPECT_EQ(error_of<SourceError>([] { lex("dense 12a relu", "m.dsl"); }), "m.dsl:1:7: malformed value '12a'");
  EXPECT_EQ(error_of<SourceError>([] { lex("conv2d 32 3x", "m.dsl"); }),
            "m.dsl:1:13: expected a size after 'x' (sizes look like 28x28x1)");
  EXPECT_EQ(error_of<SourceError>([] { lex("input 784\ndense @", "m.dsl"); }), "m.dsl:2:7: unexpected character '@'");
  EXPECT_EQ(error_of<SourceError>([] { lex("x \"open", "m.dsl"); }),
            "m.dsl:1:3: unterminated string: a '\"' is missing before the end of the line");
  EXPECT_EQ(error_of<SourceError>([] { lex("dense $ relu", "m.dsl"); }), "m.dsl:1:8: expected a variable name after '$'");
  EXPECT_EQ(error_of<SourceError>([] { lex("lr 1e-", "m.dsl"); }), "m.dsl:1:7: expected digits in the exponent");
}

// Bytes an editor adds unseen, or a binary file's, are named rather than echoed; a runaway token
// is quoted cut short.
TEST(Lexer, OddBytesAreNamedAndLongTokensCutShort) {
  EXPECT_EQ(error_of<SourceError>([] { lex("\xEF\xBB\xBFinput 784", "m.dsl"); }),
            "m.dsl:1:1: unexpected UTF-8 byte-order mark (save the model file without one)");
  EXPECT_EQ(error_of<SourceError>([] { lex("dense\xC2\xA0" "32", "m.dsl"); }),
            "m.dsl:1:6: unexpected non-breaking space (bytes 0xC2 0xA0; use a plain space)");
  EXPECT_EQ(error_of<SourceError>([] { lex(std::string("input 784\nflatten\0x", 19), "m.dsl"); }),
            "m.dsl:2:8: unexpected byte 0x00 (a model file is ASCII text)");
  EXPECT_EQ(error_of<SourceError>([] { lex("dense 1" + std::string(100, '@'), "m.dsl"); }),
            "m.dsl:1:7: malformed value '1" + std::string(39, '@') + "...'");
  // Comments may hold any text.
  EXPECT_EQ(lex("dense 10  # caf\xC3\xA9 \xEF\xBB\xBF", "m.dsl")[0].tokens.size(), 2u);
}

TEST(Lexer, SingleValueForOverrides) {
  const SourceLoc origin{"--set lr=0.1", 0, 0};
  EXPECT_EQ(lex_value("0.1", origin).kind, Value::Kind::real);
  EXPECT_EQ(lex_value(" 7x7 ", origin).kind, Value::Kind::dims);
  EXPECT_EQ(error_of<SourceError>([&] { lex_value("1 2", origin); }), "--set lr=0.1: unexpected '2' after the value");
  EXPECT_EQ(error_of<SourceError>([&] { lex_value("", origin); }), "--set lr=0.1: expected a value, found nothing");
}

}  // namespace
}  // namespace gpufm::dsl
