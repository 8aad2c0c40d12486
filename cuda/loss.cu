#include "cuda/loss.hpp"

#include <algorithm>
#include <stdexcept>

#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "gpufm/loss_math.hpp"

namespace gpufm::cuda {

namespace {

// Sample n's loss before the division by elements, summed over the lanes of a warp in a fixed
// order.
__device__ double warp_sample_loss(const LossBatch& p, std::int64_t n, int lane) {
  if (p.loss == Loss::crossentropy) return lane == 0 ? p.crossentropy_loss(n) : 0.0;
  double sum = 0;
  for (std::int64_t j = lane; j < p.elements; j += 32) sum += p.element_loss(n, j);
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
  return sum / static_cast<double>(p.elements);
}

constexpr int sum_warps = threads_per_block / 32;

// The blocks that add a batch to the sums: a warp per sample at a time, as many blocks as give
// each warp a sample, up to most_sum_blocks (whose shares the last block adds one by one). A
// fixed number for a batch size, so the order of the additions is fixed too.
constexpr unsigned most_sum_blocks = 64;
unsigned sum_blocks(std::int64_t batch) {
  return static_cast<unsigned>(std::clamp<std::int64_t>((batch + sum_warps - 1) / sum_warps, 1, most_sum_blocks));
}

struct BlockShare {
  double loss, correct;
};

// Called by every thread of the first sum_blocks blocks: warp w of block b takes samples
// b * 8 + w, then every 8 * sum_blocks-th after it; a block's warps' totals are added in warp
// order into its share, and the last block to finish adds the shares in block order to the sums.
__device__ void add_loss_sums(const LossBatch& p, unsigned sum_blocks, MetricSums* sums, long long* confusion,
                              const StepNumbers* numbers, BlockShare* shares, unsigned* blocks_done) {
  __shared__ double warp_loss[sum_warps], warp_correct[sum_warps];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const std::int64_t warps = std::int64_t{sum_blocks} * sum_warps;
  double loss = 0, correct = 0;
  for (std::int64_t n = std::int64_t{blockIdx.x} * sum_warps + warp; n < p.batch; n += warps) {
    loss += warp_sample_loss(p, n, lane);
    if (lane == 0 && p.target == Target::labels) {
      const std::int64_t predicted = p.prediction(n);
      if (predicted == p.labels[n]) correct += 1;
      if (confusion != nullptr) atomicAdd(reinterpret_cast<unsigned long long*>(confusion + p.labels[n] * p.elements + predicted), 1ull);
    }
  }
  if (lane == 0) {
    warp_loss[warp] = loss;
    warp_correct[warp] = correct;
  }
  __syncthreads();
  if (threadIdx.x != 0 || sums == nullptr) return;
  BlockShare share{0, 0};
  for (int w = 0; w < sum_warps; ++w) {
    share.loss += warp_loss[w];
    share.correct += warp_correct[w];
  }
  shares[blockIdx.x] = share;
  __threadfence();  // the share is visible to every block before the count says it is there
  if (atomicAdd(blocks_done, 1u) != sum_blocks - 1) return;
  __threadfence();  // and the other blocks' shares are read after their count
  *blocks_done = 0;
  double batch_loss = 0, batch_correct = 0;
  for (unsigned b = 0; b < sum_blocks; ++b) {
    // Read past the SM's own cache: other blocks wrote these.
    batch_loss += __ldcg(&shares[b].loss);
    batch_correct += __ldcg(&shares[b].correct);
  }
  if (const std::int64_t step = epoch_step_of(numbers); step > 0 && !isfinite(batch_loss)) {
    record_nonfinite_step(*sums, step);
    return;
  }
  sums->loss += batch_loss;
  sums->correct += batch_correct;
  sums->samples += static_cast<double>(p.batch);
}

// This thread's share of the gradient. fp16 multiplies it by the loss scale.
__device__ void write_loss_gradient(const LossBatch& p, float* gradient, const LossScale* loss_scale) {
  const double scale = loss_scale != nullptr ? loss_scale->scale : 1.0;
  GPUFM_GRID_STRIDE_LOOP(i, p.batch * p.elements) gradient[i] = static_cast<float>(p.gradient(i) * scale);
}

// One launch for the step's loss: every block writes its share of the gradient (when asked for
// one), and the first sum_blocks also add the batch to the sums (when asked). Both only read the
// outputs, so the sums' blocks work beside the others rather than in a launch of their own.
__global__ void loss_sums_and_gradient(LossBatch p, unsigned sum_blocks, MetricSums* sums, long long* confusion,
                                       const StepNumbers* numbers, BlockShare* shares, unsigned* blocks_done, float* gradient,
                                       const LossScale* loss_scale) {
  if (gradient != nullptr) write_loss_gradient(p, gradient, loss_scale);
  if (blockIdx.x < sum_blocks && (sums != nullptr || confusion != nullptr)) {
    add_loss_sums(p, sum_blocks, sums, confusion, numbers, shares, blocks_done);
  }
}

}  // namespace

LossScratch::LossScratch(CudaContext& context)
    : block_shares(context.allocate(most_sum_blocks * sizeof(BlockShare))), blocks_done(context.allocate(sizeof(unsigned))) {}

void cuda_loss(cudaStream_t stream, const LossArgs& args, LossScratch& scratch) {
  if (args.fold_activation && args.loss == Loss::mse) throw std::logic_error("mse has no activation to fold into its gradient");
  auto* confusion = args.target == Target::labels ? reinterpret_cast<long long*>(args.confusion) : nullptr;
  if (args.sums == nullptr && confusion == nullptr && args.output_gradient == nullptr) return;
  const unsigned summing = sum_blocks(args.batch);
  const unsigned blocks = std::max(args.output_gradient != nullptr ? blocks_for(args.batch * args.elements) : 1u, summing);
  loss_sums_and_gradient<<<blocks, threads_per_block, 0, stream>>>(loss_batch(args), summing, args.sums, confusion, args.numbers,
                                                                   scratch.block_shares.as<BlockShare>(),
                                                                   scratch.blocks_done.as<unsigned>(), args.output_gradient,
                                                                   args.loss_scale);
  GPUFM_CHECK_LAUNCH(loss_sums_and_gradient);
}

}  // namespace gpufm::cuda
