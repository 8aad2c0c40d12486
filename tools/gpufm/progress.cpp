#include "progress.hpp"

#include <cstdio>
#include <string>

namespace gpufm::cli {

namespace {

constexpr int bar_width = 30;

std::string bar(std::int64_t step, std::int64_t steps) {
  const auto filled = static_cast<std::size_t>(bar_width * step / std::max<std::int64_t>(steps, 1));
  std::string text(bar_width + 2, '.');
  text.front() = '[';
  text.back() = ']';
  text.replace(1, filled, filled, '=');
  if (filled < bar_width) text[filled + 1] = '>';
  return text;
}

std::string metric(const char* name, double value) {
  char text[48];
  std::snprintf(text, sizeof text, " - %s: %.4f", name, value);
  return text;
}

std::string counter(std::int64_t step, std::int64_t steps) {
  const std::string total = std::to_string(steps);
  std::string done = std::to_string(step);
  return std::string(total.size() - std::min(total.size(), done.size()), ' ') + done + "/" + total;
}

}  // namespace

TrainingEvents Progress::events() {
  return TrainingEvents{
      .epoch_begin = [this](std::int64_t epoch, std::int64_t epochs) { epoch_begin(epoch, epochs); },
      .step_end = [this](std::int64_t step, std::int64_t steps) { step_end(step, steps); },
      .epoch_end = [this](const EpochRecord& record) { epoch_end(record); },
      .stop_requested = {},
  };
}

void Progress::follow(const TrainSettings& train) {
  show_learning_rate_ = train.schedule.has_value() || train.fine_tune.has_value();
  fine_tuning_from_ = train.fine_tune ? train.epochs + 1 : 0;
  if (train.fine_tune) {
    char lr[32];
    std::snprintf(lr, sizeof lr, "%g", train.fine_tune->lr);
    fine_tuning_line_ = ": fine-tuning every layer from here, a new " + std::string(name(train.optimizer.kind)) + " at lr " + lr;
  }
}

void Progress::epoch_begin(std::int64_t epoch, std::int64_t epochs) {
  epoch_ = epoch;
  epochs_ = epochs;
  started_ = last_draw_ = std::chrono::steady_clock::now();
  if (epoch == fine_tuning_from_) out_ << "Epoch " << epoch << fine_tuning_line_ << "\n";
  if (terminal_) out_ << "Epoch " << epoch << "/" << epochs << "\n" << std::flush;
}

void Progress::step_end(std::int64_t step, std::int64_t steps) {
  steps_ = steps;
  if (!terminal_ || step == steps) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;  // redraws cost more than they show
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const auto eta = static_cast<long long>(elapsed / static_cast<double>(step) * static_cast<double>(steps - step) + 0.5);
  out_ << "\r" << counter(step, steps) << " " << bar(step, steps) << " - ETA: " << eta << "s" << std::flush;
}

void Progress::epoch_end(const EpochRecord& r) {
  char timing[64];
  std::snprintf(timing, sizeof timing, " - %.0fs %.0fms/step", r.seconds, 1000.0 * r.seconds / static_cast<double>(std::max<std::int64_t>(steps_, 1)));
  std::string line;
  if (terminal_) {
    line.append("\r").append(counter(steps_, steps_)).append(" ").append(bar(steps_, steps_));
  } else {
    line.append("Epoch ").append(std::to_string(epoch_)).append("/").append(std::to_string(epochs_));
  }
  line.append(timing).append(metric("loss", r.loss));
  if (r.accuracy) line += metric("accuracy", *r.accuracy);
  if (r.val_loss) line += metric("val_loss", *r.val_loss);
  if (r.val_accuracy) line += metric("val_accuracy", *r.val_accuracy);
  if (show_learning_rate_) {
    char lr[48];
    std::snprintf(lr, sizeof lr, " - lr: %g", r.lr);
    line += lr;
  }
  if (r.skipped_steps > 0) line += " - skipped " + std::to_string(r.skipped_steps) + " steps (loss not finite)";
  if (r.loss_scale) {
    char scale[64];
    std::snprintf(scale, sizeof scale, " - loss scale: %g", *r.loss_scale);
    line += scale;
  }
  if (r.overflow_steps > 0) line += " (" + std::to_string(r.overflow_steps) + " steps skipped on overflow)";
  out_ << line << "\n";
  if (r.stopped_early) out_ << "Epoch " << r.epoch << ": early stopping\n";
  out_ << std::flush;
}

}  // namespace gpufm::cli
