// The CPU backend with a CUDA graph's rules for a captured step: capture() records each call the
// step makes, with the arguments it was given (a layer's StepContext copied, as a CUDA kernel's
// launch copies what it reads of it), and runs none of them; a replay runs the recorded calls. A
// value passed by value that should change from step to step then stays as it was captured, and
// a call that waits for the backend or allocates inside a captured step (which a capture on a GPU
// refuses) throws. Trained on it, a model must end exactly as on the CPU backend run call by call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"

namespace gpufm::test {

class RecordingBackend final : public Backend {
 public:
  RecordingBackend();

  // From here on capture() fails as a GPU's would (a DeviceError saying `why`).
  void fail_captures(std::string why) { capture_failure_ = std::move(why); }
  // From here on the steps it captures fail to launch when replayed (a DeviceError saying `why`),
  // having run nothing, as a graph's launch that runs out of memory.
  void fail_replays(std::string why) { replay_failure_ = std::move(why); }
  std::int64_t captures() const { return captures_; }
  std::int64_t exclusive_runs() const { return exclusive_runs_; }
  std::int64_t replays() const { return *replays_; }

  std::string describe() const override { return "CPU recording captured steps"; }
  DeviceBuffer allocate(std::size_t bytes) override;
  MemoryUse memory_use() const override { return inner_->memory_use(); }
  std::optional<std::size_t> free_memory() const override { return inner_->free_memory(); }
  void copy_to_device(void* device, const void* host, std::size_t bytes) override;
  void copy_to_host(void* host, const void* device, std::size_t bytes) override;
  void zero(void* device, std::size_t bytes) override;
  void synchronize() override;
  std::unique_ptr<Timeline> make_timeline(std::size_t marks) override;
  std::unique_ptr<HostMirror> make_host_mirror(std::size_t bytes) override;
  void set_profiler_capture(bool on) override { inner_->set_profiler_capture(on); }
  void bind_to_calling_thread() override {}
  std::vector<std::string> refused_fusions() const override { return inner_->refused_fusions(); }

  std::unique_ptr<LayerKernel> make_layer_kernel(const Layer& layer, Precision precision) override;
  void round_activations(float* values, std::int64_t count, Precision precision) override;
  void shuffle(std::int32_t* indices, std::int64_t count, std::uint64_t seed, std::uint64_t epoch) override;
  void gather_batch(const GatherArgs& args) override;
  void loss(const LossArgs& args) override;
  void find_overflow(const OverflowCheckArgs& args) override;
  void optimizer_step(const OptimizerStepArgs& args) override;
  void select_step(const StepSelectArgs& args) override;
  std::unique_ptr<StepGraph> capture(const std::function<void()>& work) override;
  void run_exclusively(const std::function<void()>& work) override {
    ++exclusive_runs_;
    work();
  }
  void nearest_neighbours(const NeighbourArgs& args) override;

  // Runs `call` now, or records it while a step is being captured.
  void run_or_record(std::function<void()> call);
  // Throws when a step is being captured: `what` cannot be part of one.
  void refuse_in_capture(const char* what) const;

 private:
  std::unique_ptr<Backend> inner_;
  std::vector<std::function<void()>>* recording_ = nullptr;
  std::optional<std::string> capture_failure_, replay_failure_;
  std::int64_t captures_ = 0, exclusive_runs_ = 0;
  std::shared_ptr<std::int64_t> replays_ = std::make_shared<std::int64_t>(0);
};

}  // namespace gpufm::test
