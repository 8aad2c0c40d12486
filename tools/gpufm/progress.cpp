#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "gpufm/progbar.hpp"

namespace gpufm::cli {

TrainingEvents Progress::events() {
  return TrainingEvents{
      .epoch_begin = [this](std::int64_t epoch, std::int64_t epochs) { epoch_begin(epoch, epochs); },
      .step_end = [this](std::int64_t step, std::int64_t steps, const EpochSoFar& so_far) { step_end(step, steps, so_far); },
      .epoch_end = [this](const EpochRecord& record) { epoch_end(record); },
      .stop_requested = {},
  };
}

void Progress::follow(const TrainSettings& train) {
  show_learning_rate_ = train.schedule.has_value() || train.fine_tune.has_value();
  classifier_ = train.target == Target::labels;
  fine_tuning_from_ = train.fine_tune ? train.epochs + 1 : 0;
  if (train.fine_tune) {
    char lr[32];
    std::snprintf(lr, sizeof lr, "%g", train.fine_tune->lr);
    fine_tuning_line_ = ": fine-tuning every layer from here, a new " + std::string(name(train.optimizer.kind)) + " at lr " + lr;
  }
}

void Progress::epoch_begin(std::int64_t epoch, std::int64_t epochs) {
  started_ = last_draw_ = std::chrono::steady_clock::now();
  first_step_.reset();
  drawn_width_ = 0;
  if (epoch == fine_tuning_from_) out_ << "Epoch " << epoch << fine_tuning_line_ << "\n";
  out_ << "Epoch " << epoch << "/" << epochs << "\n" << std::flush;
}

double Progress::seconds_per_step(std::chrono::steady_clock::time_point now, std::int64_t step) const {
  if (!first_step_) return 0;
  // As Keras: the first step (which captures the step's graph and chooses algorithms) is left out
  // once others have ended.
  const auto [first, ended] = *first_step_;
  if (step > first) return std::chrono::duration<double>(now - ended).count() / static_cast<double>(step - first);
  return std::chrono::duration<double>(now - started_).count();
}

void Progress::step_end(std::int64_t step, std::int64_t steps, const EpochSoFar& so_far) {
  steps_ = steps;
  const auto now = std::chrono::steady_clock::now();
  if (!first_step_) first_step_ = {step, now};
  if (!terminal_ || step == steps) return;
  if (now - last_draw_ < std::chrono::milliseconds(50)) return;  // Keras' interval: redraws cost more than they show
  last_draw_ = now;
  std::string line = progbar_counter(step, steps) + " " + progbar_bar(step, steps) + " - ETA: " +
                     progbar_eta(seconds_per_step(now, step) * static_cast<double>(steps - step));
  // Keras' running figures, as far as the backend has got: none until its first copy arrives.
  if (const std::optional<PassMetrics> figures = so_far()) {
    line += progbar_metric("loss", figures->loss);
    if (classifier_) line += progbar_metric("accuracy", figures->accuracy);
  }
  redraw(line);
  out_ << std::flush;
}

void Progress::redraw(const std::string& line) {
  out_ << "\r" << line << std::string(drawn_width_ - std::min(drawn_width_, line.size()), ' ');
  drawn_width_ = line.size();
}

void Progress::epoch_end(const EpochRecord& r) {
  std::string figures = progbar_metric("loss", r.loss);
  if (r.accuracy) figures += progbar_metric("accuracy", *r.accuracy);
  if (r.val_loss) figures += progbar_metric("val_loss", *r.val_loss);
  if (r.val_accuracy) figures += progbar_metric("val_accuracy", *r.val_accuracy);
  // The learning rate the steps used, a float32, shown as Keras shows its own.
  if (show_learning_rate_) figures += progbar_metric("lr", static_cast<float>(r.lr));
  if (r.skipped_steps > 0) figures += " - skipped " + std::to_string(r.skipped_steps) + " steps (loss not finite)";
  if (r.loss_scale) {
    char scale[64];
    std::snprintf(scale, sizeof scale, " - loss scale: %g", *r.loss_scale);
    figures += scale;
  }
  if (r.overflow_steps > 0) figures += " (" + std::to_string(r.overflow_steps) + " steps skipped on overflow)";
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, " - %.0fs", r.seconds);
  const std::string counter = progbar_counter(steps_, steps_);
  if (terminal_) {
    redraw(counter + " " + progbar_bar(steps_, steps_) + elapsed + " " +
           progbar_time_per(seconds_per_step(std::chrono::steady_clock::now(), steps_), "step") + figures);
    out_ << "\n";
  } else {
    out_ << counter << elapsed << figures << " - " << progbar_time_per(r.seconds, "epoch") << " - "
         << progbar_time_per(r.seconds / static_cast<double>(std::max<std::int64_t>(steps_, 1)), "step") << "\n";
  }
  if (r.stopped_early) out_ << "Epoch " << r.epoch << ": early stopping\n";
  out_ << std::flush;
}

}  // namespace gpufm::cli
