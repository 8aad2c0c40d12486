// Code that both backends compile: a function marked GPUFM_HOST_DEVICE is built for the host and,
// under nvcc, for the device too, so the CPU loop and the CUDA kernel run one rule. Where the rule
// does arithmetic, it must also round alike on both; rounded_product is the piece that needs care.
#pragma once

#if defined(__CUDACC__)
#define GPUFM_HOST_DEVICE __host__ __device__
#else
#define GPUFM_HOST_DEVICE
#endif

namespace gpufm {

// a * b, rounded before anything is added to it. nvcc fuses a product and a sum into one
// multiply-add, rounded once, where the host rounds twice (the baseline x86-64 target has no
// fused multiply-add); this keeps the device's result the host's, bit for bit. For float and
// double alike, both operands of one type.
template <class Real>
GPUFM_HOST_DEVICE inline Real rounded_product(Real a, Real b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(Real) == sizeof(float)) {
    return __fmul_rn(a, b);
  } else {
    return __dmul_rn(a, b);
  }
#else
  return a * b;
#endif
}

}  // namespace gpufm
