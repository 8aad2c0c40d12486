// A run's TensorBoard logs, laid out as Keras' TensorBoard callback writes them, so that
// `tensorboard --logdir runs` shows gpufm runs beside Keras ones: logs/train holds epoch_loss,
// epoch_accuracy and epoch_learning_rate, logs/validation epoch_loss and epoch_accuracy, each at
// the epoch counted from 0; pictures (sample grids, reconstructions) and each parameter tensor's
// histogram (as with Keras' histogram_freq=1: "conv2d/weight/histogram") go under logs/train. A
// resumed run adds event files of its own, which TensorBoard reads as one run.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "gpufm/epoch_record.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/tfevents.hpp"

namespace gpufm {

class TensorBoardLog {
 public:
  TensorBoardLog(const std::filesystem::path& run_dir, bool validated);

  // The epoch's figures, flushed to the files.
  void epoch(const EpochRecord& record);
  void image(std::string_view tag, std::int64_t epoch, const Image& image);
  // The epoch's parameters (the flat buffer `params` the plan lays out), a histogram a tensor.
  void parameters(std::int64_t epoch, const Graph& graph, const Plan& plan, std::span<const float> params);

 private:
  EventFileWriter train_;
  std::optional<EventFileWriter> validation_;
};

}  // namespace gpufm
