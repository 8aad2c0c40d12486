// The safetensors format (Hugging Face's, read by PyTorch, JAX and Keras): an 8-byte
// little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte range
// in the data buffer, then the data buffer, which the tensors tile exactly.
// gpufm stores F32 weights and I64 counters, so those are the dtypes it reads and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gpufm {

enum class TensorDtype { f32, i64 };

std::string_view dtype_name(TensorDtype dtype);  // "F32", "I64": the format's names
std::size_t dtype_bytes(TensorDtype dtype);

struct NamedTensor {
  std::string name;
  TensorDtype dtype = TensorDtype::f32;
  std::vector<std::int64_t> shape;  // outermost first; empty for a scalar
  std::vector<std::byte> data;      // row-major, little-endian: product(shape) * dtype_bytes(dtype) bytes
};

// Tensors of the given values, row-major in the given shape. Throw std::logic_error when the
// number of values is not the shape's product.
NamedTensor f32_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);
NamedTensor i64_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const std::int64_t> values);

// A tensor's values. Throw std::logic_error when the tensor has the other dtype.
std::vector<float> f32_values(const NamedTensor& tensor);
std::vector<std::int64_t> i64_values(const NamedTensor& tensor);

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;  // the header's "__metadata__"
  std::vector<NamedTensor> tensors;             // decoded in the order of the data buffer

  const NamedTensor* find(std::string_view name) const;  // nullptr when there is none
};

// The file's bytes, as Hugging Face's writer lays them out: the metadata first in the header,
// the header padded with spaces to a multiple of 8 bytes, and the tensors ordered by descending
// dtype size, then by name, so that every tensor is aligned to its dtype. Throws
// std::logic_error for what cannot be written: a data size that does not match the shape, a
// negative size, a duplicate name, the reserved name "__metadata__", or text that is not UTF-8.
std::vector<std::byte> encode_safetensors(const SafetensorsFile& file);

// Reads a file's bytes, checking everything the format requires and rejecting what gpufm cannot
// use (dtypes other than F32 and I64, duplicate JSON keys). Throws InputError with a one-line
// message "ORIGIN: problem", where origin names the file.
SafetensorsFile decode_safetensors(std::span<const std::byte> bytes, const std::string& origin);

// encode_safetensors written with write_file_atomically (IoError when the disk refuses it).
void save_safetensors(const std::filesystem::path& path, const SafetensorsFile& file);

// decode_safetensors of the file's bytes; InputError too when it cannot be read.
SafetensorsFile load_safetensors(const std::filesystem::path& path);

// Throws InputError "ORIGIN: tensor "NAME": NaN at index [i, j]" for the first NaN or infinity of
// an F32 tensor; weights that are not finite cannot train or predict anything.
void check_finite(const NamedTensor& tensor, const std::string& origin);

}  // namespace gpufm
