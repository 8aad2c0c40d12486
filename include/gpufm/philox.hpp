// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"): a counter-based
// generator, so any element's random number is computed directly from (key, counter), on the
// CPU and the GPU alike, with the same result. Dropout masks, shuffles and initial weights come
// from it, which makes every step reproducible and CPU and GPU runs comparable.
#pragma once

#include <array>
#include <cstdint>

#if defined(__CUDACC__)
#define GPUFM_HOST_DEVICE __host__ __device__
#else
#define GPUFM_HOST_DEVICE
#endif

namespace gpufm {

struct Philox4x32 {
  std::uint32_t v[4];
};

GPUFM_HOST_DEVICE inline Philox4x32 philox4x32(Philox4x32 counter, std::uint64_t key64) {
  constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u, w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
  std::uint32_t k0 = static_cast<std::uint32_t>(key64), k1 = static_cast<std::uint32_t>(key64 >> 32);
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(m0) * counter.v[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(m1) * counter.v[2];
    counter = Philox4x32{{static_cast<std::uint32_t>(p1 >> 32) ^ counter.v[1] ^ k0, static_cast<std::uint32_t>(p1),
                          static_cast<std::uint32_t>(p0 >> 32) ^ counter.v[3] ^ k1, static_cast<std::uint32_t>(p0)}};
    k0 += w0;
    k1 += w1;
  }
  return counter;
}

// Block `block` of the stream of random 32-bit words named by (key, stream, substream): one Philox
// call, counter = (block, its high bits, stream, substream), four words.
GPUFM_HOST_DEVICE inline Philox4x32 philox_block(std::uint64_t key, std::uint32_t stream, std::uint32_t substream,
                                                 std::uint64_t block) {
  return philox4x32(Philox4x32{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), stream, substream}}, key);
}

// The i-th word of that stream: word i % 4 of block i / 4. Code that takes every word in turn
// (the CPU's dropout) calls philox_block once for four of them.
GPUFM_HOST_DEVICE inline std::uint32_t philox_word(std::uint64_t key, std::uint32_t stream, std::uint32_t substream,
                                                   std::uint64_t i) {
  return philox_block(key, stream, substream, i / 4).v[i % 4];
}

// A uniform float in [0, 1) with 24 random bits.
GPUFM_HOST_DEVICE inline float uniform_from_word(std::uint32_t word) { return static_cast<float>(word >> 8) * (1.0f / 16777216.0f); }

}  // namespace gpufm
