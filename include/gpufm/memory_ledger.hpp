// A backend's count of its memory: buffers allocated so far, bytes held now and at most. Each
// buffer tells the ledger when it is freed; the counts live as long as the last of them, which
// may outlive the backend.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "gpufm/device_buffer.hpp"

namespace gpufm {

struct MemoryUse {
  std::size_t allocations = 0;  // allocate() calls so far: a training step makes none
  std::size_t bytes_in_use = 0;
  std::size_t peak_bytes = 0;  // the most held at once
};

class MemoryLedger {
 public:
  // `data` of `bytes`, handed to `release` when the buffer goes.
  DeviceBuffer track(void* data, std::size_t bytes, std::function<void(void*)> release) {
    use_->allocations += 1;
    use_->bytes_in_use += bytes;
    use_->peak_bytes = std::max(use_->peak_bytes, use_->bytes_in_use);
    return DeviceBuffer(data, bytes, [use = use_, bytes, release = std::move(release)](void* p) {
      use->bytes_in_use -= bytes;
      release(p);
    });
  }
  const MemoryUse& use() const { return *use_; }

 private:
  std::shared_ptr<MemoryUse> use_ = std::make_shared<MemoryUse>();
};

}  // namespace gpufm
