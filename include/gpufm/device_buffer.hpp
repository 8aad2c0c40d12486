// Backend memory: a pointer that only that backend's calls may touch, and its size.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace gpufm {

// Backend memory, freed by the backend that allocated it.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(void* data, std::size_t bytes, std::function<void(void*)> release)
      : data_(data, std::move(release)), bytes_(bytes) {}
  template <class T = void>
  T* as() const { return static_cast<T*>(data_.get()); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<void, std::function<void(void*)>> data_{nullptr, [](void*) {}};
  std::size_t bytes_ = 0;
};

}  // namespace gpufm
