#include <algorithm>
#include <map>

#include "gpufm/format.hpp"
#include "gpufm/graph.hpp"

namespace gpufm {

namespace {

// Larger tensors than this are a typo, not a model (and products stay far from overflow).
constexpr std::int64_t max_tensor_elements = std::int64_t{1} << 36;

constexpr ArgSpec input_signature[] = {{.name = "shape", .kind = ArgKind::dims, .min = 1, .max = max_layer_size}};
constexpr std::string_view name_key[] = {"name"};

std::int64_t sum_params(const std::vector<Layer>& layers, bool trainable_only) {
  std::int64_t n = 0;
  for (const Layer& layer : layers) n += trainable_only ? layer.trainable_param_count() : layer.param_count();
  return n;
}

void check_size(const std::string& what, const std::vector<std::int64_t>& dims, const SourceLoc& loc) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d <= 0 || n > max_tensor_elements / d) {
      throw SourceError(loc, what + " is too large or empty (" + Shape{dims}.str() + ")");
    }
    n *= d;
  }
}

Shape compile_input(const dsl::Model& model) {
  if (model.layers.empty()) {
    throw SourceError(SourceLoc{model.file, 1, 1}, "the model has no layers; it starts with 'input HxWxC' (as: input 28x28x1)");
  }
  const dsl::Statement& first = model.layers.front();
  if (first.keyword != "input") {
    throw SourceError(first.loc, "the first layer must be 'input' (as: input 28x28x1), found '" + first.keyword + "'");
  }
  if (!first.block.empty()) throw SourceError(first.loc, "'input' belongs at the top level, before any block");
  const Shape shape{bind_args(first, input_signature, model.variables).dims("shape")};
  if (!shape.is_image() && !shape.is_flat()) {
    throw SourceError(first.loc, "input takes HxWxC (as: input 28x28x1) or a length (as: input 784), got " + shape.str());
  }
  check_size("input", shape.dims, first.loc);
  return shape;
}

std::string unknown_layer_message(const std::string& keyword) {
  std::vector<std::string_view> known;
  for (const OpDef* op : op_table()) known.push_back(op->keyword);
  const std::string list = join(known, ", ");
  const auto settings = train_statement_keywords();
  if (std::find(settings.begin(), settings.end(), keyword) != settings.end()) {
    return "'" + keyword + "' is a training setting, not a layer: put it under 'train:', indented";
  }
  return "unknown layer '" + keyword + "'" + did_you_mean(keyword, known) + " (layers: " + list + ")";
}

// Layer names: name=NAME, else the keyword numbered within its block as Keras numbers them
// (conv2d, conv2d_1, ...), prefixed by the block: "encoder.conv2d".
class LayerNamer {
 public:
  std::string name(const dsl::Statement& statement, const std::vector<dsl::Variable>& variables) {
    std::string base;
    bool named = false;
    for (const dsl::Arg& arg : statement.args) {
      if (arg.key != "name") continue;
      named = true;
      const dsl::Value& value = resolve(arg.value, variables);
      if (value.kind != dsl::Value::Kind::word || value.text.find('.') != std::string::npos) {
        throw SourceError(arg.loc, "a layer name is a word without '.', as in name=conv1");
      }
      base = value.text;
    }
    const std::string prefix = statement.block.empty() ? "" : statement.block + ".";
    // Numbered names skip any taken by an earlier name=.
    while (base.empty() || (!named && used_.count(prefix + base) > 0)) {
      const int n = counts_[{statement.block, statement.keyword}]++;
      base = statement.keyword;
      if (n > 0) base.append("_").append(std::to_string(n));
    }
    std::string full = prefix + base;
    if (const auto earlier = used_.find(full); earlier != used_.end()) {
      throw SourceError(statement.loc, "layer name '" + full + "' is already used at " + earlier->second.str());
    }
    used_.emplace(full, statement.loc);
    return full;
  }

 private:
  std::map<std::pair<std::string, std::string>, int> counts_;  // by (block, keyword)
  std::map<std::string, SourceLoc> used_;
};

Layer compile_layer(const dsl::Statement& statement, const Shape& input, const dsl::Model& model, LayerNamer& namer) {
  const OpDef* op = find_op(statement.keyword);
  if (statement.keyword == "input") throw SourceError(statement.loc, "'input' comes once, as the first layer");
  if (op == nullptr) throw SourceError(statement.loc, unknown_layer_message(statement.keyword));
  Layer layer{.name = namer.name(statement, model.variables), .block = statement.block, .op = op,
              .attrs = bind_args(statement, op->signature, model.variables, name_key), .input = input, .output = {},
              .params = {}, .loc = statement.loc};
  try {
    layer.output = op->output_shape(layer.attrs, input);
    layer.params = op->params(layer.attrs, input);
  } catch (const LayerError& e) {
    throw SourceError(statement.loc, "layer '" + layer.name + "' (" + statement.keyword + "): " + e.what());
  }
  check_size("layer '" + layer.name + "' output", layer.output.dims, statement.loc);
  for (const ParamSpec& param : layer.params) check_size("layer '" + layer.name + "' " + param.name, param.shape, statement.loc);
  return layer;
}

// The activation a layer ends with: its setting, or the layer itself (relu, softmax, ...).
std::string final_activation(const Layer& layer) {
  for (const ArgSpec& spec : layer.op->signature) {
    if (spec.name == "activation") return layer.attrs.choice("activation");
  }
  return std::string(layer.op->keyword);
}

// The loss must suit what the model outputs, and the target must match the output's shape.
void check_loss(const Graph& graph, const dsl::Model& model) {
  const Layer& last = graph.layers.back();
  const TrainSettings& train = graph.train;
  const std::string activation = final_activation(last);
  const std::string where = "layer '" + last.name + "'";
  if (train.loss == Loss::crossentropy && activation != "softmax") {
    throw SourceError(last.loc, "crossentropy needs a softmax output, but " + where + " ends with " + activation +
                                    " (as: dense 10 softmax)");
  }
  if (train.loss == Loss::bce && activation != "sigmoid") {
    throw SourceError(last.loc, "bce needs outputs in (0, 1), but " + where + " ends with " + activation +
                                    " (use a sigmoid activation)");
  }
  if (train.loss == Loss::crossentropy && train.target == Target::input) {
    throw SourceError(model.train.empty() ? last.loc : model.train.front().loc,
                      "crossentropy compares class scores with labels; a model whose target is its input uses mse or bce");
  }
  if (train.target == Target::labels && (!last.output.is_flat() || last.output.elements() < 2)) {
    throw SourceError(last.loc, "a classifier's last layer gives one score per class (as: dense 10 softmax), but " + where +
                                    " gives " + last.output.str());
  }
  if (train.target == Target::input && last.output.elements() != graph.input.elements()) {
    const SourceLoc& loc = model.train.empty() ? last.loc : model.train.front().loc;
    throw SourceError(loc, "the target is the input (" + graph.input.str() + ", for " + std::string(name(train.loss)) +
                               "), but the model outputs " + last.output.str());
  }
}

// Frozen blocks and the blocks taken from elsewhere. A frozen block comes before every layer that
// trains, so that a step never needs a gradient through it. Without a fine_tune phase its
// parameters are never trained: they need no gradients and no optimizer state.
void compile_blocks(Graph& graph, const dsl::Model& model) {
  bool trains_before = false;
  std::string first_trained;
  for (const dsl::BlockDecl& block : model.blocks) {
    if (!block.has_layers) {
      throw SourceError(block.loc, "block '" + block.name + "' has no layers yet: its run's layers are imported when the file is read");
    }
    if (const std::optional<std::filesystem::path> source = dsl::block_source(model, block)) {
      graph.imported.push_back(ImportedBlock{block.name, *source, block.loc});
    }
  }
  const auto frozen_block = [&](const std::string& name) {
    return std::any_of(model.blocks.begin(), model.blocks.end(), [&](const dsl::BlockDecl& b) { return b.name == name && b.frozen; });
  };
  bool any_frozen = false;
  for (Layer& layer : graph.layers) {
    layer.frozen = !layer.block.empty() && frozen_block(layer.block);
    if (!layer.frozen) {
      if (!trains_before && layer.trainable_param_count() > 0) first_trained = layer.name;
      trains_before = trains_before || layer.trainable_param_count() > 0;
      continue;
    }
    any_frozen = true;
    if (trains_before) {
      throw SourceError(layer.loc, "block '" + layer.block + "' is frozen, but layer '" + first_trained +
                                       "' before it trains; a frozen block comes before every layer that trains");
    }
    if (!graph.train.fine_tune) {
      for (ParamSpec& param : layer.params) param.trainable = false;
    }
  }
  if (graph.train.fine_tune && !any_frozen) {
    const auto statement = std::find_if(model.train.begin(), model.train.end(), [](const dsl::Statement& s) { return s.keyword == "fine_tune"; });
    throw SourceError(statement->loc, "fine_tune trains the frozen blocks after the first epochs, but no block is frozen (as: block encoder from "
                           "\"runs/autoencoder\" frozen)");
  }
}

}  // namespace

std::int64_t Layer::param_count() const {
  std::int64_t n = 0;
  for (const ParamSpec& param : params) n += param.elements();
  return n;
}

std::int64_t Layer::trainable_param_count() const {
  if (frozen) return 0;
  std::int64_t n = 0;
  for (const ParamSpec& param : params) n += param.trainable ? param.elements() : 0;
  return n;
}

std::int64_t Graph::param_count() const { return sum_params(layers, false); }
std::int64_t Graph::trainable_param_count() const { return sum_params(layers, true); }

Graph compile(const dsl::Model& model) {
  Graph graph;
  graph.name = std::filesystem::path(model.file).stem().string();
  graph.input = compile_input(model);
  LayerNamer namer;
  Shape shape = graph.input;
  for (std::size_t i = 1; i < model.layers.size(); ++i) {
    graph.layers.push_back(compile_layer(model.layers[i], shape, model, namer));
    shape = graph.layers.back().output;
  }
  if (graph.layers.empty()) throw SourceError(model.layers.front().loc, "the model has an input but no layers after it");
  graph.train = compile_train_section(model.train, model.variables);
  check_loss(graph, model);
  compile_blocks(graph, model);
  return graph;
}

Layer compile_layer_text(const std::string& statement, const Shape& input) {
  const dsl::Model model = dsl::parse(statement, "layer");
  if (model.layers.size() != 1) throw InputError("expected one layer statement, got: " + statement);
  LayerNamer namer;
  return compile_layer(model.layers[0], input, model, namer);
}

Graph compile_file(const std::filesystem::path& path, const std::vector<dsl::Override>& overrides) {
  dsl::Model model = dsl::parse_file(path);
  dsl::apply_overrides(model, overrides);
  dsl::import_blocks(model);
  return compile(model);
}

}  // namespace gpufm
