// A layer the GPU computes one element a thread by its rules: a struct of plain numbers and
// host-device functions, output(input, i) for output element i before dropout, and
// input_gradient(dropout, input, output_gradient, i) for input element i's gradient, gathered
// from the output elements it reached, each masked first. Gathering needs no atomics, and adds in
// the order the CPU scatters. The poolings and upsample have such rules (cuda/ops/*.hpp); the CPU
// tests run the same rules against the CPU kernels (tests/cuda/element_rules_test.cpp).
#pragma once

#include <cstdint>

#include "cuda/check.hpp"
#include "cuda/context.hpp"
#include "cuda/launch.cuh"
#include "gpufm/dropout_mask.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

// Then the dropout the layer applies, if any.
template <class Rules>
__global__ void gather_outputs(Rules rules, DropoutMask mask, const float* input, float* output, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) { output[i] = dropout.apply(i, rules.output(input, i)); }
}

template <class Rules>
__global__ void gather_input_gradients(Rules rules, DropoutMask mask, const float* input, const float* output_gradient,
                                       float* input_gradient, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) { input_gradient[i] = rules.input_gradient(dropout, input, output_gradient, i); }
}

// One launch forward, over the output elements, and one backward, over the input elements.
template <class Rules>
class GatherKernel final : public LayerKernel {
 public:
  GatherKernel(const Layer& layer, const CudaContext& context, Rules rules)
      : stream_(context.stream()), rules_(rules), input_elements_(layer.input.elements()), output_elements_(layer.output.elements()) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t count = args.batch * output_elements_;
    gather_outputs<<<blocks_for(count), threads_per_block, 0, stream_>>>(rules_, args.dropout, args.input, args.output, count);
    GPUFM_CHECK_LAUNCH(gather_outputs);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    const std::int64_t count = args.batch * input_elements_;
    gather_input_gradients<<<blocks_for(count), threads_per_block, 0, stream_>>>(rules_, args.dropout, args.input, args.output_gradient,
                                                                                 args.input_gradient, count);
    GPUFM_CHECK_LAUNCH(gather_input_gradients);
  }

 private:
  cudaStream_t stream_;
  Rules rules_;
  std::int64_t input_elements_, output_elements_;
};

}  // namespace gpufm::cuda
