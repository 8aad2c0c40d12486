// The model file grammar, one statement a line:
//   let NAME = VALUE            a variable, used as $NAME (top level only)
//   block NAME [from VALUE] [frozen][:]
//                               a named group of layers, indented below it; from another run
//                               without a ':' and its layers (import_blocks fills them)
//   train:                      the training recipe, indented below it
//   KEYWORD ARG...              a layer (top level or in a block) or a train setting
//   ARG := VALUE | KEY=VALUE

#include "dsl/lexer.hpp"
#include "gpufm/dsl.hpp"
#include "gpufm/text_file.hpp"

namespace gpufm::dsl {

namespace {

enum class Section { top, block, train };

class Parser {
 public:
  explicit Parser(std::string file) { model_.file = std::move(file); }

  Model parse(const std::vector<Line>& lines) {
    for (const Line& line : lines) parse_line(line);
    close_section();
    return std::move(model_);
  }

 private:
  [[noreturn]] static void fail(const SourceLoc& loc, const std::string& message) { throw SourceError(loc, message); }

  static const std::string& word_at(const Line& line, std::size_t i, const std::string& what) {
    if (i >= line.tokens.size()) fail(line.loc, "expected " + what + " at the end of the line");
    const Token& token = line.tokens[i];
    if (token.kind != Token::Kind::value || token.value.kind != Value::Kind::word) {
      fail(token.loc(), "expected " + what + ", found '" + token.value.text + "'");
    }
    return token.value.text;
  }

  void parse_line(const Line& line) {
    if (line.indent > 0) {
      if (section_ == Section::top) fail(line.loc, "unexpected indentation: only lines under 'block NAME:' or 'train:' are indented");
      const std::string& keyword = word_at(line, 0, "a statement");
      for (const char* top_level_only : {"let", "block", "train"}) {
        if (keyword == top_level_only) fail(line.loc, "'" + keyword + "' belongs at the top level, not indented");
      }
      ++section_statements_;
      Statement statement = parse_statement(line);
      if (section_ == Section::train) {
        model_.train.push_back(std::move(statement));
      } else {
        statement.block = model_.blocks.back().name;
        model_.layers.push_back(std::move(statement));
      }
      return;
    }
    close_section();
    const std::string& keyword = word_at(line, 0, "a statement");
    if (keyword == "let") return parse_let(line);
    if (keyword == "block") return open_block(line);
    if (keyword == "train") return open_train(line);
    model_.layers.push_back(parse_statement(line));
  }

  void parse_let(const Line& line) {
    const std::string& name = word_at(line, 1, "a variable name after 'let'");
    if (line.tokens.size() < 3 || line.tokens[2].kind != Token::Kind::equals) {
      fail(line.tokens.size() < 3 ? line.loc : line.tokens[2].loc(), "expected '=' after 'let " + name + "'");
    }
    if (line.tokens.size() != 4 || line.tokens[3].kind != Token::Kind::value) {
      fail(line.loc, "expected one value after 'let " + name + " =' (as in: let " + name + " = 16)");
    }
    if (line.tokens[3].value.kind == Value::Kind::variable) fail(line.tokens[3].loc(), "a variable's value must be written out, not another variable");
    for (const Variable& existing : model_.variables) {
      if (existing.name == name) fail(line.tokens[1].loc(), "variable '" + name + "' is already defined at " + existing.loc.str());
    }
    model_.variables.push_back(Variable{name, line.tokens[3].value, line.tokens[1].loc()});
  }

  void expect_header_end(const Line& line, std::size_t colon_index, const std::string& example) {
    if (line.tokens.size() != colon_index + 1 || line.tokens[colon_index].kind != Token::Kind::colon) {
      fail(line.loc, "expected '" + example + "' alone on its line, with its statements indented below");
    }
  }

  void open_block(const Line& line) {
    const std::string& name = word_at(line, 1, "a block name after 'block'");
    for (const BlockDecl& existing : model_.blocks) {
      if (existing.name == name) fail(line.tokens[1].loc(), "block '" + name + "' is already defined at " + existing.loc.str());
    }
    BlockDecl block{.name = name, .loc = line.tokens[1].loc(), .source = std::nullopt, .frozen = false,
                    .first_layer = model_.layers.size(), .has_layers = true};
    std::size_t i = 2;
    const auto is_word = [&](const char* word) {
      return i < line.tokens.size() && line.tokens[i].kind == Token::Kind::value && line.tokens[i].value.kind == Value::Kind::word &&
             line.tokens[i].value.text == word;
    };
    if (is_word("from")) {
      const bool path_follows = i + 1 < line.tokens.size() && line.tokens[i + 1].kind == Token::Kind::value &&
                                (line.tokens[i + 1].value.kind == Value::Kind::string || line.tokens[i + 1].value.kind == Value::Kind::variable);
      if (!path_follows) fail(line.tokens[i].loc(), "'from' takes a run directory or a .safetensors file in quotes, as in: block " + name + " from \"runs/autoencoder\"");
      block.source = line.tokens[i + 1].value;
      i += 2;
    }
    if (is_word("frozen")) {
      block.frozen = true;
      ++i;
    }
    const std::string header = "block " + name + (block.source ? " from " + to_source(*block.source) : "") + (block.frozen ? " frozen" : "");
    if (i == line.tokens.size() && block.source) {
      block.has_layers = false;  // its layers come from the run: import_blocks
      model_.blocks.push_back(std::move(block));
      return;
    }
    expect_header_end(line, i, header + ":");
    model_.blocks.push_back(std::move(block));
    start_section(Section::block, line.loc);
  }

  void open_train(const Line& line) {
    expect_header_end(line, 1, "train:");
    if (seen_train_) fail(line.loc, "a second 'train:' section; put every training setting in one");
    seen_train_ = true;
    start_section(Section::train, line.loc);
  }

  void start_section(Section section, const SourceLoc& loc) {
    section_ = section;
    section_loc_ = loc;
    section_statements_ = 0;
  }

  void close_section() {
    if (section_ != Section::top && section_statements_ == 0) {
      fail(section_loc_, std::string(section_ == Section::train ? "the train section" : "block '" + model_.blocks.back().name + "'") +
                             " is empty: its statements go on the lines below it, indented");
    }
    section_ = Section::top;
  }

  static Statement parse_statement(const Line& line) {
    Statement statement;
    statement.keyword = word_at(line, 0, "a statement");
    statement.loc = line.loc;
    const std::vector<Token>& tokens = line.tokens;
    for (std::size_t i = 1; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      if (token.kind != Token::Kind::value) {
        fail(token.loc(), token.kind == Token::Kind::colon
                              ? "':' ends only a 'block NAME:' or 'train:' line"
                              : "'=' must follow a name, as in stride=2");
      }
      const bool keyed = i + 1 < tokens.size() && tokens[i + 1].kind == Token::Kind::equals;
      if (!keyed) {
        statement.args.push_back(Arg{"", token.value, token.loc()});
        continue;
      }
      if (token.value.kind != Value::Kind::word) fail(token.loc(), "'" + token.value.text + "' cannot name a setting; names are words, as in stride=2");
      if (i + 2 >= tokens.size() || tokens[i + 2].kind != Token::Kind::value) {
        fail(tokens[i + 1].loc(), "expected a value after '" + token.value.text + "='");
      }
      for (const Arg& earlier : statement.args) {
        if (earlier.key == token.value.text) fail(token.loc(), "'" + token.value.text + "' is given twice");
      }
      statement.args.push_back(Arg{token.value.text, tokens[i + 2].value, token.loc()});
      i += 2;
    }
    return statement;
  }

  Model model_;
  Section section_ = Section::top;
  SourceLoc section_loc_;
  int section_statements_ = 0;
  bool seen_train_ = false;
};

std::string statement_source(const Statement& statement) {
  std::string text = statement.keyword;
  for (const Arg& arg : statement.args) {
    text += ' ';
    if (!arg.key.empty()) text += arg.key + "=";
    text += to_source(arg.value);
  }
  return text;
}

}  // namespace

std::string to_source(const Value& value) {
  switch (value.kind) {
    case Value::Kind::string: return "\"" + value.text + "\"";
    case Value::Kind::variable: return "$" + value.text;
    default: return value.text;
  }
}

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::integer: return "an integer";
    case Value::Kind::real: return "a number";
    case Value::Kind::word: return "a word";
    case Value::Kind::dims: return "a size";
    case Value::Kind::string: return "a string";
    case Value::Kind::variable: return "a variable";
  }
  return "a value";
}

Model parse(std::string_view text, const std::string& file) {
  return Parser(file).parse(lex(text, file));
}

Model parse_file(const std::filesystem::path& path) {
  if (const std::optional<std::string> why = why_not_a_file(path, "model file")) throw InputError(path.string() + ": " + *why);
  const std::optional<std::string> text = read_text_file(path);
  if (!text) throw InputError(path.string() + ": cannot read the model file");
  return parse(*text, path.string());
}

std::string to_source(const Model& model) {
  std::string text;
  for (const Variable& variable : model.variables) text += "let " + variable.name + " = " + to_source(variable.value) + "\n";
  if (!model.variables.empty()) text += "\n";
  std::size_t next_block = 0;
  for (std::size_t i = 0; i <= model.layers.size(); ++i) {
    for (; next_block < model.blocks.size() && model.blocks[next_block].first_layer == i; ++next_block) {
      const BlockDecl& block = model.blocks[next_block];
      text += "block " + block.name;
      if (block.source) text += " from " + to_source(*block.source);
      if (block.frozen) text += " frozen";
      text += block.has_layers ? ":\n" : "\n";
    }
    if (i == model.layers.size()) break;
    const Statement& layer = model.layers[i];
    if (!layer.block.empty()) text += "  ";
    text += statement_source(layer) + "\n";
  }
  if (!model.train.empty()) {
    text += "\ntrain:\n";
    for (const Statement& setting : model.train) text += "  " + statement_source(setting) + "\n";
  }
  return text;
}

}  // namespace gpufm::dsl
