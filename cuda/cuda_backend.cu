// The CUDA backend: the product's path. Everything is queued on the context's one stream; the
// host waits for the device only in copy_to_host, copy_to_device (its host buffer may go as soon
// as the call returns), synchronize, a timeline's reading and the neighbour search's result. The
// dataset lives on the GPU as bytes; shuffles (CUB's radix sort), batch gathers, the loss and the
// optimizer run there.
#include <cub/device/device_radix_sort.cuh>
#include <cuda_profiler_api.h>

#include <cstddef>
#include <cstring>
#include <map>
#include <vector>

#include "cuda/context.hpp"
#include "cuda/launch.cuh"
#include "cuda/loss.hpp"
#include "cuda/neighbours.hpp"
#include "cuda/op_kernels.hpp"
#include "cuda/optimizer.hpp"
#include "gpufm/augmentation.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/philox.hpp"

namespace gpufm::cuda {

namespace {

__global__ void shuffle_keys(const std::int32_t* indices, std::uint64_t* keys, std::int64_t count, std::uint64_t seed,
                             std::uint64_t epoch) {
  GPUFM_GRID_STRIDE_LOOP(i, count) { keys[i] = shuffle_key(seed, epoch, indices[i]); }
}

__global__ void ids_of_keys(const std::uint64_t* keys, std::int32_t* indices, std::int64_t count) {
  GPUFM_GRID_STRIDE_LOOP(i, count) { indices[i] = shuffled_id(keys[i]); }
}

// One thread per input pixel; normalisation to [0, 1] and augmentation happen here, so the
// dataset stays bytes. Each thread draws its sample's transform itself (a Philox call, a sine and
// a cosine): little beside a training step, and no thread waits for another.
__global__ void gather_images(GatherArgs args) {
  const std::int64_t pixels = args.pixels();
  const Augmentation& augmentation = args.augmentation;
  const std::int32_t* ids = args.indices + args.numbers->first_id;
  const std::uint64_t step = args.numbers->run_step;
  GPUFM_GRID_STRIDE_LOOP(i, args.batch * pixels) {
    const std::int64_t b = i / pixels, p = i % pixels;
    const std::int64_t sample = ids[b];
    const std::uint8_t* image = args.images + sample * pixels;
    args.input[i] = augmentation.active()
                        ? augmented_pixel(augmentation, step, sample_transform(augmentation, step, b), image, args.rows, args.cols, b, p)
                        : unit_pixel(image[p]);
    if (p == 0) args.batch_labels[b] = args.labels[sample];
  }
}

__global__ void select_step_kernel(StepSelectArgs args) { select_step(args); }

__global__ void round_values(float* values, std::int64_t count, Precision precision) {
  GPUFM_GRID_STRIDE_LOOP(i, count) { values[i] = stored_value(precision, values[i]); }
}

// The buffers of a shuffle of `count` ids: made by the first shuffle of that many, before any
// step of the epoch, and kept.
struct ShuffleBuffers {
  DeviceBuffer keys, sorted_keys, scratch;
};

// CUDA events on the stream, timed against one recorded when the timeline is made: the first mark
// from it, each later one from the mark before (an elapsed time is a float of milliseconds, which
// keeps microseconds only over spans of seconds, and the origin can be a long warm-up away).
class StreamTimeline final : public Timeline {
 public:
  StreamTimeline(cudaStream_t stream, std::size_t marks) : stream_(stream) {
    GPUFM_CHECK(cudaEventRecord(origin_, stream_));
    for (std::size_t i = 0; i < marks; ++i) marks_.push_back(make_event());
  }
  void mark(std::size_t index) override { GPUFM_CHECK(cudaEventRecord(marks_.at(index), stream_)); }
  std::vector<double> read_milliseconds() override {
    GPUFM_CHECK(cudaStreamSynchronize(stream_));
    std::vector<double> milliseconds;
    milliseconds.reserve(marks_.size());
    for (std::size_t i = 0; i < marks_.size(); ++i) {
      float elapsed = 0;
      GPUFM_CHECK(cudaEventElapsedTime(&elapsed, i == 0 ? origin_ : marks_[i - 1], marks_[i]));
      milliseconds.push_back((i == 0 ? 0.0 : milliseconds.back()) + elapsed);
    }
    return milliseconds;
  }

 private:
  cudaStream_t stream_;
  Event origin_ = make_event();
  std::vector<Event> marks_;
};

// Copies into pinned memory on the stream, one at a time, each followed by an event that says
// when it has arrived; asking the event never waits.
class StreamHostMirror final : public HostMirror {
 public:
  StreamHostMirror(cudaStream_t stream, std::size_t bytes) : stream_(stream), staging_(make_pinned_host_memory(bytes)), latest_(bytes) {}
  // A copy on its way still writes to the pinned memory: it lands before the memory goes.
  ~StreamHostMirror() override {
    if (in_flight_) static_cast<void>(cudaEventSynchronize(copied_));
  }
  StreamHostMirror(const StreamHostMirror&) = delete;
  StreamHostMirror& operator=(const StreamHostMirror&) = delete;
  bool request(const void* device) override {
    collect();
    if (in_flight_) return false;
    GPUFM_CHECK(cudaMemcpyAsync(staging_.get(), device, latest_.size(), cudaMemcpyDeviceToHost, stream_));
    GPUFM_CHECK(cudaEventRecord(copied_, stream_));
    in_flight_ = true;
    ++requests_;
    return true;
  }
  Copy latest() override {
    collect();
    return answered_ == 0 ? Copy{} : Copy{.bytes = latest_.data(), .request = answered_};
  }

 private:
  // Takes the copy on its way once it has arrived, before the staging memory is written again.
  void collect() {
    if (!in_flight_) return;
    const cudaError_t status = cudaEventQuery(copied_);
    if (status == cudaErrorNotReady) {
      // "Not yet" is kept as the thread's last error too, which the next launch check would take
      // for its own: cleared here, as PyTorch's CUDAEvent::query clears it.
      static_cast<void>(cudaGetLastError());
      return;
    }
    GPUFM_CHECK(status);
    std::memcpy(latest_.data(), staging_.get(), latest_.size());
    in_flight_ = false;
    answered_ = requests_;
  }

  cudaStream_t stream_;
  PinnedHostMemory staging_;
  Event copied_ = make_event();
  std::vector<std::byte> latest_;
  bool in_flight_ = false;
  std::uint64_t requests_ = 0, answered_ = 0;
};

// The kernels a graph launches: its kernel nodes, and those of the graphs it holds (a library may
// capture its work as a child graph).
std::int64_t kernel_nodes(cudaGraph_t graph) {
  std::size_t count = 0;
  GPUFM_CHECK(cudaGraphGetNodes(graph, nullptr, &count));
  std::vector<cudaGraphNode_t> nodes(count);
  GPUFM_CHECK(cudaGraphGetNodes(graph, nodes.data(), &count));
  std::int64_t kernels = 0;
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType type{};
    GPUFM_CHECK(cudaGraphNodeGetType(node, &type));
    if (type == cudaGraphNodeTypeKernel) ++kernels;
    if (type == cudaGraphNodeTypeGraph) {
      cudaGraph_t child = nullptr;
      GPUFM_CHECK(cudaGraphChildGraphNodeGetGraph(node, &child));
      kernels += kernel_nodes(child);
    }
  }
  return kernels;
}

// A step captured from the stream as a CUDA graph, and instantiated once; made and destroyed under
// device_wide_lock, which keeps the other threads' device-wide calls out of the capture.
class CapturedStep final : public StepGraph {
 public:
  CapturedStep(cudaStream_t stream, const std::function<void()>& work) : stream_(stream) {
    const std::lock_guard lock(device_wide_lock());
    GPUFM_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    cudaGraph_t graph = nullptr;
    try {
      work();
    } catch (...) {
      // The stream leaves capture mode whatever happened within; the first error is the one reported.
      static_cast<void>(cudaStreamEndCapture(stream_, &graph));
      if (graph != nullptr) static_cast<void>(cudaGraphDestroy(graph));
      static_cast<void>(cudaGetLastError());
      throw;
    }
    GPUFM_CHECK(cudaStreamEndCapture(stream_, &graph));
    graph_ = CudaGraph(graph);
    cudaGraphExec_t exec = nullptr;
    GPUFM_CHECK(cudaGraphInstantiate(&exec, graph_, 0));
    exec_ = CudaGraphExec(exec);
    kernels_ = kernel_nodes(graph_);
  }
  ~CapturedStep() override {
    const std::lock_guard lock(device_wide_lock());
    exec_ = CudaGraphExec();
    graph_ = CudaGraph();
  }
  CapturedStep(const CapturedStep&) = delete;
  CapturedStep& operator=(const CapturedStep&) = delete;
  void replay() override { GPUFM_CHECK(cudaGraphLaunch(exec_, stream_)); }
  std::optional<std::int64_t> kernel_count() const override { return kernels_; }

 private:
  cudaStream_t stream_;
  CudaGraph graph_;
  CudaGraphExec exec_;
  std::int64_t kernels_ = 0;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const GpuInfo& gpu) : context_(gpu.index), loss_scratch_(context_) { check_kernels_run_here(); }

  std::string describe() const override {
    return std::string(context_.properties().name) + " (" + human_bytes(static_cast<double>(context_.properties().totalGlobalMem)) + ")";
  }

  DeviceBuffer allocate(std::size_t bytes) override { return context_.allocate(bytes); }
  MemoryUse memory_use() const override { return context_.memory_use(); }
  std::optional<std::size_t> free_memory() const override {
    std::size_t free_bytes = 0, total_bytes = 0;
    GPUFM_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    return free_bytes;
  }

  void copy_to_device(void* device, const void* host, std::size_t bytes) override {
    GPUFM_CHECK(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, context_.stream()));
    // The host buffer may go as soon as this returns.
    GPUFM_CHECK(cudaStreamSynchronize(context_.stream()));
  }
  void copy_to_host(void* host, const void* device, std::size_t bytes) override {
    GPUFM_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, context_.stream()));
    GPUFM_CHECK(cudaStreamSynchronize(context_.stream()));
  }
  void zero(void* device, std::size_t bytes) override { GPUFM_CHECK(cudaMemsetAsync(device, 0, bytes, context_.stream())); }
  void synchronize() override { GPUFM_CHECK(cudaStreamSynchronize(context_.stream())); }
  std::unique_ptr<Timeline> make_timeline(std::size_t marks) override { return std::make_unique<StreamTimeline>(context_.stream(), marks); }
  std::unique_ptr<HostMirror> make_host_mirror(std::size_t bytes) override {
    return std::make_unique<StreamHostMirror>(context_.stream(), bytes);
  }
  // The capture brackets the steps' work on the GPU, not their queueing: the host runs ahead of
  // replayed steps, so the stream is drained before the capture starts and before it stops.
  void set_profiler_capture(bool on) override {
    synchronize();
    GPUFM_CHECK(on ? cudaProfilerStart() : cudaProfilerStop());
  }
  void bind_to_calling_thread() override { GPUFM_CHECK(cudaSetDevice(context_.device())); }
  std::vector<std::string> refused_fusions() const override { return context_.refused_fusions(); }

  std::unique_ptr<LayerKernel> make_layer_kernel(const Layer& layer, Precision precision) override {
    return make_cuda_kernel(layer, context_, KernelSettings{.precision = precision, .fused_epilogues = fused_epilogues()});
  }
  void round_activations(float* values, std::int64_t count, Precision precision) override {
    if (count == 0) return;
    round_values<<<blocks_for(count), threads_per_block, 0, context_.stream()>>>(values, count, precision);
    GPUFM_CHECK_LAUNCH(round_values);
  }

  void shuffle(std::int32_t* indices, std::int64_t count, std::uint64_t seed, std::uint64_t epoch) override {
    if (count == 0) return;
    // Once an epoch, outside any step. A count's first shuffle allocates, and CUB's kernels load on
    // their first launch: neither may meet another thread's capture (Backend::run_exclusively).
    const std::lock_guard lock(device_wide_lock());
    ShuffleBuffers& buffers = shuffle_buffers(count);
    shuffle_keys<<<blocks_for(count), threads_per_block, 0, context_.stream()>>>(indices, buffers.keys.as<std::uint64_t>(), count, seed,
                                                                                epoch);
    GPUFM_CHECK_LAUNCH(shuffle_keys);
    std::size_t scratch_bytes = buffers.scratch.bytes();
    GPUFM_CHECK(cub::DeviceRadixSort::SortKeys(buffers.scratch.as(), scratch_bytes, buffers.keys.as<std::uint64_t>(),
                                               buffers.sorted_keys.as<std::uint64_t>(), count, 0, 64, context_.stream()));
    ids_of_keys<<<blocks_for(count), threads_per_block, 0, context_.stream()>>>(buffers.sorted_keys.as<std::uint64_t>(), indices, count);
    GPUFM_CHECK_LAUNCH(ids_of_keys);
  }

  void gather_batch(const GatherArgs& args) override {
    gather_images<<<blocks_for(args.batch * args.pixels()), threads_per_block, 0, context_.stream()>>>(args);
    GPUFM_CHECK_LAUNCH(gather_images);
  }

  void loss(const LossArgs& args) override { cuda_loss(context_.stream(), args, loss_scratch_); }
  void find_overflow(const OverflowCheckArgs& args) override { cuda_find_overflow(context_.stream(), args); }
  void optimizer_step(const OptimizerStepArgs& args) override { cuda_optimizer_step(context_.stream(), args); }
  void nearest_neighbours(const NeighbourArgs& args) override { cuda_nearest_neighbours(context_, args); }
  void select_step(const StepSelectArgs& args) override {
    select_step_kernel<<<1, 1, 0, context_.stream()>>>(args);
    GPUFM_CHECK_LAUNCH(select_step_kernel);
  }
  std::unique_ptr<StepGraph> capture(const std::function<void()>& work) override {
    return step_graphs() ? std::make_unique<CapturedStep>(context_.stream(), work) : nullptr;
  }
  void run_exclusively(const std::function<void()>& work) override {
    const std::lock_guard lock(device_wide_lock());
    work();
  }

 private:
  ShuffleBuffers& shuffle_buffers(std::int64_t count) {
    auto found = shuffle_buffers_.find(count);
    if (found != shuffle_buffers_.end()) return found->second;
    const auto bytes = static_cast<std::size_t>(count) * sizeof(std::uint64_t);
    std::size_t scratch_bytes = 0;
    GPUFM_CHECK(cub::DeviceRadixSort::SortKeys(nullptr, scratch_bytes, static_cast<const std::uint64_t*>(nullptr),
                                               static_cast<std::uint64_t*>(nullptr), count, 0, 64, context_.stream()));
    ShuffleBuffers buffers{allocate(bytes), allocate(bytes), allocate(scratch_bytes)};
    return shuffle_buffers_.emplace(count, std::move(buffers)).first->second;
  }

  // A build holds kernels for the architectures it was compiled for (CMAKE_CUDA_ARCHITECTURES);
  // on another GPU the context and the libraries still work and the first launch of ours fails.
  // Asked here instead, so that --device auto falls back to the CPU and --device cuda says why.
  void check_kernels_run_here() const {
    cudaFuncAttributes attributes{};
    const cudaError_t status = cudaFuncGetAttributes(&attributes, select_step_kernel);
    if (status == cudaErrorNoKernelImageForDevice || status == cudaErrorInvalidDeviceFunction) {
      static_cast<void>(cudaGetLastError());
      const cudaDeviceProp& gpu = context_.properties();
      const std::string capability = std::to_string(gpu.major) + std::to_string(gpu.minor);
      throw DeviceError(std::string("this build of gpufm has no kernels for ") + gpu.name + " (compute capability " +
                        std::to_string(gpu.major) + "." + std::to_string(gpu.minor) +
                        "): rebuild with -DCMAKE_CUDA_ARCHITECTURES=" + capability);
    }
    GPUFM_CHECK(status);
  }

  CudaContext context_;
  LossScratch loss_scratch_;
  std::map<std::int64_t, ShuffleBuffers> shuffle_buffers_;
};

}  // namespace

}  // namespace gpufm::cuda

namespace gpufm {

std::unique_ptr<Backend> make_cuda_backend(const GpuInfo& gpu) { return std::make_unique<cuda::CudaBackend>(gpu); }

}  // namespace gpufm
