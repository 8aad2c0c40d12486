// The cuDNN convolution shared by conv2d and conv2d_transpose (cuda/convolution.hpp): descriptors
// made once, algorithms chosen per batch size, and the zero-padded copy for TensorFlow's
// asymmetric padding.
#include "cuda/convolution.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <stdexcept>

#include "cuda/launch.cuh"
#include "cuda/workspace_padding.hpp"

namespace gpufm::cuda {

namespace {

constexpr float one = 1.0f, zero = 0.0f;  // cuDNN's alpha and beta: write the result, never add to it

// Where the padded images start after cuDNN's workspace, and the unit its limits are rounded to.
constexpr std::size_t alignment = 256;
std::size_t align_up(std::size_t bytes) { return (bytes + alignment - 1) / alignment * alignment; }
std::size_t align_down(std::size_t bytes) { return bytes / alignment * alignment; }

// The workspace the largest batch's algorithms may each ask for: the heuristics' favourite can
// want gigabytes (FFT), and the next deterministic one is rarely much slower, leaving the memory
// to the activations.
constexpr std::size_t algorithm_bytes_cap = std::size_t{256} << 20;

TensorDescriptor nhwc_descriptor(std::int64_t n, std::int64_t h, std::int64_t w, std::int64_t c) {
  TensorDescriptor descriptor = make_tensor_descriptor();
  GPUFM_CHECK(cudnnSetTensor4dDescriptor(descriptor, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, static_cast<int>(n),
                                         static_cast<int>(c), static_cast<int>(h), static_cast<int>(w)));
  return descriptor;
}

template <class Algorithm>
struct AlgorithmChoice {
  Algorithm algorithm;
  std::size_t workspace_bytes;
};

// The first of the `count` candidates the heuristics returned (best first) that runs, computes
// as asked (plain float32 unless tensor_cores; never down-converting to half) and fits in
// most_bytes: a deterministic one when there is one, so that runs repeat bit for bit, else the
// first non-deterministic one. "Runs" and its workspace are cuDNN's answer for these descriptors
// (workspace_size: none when cuDNN refuses the algorithm for them), not the heuristics'
// estimate, which can name one that then fails.
template <class Candidate, std::size_t size, class WorkspaceSize>
auto first_usable(const std::array<Candidate, size>& candidates, int count, bool tensor_cores, std::size_t most_bytes, const char* pass,
                  const std::string& convolution, const WorkspaceSize& workspace_size) {
  using Choice = AlgorithmChoice<decltype(Candidate::algo)>;
  const auto usable = [&](const Candidate& candidate) -> std::optional<Choice> {
    if (candidate.status != CUDNN_STATUS_SUCCESS || (candidate.mathType == CUDNN_TENSOR_OP_MATH && !tensor_cores) ||
        candidate.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) {
      return std::nullopt;
    }
    const std::optional<std::size_t> bytes = workspace_size(candidate.algo);
    if (!bytes || *bytes > most_bytes) return std::nullopt;
    return Choice{candidate.algo, *bytes};
  };
  const std::span<const Candidate> returned = std::span(candidates).first(static_cast<std::size_t>(count));
  for (const bool deterministic_only : {true, false}) {
    for (const Candidate& candidate : returned) {
      if (deterministic_only && candidate.determinism != CUDNN_DETERMINISTIC) continue;
      if (const std::optional<Choice> choice = usable(candidate)) return *choice;
    }
  }
  throw DeviceError(std::string("cuDNN has no ") + (tensor_cores ? "TF32 or float32 " : "float32 ") + pass + " algorithm within " + std::to_string(most_bytes) +
                    " bytes of workspace for the " + convolution);
}

// cuDNN's workspace for an algorithm on given descriptors, or none when it cannot run it there:
// a refusal is an answer here, not a failure.
std::optional<std::size_t> workspace_or_none(cudnnStatus_t status, std::size_t bytes) {
  return status == CUDNN_STATUS_SUCCESS ? std::optional<std::size_t>(bytes) : std::nullopt;
}

ActivationDescriptor activation_descriptor(cudnnActivationMode_t mode) {
  ActivationDescriptor descriptor = make_activation_descriptor();
  // Not propagating NaN is max(0, x)'s rule, as the CPU's relu has it.
  GPUFM_CHECK(cudnnSetActivationDescriptor(descriptor, mode, CUDNN_NOT_PROPAGATE_NAN, 0.0));
  return descriptor;
}

__global__ void pad_images(WorkspacePadding padding, const float* images, float* padded, std::int64_t count) {
  GPUFM_GRID_STRIDE_LOOP(i, count) { padded[i] = padding.padded(images, i); }
}

__global__ void crop_images(WorkspacePadding padding, const float* padded, float* images, std::int64_t count) {
  GPUFM_GRID_STRIDE_LOOP(i, count) { images[i] = padding.cropped(padded, i); }
}

}  // namespace

std::size_t Convolution::BatchPlan::workspace_bytes() const { return align_up(algorithm_bytes) + padded_image_bytes; }

float* Convolution::BatchPlan::padded_images(std::span<std::byte> workspace) const {
  return reinterpret_cast<float*>(workspace.data() + align_up(algorithm_bytes));
}

Convolution::Convolution(const ConvGeometry& geometry, CudaContext& context, Precision precision)
    : context_(context),
      cudnn_(context.cudnn()),
      stream_(context.stream()),
      tensor_cores_(uses_tensor_cores(precision)),
      padding_(workspace_padding(geometry)),
      filter_(make_filter_descriptor()),
      convolution_(make_convolution_descriptor()),
      bias_(make_tensor_descriptor()),
      relu_(activation_descriptor(CUDNN_ACTIVATION_RELU)),
      identity_(activation_descriptor(CUDNN_ACTIVATION_IDENTITY)) {
  const ConvGeometry& g = geometry;

  GPUFM_CHECK(cudnnSetFilter4dDescriptor(filter_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, static_cast<int>(g.out_c),
                                         static_cast<int>(g.in_c), static_cast<int>(g.kernel_h), static_cast<int>(g.kernel_w)));
  GPUFM_CHECK(cudnnSetConvolution2dDescriptor(convolution_, static_cast<int>(padding_.cudnn_pad_h()),
                                              static_cast<int>(padding_.cudnn_pad_w()), static_cast<int>(g.stride_h),
                                              static_cast<int>(g.stride_w), 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  // Tensor-op math on float32 tensors is TF32 (Ampere and later); it never converts them to half.
  GPUFM_CHECK(cudnnSetConvolutionMathType(convolution_, tensor_cores_ ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
  GPUFM_CHECK(cudnnSetTensor4dDescriptor(bias_, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 1, static_cast<int>(g.out_c), 1, 1));
}

std::size_t Convolution::workspace_bytes(std::int64_t batch) const {
  const auto found = plans_.find(batch);
  const BatchPlan& batch_plan = found != plans_.end() ? found->second : make_plan(batch, algorithm_bytes_cap);
  reported_bytes_ = std::max(reported_bytes_, batch_plan.workspace_bytes());
  return batch_plan.workspace_bytes();
}

const Convolution::BatchPlan& Convolution::plan_for(std::int64_t batch) const {
  if (const auto found = plans_.find(batch); found != plans_.end()) return found->second;
  // A batch smaller than the one asked about (the last, partial one): its algorithms must fit in
  // what was reported, beside its padded images.
  const std::size_t padded = padded_bytes(batch);
  if (padded > reported_bytes_) {
    throw std::logic_error("workspace_bytes was not asked about a batch of " + std::to_string(batch) + " for the " +
                           description(batch));
  }
  return make_plan(batch, align_down(reported_bytes_ - padded));
}

const Convolution::BatchPlan& Convolution::make_plan(std::int64_t batch, std::size_t most_algorithm_bytes) const {
  const ConvGeometry& g = geometry();
  BatchPlan plan{
      .images = nhwc_descriptor(batch, padding_.padded_h, padding_.padded_w, g.in_c),
      .outputs = nhwc_descriptor(batch, g.out_h, g.out_w, g.out_c),
      .padded_image_bytes = padded_bytes(batch),
  };
  const std::string convolution = description(batch);

  std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> forward{};
  int count = 0;
  GPUFM_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(cudnn_, plan.images, filter_, convolution_, plan.outputs,
                                                     static_cast<int>(forward.size()), &count, forward.data()));
  const auto forward_choice =
      first_usable(forward, count, tensor_cores_, most_algorithm_bytes, "forward", convolution, [&](cudnnConvolutionFwdAlgo_t algorithm) {
        std::size_t bytes = 0;
        const cudnnStatus_t status =
            cudnnGetConvolutionForwardWorkspaceSize(cudnn_, plan.images, filter_, convolution_, plan.outputs, algorithm, &bytes);
        return workspace_or_none(status, bytes);
      });

  std::array<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT> backward_data{};
  GPUFM_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn_, filter_, plan.outputs, convolution_, plan.images,
                                                          static_cast<int>(backward_data.size()), &count, backward_data.data()));
  const auto backward_data_choice = first_usable(
      backward_data, count, tensor_cores_, most_algorithm_bytes, "backward-data", convolution, [&](cudnnConvolutionBwdDataAlgo_t algorithm) {
        std::size_t bytes = 0;
        const cudnnStatus_t status =
            cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn_, filter_, plan.outputs, convolution_, plan.images, algorithm, &bytes);
        return workspace_or_none(status, bytes);
      });

  std::array<cudnnConvolutionBwdFilterAlgoPerf_t, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT> backward_filter{};
  GPUFM_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn_, plan.images, plan.outputs, convolution_, filter_,
                                                            static_cast<int>(backward_filter.size()), &count,
                                                            backward_filter.data()));
  const auto backward_filter_choice = first_usable(
      backward_filter, count, tensor_cores_, most_algorithm_bytes, "backward-filter", convolution, [&](cudnnConvolutionBwdFilterAlgo_t algorithm) {
        std::size_t bytes = 0;
        const cudnnStatus_t status =
            cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn_, plan.images, plan.outputs, convolution_, filter_, algorithm, &bytes);
        return workspace_or_none(status, bytes);
      });

  plan.forward_algorithm = forward_choice.algorithm;
  plan.backward_data_algorithm = backward_data_choice.algorithm;
  plan.backward_filter_algorithm = backward_filter_choice.algorithm;
  plan.algorithm_bytes =
      std::max({forward_choice.workspace_bytes, backward_data_choice.workspace_bytes, backward_filter_choice.workspace_bytes});
  return plans_.emplace(batch, std::move(plan)).first->second;
}

std::size_t Convolution::padded_bytes(std::int64_t batch) const {
  return padding_.in_workspace ? static_cast<std::size_t>(padding_.padded_elements(batch)) * sizeof(float) : 0;
}

std::string Convolution::description(std::int64_t batch) const {
  const ConvGeometry& g = geometry();
  const auto dims = [](std::int64_t h, std::int64_t w, std::int64_t c) {
    return std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c);
  };
  return std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + " convolution (stride " + std::to_string(g.stride_h) +
         "x" + std::to_string(g.stride_w) + ") of " + std::to_string(batch) + " images " + dims(g.in_h, g.in_w, g.in_c) +
         " into " + dims(g.out_h, g.out_w, g.out_c);
}

const float* Convolution::pad(const float* images, std::int64_t batch, float* padded) const {
  const std::int64_t count = padding_.padded_elements(batch);
  pad_images<<<blocks_for(count), threads_per_block, 0, stream_>>>(padding_, images, padded, count);
  GPUFM_CHECK_LAUNCH(pad_images);
  return padded;
}

void Convolution::crop(const float* padded_gradient, float* image_gradient, std::int64_t batch) const {
  const std::int64_t count = padding_.image_elements(batch);
  crop_images<<<blocks_for(count), threads_per_block, 0, stream_>>>(padding_, padded_gradient, image_gradient, count);
  GPUFM_CHECK_LAUNCH(crop_images);
}

bool Convolution::forward(const float* images, const float* filter, float* outputs, std::int64_t batch, std::span<std::byte> workspace,
                          std::optional<BiasActivationToFuse> epilogue) const {
  const BatchPlan& plan = plan_for(batch);
  const float* convolved = padding_.in_workspace ? pad(images, batch, plan.padded_images(workspace)) : images;
  if (epilogue && forward_fused(plan, batch, convolved, filter, outputs, workspace, *epilogue)) return true;
  GPUFM_CHECK(cudnnConvolutionForward(cudnn_, &one, plan.images, convolved, filter_, filter, convolution_,
                                      plan.forward_algorithm, workspace.data(), plan.algorithm_bytes, &zero, plan.outputs,
                                      outputs));
  return false;
}

bool Convolution::forward_fused(const BatchPlan& plan, std::int64_t batch, const float* convolved, const float* filter, float* outputs,
                                std::span<std::byte> workspace, const BiasActivationToFuse& epilogue) const {
  const bool takes_activation =
      epilogue.activation == Activation::relu ||
      (epilogue.activation == Activation::linear && plan.forward_algorithm == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
  if (!takes_activation || plan.fused_forward_refused) return false;
  // outputs = activation(1 * convolution + 0 * z + bias). The call wants a z; it gets the outputs
  // with a scale of zero. cuDNN documents that a zero beta leaves an output unread, but says
  // nothing of z under a zero alpha2: the op parity tests fill the outputs with NaN before the
  // call, so a read would fail them.
  const cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
      cudnn_, &one, plan.images, convolved, filter_, filter, convolution_, plan.forward_algorithm, workspace.data(),
      plan.algorithm_bytes, &zero, plan.outputs, outputs, bias_, epilogue.bias,
      epilogue.activation == Activation::relu ? relu_ : identity_, plan.outputs, outputs);
  // A combination of layout, type and algorithm the legacy fused call does not take (any
  // NOT_SUPPORTED, a plain BAD_PARAM) or a workspace it finds too small is an answer, not a
  // failure: this batch size's forward goes unfused from now on. Other statuses are errors.
  const bool refused = CUDNN_STATUS_CATEGORY(status) == CUDNN_STATUS_NOT_SUPPORTED || status == CUDNN_STATUS_BAD_PARAM ||
                       status == CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT;
  if (refused) {
    plan.fused_forward_refused = true;
    context_.note_refused_fusion(std::string("cuDNN's bias and ") + (epilogue.activation == Activation::relu ? "relu" : "no activation") +
                                 " in the " + description(batch) + ": " + cudnnGetErrorString(status));
    return false;
  }
  GPUFM_CHECK(status);
  return true;
}

void Convolution::backward_data(const float* output_gradient, const float* filter, float* image_gradient, std::int64_t batch,
                                std::span<std::byte> workspace) const {
  const BatchPlan& plan = plan_for(batch);
  float* gradient = padding_.in_workspace ? plan.padded_images(workspace) : image_gradient;
  GPUFM_CHECK(cudnnConvolutionBackwardData(cudnn_, &one, filter_, filter, plan.outputs, output_gradient, convolution_,
                                           plan.backward_data_algorithm, workspace.data(), plan.algorithm_bytes, &zero,
                                           plan.images, gradient));
  if (padding_.in_workspace) crop(gradient, image_gradient, batch);
}

void Convolution::backward_filter(const float* images, const float* output_gradient, float* filter_gradient, std::int64_t batch,
                                  std::span<std::byte> workspace) const {
  const BatchPlan& plan = plan_for(batch);
  const float* convolved = padding_.in_workspace ? pad(images, batch, plan.padded_images(workspace)) : images;
  GPUFM_CHECK(cudnnConvolutionBackwardFilter(cudnn_, &one, plan.images, convolved, plan.outputs, output_gradient, convolution_,
                                             plan.backward_filter_algorithm, workspace.data(), plan.algorithm_bytes, &zero,
                                             filter_, filter_gradient));
}

}  // namespace gpufm::cuda
