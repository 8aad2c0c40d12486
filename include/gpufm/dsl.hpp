// The model language: its syntax tree, the parser, and `--set key=value` overrides.
// docs/dsl.md is the user's description; this header is the program's.
//
// A model file is a sequence of lines. Each statement is one line: a keyword followed by
// positional values and key=value pairs. `let NAME = VALUE` defines a variable used as $NAME.
// `block NAME:` and `train:` open sections whose statements are indented below them. A block
// may come from another run: `block NAME from "RUN_DIR_OR_SAFETENSORS" [frozen]`, with its layers
// below it (its trained weights are taken from the file), or without (layers and weights both
// from the run directory: import_blocks).
#pragma once

#include <filesystem>
#include <optional>
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
  std::optional<Value> source;  // from "PATH" (a string, or a variable holding one)
  bool frozen = false;          // its parameters are not trained (until a fine_tune phase)
  std::size_t first_layer = 0;  // where its layers start in Model::layers
  bool has_layers = true;       // false until import_blocks fills a block written without a body
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

// Fills each block written without layers (`block encoder from "runs/ae"`) with the layers of the
// block of that name in the run directory's model.dsl, their variables replaced by the values
// recorded there. An InputError or SourceError names the run, the file and the block.
void import_blocks(Model& model);

// The path a block's `from` names, its variable resolved; nullopt for a block written here.
std::optional<std::filesystem::path> block_source(const Model& model, const BlockDecl& block);

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
