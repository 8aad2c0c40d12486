#include "gpufm/nvtx.hpp"

#if GPUFM_NVTX
#include <nvtx3/nvToolsExt.h>
#endif

namespace gpufm::nvtx {

#if GPUFM_NVTX

namespace {

nvtxDomainHandle_t domain() {
  static const nvtxDomainHandle_t gpufm_domain = nvtxDomainCreateA("gpufm");
  return gpufm_domain;
}

nvtxEventAttributes_t attributes(const char* message) {
  nvtxEventAttributes_t event{};
  event.version = NVTX_VERSION;
  event.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  event.messageType = NVTX_MESSAGE_TYPE_ASCII;
  event.message.ascii = message;
  return event;
}

}  // namespace

void push(const char* message) {
  const nvtxEventAttributes_t event = attributes(message);
  nvtxDomainRangePushEx(domain(), &event);
}

void push(const char* message, std::int64_t number) {
  nvtxEventAttributes_t event = attributes(message);
  event.payloadType = NVTX_PAYLOAD_TYPE_INT64;
  event.payload.llValue = number;
  nvtxDomainRangePushEx(domain(), &event);
}

void pop() { nvtxDomainRangePop(domain()); }

#else

void push(const char*) {}
void push(const char*, std::int64_t) {}
void pop() {}

#endif

}  // namespace gpufm::nvtx
