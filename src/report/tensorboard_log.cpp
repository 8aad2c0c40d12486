#include "gpufm/tensorboard_log.hpp"

namespace gpufm {

TensorBoardLog::TensorBoardLog(const std::filesystem::path& run_dir, bool validated) : train_(run_dir / "logs" / "train") {
  if (validated) validation_.emplace(run_dir / "logs" / "validation");
}

void TensorBoardLog::epoch(const EpochRecord& record) {
  const std::int64_t step = record.epoch - 1;
  train_.scalar("epoch_loss", step, record.loss);
  if (record.accuracy) train_.scalar("epoch_accuracy", step, *record.accuracy);
  train_.scalar("epoch_learning_rate", step, record.lr);
  train_.flush();
  if (!validation_) return;
  if (record.val_loss) validation_->scalar("epoch_loss", step, *record.val_loss);
  if (record.val_accuracy) validation_->scalar("epoch_accuracy", step, *record.val_accuracy);
  validation_->flush();
}

void TensorBoardLog::image(std::string_view tag, std::int64_t epoch, const Image& image) {
  train_.image(tag, epoch - 1, image);
  train_.flush();
}

void TensorBoardLog::parameters(std::int64_t epoch, const Graph& graph, const Plan& plan, std::span<const float> params) {
  for (const ParamSlot& slot : plan.params) {
    const Layer& layer = graph.layers[slot.layer];
    train_.histogram(layer.name + "/" + layer.params[slot.param].name + "/histogram", epoch - 1,
                     params.subspan(static_cast<std::size_t>(slot.offset), static_cast<std::size_t>(slot.elements)));
  }
  train_.flush();
}

}  // namespace gpufm
