#include "cuda/check.hpp"

#include <string>

namespace gpufm::cuda {

void throw_device_error(const char* library_status, const char* call, const char* file, int line) {
  throw DeviceError(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " + library_status);
}

namespace {

// A fault inside a running kernel, which the next call to meet it reports, whatever that call is;
// the context is unusable from then on.
bool kernel_fault(cudaError_t status) {
  switch (status) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorMisalignedAddress:
    case cudaErrorIllegalInstruction:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorHardwareStackError:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout: return true;
    default: return false;
  }
}

}  // namespace

void throw_runtime_error(cudaError_t status, const char* call, const char* file, int line) {
  const std::string words = cudaGetErrorString(status);
  throw_device_error(kernel_fault(status)
                         ? (words + " (a kernel queued before this call faulted; CUDA_LAUNCH_BLOCKING=1 or compute-sanitizer names it)").c_str()
                         : words.c_str(),
                     call, file, line);
}

}  // namespace gpufm::cuda
