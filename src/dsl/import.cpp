// Blocks taken from another run: `block encoder from "runs/ae"` without a body takes the layers of
// that run's block `encoder`, as its model.dsl recorded them.
#include "gpufm/attrs.hpp"
#include "gpufm/dsl.hpp"
#include "gpufm/format.hpp"

namespace gpufm::dsl {

namespace {

// A statement of the source model with its variables written out, since the importing model
// has other variables (or the same names with other values).
Statement with_values(Statement statement, const std::vector<Variable>& variables) {
  for (Arg& arg : statement.args) arg.value = resolve(arg.value, variables);
  return statement;
}

std::vector<Statement> layers_of_run_block(const std::filesystem::path& run, const BlockDecl& block) {
  const std::filesystem::path model_file = run / "model.dsl";
  std::error_code status;
  if (!std::filesystem::exists(run, status)) {
    const std::string variable = block.source->kind == Value::Kind::variable ? block.source->text : "";
    throw SourceError(block.loc, "block '" + block.name + "' comes from " + run.string() + ": no such run directory; train that run first" +
                                     (variable.empty() ? "" : ", or name another with --set " + variable + "=DIR"));
  }
  if (!std::filesystem::is_directory(run, status)) {
    throw SourceError(block.loc, "block '" + block.name + "' comes from " + run.string() +
                                     ", which is not a run directory; give a run directory, or write the block's layers below "
                                     "'block " + block.name + " from ...:' to take only their weights from a .safetensors file");
  }
  const Model source = parse_file(model_file);
  std::vector<Statement> layers;
  for (const Statement& statement : source.layers) {
    if (statement.block == block.name) layers.push_back(with_values(statement, source.variables));
  }
  if (layers.empty()) {
    std::vector<std::string_view> names;
    for (const BlockDecl& other : source.blocks) names.push_back(other.name);
    throw SourceError(block.loc, "block '" + block.name + "': " + model_file.string() + " has no block of that name" +
                                     (names.empty() ? std::string(" (it has no blocks)") : " (its blocks: " + join(names, ", ") + ")"));
  }
  return layers;
}

}  // namespace

std::optional<std::filesystem::path> block_source(const Model& model, const BlockDecl& block) {
  if (!block.source) return std::nullopt;
  const Value& value = resolve(*block.source, model.variables);
  if (value.kind != Value::Kind::string) {
    throw SourceError(block.source->loc, "block '" + block.name + "' comes from " + to_source(value) +
                                             ", expected a path in quotes (as: \"runs/autoencoder\")");
  }
  return std::filesystem::path(value.text);
}

void import_blocks(Model& model) {
  for (std::size_t b = 0; b < model.blocks.size(); ++b) {
    BlockDecl& block = model.blocks[b];
    if (block.has_layers) continue;
    std::vector<Statement> layers = layers_of_run_block(*block_source(model, block), block);
    model.layers.insert(model.layers.begin() + static_cast<std::ptrdiff_t>(block.first_layer), layers.begin(), layers.end());
    block.has_layers = true;
    for (std::size_t later = b + 1; later < model.blocks.size(); ++later) model.blocks[later].first_layer += layers.size();
  }
}

}  // namespace gpufm::dsl
