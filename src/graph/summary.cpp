#include "gpufm/summary.hpp"

#include <algorithm>

#include "gpufm/format.hpp"

namespace gpufm {

namespace {

constexpr double fp32_bytes = 4.0;

std::string param_line(const std::string& label, std::int64_t count) {
  return label + with_commas(count) + " (" + human_bytes(static_cast<double>(count) * fp32_bytes) + ")\n";
}

}  // namespace

std::string format_summary(const Graph& graph, const Plan& plan) {
  // Keras' three columns, widened where a name or shape needs it.
  std::size_t name_width = 29, shape_width = 26;
  for (const Layer& layer : graph.layers) {
    name_width = std::max(name_width, layer.name.size() + layer.op->display_name.size() + 5);
    shape_width = std::max(shape_width, layer.output.keras().size() + 2);
  }
  const std::size_t width = name_width + shape_width + 10;
  const std::string thin(width, '_'), thick(width, '=');

  std::string text = "Model: \"" + graph.name + "\"\n";
  text += "Input: " + graph.input.keras() + "\n";
  text += thin + "\n";
  text += pad_right(" Layer (type)", name_width) + pad_right("Output Shape", shape_width) + "Param #\n";
  text += thick + "\n";
  for (const Layer& layer : graph.layers) {
    const std::string cell = " " + layer.name + " (" + std::string(layer.op->display_name) + ")";
    text += pad_right(cell, name_width) + pad_right(layer.output.keras(), shape_width) + with_commas(layer.param_count()) + "\n";
  }
  text += thick + "\n";
  text += param_line("Total params: ", graph.param_count());
  text += param_line("Trainable params: ", graph.trainable_param_count());
  text += param_line("Non-trainable params: ", graph.non_trainable_param_count());
  text += thin + "\n";

  const auto bytes = [](std::int64_t n) { return human_bytes(static_cast<double>(n)); };
  const std::int64_t batch = graph.train.batch;
  // In doubles: the file may ask for any batch, whose activations need not fit in 64 bits.
  const auto bytes_at_batch = [batch](std::int64_t per_sample) {
    return human_bytes(static_cast<double>(per_sample) * static_cast<double>(batch));
  };
  text += "Planned memory (fp32):\n";
  text += "  parameters            " + bytes(plan.param_elements * 4) + ", gradients and optimizer state over the trainable " +
          bytes(plan.trainable_elements * 4) + "\n";
  text += "  activations / sample  training " + bytes(plan.training.bytes_per_sample) + " (" +
          bytes(plan.training.unshared_bytes_per_sample) + " without reuse), inference " +
          bytes(plan.inference.bytes_per_sample) + "\n";
  text += "  activations at batch " + std::to_string(batch) + "  training " + bytes_at_batch(plan.training.bytes_per_sample) +
          ", inference " + bytes_at_batch(plan.inference.bytes_per_sample) + "\n";
  text += "Training: " + describe(graph.train) + "\n";
  return text;
}

}  // namespace gpufm
