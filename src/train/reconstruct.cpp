#include "gpufm/reconstruct.hpp"

#include "gpufm/checkpoint.hpp"
#include "gpufm/run.hpp"

namespace gpufm {

Image Reconstructions::grid() const {
  std::vector<Image> tiles = inputs;
  tiles.insert(tiles.end(), outputs.begin(), outputs.end());
  return image_grid(tiles, static_cast<std::int64_t>(inputs.size()), 2, 255);
}

Reconstructions reconstructions_of(const ImageSplit& split, std::span<const std::int32_t> ids, std::span<const float> outputs,
                                   const Shape& output_shape) {
  const auto pixels = static_cast<std::size_t>(split.rows) * static_cast<std::size_t>(split.cols);
  if (static_cast<std::size_t>(output_shape.elements()) != pixels || outputs.size() != ids.size() * pixels) {
    throw std::logic_error("reconstructions: outputs of shape " + output_shape.str() + " are not the images'");
  }
  Reconstructions result;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Image input = split_image(split, static_cast<std::size_t>(ids[i]));
    const std::span<const float> output = outputs.subspan(i * pixels, pixels);
    double error = 0;
    for (std::size_t p = 0; p < pixels; ++p) {
      const double difference = output[p] - input.pixels[p] / 255.0;
      error += difference * difference;
    }
    result.inputs.push_back(std::move(input));
    result.outputs.push_back(image_from_unit_floats(output, static_cast<std::int64_t>(split.rows), static_cast<std::int64_t>(split.cols), 1));
    result.errors.push_back(error / static_cast<double>(pixels));
  }
  return result;
}

Reconstructions reconstruct(Trainer& trainer, const Dataset& data, bool validation, std::int64_t count) {
  const Trainer::Predictions predictions = trainer.predict(validation, count);
  const bool from_training_set = validation && !trainer.validates_on_test();
  return reconstructions_of(from_training_set ? data.train : data.test, predictions.ids, predictions.outputs, trainer.program().graph().output());
}

Reconstructions reconstruct_run(const ReconstructRequest& request, Backend& backend) {
  const std::unique_ptr<TrainedRun> run = open_trained_run(request.run_dir, request.best, Target::input, "reconstruct", backend);
  if (request.validation && !run->trainer.has_validation()) {
    throw InputError(request.run_dir.string() + ": the run validates on nothing; reconstruct its test images (--split test)");
  }
  const std::int64_t available = run->trainer.split_samples(request.validation);
  if (request.count > available) {
    throw InputError("--n " + std::to_string(request.count) + ": the run's " + (request.validation ? "validation" : "test") +
                     " split has " + std::to_string(available) + " images");
  }
  return reconstruct(run->trainer, run->data, request.validation, request.count);
}

}  // namespace gpufm
