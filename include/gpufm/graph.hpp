// A compiled model: every layer with its settings, shapes and parameters, checked against the
// training recipe. The graph is static: nothing about it changes while training.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gpufm/dsl.hpp"
#include "gpufm/op.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

struct Layer {
  std::string name;   // unique: "conv2d_1", or "encoder.conv2d" inside block encoder
  std::string block;  // the enclosing block, or empty
  const OpDef* op = nullptr;
  Attrs attrs;
  Shape input, output;  // per sample
  std::vector<ParamSpec> params;
  SourceLoc loc;
  // In a frozen block: its parameters are not trained (until the fine_tune phase, if any) and
  // batch-norm normalises with its moving statistics (in the fine_tune phase too), as Keras'
  // trainable=False and its transfer-learning guide's training=False.
  bool frozen = false;

  std::int64_t param_count() const;
  std::int64_t trainable_param_count() const;  // none while frozen, as Keras counts them
};

// A block whose trained parameters are taken, when training starts, from another run's latest
// checkpoint or from a .safetensors file, by their names ("encoder.conv2d.weight").
struct ImportedBlock {
  std::string name;
  std::filesystem::path source;  // a run directory, or a .safetensors file
  SourceLoc loc;
};

struct Graph {
  std::string name;  // the model file's stem: "cnn"
  Shape input;
  std::vector<Layer> layers;  // in forward order
  std::vector<ImportedBlock> imported;
  TrainSettings train;

  const Shape& output() const { return layers.empty() ? input : layers.back().output; }
  std::int64_t param_count() const;
  std::int64_t trainable_param_count() const;
  std::int64_t non_trainable_param_count() const { return param_count() - trainable_param_count(); }
};

// Compiles a parsed model (with any overrides already applied). Errors are SourceErrors at the
// offending statement: unknown layers, bad settings, shapes that do not fit, a loss that does
// not suit the output.
Graph compile(const dsl::Model& model);

// Compiles one layer statement for an input shape, outside any model: ops are tested this way.
Layer compile_layer_text(const std::string& statement, const Shape& input);

// Parses, applies overrides, imports the blocks taken from other runs, compiles.
Graph compile_file(const std::filesystem::path& path, const std::vector<dsl::Override>& overrides = {});

}  // namespace gpufm
