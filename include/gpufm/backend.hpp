// The seam between the graph executor and the hardware. The CPU backend (the reference) and
// the CUDA backend implement it; the executor (Program) calls nothing else. Every pointer
// passed here is backend memory from allocate(). Calls are ordered (a stream, on a GPU) and
// make no host round-trip: results stay in backend memory until copy_to_host().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/augmentation.hpp"
#include "gpufm/device_buffer.hpp"
#include "gpufm/layer_kernel.hpp"
#include "gpufm/memory_ledger.hpp"
#include "gpufm/optimizer_math.hpp"
#include "gpufm/philox.hpp"
#include "gpufm/precision.hpp"
#include "gpufm/step_numbers.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

struct Layer;

// The Philox stream of the shuffle keys, apart from dropout's (stream = layer index).
inline constexpr std::uint32_t shuffle_philox_stream = 0x53485546u;  // "SHUF"

// A shuffle sorts ids by their Philox word for (seed, epoch), the id itself below it: two ids
// with the same word (a few pairs an epoch in 60,000) fall in id order, so an epoch's order never
// depends on the order the ids were in, and a resumed run shuffles as one that never stopped.
GPUFM_HOST_DEVICE inline std::uint64_t shuffle_key(std::uint64_t seed, std::uint64_t epoch, std::int32_t id) {
  const std::uint32_t word = philox_word(seed, shuffle_philox_stream, static_cast<std::uint32_t>(epoch), static_cast<std::uint64_t>(id));
  return static_cast<std::uint64_t>(word) << 32 | static_cast<std::uint32_t>(id);
}
GPUFM_HOST_DEVICE inline std::int32_t shuffled_id(std::uint64_t key) { return static_cast<std::int32_t>(key & 0xffffffffu); }

// Copies a batch out of the dataset (u8, resident in backend memory) into the input buffer,
// scaled to [0, 1] and augmented as asked (gpufm/augmentation.hpp), with the labels beside it.
// The batch is the ids from the step's numbers' first_id on; a training batch is augmented by
// the numbers' run_step.
struct GatherArgs {
  const std::uint8_t* images = nullptr;  // count x rows x cols
  const std::uint8_t* labels = nullptr;  // count
  const std::int32_t* indices = nullptr; // the pass's sample ids
  const StepNumbers* numbers = nullptr;  // the step's
  std::int64_t batch = 0;
  std::int64_t rows = 0, cols = 0;       // of each image
  float* input = nullptr;                // batch x rows x cols
  std::int32_t* batch_labels = nullptr;  // batch
  Augmentation augmentation;             // training batches only

  GPUFM_HOST_DEVICE std::int64_t pixels() const { return rows * cols; }
};

// Sums over an epoch, kept in backend memory and read back once per epoch.
// A training step whose batch loss is NaN or infinite is left out of the loss, correct and
// samples sums and counted apart; its optimizer step is skipped (OptimizerStepArgs::sums).
struct MetricSums {
  double loss = 0;     // sum over samples of each sample's loss
  double correct = 0;  // classifiers: samples whose largest output is the label
  double samples = 0;
  double nonfinite_steps = 0;       // training steps whose loss was not finite
  double first_nonfinite_step = 0;  // the first of them (its epoch_step); 0 when none
  double last_nonfinite_step = 0;   // the latest of them; 0 when none
  double overflow_steps = 0;        // fp16: training steps skipped because their scaled gradients overflowed
};

GPUFM_HOST_DEVICE inline void record_nonfinite_step(MetricSums& sums, std::int64_t step) {
  sums.nonfinite_steps += 1;
  if (sums.first_nonfinite_step == 0) sums.first_nonfinite_step = static_cast<double>(step);
  sums.last_nonfinite_step = static_cast<double>(step);
}

// Whether the optimizer step of a training step is skipped: its loss was not finite.
GPUFM_HOST_DEVICE inline bool skips_step(const MetricSums* sums, const StepNumbers* numbers) {
  const std::int64_t step = epoch_step_of(numbers);
  return sums != nullptr && step > 0 && sums->last_nonfinite_step == static_cast<double>(step);
}

struct LossArgs {
  Loss loss = Loss::crossentropy;
  Target target = Target::labels;
  const float* output = nullptr;           // batch x classes (after the last activation)
  std::int64_t batch = 0;
  std::int64_t elements = 0;               // per sample
  const std::int32_t* labels = nullptr;    // Target::labels
  const float* target_input = nullptr;     // Target::input: the batch's input
  float* output_gradient = nullptr;        // gradient of the batch-mean loss; nullptr to only measure
  bool fold_activation = false;            // softmax+crossentropy, sigmoid+bce: gradient w.r.t. the pre-activation
  MetricSums* sums = nullptr;              // added to
  std::int64_t* confusion = nullptr;       // classes x classes counts (row: label, column: prediction); or nullptr
  // A training step's (epoch_step from 1), whose loss may be non-finite; nullptr (or epoch_step 0)
  // for a batch only measured.
  const StepNumbers* numbers = nullptr;
  const LossScale* loss_scale = nullptr;   // fp16: the gradient is multiplied by its scale; nullptr: by 1
};

// The optimizer counts the steps it applied, as Keras' does (its `iterations`, which a
// LossScaleOptimizer's skipped step leaves as it was): a step's bias corrections are those of the
// optimizer steps applied before it, not of the steps taken.
struct OptimizerStepArgs {
  const StepNumbers* numbers = nullptr;  // the training step's (epoch_step from 1)
  // The epoch's scalars by optimizer step: row k for its (k + 1)-th applied step, so that the
  // table is written before the epoch while the steps skipped are known on the device alone.
  const OptimizerScalars* scalars = nullptr;
  float* params = nullptr;
  const float* gradients = nullptr;
  float* state = nullptr;  // optimizer_state_slots(settings) x count
  std::int64_t count = 0;  // trainable elements
  std::int64_t first = 0;  // the elements before it are frozen (a frozen block's, until fine-tuning): left as they are
  // Skipped, leaving params and state as they were, when the sums record the step as non-finite.
  MetricSums* sums = nullptr;
  // fp16: the gradients are the scaled loss's, divided by the scale here; skipped when they
  // overflowed (find_overflow), which sums count. The scale is then updated (update_loss_scale).
  LossScale* loss_scale = nullptr;
  std::int64_t growth_steps = 0;
};

// Marks loss_scale->overflow when any of gradients[first, count) is not finite (fp16's scaled
// gradients), before the optimizer step; it never clears it.
struct OverflowCheckArgs {
  const float* gradients = nullptr;
  std::int64_t first = 0, count = 0;
  LossScale* loss_scale = nullptr;
};

// The end of an fp16 optimizer step on every backend: an overflowed step is counted, unless the
// sums count it already as a non-finite loss (whose gradient overflows too: one skipped step is
// counted once), and the scale updated for the next.
GPUFM_HOST_DEVICE inline void finish_scaled_step(const OptimizerStepArgs& args) {
  LossScale& loss_scale = *args.loss_scale;
  if (loss_scale.overflow != 0 && args.sums != nullptr && !skips_step(args.sums, args.numbers)) args.sums->overflow_steps += 1;
  update_loss_scale(loss_scale, args.growth_steps);
}

// The factor the optimizer multiplies a gradient by: 1 / scale (exact for a power of two, as the
// default scales are).
GPUFM_HOST_DEVICE inline float gradient_unscale(const LossScale* loss_scale) {
  return loss_scale != nullptr ? 1.0f / loss_scale->scale : 1.0f;
}

// Whether the optimizer step is skipped: its loss was not finite, or its scaled gradients overflowed.
GPUFM_HOST_DEVICE inline bool skips_optimizer_step(const OptimizerStepArgs& args) {
  return skips_step(args.sums, args.numbers) || (args.loss_scale != nullptr && args.loss_scale->overflow != 0);
}

// The steps whose optimizer step was skipped, as the sums count them: a non-finite loss when the
// loss is computed, an overflow after the optimizer step.
GPUFM_HOST_DEVICE inline double skipped_steps(const MetricSums& sums) { return sums.nonfinite_steps + sums.overflow_steps; }

// The scalars of a step not skipped: row (the epoch's steps before it, less those skipped).
GPUFM_HOST_DEVICE inline const OptimizerScalars& applied_step_scalars(const OptimizerStepArgs& args) {
  const double skipped = args.sums != nullptr ? skipped_steps(*args.sums) : 0;
  return args.scalars[epoch_step_of(args.numbers) - 1 - static_cast<std::int64_t>(skipped)];
}

// For each query, the k references nearest to it by squared Euclidean distance among those of the
// query's wanted class (a feature space's nearest training images of a class). Lists are sorted
// by distance, ties by lower reference index, so that every backend gives the same list; a list
// is padded with index -1 and distance +infinity past the last reference of its class, and a
// reference at a distance that is not finite (features with NaN or infinity) is never a
// neighbour. k is 1 to most_neighbours (gpufm/neighbour_list.hpp).
struct NeighbourArgs {
  const float* queries = nullptr;                   // query_count x dimension, row-major
  const std::int32_t* wanted_classes = nullptr;     // query_count
  const float* references = nullptr;               // reference_count x dimension, row-major
  const std::int32_t* reference_classes = nullptr;  // reference_count
  std::int64_t query_count = 0, reference_count = 0, dimension = 0;
  std::int64_t k = 0;
  std::int32_t* indices = nullptr;  // query_count x k: rows of `references`
  float* distances = nullptr;       // query_count x k
};

// Marks on the backend's timeline, for timing what it runs: recorded in order with its work (an
// event on a GPU's stream; the host's clock on the CPU, whose calls finish before they return).
class Timeline {
 public:
  virtual ~Timeline() = default;
  virtual void mark(std::size_t index) = 0;  // 0 <= index < the count it was made with
  // Milliseconds from the timeline's making to each mark, once the work before them is done;
  // every mark has been recorded.
  virtual std::vector<double> read_milliseconds() = 0;
};

// A host copy of a few bytes of backend memory that nothing waits for (the progress line's running
// figures). request() queues a copy after the work queued so far, unless the last one is still on
// its way (then it queues none and says so); latest() is the newest copy to have arrived, with the
// number of the request it answers (counting from 1), or none before the first has. On the CPU,
// whose calls finish before they return, a copy arrives as it is requested.
class HostMirror {
 public:
  struct Copy {
    const void* bytes = nullptr;
    std::uint64_t request = 0;
  };
  virtual ~HostMirror() = default;
  virtual bool request(const void* device) = 0;
  virtual Copy latest() = 0;
};

// A step's work recorded once (StepGraph's capture) and run again as a whole.
class StepGraph {
 public:
  virtual ~StepGraph() = default;
  virtual void replay() = 0;
  // The kernels one replay launches (a CUDA graph's kernel nodes); none on the CPU, which has no kernels.
  virtual std::optional<std::int64_t> kernel_count() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string describe() const = 0;  // "CPU (2 threads, OpenBLAS)", "NVIDIA H100 80GB HBM3 (79.18 GB)"

  virtual DeviceBuffer allocate(std::size_t bytes) = 0;  // zeroed
  virtual MemoryUse memory_use() const = 0;
  // What the device has free now, for all its users; none for the CPU, whose memory is the host's.
  virtual std::optional<std::size_t> free_memory() const = 0;
  virtual void copy_to_device(void* device, const void* host, std::size_t bytes) = 0;
  virtual void copy_to_host(void* host, const void* device, std::size_t bytes) = 0;
  virtual void zero(void* device, std::size_t bytes) = 0;
  virtual void synchronize() = 0;
  virtual std::unique_ptr<Timeline> make_timeline(std::size_t marks) = 0;
  virtual std::unique_ptr<HostMirror> make_host_mirror(std::size_t bytes) = 0;
  // Starts or stops a profiler's capture range (cudaProfilerStart/Stop); the CPU has none.
  virtual void set_profiler_capture(bool on) = 0;
  // Makes the backend usable from the calling thread, before its first call there (a GPU's
  // current device is per thread); a study's members side by side each run in a thread.
  virtual void bind_to_calling_thread() = 0;

  // The layer's kernel, its matrix products and convolutions in `precision`'s arithmetic (the
  // CPU's are float32 in every precision).
  virtual std::unique_ptr<LayerKernel> make_layer_kernel(const Layer& layer, Precision precision) = 0;
  // values[0, count) = stored_value(precision, values): what an activation holds in bf16 or fp16.
  virtual void round_activations(float* values, std::int64_t count, Precision precision) = 0;

  // Reorders indices[0, count) by shuffle_key: the same order on every backend, whatever order
  // the ids came in.
  virtual void shuffle(std::int32_t* indices, std::int64_t count, std::uint64_t seed, std::uint64_t epoch) = 0;
  virtual void gather_batch(const GatherArgs& args) = 0;
  virtual void loss(const LossArgs& args) = 0;
  virtual void find_overflow(const OverflowCheckArgs& args) = 0;
  virtual void optimizer_step(const OptimizerStepArgs& args) = 0;
  virtual void select_step(const StepSelectArgs& args) = 0;

  // The backend's calls that `work` makes, recorded without running them, to run as a whole on
  // each replay() with the arguments they were given here (a CUDA graph: the kernels, their
  // launch shapes and pointers are fixed; what changes per step is read from backend memory,
  // StepNumbers). The CPU records `work` itself and runs it again. nullptr when the backend
  // was told to run every step's calls one by one (set_step_graphs(false)).
  virtual std::unique_ptr<StepGraph> capture(const std::function<void()>& work) = 0;
  // Runs `work` (a kind of step's first run) while no other backend in the process captures a
  // step or runs such a first step: there the libraries set themselves up (load kernels, allocate
  // and free memory), which must not meet another thread's capture. The CPU simply runs `work`.
  virtual void run_exclusively(const std::function<void()>& work) = 0;
  void set_step_graphs(bool on) { step_graphs_ = on; }
  bool step_graphs() const { return step_graphs_; }
  // Whether layer kernels made from now on may apply their bias and activation inside the
  // library's matrix product or convolution (cuBLASLt's epilogues, cuDNN's fused call), and
  // their backward in one pass, rather than in kernels of their own; and whether programs bound
  // from now on run each dropout inside the layer before it where that layer can apply it
  // (plan.hpp's DropoutFusion), on every backend. On by default, off to measure what fusion saves.
  // The CPU's epilogue is one loop either way.
  void set_fused_epilogues(bool on) { fused_epilogues_ = on; }
  bool fused_epilogues() const { return fused_epilogues_; }
  // The fusions the libraries have refused so far, each once, as "what for which shape: status"
  // (those layers run the pass apart): for a benchmark to say what ran fused. None on the CPU.
  virtual std::vector<std::string> refused_fusions() const = 0;
  virtual void nearest_neighbours(const NeighbourArgs& args) = 0;

 private:
  bool step_graphs_ = true;
  bool fused_epilogues_ = true;
};

std::unique_ptr<Backend> make_cpu_backend();

}  // namespace gpufm
