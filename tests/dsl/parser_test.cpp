#include <gtest/gtest.h>

#include "gpufm/dsl.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::dsl {
namespace {

using test::error_of;

constexpr const char* autoencoder_text = R"(# a small autoencoder
let latent = 8

input 28x28x1
block encoder:
  conv2d 4 3x3 same relu name=first
  flatten
  dense $latent relu
block decoder:
  dense 784 sigmoid
reshape 28x28x1

train:
  loss bce
  optimizer adam lr=0.001
)";

std::string parse_error(const std::string& text) {
  return error_of<SourceError>([&] { parse(text, "m.dsl"); });
}

TEST(Parser, VariablesBlocksLayersAndTrain) {
  const Model model = parse(autoencoder_text, "ae.dsl");
  ASSERT_EQ(model.variables.size(), 1u);
  EXPECT_EQ(model.variables[0].name, "latent");
  EXPECT_EQ(model.variables[0].value.text, "8");
  ASSERT_EQ(model.blocks.size(), 2u);
  EXPECT_EQ(model.blocks[1].name, "decoder");
  ASSERT_EQ(model.layers.size(), 6u);
  EXPECT_EQ(model.layers[0].keyword, "input");
  EXPECT_EQ(model.layers[0].block, "");
  EXPECT_EQ(model.layers[1].block, "encoder");
  EXPECT_EQ(model.layers[4].block, "decoder");
  EXPECT_EQ(model.layers[5].block, "");
  EXPECT_EQ(model.layers[1].loc.str(), "ae.dsl:6:3");
  const std::vector<Arg>& args = model.layers[1].args;
  ASSERT_EQ(args.size(), 5u);
  EXPECT_EQ(args[4].key, "name");
  EXPECT_EQ(args[4].value.text, "first");
  EXPECT_EQ(model.layers[3].args[0].value.kind, Value::Kind::variable);
  ASSERT_EQ(model.train.size(), 2u);
  EXPECT_EQ(model.train[1].args[1].key, "lr");
}

TEST(Parser, WritesTheModelBackAsText) {
  const Model model = parse(autoencoder_text, "ae.dsl");
  const std::string text = to_source(model);
  EXPECT_NE(text.find("let latent = 8\n"), std::string::npos);
  EXPECT_NE(text.find("block encoder:\n  conv2d 4 3x3 same relu name=first\n"), std::string::npos);
  EXPECT_NE(text.find("  dense 784 sigmoid\nreshape 28x28x1\n"), std::string::npos);
  EXPECT_NE(text.find("train:\n  loss bce\n  optimizer adam lr=0.001\n"), std::string::npos);
  const Model again = parse(text, "again.dsl");
  EXPECT_EQ(to_source(again), text);
}

TEST(Parser, StructureErrors) {
  EXPECT_EQ(parse_error("input 784\n  dense 10"), "m.dsl:2:3: unexpected indentation: only lines under 'block NAME:' or 'train:' are indented");
  EXPECT_EQ(parse_error("input 784\nblock enc:\ndense 10"), "m.dsl:2:1: block 'enc' is empty: its statements go on the lines below it, indented");
  EXPECT_EQ(parse_error("input 784\ntrain:\n"), "m.dsl:2:1: the train section is empty: its statements go on the lines below it, indented");
  EXPECT_EQ(parse_error("train:\n  batch 1\ntrain:\n  epochs 1"), "m.dsl:3:1: a second 'train:' section; put every training setting in one");
  EXPECT_EQ(parse_error("block a:\n  dense 1\nblock a:\n  dense 2"), "m.dsl:3:7: block 'a' is already defined at m.dsl:1:7");
  EXPECT_EQ(parse_error("block a:\n  block b:"), "m.dsl:2:3: 'block' belongs at the top level, not indented");
  EXPECT_EQ(parse_error("block a\n  dense 1"), "m.dsl:1:1: expected 'block a:' alone on its line, with its statements indented below");
  EXPECT_EQ(parse_error("train: batch 3"), "m.dsl:1:1: expected 'train:' alone on its line, with its statements indented below");
  EXPECT_EQ(parse_error("block 3:\n  dense 1"), "m.dsl:1:7: expected a block name after 'block', found '3'");
  EXPECT_EQ(parse_error("32 dense"), "m.dsl:1:1: expected a statement, found '32'");
}

TEST(Parser, BlocksFromAnotherRun) {
  const Model model = parse("let run = \"runs/ae\"\ninput 28x28x1\nblock encoder from $run frozen\n"
                            "block head from \"head.safetensors\":\n  dense 10 softmax\nflatten\n",
                            "m.dsl");
  ASSERT_EQ(model.blocks.size(), 2u);
  const BlockDecl& encoder = model.blocks[0];
  ASSERT_TRUE(encoder.source.has_value());
  EXPECT_EQ(encoder.source->kind, Value::Kind::variable);
  EXPECT_TRUE(encoder.frozen);
  EXPECT_FALSE(encoder.has_layers);
  EXPECT_EQ(encoder.first_layer, 1u);
  EXPECT_EQ(block_source(model, encoder), std::filesystem::path("runs/ae"));
  const BlockDecl& head = model.blocks[1];
  EXPECT_FALSE(head.frozen);
  EXPECT_TRUE(head.has_layers);
  EXPECT_EQ(head.first_layer, 1u);
  EXPECT_EQ(block_source(model, head), std::filesystem::path("head.safetensors"));
  EXPECT_EQ(to_source(model), "let run = \"runs/ae\"\n\ninput 28x28x1\nblock encoder from $run frozen\n"
                              "block head from \"head.safetensors\":\n  dense 10 softmax\nflatten\n");
  EXPECT_EQ(block_source(parse("block a frozen:\n  dense 1", "m.dsl"), parse("block a frozen:\n  dense 1", "m.dsl").blocks[0]),
            std::nullopt);
}

TEST(Parser, BlockFromErrors) {
  EXPECT_EQ(parse_error("block a from runs:\n  dense 1"),
            "m.dsl:1:9: 'from' takes a run directory or a .safetensors file in quotes, as in: block a from \"runs/autoencoder\"");
  EXPECT_EQ(parse_error("block a from \"r\" frozen extra"),
            "m.dsl:1:1: expected 'block a from \"r\" frozen:' alone on its line, with its statements indented below");
  EXPECT_EQ(parse_error("block a frozen"), "m.dsl:1:1: expected 'block a frozen:' alone on its line, with its statements indented below");
  EXPECT_EQ(parse_error("block a from \"r\"\n  dense 1"),
            "m.dsl:2:3: unexpected indentation: only lines under 'block NAME:' or 'train:' are indented");
  const Model model = parse("let n = 3\nblock a from $n", "m.dsl");
  EXPECT_EQ(error_of<SourceError>([&] { block_source(model, model.blocks[0]); }),
            "m.dsl:2:14: block 'a' comes from 3, expected a path in quotes (as: \"runs/autoencoder\")");
}

TEST(Parser, ImportsABlockFromARunDirectory) {
  test::TempDir dir;
  std::filesystem::create_directory(dir / "ae");
  dir.write("ae/model.dsl", "let width = 6\ninput 8x8x1\nblock encoder:\n  conv2d $width 3x3 same relu\n  maxpool 2\n"
                            "block decoder:\n  upsample 2\n  conv2d 1 3x3 same sigmoid\n");
  Model model = parse("input 8x8x1\nblock encoder from \"" + (dir / "ae").string() + "\" frozen\nflatten\ndense 4 softmax\n", "c.dsl");
  import_blocks(model);
  ASSERT_EQ(model.layers.size(), 5u);
  EXPECT_EQ(model.layers[1].keyword, "conv2d");
  EXPECT_EQ(model.layers[1].block, "encoder");
  EXPECT_EQ(model.layers[1].args[0].value.text, "6");  // the run's variable, written out
  EXPECT_EQ(model.layers[2].keyword, "maxpool");
  EXPECT_EQ(model.layers[3].keyword, "flatten");
  EXPECT_EQ(model.layers[3].block, "");
  EXPECT_TRUE(model.blocks[0].has_layers);
  const std::string text = to_source(model);
  EXPECT_NE(text.find("frozen:\n  conv2d 6 3x3 same relu\n  maxpool 2\nflatten\n"), std::string::npos) << text;

  Model missing = parse("input 8x8x1\nblock body from \"" + (dir / "ae").string() + "\"\n", "c.dsl");
  EXPECT_EQ(error_of<SourceError>([&] { import_blocks(missing); }),
            "c.dsl:2:7: block 'body': " + (dir / "ae" / "model.dsl").string() + " has no block of that name (its blocks: encoder, decoder)");
  Model not_a_run = parse("input 8x8x1\nblock encoder from \"" + (dir / "ae" / "model.dsl").string() + "\"\n", "c.dsl");
  EXPECT_NE(error_of<SourceError>([&] { import_blocks(not_a_run); }).find("which is not a run directory"), std::string::npos);
}

TEST(Parser, VariableErrors) {
  EXPECT_EQ(parse_error("let x 3"), "m.dsl:1:7: expected '=' after 'let x'");
  EXPECT_EQ(parse_error("let x ="), "m.dsl:1:1: expected one value after 'let x =' (as in: let x = 16)");
  EXPECT_EQ(parse_error("let x = 1 2"), "m.dsl:1:1: expected one value after 'let x =' (as in: let x = 16)");
  EXPECT_EQ(parse_error("let x = 1\nlet x = 2"), "m.dsl:2:5: variable 'x' is already defined at m.dsl:1:5");
  EXPECT_EQ(parse_error("let x = 1\nlet y = $x"), "m.dsl:2:9: a variable's value must be written out, not another variable");
  EXPECT_EQ(parse_error("train:\n  let x = 1"), "m.dsl:2:3: 'let' belongs at the top level, not indented");
}

TEST(Parser, ArgumentErrors) {
  EXPECT_EQ(parse_error("conv2d 3 stride=2 stride=1"), "m.dsl:1:19: 'stride' is given twice");
  EXPECT_EQ(parse_error("conv2d 3 stride="), "m.dsl:1:16: expected a value after 'stride='");
  EXPECT_EQ(parse_error("conv2d =2"), "m.dsl:1:8: '=' must follow a name, as in stride=2");
  EXPECT_EQ(parse_error("conv2d 3 4=2"), "m.dsl:1:10: '4' cannot name a setting; names are words, as in stride=2");
  EXPECT_EQ(parse_error("dense 10:"), "m.dsl:1:9: ':' ends only a 'block NAME:' or 'train:' line");
}

TEST(Parser, FileErrorsNameTheFile) {
  EXPECT_EQ(error_of<InputError>([] { parse_file("/nonexistent/model.dsl"); }), "/nonexistent/model.dsl: no such model file");
  test::TempDir dir;
  EXPECT_EQ(error_of<InputError>([&] { parse_file(dir.path()); }), dir.path().string() + ": a directory, not a model file");
  EXPECT_EQ(error_of<InputError>([] { parse_file("/dev/null"); }), "/dev/null: a pipe, socket or device, not a model file");
  const auto path = dir.write("bad.dsl", "input 784\ndense 1@");
  EXPECT_EQ(error_of<SourceError>([&] { parse_file(path); }), path.string() + ":2:7: malformed value '1@'");
}

}  // namespace
}  // namespace gpufm::dsl
