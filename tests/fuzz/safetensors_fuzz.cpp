// decode_safetensors on arbitrary bytes, as a checkpoint is read. What it accepts must survive
// encode_safetensors and read back the same: encode throws std::logic_error for anything the
// format forbids, so a file decode lets through but encode refuses is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.hpp"
#include "gpufm/safetensors.hpp"

namespace {

bool same_tensors(const gpufm::SafetensorsFile& a, const gpufm::SafetensorsFile& b) {
  if (a.tensors.size() != b.tensors.size()) return false;
  // Tensors of no bytes may share an offset, so the order of the buffer does not fix theirs.
  for (const gpufm::NamedTensor& tensor : a.tensors) {
    const gpufm::NamedTensor* other = b.find(tensor.name);
    if (other == nullptr || other->dtype != tensor.dtype || other->shape != tensor.shape || other->data != tensor.data) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gpufm::SafetensorsFile file;
  if (!gpufm::fuzz::accepted([&] { file = gpufm::decode_safetensors(std::as_bytes(std::span(data, size)), "fuzz"); })) {
    return 0;
  }
  const gpufm::SafetensorsFile again = gpufm::decode_safetensors(gpufm::encode_safetensors(file), "re-encoded");
  gpufm::fuzz::require(again.metadata == file.metadata && same_tensors(file, again),
                       "a decoded file does not read back the same once encoded");
  for (const gpufm::NamedTensor& tensor : file.tensors) {
    gpufm::fuzz::accepted([&] { gpufm::check_finite(tensor, "fuzz"); });
  }
  return 0;
}
