// upsample on the GPU: nearest-neighbour upsampling, each pixel repeated size.h x size.w times,
// as src/ops/upsample.cpp does it, then the dropout the layer applies, if any. Backward gathers
// (one thread per input element sums its block, each value masked first), so it needs no atomics
// and adds in the CPU's order.
#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

// The input's sizes and the repeat factors, as plain numbers for the kernels.
struct UpsampleGeometry {
  int in_h, in_w, channels, size_h, size_w;
};

__global__ void repeat_pixels(UpsampleGeometry g, DropoutMask mask, const float* input, float* output, std::int64_t count) {
  const StepDropout dropout(mask);
  const int out_h = g.in_h * g.size_h, out_w = g.in_w * g.size_w;
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const int c = static_cast<int>(i % g.channels);
    const std::int64_t pixel = i / g.channels;
    const int ow = static_cast<int>(pixel % out_w), oh = static_cast<int>(pixel / out_w % out_h);
    const std::int64_t n = pixel / out_w / out_h;
    output[i] = dropout.apply(i, input[((n * g.in_h + oh / g.size_h) * g.in_w + ow / g.size_w) * g.channels + c]);
  }
}

// Each input pixel was copied to a size.h x size.w block: its gradient is the block's sum,
// added row by row.
__global__ void sum_blocks(UpsampleGeometry g, DropoutMask mask, const float* output_gradient, float* input_gradient,
                           std::int64_t count) {
  const StepDropout dropout(mask);
  const int out_h = g.in_h * g.size_h, out_w = g.in_w * g.size_w;
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const int c = static_cast<int>(i % g.channels);
    const std::int64_t pixel = i / g.channels;
    const int iw = static_cast<int>(pixel % g.in_w), ih = static_cast<int>(pixel / g.in_w % g.in_h);
    const std::int64_t n = pixel / g.in_w / g.in_h;
    float sum = 0.0f;
    for (int r = 0; r < g.size_h; ++r) {
      const std::int64_t first = ((n * out_h + ih * g.size_h + r) * out_w + iw * g.size_w) * g.channels + c;
      for (int s = 0; s < g.size_w; ++s) {
        const std::int64_t o = first + static_cast<std::int64_t>(s) * g.channels;
        sum += dropout.apply(o, output_gradient[o]);
      }
    }
    input_gradient[i] = sum;
  }
}

class UpsampleKernel final : public LayerKernel {
 public:
  UpsampleKernel(const Layer& layer, const CudaContext& context)
      : stream_(context.stream()),
        geometry_{.in_h = static_cast<int>(layer.input.height()),
                  .in_w = static_cast<int>(layer.input.width()),
                  .channels = static_cast<int>(layer.input.channels()),
                  .size_h = static_cast<int>(layer.attrs.size2("size").h),
                  .size_w = static_cast<int>(layer.attrs.size2("size").w)},
        input_elements_(layer.input.elements()),
        output_elements_(layer.output.elements()) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t count = args.batch * output_elements_;
    repeat_pixels<<<blocks_for(count), threads_per_block, 0, stream_>>>(geometry_, args.dropout, args.input, args.output, count);
    GPUFM_CHECK_LAUNCH(repeat_pixels);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    const std::int64_t count = args.batch * input_elements_;
    sum_blocks<<<blocks_for(count), threads_per_block, 0, stream_>>>(geometry_, args.dropout, args.output_gradient, args.input_gradient,
                                                                     count);
    GPUFM_CHECK_LAUNCH(sum_blocks);
  }

 private:
  cudaStream_t stream_;
  UpsampleGeometry geometry_;
  std::int64_t input_elements_, output_elements_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_upsample_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<UpsampleKernel>(layer, context);
}

}  // namespace gpufm::cuda
