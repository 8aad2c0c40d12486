// NVTX ranges in the "gpufm" domain, which Nsight Systems draws on its timeline
// (nsys profile -t cuda,nvtx): epochs, steps, evaluation, and each phase of a step. With no tool
// attached a range costs a check of a function pointer; in a build without NVTX's headers, nothing.
#pragma once

#include <cstdint>

namespace gpufm::nvtx {

// `message` is kept by the caller until the range ends. `number` (an epoch's, a step's) goes in
// the range's payload, so that no text is formatted per step.
void push(const char* message);
void push(const char* message, std::int64_t number);
void pop();

class Range {
 public:
  explicit Range(const char* message) { push(message); }
  Range(const char* message, std::int64_t number) { push(message, number); }
  ~Range() { pop(); }
  Range(const Range&) = delete;
  Range& operator=(const Range&) = delete;
};

}  // namespace gpufm::nvtx
