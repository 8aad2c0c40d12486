// The model language: its syntax tree, the parser, and `--set key=value` overrides.
// docs/dsl.md is the user's description; this header is the program's.
//
// A model file is a sequence of lines. Each statement is one line: a keyword followed by
// positional values and key=value pairs. `let NAME = VALUE` defines a variable used as $NAME.
// `block NAME:` and `train:` open sections whose statements are indented below them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gpufm/source.hpp"

namespace gpufm::dsl {

struct Value {
  enum class Kind {
    integer,   // 128, -3
    real,      // 0.25, 1e-3
    word,      // relu, same, adam
    dims,      // 28x28x1, 3x3 (text as written)
    string,    // "runs/ae" (text without the quotes)
    variable,  // $latent (text without the $)
  };
  Kind kind = Kind::word;
  std::string text;
  SourceLoc loc;
};

// A value as the user would write it: "3x3", "$lr", "\"a b\"".
std::string to_source(const Value& value);
// What a kind is called in messages: "an integer", "a word", ...
std::string_view kind_name(Value::Kind kind);

struct Arg {
  std::string key;  // empty for a positional value
  Value value;
  SourceLoc loc;    // of the key, or of the value when positional
};

struct Statement {
  std::string keyword;
  SourceLoc loc;
  std::vector<Arg> args;
  std::string block;  // the enclosing block's name; empty outside blocks
};

struct Variable {
  std::string name;
  Value value;
  SourceLoc loc;
};

struct BlockDecl {
  std::string name;
  SourceLoc loc;
};

struct Model {
  std::string file;                  // as given, for messages
  std::vector<Variable> variables;   // in order of definition
  std::vector<BlockDecl> blocks;     // in order of definition
  std::vector<Statement> layers;     // every layer statement in order, `input` first
  std::vector<Statement> train;      // the train section, in order
};

Model parse(std::string_view text, const std::string& file);
// Reads and parses a file; an unreadable file is an InputError naming it.
Model parse_file(const std::filesystem::path& path);

// Writes the model back as model text: what a run records as "the model file as used".
std::string to_source(const Model& model);

// One `--set key=value`.
struct Override {
  std::string key;
  std::string value;
};

// Splits "key=value"; throws InputError when there is no '=' or either side is empty.
Override parse_override(std::string_view text);

// Applies overrides to variables and training settings (see train_settings.hpp for the keys).
// An unknown key is an InputError listing the keys that exist.
void apply_overrides(Model& model, const std::vector<Override>& overrides);

}  // namespace gpufm::dsl
