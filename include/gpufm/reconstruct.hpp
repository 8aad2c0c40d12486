// An autoencoder's reconstructions: images of a split beside what the model makes of them, with
// each one's mean squared error, for the run's report, its TensorBoard logs and
// `gpufm reconstruct RUN [--n 16] [--split test|val]`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/charts.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/image.hpp"
#include "gpufm/shape.hpp"
#include "gpufm/trainer.hpp"

namespace gpufm {

struct Reconstructions {
  std::vector<Image> inputs, outputs;
  std::vector<double> errors;  // per image: the mean over its pixels of (output - input)^2, inputs in [0, 1]

  Picture picture(const std::string& title) const { return draw_reconstructions(inputs, outputs, errors, title); }
  // Inputs in the first row, reconstructions in the second.
  Image grid() const;
};

// The images `ids` of `split` and the model's `outputs` for them (ids.size() samples of
// `output_shape`, the input's shape).
Reconstructions reconstructions_of(const ImageSplit& split, std::span<const std::int32_t> ids, std::span<const float> outputs,
                                   const Shape& output_shape);

// The trainer's model on the first `count` images of the test split, or of the images it
// validates on.
Reconstructions reconstruct(Trainer& trainer, const Dataset& data, bool validation, std::int64_t count);

struct ReconstructRequest {
  std::filesystem::path run_dir;
  std::int64_t count = 16;
  bool validation = false;  // the run's validation images rather than the test split's
  bool best = false;        // best.safetensors rather than the latest checkpoint
};

// A run's model, from its checkpoint, on the first `count` images of the split, on its own data.
// InputError for a model whose target is not its input.
Reconstructions reconstruct_run(const ReconstructRequest& request, Backend& backend);

}  // namespace gpufm
