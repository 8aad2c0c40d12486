// A compiled graph bound to a backend: every buffer of the memory plan allocated once, a kernel
// per layer, the dataset resident in backend memory. A step allocates nothing and reads nothing
// back; metrics stay in backend memory and are read once per pass over the data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <compare>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/checkpoint.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/step_phase.hpp"

namespace gpufm {

// Images and labels of one split, uploaded once as bytes.
struct DeviceImages {
  DeviceBuffer images, labels;
  std::int64_t count = 0, rows = 0, cols = 0;
};

// A list of sample ids into a DeviceImages (a training or validation subset), in backend memory.
struct DeviceIds {
  DeviceBuffer ids;
  std::int64_t count = 0;
};

struct PassMetrics {
  double loss = 0;      // mean per sample
  double accuracy = 0;  // classifiers; 0 otherwise
  std::int64_t samples = 0;
  // Training: the steps whose loss was NaN or infinite, which were skipped, and the first of them.
  std::int64_t nonfinite_steps = 0, first_nonfinite_step = 0;
  std::int64_t overflow_steps = 0;  // fp16: steps skipped because their scaled gradients overflowed
  std::vector<std::int64_t> confusion;  // classes x classes when asked for (row: label)
};

// The epoch's figures so far, as far as the backend has got, without waiting for it (Keras'
// running loss and accuracy on the progress line): each call asks for a copy of the epoch's sums
// after the steps queued so far, unless one is still on its way, and gives the newest copy of this
// epoch's to have arrived; none before one has. On a GPU that is some steps behind; on the CPU,
// the steps so far.
using EpochSoFar = std::function<std::optional<PassMetrics>()>;

class Program {
 public:
  Program(const Graph& graph, Backend& backend, std::int64_t max_batch);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  const Graph& graph() const { return graph_; }
  const Plan& plan() const { return plan_; }
  Backend& backend() { return backend_; }

  DeviceImages upload(const ImageSplit& split);
  DeviceIds upload_ids(std::span<const std::int32_t> ids);

  // Weights from the seed (Keras' initialisers), a new optimizer, step count zero, frozen
  // layers frozen.
  void initialize(std::uint64_t seed);
  // The parameters of the blocks the model takes from other runs, from their checkpoints.
  void import_blocks();
  // A new optimizer: its state zero, and no step applied.
  void restart_optimizer();
  // From here on the frozen layers train too (batch-norm in them still on its moving statistics).
  void start_fine_tuning();
  bool fine_tuning() const { return fine_tuning_; }

  // One pass over `ids`, shuffled by (seed, epoch), in batches of the graph's batch size (the
  // last may be smaller), augmented as the train section says, training with learning rate lr.
  // It starts after the steps epoch_progress() says are done (none, unless a stopped epoch is
  // resumed) and asks stop_requested() before each step: told to stop, it returns nothing and
  // epoch_progress() holds how far the epoch got, for a checkpoint. on_step(done, total, so_far) is
  // called after each step from the host, without waiting for the backend.
  std::optional<PassMetrics> train_epoch(const DeviceImages& data, DeviceIds& ids, std::int64_t epoch, double lr,
                                         const std::function<void(std::int64_t, std::int64_t, const EpochSoFar&)>& on_step = {},
                                         const std::function<bool()>& stop_requested = {});
  std::int64_t steps_per_epoch(const DeviceIds& ids) const;

  // Inference over `ids` in order, never augmented; the confusion matrix when asked for.
  PassMetrics evaluate(const DeviceImages& data, const DeviceIds& ids, bool confusion = false);
  // The outputs of graph().layers[layer] for `ids` of `data`, as evaluation computes them (the
  // forward pass stops there): ids.size() samples of that layer's output elements each (NHWC), in
  // the order of the ids. The last layer's are the model's predictions.
  std::vector<float> predict(const DeviceImages& data, std::span<const std::int32_t> ids, std::size_t layer);

  // The state a checkpoint holds: the flat parameters (trainable first, then batch-norm
  // statistics), the optimizer state, the step counts, and fp16's loss scale.
  std::vector<float> read_params();
  void write_params(std::span<const float> values);
  std::vector<float> read_optimizer_state();
  void write_optimizer_state(std::span<const float> values);
  std::size_t optimizer_state_elements() const;
  // fp16's loss scale (gpufm/precision.hpp); none in the other precisions.
  std::optional<LossScale> loss_scale();
  void set_loss_scale(const LossScale& state);
  std::int64_t steps_taken() const { return steps_taken_; }
  const EpochProgress& epoch_progress() const { return epoch_progress_; }
  // The steps the optimizer applied since it started (Keras' `iterations`): the steps taken less
  // those skipped, for a non-finite loss or fp16's overflow. Its bias corrections count them.
  std::int64_t optimizer_iterations() const;
  // Where a checkpoint left the run.
  void resume_at(std::int64_t steps_taken, const EpochProgress& progress, std::int64_t optimizer_iterations);
  std::uint64_t seed() const { return seed_; }

  std::int64_t num_classes() const;  // outputs of a classifier; 0 for a model whose target is its input

  // Told of every training step (and its phases, if it observes them: the profiler) from here
  // on; nullptr for none. A step whose phases are observed runs call by call, each phase an NVTX
  // range; any other is captured once (Backend::capture) and replayed, and its phases' ranges
  // show at the capture only.
  void set_observer(StepObserver* observer) { observer_ = observer; }

  // The kernels a full training batch's step launches, once one was captured as a CUDA graph.
  std::optional<std::int64_t> training_step_kernels() const;
  // Why a step could not be captured (the backend's error), after which every step runs call by
  // call; none while capturing works.
  const std::optional<std::string>& capture_failure() const { return capture_failure_; }

 private:
  struct Bound;
  // A batch's calls, the same for every batch of a pass but its numbers (StepNumbers): a training
  // batch, or one measured (into sums, and confusion when given); or, given forward_through,
  // only the forward pass up to that layer.
  // What a captured step fixes: its data and their geometry (augmentation's), its size and kind,
  // where its figures go, and the schedule (fine-tuning changes it).
  struct StepGraphKey {
    const void *images, *labels, *ids;
    std::int64_t rows, cols, batch;
    bool training, fine_tuning;
    const void *sums, *confusion;
    auto operator<=>(const StepGraphKey&) const = default;
  };
  struct BatchCall {
    const std::uint8_t* images = nullptr;
    const std::uint8_t* labels = nullptr;
    std::int64_t rows = 0, cols = 0;
    const std::int32_t* ids = nullptr;  // the pass's
    std::int64_t batch = 0;
    bool training = false;
    MetricSums* sums = nullptr;
    std::int64_t* confusion = nullptr;
    std::optional<std::size_t> forward_through{};
    StepGraphKey key(bool fine_tuning) const;
  };
  float* activation(std::size_t buffer) const;
  BatchCall batch_call(const DeviceImages& data, const DeviceIds& ids);
  // The step table holds `rows` rows or more; a larger one replaces it (and the captured steps).
  void reserve_step_rows(std::int64_t rows);
  // Writes the table of a pass's numbers (Bound::host_table), whose first step is row first_row.
  void start_pass(std::int64_t first_row);
  void start_measured_pass(std::int64_t count);  // evaluation's and prediction's, in batches of max_batch
  // The batch's step, told to the observer: call by call when it observes phases, else replay_step.
  void run_step(const BatchCall& call);
  // Replayed when captured, captured on its second call, else run as it is.
  void replay_step(const BatchCall& call);
  void record_step(const BatchCall& call, StepObserver* observer);  // the calls themselves
  PassMetrics read_metrics(bool confusion);
  PassMetrics metrics_of(const MetricSums& sums) const;
  std::optional<PassMetrics> epoch_so_far();
  const char* label(StepPhase phase) const;  // the phase's NVTX range

  const Graph& graph_;
  Backend& backend_;
  Plan plan_;
  std::int64_t max_batch_;
  std::unique_ptr<Bound> bound_;
  std::uint64_t seed_ = 0;
  std::int64_t steps_taken_ = 0;
  EpochProgress epoch_progress_;
  bool fine_tuning_ = false;
  std::int64_t optimizer_iterations_ = 0;  // before the epoch in progress
  // The copies of the sums asked for (Bound::sums_mirror), and the first of the epoch in progress.
  std::uint64_t mirror_requests_ = 0, epoch_first_request_ = 0;
  StepObserver* observer_ = nullptr;
  std::vector<std::string> forward_labels_, backward_labels_;  // per layer: "forward conv2d_1"
  std::map<StepGraphKey, std::unique_ptr<StepGraph>> step_graphs_;
  std::set<StepGraphKey> steps_seen_;
  std::optional<std::string> capture_failure_;
};

}  // namespace gpufm
