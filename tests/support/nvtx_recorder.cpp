// An NVTX tool for tests, as Nsight Systems is one: NVTX loads it from NVTX_INJECTION64_PATH at a
// process's first NVTX call, and it appends each range pushed or popped in a domain to the file
// that GPUFM_NVTX_LOG names, a line each: "push DOMAIN MESSAGE[#PAYLOAD]" and "pop DOMAIN".
#include <nvtx3/nvToolsExt.h>

#include <cstdio>
#include <cstdlib>

namespace {

std::FILE* log_file = nullptr;

const char* domain_name(nvtxDomainHandle_t domain) { return domain == nullptr ? "(none)" : reinterpret_cast<const char*>(domain); }

// A domain's handle is its name, kept for the life of the process.
nvtxDomainHandle_t create_domain(const char* name) {
  return reinterpret_cast<nvtxDomainHandle_t>(const_cast<char*>(name == nullptr ? "(unnamed)" : name));
}

int push_range(nvtxDomainHandle_t domain, const nvtxEventAttributes_t* event) {
  const char* message = event->messageType == NVTX_MESSAGE_TYPE_ASCII ? event->message.ascii : "(not ascii)";
  if (event->payloadType == NVTX_PAYLOAD_TYPE_INT64) {
    std::fprintf(log_file, "push %s %s#%lld\n", domain_name(domain), message, static_cast<long long>(event->payload.llValue));
  } else {
    std::fprintf(log_file, "push %s %s\n", domain_name(domain), message);
  }
  return 0;
}

int pop_range(nvtxDomainHandle_t domain) {
  std::fprintf(log_file, "pop %s\n", domain_name(domain));
  return 0;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table) {
  const char* path = std::getenv("GPUFM_NVTX_LOG");
  if (path == nullptr || (log_file = std::fopen(path, "a")) == nullptr) return 0;
  std::setvbuf(log_file, nullptr, _IOLBF, 0);  // a line at a time: the process may end without closing it
  const auto* callbacks = static_cast<const NvtxExportTableCallbacks*>(get_export_table(NVTX_ETID_CALLBACKS));
  NvtxFunctionTable table = nullptr;
  unsigned int size = 0;
  if (callbacks == nullptr || callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE2, &table, &size) == 0 ||
      size <= NVTX_CBID_CORE2_DomainCreateA) {
    return 0;
  }
  *table[NVTX_CBID_CORE2_DomainCreateA] = reinterpret_cast<NvtxFunctionPointer>(&create_domain);
  *table[NVTX_CBID_CORE2_DomainRangePushEx] = reinterpret_cast<NvtxFunctionPointer>(&push_range);
  *table[NVTX_CBID_CORE2_DomainRangePop] = reinterpret_cast<NvtxFunctionPointer>(&pop_range);
  return 1;
}
