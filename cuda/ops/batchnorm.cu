// batchnorm on the GPU, as src/ops/batchnorm.cpp does it with Keras' semantics: the biased batch
// variance both normalises and feeds the moving average. cuDNN's batch norm is not used, as it
// feeds the unbiased variance to the moving average. Per-channel sums run in double, in a fixed
// order (blocks of rows summed apart, then added in block order), so they are the same from run
// to run; the statistics stay on the device, with no round-trip to the host. From the sums on,
// the arithmetic is the CPU's (src/ops/batchnorm_rules.hpp).
#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"
#include "ops/batchnorm_rules.hpp"

namespace gpufm::cuda {

namespace {

// A block of the partial sums is channel_tile channels (a warp reads neighbouring floats of a
// row) by row_lanes threads down the rows. The number of row blocks is fixed, not fitted to the
// device, so that the order of the additions is too.
constexpr int channel_tile = 32, row_lanes = 8, row_blocks = 256;

// What a sum adds per element: the pair (x, x^2) for the batch's mean and variance.
struct MomentTerms {
  const float* x;

  __device__ double2 operator()(std::int64_t i, int) const {
    const double value = x[i];
    return make_double2(value, value * value);
  }
};

// The pair (dy, dy * x-hat) for the gradients, x-hat in float as forward computed it.
struct GradientTerms {
  const float* x;
  const float* dy;
  const float* mean;
  const float* inverse_std;

  __device__ double2 operator()(std::int64_t i, int c) const {
    return make_double2(dy[i], static_cast<double>(dy[i]) * batchnorm::x_hat(x[i], mean[c], inverse_std[c]));
  }
};

// partials[block * channels + c] = the sums of terms over row block `block` of channel c. Each
// thread sums every row_lanes-th row of the block, and the lanes are then added in order.
template <class Terms>
__global__ void channel_partial_sums(Terms terms, std::int64_t rows, int channels, double2* partials) {
  __shared__ double2 lane_sums[row_lanes][channel_tile];
  const int c = static_cast<int>(blockIdx.x) * channel_tile + static_cast<int>(threadIdx.x);
  const int lane = static_cast<int>(threadIdx.y);
  const std::int64_t first = rows * blockIdx.y / row_blocks, last = rows * (blockIdx.y + 1) / row_blocks;
  double2 sum = make_double2(0.0, 0.0);
  if (c < channels) {
    for (std::int64_t row = first + lane; row < last; row += row_lanes) {
      const double2 term = terms(row * channels + c, c);
      sum.x += term.x;
      sum.y += term.y;
    }
  }
  lane_sums[lane][threadIdx.x] = sum;
  __syncthreads();
  if (lane != 0 || c >= channels) return;
  double2 block_sum = make_double2(0.0, 0.0);
  for (int k = 0; k < row_lanes; ++k) {
    block_sum.x += lane_sums[k][threadIdx.x].x;
    block_sum.y += lane_sums[k][threadIdx.x].y;
  }
  partials[static_cast<std::int64_t>(blockIdx.y) * channels + c] = block_sum;
}

// Channel c's sums: its partials added in block order.
__device__ double2 channel_sum(const double2* partials, int channels, std::int64_t c) {
  double2 sum = make_double2(0.0, 0.0);
  for (int block = 0; block < row_blocks; ++block) {
    const double2 partial = partials[static_cast<std::int64_t>(block) * channels + c];
    sum.x += partial.x;
    sum.y += partial.y;
  }
  return sum;
}

// The batch's mean and biased variance; forward normalises with them and moves the running
// statistics towards them.
__global__ void finish_batch_statistics(const double2* partials, int channels, std::int64_t rows, double momentum, double epsilon,
                                        float* mean, float* inverse_std, float* running_mean, float* running_var) {
  GPUFM_GRID_STRIDE_LOOP(c, channels) {
    const double2 sum = channel_sum(partials, channels, c);
    const batchnorm::Moments moments = batchnorm::batch_moments(sum.x, sum.y, static_cast<double>(rows));
    mean[c] = static_cast<float>(moments.mean);
    inverse_std[c] = batchnorm::inverse_std(moments.variance, epsilon);
    running_mean[c] = batchnorm::moving_average(running_mean[c], moments.mean, momentum);
    running_var[c] = batchnorm::moving_average(running_var[c], moments.variance, momentum);
  }
}

__global__ void use_running_statistics(const float* running_mean, const float* running_var, int channels, double epsilon,
                                       float* mean, float* inverse_std) {
  GPUFM_GRID_STRIDE_LOOP(c, channels) {
    mean[c] = running_mean[c];
    inverse_std[c] = batchnorm::inverse_std(running_var[c], epsilon);
  }
}

__global__ void normalize(const float* x, float* y, std::int64_t count, int channels, const float* gamma, const float* beta,
                          const float* mean, const float* inverse_std) {
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const std::int64_t c = i % channels;
    y[i] = batchnorm::output(x[i], gamma[c], beta[c], mean[c], inverse_std[c]);
  }
}

// Keeps the sums for the input gradient and writes the parameters' gradients.
__global__ void finish_gradient_sums(const double2* partials, int channels, double2* gradient_sums, float* gamma_gradient,
                                     float* beta_gradient) {
  GPUFM_GRID_STRIDE_LOOP(c, channels) {
    const double2 sum = channel_sum(partials, channels, c);
    gradient_sums[c] = sum;
    gamma_gradient[c] = static_cast<float>(sum.y);
    beta_gradient[c] = static_cast<float>(sum.x);
  }
}

__global__ void gradient_of_input(const float* x, const float* dy, float* dx, std::int64_t count, int channels, std::int64_t rows,
                               const float* gamma, const float* mean, const float* inverse_std, const double2* gradient_sums,
                               bool through_batch_statistics) {
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const std::int64_t c = i % channels;
    dx[i] = through_batch_statistics
                ? batchnorm::input_gradient_through_batch(dy[i], batchnorm::x_hat(x[i], mean[c], inverse_std[c]), gamma[c], inverse_std[c],
                                                          gradient_sums[c].x, gradient_sums[c].y, static_cast<double>(rows))
                : batchnorm::input_gradient(dy[i], gamma[c], inverse_std[c]);
  }
}

// Keeps, from forward to backward, the statistics it normalised with (the batch's in training,
// the running ones in inference), on the device.
class BatchNormKernel final : public LayerKernel {
 public:
  BatchNormKernel(const Layer& layer, CudaContext& context)
      : stream_(context.stream()),
        channels_(static_cast<int>(layer.input.channels())),
        pixels_(layer.input.elements() / channels_),
        momentum_(layer.attrs.real("momentum")),
        epsilon_(layer.attrs.real("epsilon")),
        partials_(context.allocate(sizeof(double2) * row_blocks * static_cast<std::size_t>(channels_))),
        gradient_sums_(context.allocate(sizeof(double2) * static_cast<std::size_t>(channels_))),
        mean_(context.allocate(sizeof(float) * static_cast<std::size_t>(channels_))),
        inverse_std_(context.allocate(sizeof(float) * static_cast<std::size_t>(channels_))) {}

  void forward(const ForwardArgs& args) override {
    const float* gamma = args.params[0];
    const float* beta = args.params[1];
    float* running_mean = args.params[2];
    float* running_var = args.params[3];
    const std::int64_t rows = args.batch * pixels_;
    normalized_with_batch_ = args.context->training && !args.context->frozen;
    if (normalized_with_batch_) {
      sum_channels(MomentTerms{args.input}, rows);
      finish_batch_statistics<<<blocks_for(channels_), threads_per_block, 0, stream_>>>(
          partials_.as<double2>(), channels_, rows, momentum_, epsilon_, mean_.as<float>(), inverse_std_.as<float>(), running_mean,
          running_var);
      GPUFM_CHECK_LAUNCH(finish_batch_statistics);
    } else {
      use_running_statistics<<<blocks_for(channels_), threads_per_block, 0, stream_>>>(running_mean, running_var, channels_, epsilon_,
                                                                                        mean_.as<float>(), inverse_std_.as<float>());
      GPUFM_CHECK_LAUNCH(use_running_statistics);
    }
    const std::int64_t count = rows * channels_;
    normalize<<<blocks_for(count), threads_per_block, 0, stream_>>>(args.input, args.output, count, channels_, gamma, beta,
                                                                    mean_.as<float>(), inverse_std_.as<float>());
    GPUFM_CHECK_LAUNCH(normalize);
  }

  void backward(const BackwardArgs& args) override {
    const std::int64_t rows = args.batch * pixels_;
    sum_channels(GradientTerms{args.input, args.output_gradient, mean_.as<float>(), inverse_std_.as<float>()}, rows);
    finish_gradient_sums<<<blocks_for(channels_), threads_per_block, 0, stream_>>>(
        partials_.as<double2>(), channels_, gradient_sums_.as<double2>(), args.param_gradients[0], args.param_gradients[1]);
    GPUFM_CHECK_LAUNCH(finish_gradient_sums);
    if (args.input_gradient == nullptr) return;
    const std::int64_t count = rows * channels_;
    gradient_of_input<<<blocks_for(count), threads_per_block, 0, stream_>>>(
        args.input, args.output_gradient, args.input_gradient, count, channels_, rows, args.params[0], mean_.as<float>(),
        inverse_std_.as<float>(), gradient_sums_.as<double2>(), normalized_with_batch_);
    GPUFM_CHECK_LAUNCH(gradient_of_input);
  }

 private:
  // Fills partials_ with the per-block sums of terms over the rows.
  template <class Terms>
  void sum_channels(Terms terms, std::int64_t rows) {
    const dim3 grid(static_cast<unsigned>((channels_ + channel_tile - 1) / channel_tile), row_blocks), block(channel_tile, row_lanes);
    channel_partial_sums<<<grid, block, 0, stream_>>>(terms, rows, channels_, partials_.as<double2>());
    GPUFM_CHECK_LAUNCH(channel_partial_sums);
  }

  cudaStream_t stream_;
  int channels_;
  std::int64_t pixels_;
  double momentum_, epsilon_;
  DeviceBuffer partials_;       // row_blocks x channels sums
  DeviceBuffer gradient_sums_;  // per channel: (dy, dy * x-hat) summed over the batch
  DeviceBuffer mean_, inverse_std_;  // per channel, float: what forward normalised with
  bool normalized_with_batch_ = false;
};

}  // namespace

std::unique_ptr<LayerKernel> make_batchnorm_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<BatchNormKernel>(layer, context);
}

}  // namespace gpufm::cuda
