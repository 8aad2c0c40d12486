// The CPU backend: the reference the CUDA backend is tested against, and the fallback where no
// GPU is present. Backend memory is host memory; GEMMs run on OpenBLAS, loops on OpenMP.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cpu/loss.hpp"
#include "cpu/neighbours.hpp"
#include "cpu/optimizer.hpp"
#include "gpufm/augmentation.hpp"
#include "gpufm/backend.hpp"
#include "gpufm/error.hpp"
#include "gpufm/format.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/philox.hpp"

namespace gpufm {

namespace {

// The CPU's calls finish before they return, so the host's clock at a mark times the work before it.
class HostTimeline final : public Timeline {
 public:
  explicit HostTimeline(std::size_t marks) : marks_(marks, origin_) {}
  void mark(std::size_t index) override { marks_.at(index) = Clock::now(); }
  std::vector<double> read_milliseconds() override {
    std::vector<double> milliseconds;
    milliseconds.reserve(marks_.size());
    for (const Clock::time_point mark : marks_) milliseconds.push_back(std::chrono::duration<double, std::milli>(mark - origin_).count());
    return milliseconds;
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point origin_ = Clock::now();
  std::vector<Clock::time_point> marks_;
};

class HostCopy final : public HostMirror {
 public:
  explicit HostCopy(std::size_t bytes) : copy_(bytes) {}
  bool request(const void* device) override {
    std::memcpy(copy_.data(), device, copy_.size());
    ++requests_;
    return true;
  }
  Copy latest() override { return requests_ == 0 ? Copy{} : Copy{.bytes = copy_.data(), .request = requests_}; }

 private:
  std::vector<std::byte> copy_;
  std::uint64_t requests_ = 0;
};

// The CPU has no graphs: a captured step is its work, run again on each replay. What a replay
// may not change (its calls' arguments) the Program keeps fixed by the same rules on every
// backend, so the CPU's tests run the same code path as a GPU's graphs.
class RecordedWork final : public StepGraph {
 public:
  explicit RecordedWork(std::function<void()> work) : work_(std::move(work)) {}
  void replay() override { work_(); }
  std::optional<std::int64_t> kernel_count() const override { return std::nullopt; }

 private:
  std::function<void()> work_;
};

class CpuBackend final : public Backend {
 public:
  std::string describe() const override { return "CPU (" + std::to_string(omp_get_max_threads()) + " threads, OpenBLAS)"; }

  DeviceBuffer allocate(std::size_t bytes) override {
    const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + 63) / 64 * 64;
    void* data = std::aligned_alloc(64, rounded);
    if (data == nullptr) {
      throw DeviceError("CPU backend: cannot allocate " + human_bytes(static_cast<double>(rounded)) +
                        " of host memory; `gpufm summary MODEL` shows what the model plans, and a smaller batch needs less");
    }
    std::memset(data, 0, rounded);
    return ledger_.track(data, bytes, [](void* p) { std::free(p); });
  }
  MemoryUse memory_use() const override { return ledger_.use(); }
  std::optional<std::size_t> free_memory() const override { return std::nullopt; }
  // memcpy and memset want valid pointers even for 0 bytes, and an empty span's data() may be
  // null (a run that validates nothing uploads no validation ids).
  void copy_to_device(void* device, const void* host, std::size_t bytes) override {
    if (bytes != 0) std::memcpy(device, host, bytes);
  }
  void copy_to_host(void* host, const void* device, std::size_t bytes) override {
    if (bytes != 0) std::memcpy(host, device, bytes);
  }
  void zero(void* device, std::size_t bytes) override {
    if (bytes != 0) std::memset(device, 0, bytes);
  }
  void synchronize() override {}
  std::unique_ptr<Timeline> make_timeline(std::size_t marks) override { return std::make_unique<HostTimeline>(marks); }
  std::unique_ptr<HostMirror> make_host_mirror(std::size_t bytes) override { return std::make_unique<HostCopy>(bytes); }
  void set_profiler_capture(bool) override {}  // Nsight's capture range is CUDA's; the NVTX ranges still show
  void bind_to_calling_thread() override {}
  void run_exclusively(const std::function<void()>& work) override { work(); }  // nothing is shared between CPU backends
  std::vector<std::string> refused_fusions() const override { return {}; }  // its epilogue is one loop

  // float32 arithmetic in every precision: the CPU has no TF32, and bf16/fp16 values are rounded
  // where they are stored (round_activations), as on the GPU.
  std::unique_ptr<LayerKernel> make_layer_kernel(const Layer& layer, Precision) override { return layer.op->make_cpu_kernel(layer); }
  void round_activations(float* values, std::int64_t count, Precision precision) override {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) values[i] = stored_value(precision, values[i]);
  }

  void shuffle(std::int32_t* indices, std::int64_t count, std::uint64_t seed, std::uint64_t epoch) override {
    std::vector<std::uint64_t> keyed(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) keyed[i] = shuffle_key(seed, epoch, indices[i]);
    std::sort(keyed.begin(), keyed.end());
    for (std::int64_t i = 0; i < count; ++i) indices[i] = shuffled_id(keyed[i]);
  }

  // A sample's transform is drawn once, then applied to each of its pixels.
  void gather_batch(const GatherArgs& args) override {
    const std::int64_t pixels = args.pixels();
    const Augmentation& augmentation = args.augmentation;
    const std::int32_t* ids = args.indices + args.numbers->first_id;
    const std::uint64_t step = args.numbers->run_step;
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < args.batch; ++b) {
      const std::uint8_t* image = args.images + static_cast<std::int64_t>(ids[b]) * pixels;
      float* input = args.input + b * pixels;
      if (augmentation.active()) {
        const SampleTransform transform = sample_transform(augmentation, step, b);
        for (std::int64_t p = 0; p < pixels; ++p) {
          input[p] = augmented_pixel(augmentation, step, transform, image, args.rows, args.cols, b, p);
        }
      } else {
        for (std::int64_t p = 0; p < pixels; ++p) input[p] = unit_pixel(image[p]);
      }
      args.batch_labels[b] = args.labels[ids[b]];
    }
  }

  void loss(const LossArgs& args) override { cpu::cpu_loss(args); }
  void find_overflow(const OverflowCheckArgs& args) override { cpu::cpu_find_overflow(args); }
  void optimizer_step(const OptimizerStepArgs& args) override { cpu::cpu_optimizer_step(args); }
  void nearest_neighbours(const NeighbourArgs& args) override { cpu::cpu_nearest_neighbours(args); }
  void select_step(const StepSelectArgs& args) override { gpufm::select_step(args); }
  std::unique_ptr<StepGraph> capture(const std::function<void()>& work) override {
    return step_graphs() ? std::make_unique<RecordedWork>(work) : nullptr;
  }

 private:
  MemoryLedger ledger_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace gpufm
