#include "support/recording_backend.hpp"

#include <stdexcept>
#include <string>

#include "gpufm/error.hpp"

namespace gpufm::test {

namespace {

// A layer's forward and backward, recorded like the backend's own calls.
class RecordingKernel final : public LayerKernel {
 public:
  RecordingKernel(std::unique_ptr<LayerKernel> inner, RecordingBackend& backend) : inner_(std::move(inner)), backend_(backend) {}

  std::size_t workspace_bytes(std::int64_t batch) const override { return inner_->workspace_bytes(batch); }
  void forward(const ForwardArgs& args) override {
    backend_.run_or_record([kernel = inner_.get(), call = args, context = *args.context]() mutable {
      call.context = &context;
      kernel->forward(call);
    });
  }
  void backward(const BackwardArgs& args) override {
    backend_.run_or_record([kernel = inner_.get(), call = args, context = *args.context]() mutable {
      call.context = &context;
      kernel->backward(call);
    });
  }

 private:
  std::shared_ptr<LayerKernel> inner_;
  RecordingBackend& backend_;
};

class RecordedCalls final : public StepGraph {
 public:
  RecordedCalls(std::vector<std::function<void()>> calls, std::shared_ptr<std::int64_t> replays, std::optional<std::string> failure)
      : calls_(std::move(calls)), replays_(std::move(replays)), failure_(std::move(failure)) {}
  void replay() override {
    if (failure_) throw DeviceError(*failure_);
    for (const auto& call : calls_) call();
    ++*replays_;
  }
  std::optional<std::int64_t> kernel_count() const override { return std::nullopt; }

 private:
  std::vector<std::function<void()>> calls_;
  std::shared_ptr<std::int64_t> replays_;
  std::optional<std::string> failure_;  // thrown by every replay, with nothing run
};

}  // namespace

RecordingBackend::RecordingBackend() : inner_(make_cpu_backend()) {}

void RecordingBackend::run_or_record(std::function<void()> call) {
  if (recording_ != nullptr) {
    recording_->push_back(std::move(call));
  } else {
    call();
  }
}

void RecordingBackend::refuse_in_capture(const char* what) const {
  if (recording_ != nullptr) throw std::logic_error(std::string(what) + " inside a captured step");
}

DeviceBuffer RecordingBackend::allocate(std::size_t bytes) {
  refuse_in_capture("allocate");
  return inner_->allocate(bytes);
}
void RecordingBackend::copy_to_device(void* device, const void* host, std::size_t bytes) {
  refuse_in_capture("copy_to_device");
  inner_->copy_to_device(device, host, bytes);
}
void RecordingBackend::copy_to_host(void* host, const void* device, std::size_t bytes) {
  refuse_in_capture("copy_to_host");
  inner_->copy_to_host(host, device, bytes);
}
void RecordingBackend::zero(void* device, std::size_t bytes) {
  run_or_record([this, device, bytes] { inner_->zero(device, bytes); });
}
void RecordingBackend::synchronize() {
  refuse_in_capture("synchronize");
  inner_->synchronize();
}
std::unique_ptr<Timeline> RecordingBackend::make_timeline(std::size_t marks) {
  refuse_in_capture("make_timeline");
  return inner_->make_timeline(marks);
}

std::unique_ptr<HostMirror> RecordingBackend::make_host_mirror(std::size_t bytes) {
  refuse_in_capture("make_host_mirror");
  return inner_->make_host_mirror(bytes);
}

std::unique_ptr<LayerKernel> RecordingBackend::make_layer_kernel(const Layer& layer, Precision precision) {
  return std::make_unique<RecordingKernel>(inner_->make_layer_kernel(layer, precision), *this);
}
void RecordingBackend::round_activations(float* values, std::int64_t count, Precision precision) {
  run_or_record([this, values, count, precision] { inner_->round_activations(values, count, precision); });
}
void RecordingBackend::shuffle(std::int32_t* indices, std::int64_t count, std::uint64_t seed, std::uint64_t epoch) {
  refuse_in_capture("shuffle");
  inner_->shuffle(indices, count, seed, epoch);
}
void RecordingBackend::gather_batch(const GatherArgs& args) {
  run_or_record([this, args] { inner_->gather_batch(args); });
}
void RecordingBackend::loss(const LossArgs& args) {
  run_or_record([this, args] { inner_->loss(args); });
}
void RecordingBackend::find_overflow(const OverflowCheckArgs& args) {
  run_or_record([this, args] { inner_->find_overflow(args); });
}
void RecordingBackend::optimizer_step(const OptimizerStepArgs& args) {
  run_or_record([this, args] { inner_->optimizer_step(args); });
}
void RecordingBackend::select_step(const StepSelectArgs& args) {
  run_or_record([this, args] { inner_->select_step(args); });
}
void RecordingBackend::nearest_neighbours(const NeighbourArgs& args) {
  refuse_in_capture("nearest_neighbours");
  inner_->nearest_neighbours(args);
}

std::unique_ptr<StepGraph> RecordingBackend::capture(const std::function<void()>& work) {
  if (!step_graphs()) return nullptr;
  refuse_in_capture("capture");
  if (capture_failure_) throw DeviceError(*capture_failure_);
  std::vector<std::function<void()>> calls;
  recording_ = &calls;
  try {
    work();
  } catch (...) {
    recording_ = nullptr;
    throw;
  }
  recording_ = nullptr;
  ++captures_;
  return std::make_unique<RecordedCalls>(std::move(calls), replays_, replay_failure_);
}

}  // namespace gpufm::test
