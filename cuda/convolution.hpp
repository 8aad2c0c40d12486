// A 2-D convolution on cuDNN over NHWC float32 tensors with TensorFlow's padding: the one class
// behind conv2d and conv2d_transpose (whose forward is this convolution's backward-data). In fp32
// it runs in plain float32 (CUDNN_FMA_MATH, no TF32), so results match the CPU's closely; the
// other precisions let it round operands to TF32 on tensor cores (never down-converting to
// half). It takes deterministic algorithms where cuDNN has them, so runs repeat bit for bit.
//
// Its forward can take a layer's bias and relu (or no activation) in the same call, where cuDNN
// has a fused kernel for them (cudnnConvolutionBiasActivationForward). All of these calls are
// cuDNN's legacy API, deprecated in cuDNN 9 in favour of its graph API, which a move to 16-bit
// storage or wider fusion would take up.
//
// cuDNN pads symmetrically. When TensorFlow's padding is not symmetric, the images are padded in
// the workspace (cuda/workspace_padding.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "ops/window.hpp"
#include "cuda/context.hpp"
#include "cuda/resources.hpp"
#include "cuda/workspace_padding.hpp"
#include "gpufm/activation.hpp"
#include "gpufm/precision.hpp"

namespace gpufm::cuda {

class Convolution {
 public:
  // The convolution `geometry` describes: images (batch, in_h, in_w, in_c) with a filter
  // (out_c, kh, kw, in_c) into outputs (batch, out_h, out_w, out_c).
  Convolution(const ConvGeometry& geometry, CudaContext& context, Precision precision);

  const ConvGeometry& geometry() const { return padding_.geometry; }

  // The workspace the three passes need for `batch` samples: cuDNN's, then the padded images.
  // Asked first with the largest batch (when the Program binds), it picks the algorithms for
  // that batch; a smaller batch later takes only algorithms that fit in what was reported.
  std::size_t workspace_bytes(std::int64_t batch) const;

  // A layer's epilogue that forward may fuse: bias (out_c values) added to every pixel, then the
  // activation.
  struct BiasActivationToFuse {
    const float* bias;
    Activation activation;
  };

  // outputs = the convolution of images; with `epilogue`, plus its bias and through its
  // activation when cuDNN can fuse them in here: relu, or linear where the batch's algorithm is
  // implicit precomputed GEMM (the one that takes it). Returns whether it did; if not, the caller
  // applies them. cuDNN's refusal of a batch size's fused call is remembered.
  bool forward(const float* images, const float* filter, float* outputs, std::int64_t batch, std::span<std::byte> workspace,
               std::optional<BiasActivationToFuse> epilogue = std::nullopt) const;
  // image_gradient = the gradient of the images, from the outputs' gradient.
  void backward_data(const float* output_gradient, const float* filter, float* image_gradient, std::int64_t batch,
                     std::span<std::byte> workspace) const;
  // filter_gradient = the gradient of the filter, summed over the batch.
  void backward_filter(const float* images, const float* output_gradient, float* filter_gradient, std::int64_t batch,
                       std::span<std::byte> workspace) const;

 private:
  // What one batch size needs: its descriptors and the algorithm chosen for each pass.
  struct BatchPlan {
    TensorDescriptor images;  // as cuDNN sees them: padded when the padding is in the workspace
    TensorDescriptor outputs;
    cudnnConvolutionFwdAlgo_t forward_algorithm{};
    cudnnConvolutionBwdDataAlgo_t backward_data_algorithm{};
    cudnnConvolutionBwdFilterAlgo_t backward_filter_algorithm{};
    std::size_t algorithm_bytes = 0;     // cuDNN's share of the workspace: the most any of the three needs
    std::size_t padded_image_bytes = 0;  // after it, aligned; zero when cuDNN pads
    mutable bool fused_forward_refused = false;  // cuDNN said it has no fused call for this batch
    std::size_t workspace_bytes() const;
    float* padded_images(std::span<std::byte> workspace) const;
  };

  const BatchPlan& plan_for(std::int64_t batch) const;
  const BatchPlan& make_plan(std::int64_t batch, std::size_t most_algorithm_bytes) const;
  std::size_t padded_bytes(std::int64_t batch) const;  // of the padded images; zero when cuDNN pads
  std::string description(std::int64_t batch) const;  // for errors
  // cuDNN's fused call for the epilogue, unless it is known to refuse it: whether it ran.
  bool forward_fused(const BatchPlan& plan, std::int64_t batch, const float* convolved, const float* filter, float* outputs,
                     std::span<std::byte> workspace, const BiasActivationToFuse& epilogue) const;
  // padded = images with their zeros around them, for cuDNN to convolve in their place.
  const float* pad(const float* images, std::int64_t batch, float* padded) const;
  // image_gradient = the gradient of the padded images, cropped to the images.
  void crop(const float* padded_gradient, float* image_gradient, std::int64_t batch) const;

  CudaContext& context_;  // notes the fused calls cuDNN refuses
  cudnnHandle_t cudnn_;  // bound to stream_
  cudaStream_t stream_;
  bool tensor_cores_;
  WorkspacePadding padding_;  // holds the geometry
  FilterDescriptor filter_;
  ConvolutionDescriptor convolution_;
  TensorDescriptor bias_;  // 1 x out_c x 1 x 1
  ActivationDescriptor relu_, identity_;
  // Made on a batch size's first use, host-side only. Mutable because the first one is made by
  // workspace_bytes, a query.
  mutable std::map<std::int64_t, BatchPlan> plans_;
  mutable std::size_t reported_bytes_ = 0;  // the most workspace_bytes has returned
};

}  // namespace gpufm::cuda
