// dropout on the GPU: inverted dropout in training, identity in inference, as
// src/ops/dropout.cpp does it. Each element's Philox word is the one the CPU draws for it, so
// both backends drop the same elements, and backward regenerates the mask instead of keeping it.
#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/philox.hpp"

namespace gpufm::cuda {

namespace {

// Element i is kept (and scaled) when its number for (seed, layer, step, i) reaches the rate.
__global__ void drop_elements(const float* from, float* to, std::int64_t count, std::uint64_t seed, std::uint32_t layer_index,
                              const StepNumbers* numbers, float rate, float scale) {
  const auto step = static_cast<std::uint32_t>(numbers->run_step);
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const bool kept = uniform_from_word(philox_word(seed, layer_index, step, static_cast<std::uint64_t>(i))) >= rate;
    to[i] = kept ? from[i] * scale : 0.0f;
  }
}

// Forward and backward apply the same linear map, to values and to gradients.
class DropoutKernel final : public LayerKernel {
 public:
  DropoutKernel(const Layer& layer, const CudaContext& context)
      : stream_(context.stream()), rate_(static_cast<float>(layer.attrs.real("rate"))), elements_(layer.input.elements()) {}

  void forward(const ForwardArgs& args) override { apply(args.input, args.output, args.batch, *args.context); }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient != nullptr) apply(args.output_gradient, args.input_gradient, args.batch, *args.context);
  }

 private:
  void apply(const float* from, float* to, std::int64_t batch, const StepContext& context) const {
    const std::int64_t count = batch * elements_;
    if (!context.training) {
      GPUFM_CHECK(cudaMemcpyAsync(to, from, static_cast<std::size_t>(count) * sizeof(float), cudaMemcpyDeviceToDevice, stream_));
      return;
    }
    const float scale = 1.0f / (1.0f - rate_);
    drop_elements<<<blocks_for(count), threads_per_block, 0, stream_>>>(from, to, count, context.seed, context.layer_index,
                                                                        context.numbers, rate_, scale);
    GPUFM_CHECK_LAUNCH(drop_elements);
  }

  cudaStream_t stream_;
  float rate_;
  std::int64_t elements_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_dropout_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<DropoutKernel>(layer, context);
}

}  // namespace gpufm::cuda
