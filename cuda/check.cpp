#include "cuda/check.hpp"

#include <string>

namespace gpufm::cuda {

void throw_device_error(const char* library_status, const char* call, const char* file, int line) {
  throw DeviceError(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " + library_status);
}

}  // namespace gpufm::cuda
