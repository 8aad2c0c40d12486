// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"): a counter-based
// generator, so any element's random number is computed directly from (key, counter), on the
// CPU and the GPU alike, with the same result. Dropout masks, shuffles and initial weights come
// from it, which makes every step reproducible and CPU and GPU runs comparable.
#pragma once

#include <array>
#include <cstdint>

#include "gpufm/host_device.hpp"

namespace gpufm {

struct Philox4x32 {
  std::uint32_t v[4];
};

// One of Philox4x32's ten rounds under the round's key (k0, k1); the key then grows by the Weyl
// constants (philox_next_key).
GPUFM_HOST_DEVICE inline Philox4x32 philox_round(Philox4x32 counter, std::uint32_t k0, std::uint32_t k1) {
  const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * counter.v[0];
  const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * counter.v[2];
  return Philox4x32{{static_cast<std::uint32_t>(p1 >> 32) ^ counter.v[1] ^ k0, static_cast<std::uint32_t>(p1),
                     static_cast<std::uint32_t>(p0 >> 32) ^ counter.v[3] ^ k1, static_cast<std::uint32_t>(p0)}};
}

GPUFM_HOST_DEVICE inline void philox_next_key(std::uint32_t& k0, std::uint32_t& k1) {
  k0 += 0x9E3779B9u;
  k1 += 0xBB67AE85u;
}

inline constexpr int philox_rounds = 10;

GPUFM_HOST_DEVICE inline Philox4x32 philox4x32(Philox4x32 counter, std::uint64_t key64) {
  std::uint32_t k0 = static_cast<std::uint32_t>(key64), k1 = static_cast<std::uint32_t>(key64 >> 32);
  for (int round = 0; round < philox_rounds; ++round) {
    counter = philox_round(counter, k0, k1);
    philox_next_key(k0, k1);
  }
  return counter;
}

// The counter of block `block` of the stream named by (stream, substream): (block, its high bits,
// stream, substream).
GPUFM_HOST_DEVICE inline Philox4x32 philox_counter(std::uint32_t stream, std::uint32_t substream, std::uint64_t block) {
  return Philox4x32{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), stream, substream}};
}

// Block `block` of the stream of random 32-bit words named by (key, stream, substream): one Philox
// call, four words.
GPUFM_HOST_DEVICE inline Philox4x32 philox_block(std::uint64_t key, std::uint32_t stream, std::uint32_t substream,
                                                 std::uint64_t block) {
  return philox4x32(philox_counter(stream, substream, block), key);
}

// The i-th word of that stream: word i % 4 of block i / 4. Code that takes every word in turn
// draws many blocks at once (src/cpu/philox_lanes.hpp). The word is chosen by comparisons, not
// by indexing with i % 4: on the GPU an index known only at run time puts the block in local
// memory.
GPUFM_HOST_DEVICE inline std::uint32_t philox_word(std::uint64_t key, std::uint32_t stream, std::uint32_t substream,
                                                   std::uint64_t i) {
  const Philox4x32 block = philox_block(key, stream, substream, i / 4);
  const unsigned word = static_cast<unsigned>(i % 4);
  return word < 2 ? (word == 0 ? block.v[0] : block.v[1]) : (word == 2 ? block.v[2] : block.v[3]);
}

// A stream of random words, named as philox_block names it, for code that passes it whole.
struct PhiloxStream {
  std::uint64_t key = 0;
  std::uint32_t stream = 0, substream = 0;
};

GPUFM_HOST_DEVICE inline std::uint32_t philox_word(const PhiloxStream& words, std::uint64_t i) {
  return philox_word(words.key, words.stream, words.substream, i);
}

// A uniform float in [0, 1) with 24 random bits.
GPUFM_HOST_DEVICE inline float uniform_from_word(std::uint32_t word) { return static_cast<float>(word >> 8) * (1.0f / 16777216.0f); }

}  // namespace gpufm
