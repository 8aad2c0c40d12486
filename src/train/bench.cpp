#include "gpufm/bench.hpp"

#include <chrono>
#include <numeric>

#include <nlohmann/json.hpp>

#include "gpufm/step_cost.hpp"
#include "gpufm/trainer.hpp"

namespace gpufm {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point begin, Clock::time_point end) { return std::chrono::duration<double>(end - begin).count(); }

// Times each epoch, and each epoch's steps after its first: a wait for the backend at the end of
// the first and of the last step, two an epoch, so the times are the backend's.
class EpochClock {
 public:
  explicit EpochClock(Backend& backend) : backend_(backend) {}

  TrainingEvents events() {
    return {.epoch_begin = [this](std::int64_t, std::int64_t) { epoch_began_ = Clock::now(); },
            .step_end =
                [this](std::int64_t step, std::int64_t steps, const EpochSoFar&) {
                  if (steps < 2 || (step != 1 && step != steps)) return;
                  backend_.synchronize();
                  if (step == 1) {
                    first_step_ended_ = Clock::now();
                  } else {
                    step_seconds_.push_back(seconds_between(first_step_ended_, Clock::now()) / static_cast<double>(steps - 1));
                  }
                },
            .epoch_end = [this](const EpochRecord&) { epoch_seconds_.push_back(seconds_between(epoch_began_, Clock::now())); },
            .stop_requested = {}};
  }
  const std::vector<double>& epoch_seconds() const { return epoch_seconds_; }
  const std::vector<double>& step_seconds() const { return step_seconds_; }

 private:
  Backend& backend_;
  Clock::time_point epoch_began_, first_step_ended_;
  std::vector<double> epoch_seconds_, step_seconds_;
};

// The mean of the values after the first, or the first when it is alone; 0 for none.
double steady_mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  const std::size_t skip = values.size() > 1 ? 1 : 0;
  return std::accumulate(values.begin() + static_cast<std::ptrdiff_t>(skip), values.end(), 0.0) / static_cast<double>(values.size() - skip);
}

}  // namespace

BenchResult bench_training(const Graph& graph, const Dataset& data, Backend& backend, std::uint64_t seed) {
  Trainer trainer(graph, data, backend);
  trainer.start(seed);
  EpochClock clock(backend);
  trainer.fit(clock.events());

  BenchResult result;
  result.model = graph.name;
  result.backend = backend.describe();
  result.params = graph.param_count();
  result.batch = graph.train.batch;
  result.precision = graph.train.precision;
  result.epochs = static_cast<std::int64_t>(clock.epoch_seconds().size());
  result.steps_per_epoch = trainer.steps_per_epoch();
  result.train_samples = trainer.train_samples();
  result.epoch_seconds = clock.epoch_seconds();
  result.train_seconds = std::accumulate(result.epoch_seconds.begin(), result.epoch_seconds.end(), 0.0);
  result.train_seconds_after_first_epoch = result.epochs > 1 ? result.train_seconds - result.epoch_seconds.front() : 0;
  const double steady_epoch_seconds = steady_mean(result.epoch_seconds);
  result.images_per_second_steady = steady_epoch_seconds > 0 ? static_cast<double>(result.train_samples) / steady_epoch_seconds : 0;
  result.step_milliseconds = 1000 * steady_mean(clock.step_seconds());
  const StepTotals step = totals(training_step_cost(graph, trainer.program().plan(), graph.train.batch));
  result.flops_per_step = step.flops;
  result.bytes_per_step = step.bytes;
  result.capture_failure = trainer.program().capture_failure();
  result.step_graphs = backend.step_graphs() && !result.capture_failure;
  result.kernels_per_step = trainer.program().training_step_kernels();
  result.fused_epilogues = backend.fused_epilogues();
  result.refused_fusions = backend.refused_fusions();
  result.test = trainer.evaluate_test(false);
  result.peak_memory_bytes = backend.memory_use().peak_bytes;
  return result;
}

std::string bench_json(const BenchResult& result) {
  const nlohmann::json json = {
      {"engine", "gpufm"},
      {"version", GPUFM_VERSION},
      {"device", result.backend},
      {"model", result.model},
      {"params", result.params},
      {"precision", name(result.precision)},
      {"epochs", result.epochs},
      {"batch", result.batch},
      {"steps_per_epoch", result.steps_per_epoch},
      {"train_s", result.train_seconds},
      {"train_s_after_first_epoch", result.train_seconds_after_first_epoch},
      {"epoch_s", result.epoch_seconds},
      {"images_per_s_steady", result.images_per_second_steady},
      {"ms_per_step", result.step_milliseconds},
      {"peak_memory_bytes", result.peak_memory_bytes},
      {"flops_per_step", result.flops_per_step},
      {"bytes_per_step", result.bytes_per_step},
      {"step_graphs", result.step_graphs},
      {"kernels_per_step", result.kernels_per_step ? nlohmann::json(*result.kernels_per_step) : nlohmann::json(nullptr)},
      {"capture_failure", result.capture_failure ? nlohmann::json(*result.capture_failure) : nlohmann::json(nullptr)},
      {"fused_epilogues", result.fused_epilogues},
      {"refused_fusions", result.refused_fusions},
      {"test_loss", result.test.loss},
      {"test_acc", result.test.accuracy},
  };
  return json.dump() + "\n";
}

}  // namespace gpufm
