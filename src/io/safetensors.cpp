// Decoding makes the checks of Hugging Face's reference reader (the header bound, data offsets
// that tile the buffer exactly) and one it does not need: nlohmann's parser keeps the last of
// duplicate keys, so two entries for one tensor would silently become one; they are refused.
#include "gpufm/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include "gpufm/atomic_file.hpp"
#include "gpufm/error.hpp"
#include "gpufm/format.hpp"
#include "gpufm/shape.hpp"
#include "gpufm/text_file.hpp"
#include "io/record_json.hpp"

namespace gpufm {

// Tensor data is copied between the file and memory as is.
static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

using Json = nlohmann::json;

constexpr std::size_t length_bytes = 8;
// The reference reader's bound: far above any real header, and it caps what a corrupt length
// makes the parser read.
constexpr std::uint64_t max_header_bytes = 100'000'000;
constexpr std::string_view metadata_key = "__metadata__";
constexpr std::size_t read_chunk_bytes = std::size_t{1} << 20;

// Names as JSON strings: quoted, and escaped so that no name can break the one-line message.
std::string json_quoted(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// 1,234 for counts a 64-bit signed integer holds, plain digits for larger ones.
std::string count_text(std::uint64_t count) {
  return count <= INT64_MAX ? with_commas(static_cast<std::int64_t>(count)) : std::to_string(count);
}

// "an object", "a number", "null": what a JSON value is, for messages.
std::string json_kind(const Json& value) {
  if (value.is_null()) return "null";
  return std::string(value.is_object() || value.is_array() ? "an " : "a ") + value.type_name();
}

// An unsigned value above INT64_MAX reads back negative here, so it fails the test too.
bool is_count(const Json& value) { return value.is_number_integer() && value.get<std::int64_t>() >= 0; }

std::uint64_t read_little_endian_u64(std::span<const std::byte, length_bytes> bytes) {
  std::uint64_t value = 0;
  for (auto byte = bytes.rbegin(); byte != bytes.rend(); ++byte) {
    value = (value << 8) | std::to_integer<std::uint64_t>(*byte);
  }
  return value;
}

void append_little_endian_u64(std::vector<std::byte>& out, std::uint64_t value) {
  for (std::size_t i = 0; i < length_bytes; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

template <class T>
NamedTensor tensor_of(std::string name, TensorDtype dtype, std::vector<std::int64_t> shape, std::span<const T> values) {
  if (static_cast<std::int64_t>(values.size()) != product(shape)) {
    throw std::logic_error("tensor " + json_quoted(name) + ": " + std::to_string(values.size()) +
                           " values do not fill its shape");
  }
  const std::span<const std::byte> bytes = std::as_bytes(values);
  return {std::move(name), dtype, std::move(shape), {bytes.begin(), bytes.end()}};
}

template <class T>
std::vector<T> values_of(const NamedTensor& tensor, TensorDtype dtype) {
  if (tensor.dtype != dtype) {
    throw std::logic_error("tensor " + json_quoted(tensor.name) + " is " + std::string(dtype_name(tensor.dtype)) +
                           ", not " + std::string(dtype_name(dtype)));
  }
  std::vector<T> values(tensor.data.size() / sizeof(T));
  // memcpy takes no null pointer, which is what an empty vector's data() may be.
  if (!values.empty()) std::memcpy(values.data(), tensor.data.data(), values.size() * sizeof(T));
  return values;
}

// The tensors in the order the data buffer holds them, after the checks encode_safetensors promises.
std::vector<const NamedTensor*> buffer_order(const std::vector<NamedTensor>& tensors) {
  std::set<std::string_view> names;
  std::vector<const NamedTensor*> order;
  for (const NamedTensor& tensor : tensors) {
    const std::string name = json_quoted(tensor.name);
    if (tensor.name == metadata_key) throw std::logic_error("a tensor cannot be named " + name);
    if (!names.insert(tensor.name).second) throw std::logic_error("two tensors are named " + name);
    if (std::ranges::any_of(tensor.shape, [](std::int64_t size) { return size < 0; })) {
      throw std::logic_error("tensor " + name + " has a negative size");
    }
    const auto needed = static_cast<std::size_t>(product(tensor.shape)) * dtype_bytes(tensor.dtype);
    if (tensor.data.size() != needed) {
      throw std::logic_error("tensor " + name + " has " + std::to_string(tensor.data.size()) +
                             " bytes of data, its shape needs " + std::to_string(needed));
    }
    order.push_back(&tensor);
  }
  // Larger dtypes first keeps every tensor aligned to its dtype, as the buffer starts 8-aligned.
  std::ranges::sort(order, [](const NamedTensor* a, const NamedTensor* b) {
    const std::size_t a_bytes = dtype_bytes(a->dtype);
    const std::size_t b_bytes = dtype_bytes(b->dtype);
    return a_bytes != b_bytes ? a_bytes > b_bytes : a->name < b->name;
  });
  return order;
}

std::string header_text(const std::map<std::string, std::string>& metadata,
                        std::span<const NamedTensor* const> order) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[std::string(metadata_key)] = metadata;
  std::uint64_t offset = 0;
  for (const NamedTensor* tensor : order) {
    const std::uint64_t end = offset + tensor->data.size();
    header[tensor->name] = {
        {"dtype", std::string(dtype_name(tensor->dtype))}, {"shape", tensor->shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::type_error& e) {
    throw std::logic_error(std::string("tensor names and metadata must be UTF-8: ") + e.what());
  }
  text.resize((text.size() + length_bytes - 1) / length_bytes * length_bytes, ' ');
  return text;
}

// The start of every message about one file, or about one tensor in it.
class ErrorPrefix {
 public:
  explicit ErrorPrefix(std::string prefix) : prefix_(std::move(prefix)) {}
  ErrorPrefix for_tensor(const std::string& name) const {
    return ErrorPrefix(prefix_ + "tensor " + json_quoted(name) + ": ");
  }
  InputError error(const std::string& problem) const { return InputError(prefix_ + problem); }

 private:
  std::string prefix_;
};

Json parse_header(std::span<const std::byte> header, const ErrorPrefix& file) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  const auto refuse_duplicate_keys = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) keys_of_open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end) keys_of_open_objects.pop_back();
    if (event == Json::parse_event_t::key && !keys_of_open_objects.back().insert(parsed.get<std::string>()).second) {
      throw file.error("header has the key " + parsed.dump() + " twice in one object");
    }
    return true;
  };
  const auto* text = reinterpret_cast<const char*>(header.data());
  try {
    return Json::parse(text, text + header.size(), refuse_duplicate_keys);
  } catch (const Json::exception& e) {
    // A syntax error, or a number too large for a double (out_of_range: "number overflow ...").
    throw file.error("header is not valid JSON: " + json_reason(e));
  }
}

std::map<std::string, std::string> read_metadata(const Json& value, const ErrorPrefix& file) {
  const std::string key = json_quoted(metadata_key);
  if (!value.is_object()) throw file.error(key + " is " + json_kind(value) + ", expected an object of strings");
  std::map<std::string, std::string> metadata;
  for (const auto& [name, text] : value.items()) {
    if (!text.is_string()) {
      throw file.error(key + " value for " + json_quoted(name) + " is " + json_kind(text) + ", expected a string");
    }
    metadata.emplace(name, text.get<std::string>());
  }
  return metadata;
}

const Json& field(const Json& entry, const std::string& name, const ErrorPrefix& tensor) {
  const auto found = entry.find(name);
  if (found == entry.end()) throw tensor.error("no " + json_quoted(name) + " in its entry");
  return *found;
}

TensorDtype read_dtype(const Json& value, const ErrorPrefix& tensor) {
  if (!value.is_string()) throw tensor.error("dtype is " + json_kind(value) + ", expected a string such as \"F32\"");
  for (const TensorDtype dtype : {TensorDtype::f32, TensorDtype::i64}) {
    if (value.get_ref<const std::string&>() == dtype_name(dtype)) return dtype;
  }
  throw tensor.error("dtype " + value.dump() + " is not supported, gpufm reads F32 and I64");
}

std::vector<std::int64_t> read_shape(const Json& value, const ErrorPrefix& tensor) {
  if (!value.is_array() || !std::ranges::all_of(value, is_count)) {
    throw tensor.error("shape " + value.dump() + " is not a list of non-negative integers below 2^63");
  }
  return value.get<std::vector<std::int64_t>>();
}

// The bytes a shape needs, or nothing when that is 2^63 or more (no file holds as much).
std::optional<std::uint64_t> needed_bytes(const std::vector<std::int64_t>& shape, TensorDtype dtype) {
  if (std::ranges::find(shape, 0) != shape.end()) return 0;
  std::uint64_t bytes = dtype_bytes(dtype);
  for (const std::int64_t size : shape) {
    if (bytes > INT64_MAX / static_cast<std::uint64_t>(size)) return std::nullopt;
    bytes *= static_cast<std::uint64_t>(size);
  }
  return bytes;
}

// A tensor with its place in the data buffer, [begin, end).
struct PlacedTensor {
  NamedTensor tensor;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

std::string bytes_text(std::uint64_t begin, std::uint64_t end) {
  return "bytes " + count_text(begin) + ".." + count_text(end);
}

PlacedTensor read_entry(const std::string& name, const Json& entry, std::uint64_t buffer_bytes,
                        const ErrorPrefix& file) {
  const ErrorPrefix tensor = file.for_tensor(name);
  if (!entry.is_object()) throw tensor.error("entry is " + json_kind(entry) + ", expected an object");
  PlacedTensor placed;
  placed.tensor.name = name;
  placed.tensor.dtype = read_dtype(field(entry, "dtype", tensor), tensor);
  const Json& shape = field(entry, "shape", tensor);
  placed.tensor.shape = read_shape(shape, tensor);

  const Json& offsets = field(entry, "data_offsets", tensor);
  if (!offsets.is_array() || offsets.size() != 2 || !std::ranges::all_of(offsets, is_count)) {
    throw tensor.error("data_offsets " + offsets.dump() + " are not two non-negative integers below 2^63");
  }
  placed.begin = offsets[0].get<std::uint64_t>();
  placed.end = offsets[1].get<std::uint64_t>();
  if (placed.end < placed.begin) throw tensor.error("data_offsets " + offsets.dump() + " end before they begin");
  if (placed.end > buffer_bytes) {
    throw tensor.error("data_offsets " + offsets.dump() + " run past the end of the " + count_text(buffer_bytes) +
                       "-byte data buffer");
  }

  const std::string shape_text = "shape " + shape.dump() + " of " + std::string(dtype_name(placed.tensor.dtype));
  const std::optional<std::uint64_t> needed = needed_bytes(placed.tensor.shape, placed.tensor.dtype);
  if (!needed) throw tensor.error(shape_text + " needs 2^63 bytes or more");
  if (*needed != placed.end - placed.begin) {
    throw tensor.error(shape_text + " needs " + count_text(*needed) + " bytes, but data_offsets " + offsets.dump() +
                       " hold " + count_text(placed.end - placed.begin));
  }
  return placed;
}

// The format leaves no byte of the buffer unaccounted for: no overlaps, no holes, no tail.
void check_tiling(std::vector<PlacedTensor>& placed, std::uint64_t buffer_bytes, const ErrorPrefix& file) {
  std::ranges::sort(placed, {}, [](const PlacedTensor& p) { return std::pair(p.begin, p.end); });
  const auto hole = [&](std::uint64_t begin, std::uint64_t end) {
    return file.error(bytes_text(begin, end) + " of the " + count_text(buffer_bytes) +
                      "-byte data buffer belong to no tensor");
  };
  const PlacedTensor* previous = nullptr;
  std::uint64_t covered = 0;
  for (const PlacedTensor& current : placed) {
    if (current.begin < covered) {
      throw file.error("tensors " + json_quoted(previous->tensor.name) + " (" +
                       bytes_text(previous->begin, previous->end) + ") and " + json_quoted(current.tensor.name) +
                       " (" + bytes_text(current.begin, current.end) + ") overlap");
    }
    if (current.begin > covered) throw hole(covered, current.begin);
    covered = current.end;
    previous = &current;
  }
  if (covered < buffer_bytes) throw hole(covered, buffer_bytes);
}

std::vector<std::byte> read_file_bytes(const std::filesystem::path& path) {
  if (const std::optional<std::string> why = why_not_a_file(path, "file")) throw InputError(path.string() + ": " + *why);
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw InputError(path.string() + ": cannot open: " + std::strerror(errno));
  std::vector<std::byte> bytes;
  std::size_t got = 0;
  do {
    const std::size_t old_size = bytes.size();
    bytes.resize(old_size + read_chunk_bytes);
    got = std::fread(bytes.data() + old_size, 1, read_chunk_bytes, file.get());
    bytes.resize(old_size + got);
  } while (got == read_chunk_bytes);
  if (std::ferror(file.get())) throw InputError(path.string() + ": cannot read: " + std::strerror(errno));
  return bytes;
}

std::string index_text(const std::vector<std::int64_t>& shape, std::int64_t flat_index) {
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t axis = shape.size(); axis-- > 0;) {
    index[axis] = flat_index % shape[axis];
    flat_index /= shape[axis];
  }
  std::string text = "[";
  for (std::size_t axis = 0; axis < index.size(); ++axis) text += (axis > 0 ? ", " : "") + std::to_string(index[axis]);
  return text + "]";
}

}  // namespace

std::string_view dtype_name(TensorDtype dtype) {
  switch (dtype) {
    case TensorDtype::f32: return "F32";
    case TensorDtype::i64: return "I64";
  }
  throw std::logic_error("unknown TensorDtype");
}

std::size_t dtype_bytes(TensorDtype dtype) {
  switch (dtype) {
    case TensorDtype::f32: return sizeof(float);
    case TensorDtype::i64: return sizeof(std::int64_t);
  }
  throw std::logic_error("unknown TensorDtype");
}

NamedTensor f32_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values) {
  return tensor_of(std::move(name), TensorDtype::f32, std::move(shape), values);
}

NamedTensor i64_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const std::int64_t> values) {
  return tensor_of(std::move(name), TensorDtype::i64, std::move(shape), values);
}

std::vector<float> f32_values(const NamedTensor& tensor) { return values_of<float>(tensor, TensorDtype::f32); }

std::vector<std::int64_t> i64_values(const NamedTensor& tensor) {
  return values_of<std::int64_t>(tensor, TensorDtype::i64);
}

const NamedTensor* SafetensorsFile::find(std::string_view name) const {
  const auto found = std::ranges::find(tensors, name, &NamedTensor::name);
  return found == tensors.end() ? nullptr : &*found;
}

std::vector<std::byte> encode_safetensors(const SafetensorsFile& file) {
  const std::vector<const NamedTensor*> order = buffer_order(file.tensors);
  const std::string header = header_text(file.metadata, order);
  std::size_t total_bytes = length_bytes + header.size();
  for (const NamedTensor* tensor : order) total_bytes += tensor->data.size();

  std::vector<std::byte> bytes;
  bytes.reserve(total_bytes);
  append_little_endian_u64(bytes, header.size());
  const std::span<const std::byte> header_bytes = std::as_bytes(std::span(header));
  bytes.insert(bytes.end(), header_bytes.begin(), header_bytes.end());
  for (const NamedTensor* tensor : order) bytes.insert(bytes.end(), tensor->data.begin(), tensor->data.end());
  return bytes;
}

SafetensorsFile decode_safetensors(std::span<const std::byte> bytes, const std::string& origin) {
  const ErrorPrefix file(origin + ": ");
  if (bytes.size() < length_bytes) {
    throw file.error(std::to_string(bytes.size()) + " bytes, too short for the 8-byte header length");
  }
  const std::uint64_t header_bytes = read_little_endian_u64(bytes.first<length_bytes>());
  const std::uint64_t after_length = bytes.size() - length_bytes;
  if (header_bytes > max_header_bytes) {
    throw file.error("header length " + count_text(header_bytes) + " is above the limit of " +
                     count_text(max_header_bytes) + " bytes");
  }
  if (header_bytes > after_length) {
    throw file.error("header length " + count_text(header_bytes) + " runs past the end of the file, which has " +
                     count_text(after_length) + " bytes after the length");
  }
  const Json header = parse_header(bytes.subspan(length_bytes, header_bytes), file);
  if (!header.is_object()) throw file.error("header is " + json_kind(header) + ", expected an object");

  const std::span<const std::byte> buffer = bytes.subspan(length_bytes + header_bytes);
  SafetensorsFile decoded;
  std::vector<PlacedTensor> placed;
  for (const auto& [name, entry] : header.items()) {
    if (name == metadata_key) {
      decoded.metadata = read_metadata(entry, file);
    } else {
      placed.push_back(read_entry(name, entry, buffer.size(), file));
    }
  }
  check_tiling(placed, buffer.size(), file);
  for (PlacedTensor& tensor : placed) {
    const auto data = buffer.subspan(tensor.begin, tensor.end - tensor.begin);
    tensor.tensor.data.assign(data.begin(), data.end());
    decoded.tensors.push_back(std::move(tensor.tensor));
  }
  return decoded;
}

void save_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
  write_file_atomically(path, encode_safetensors(file));
}

SafetensorsFile load_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file_bytes(path), path.string());
}

void check_finite(const NamedTensor& tensor, const std::string& origin) {
  if (tensor.dtype != TensorDtype::f32) return;
  const std::vector<float> values = f32_values(tensor);
  const auto bad = std::ranges::find_if(values, [](float value) { return !std::isfinite(value); });
  if (bad == values.end()) return;
  const std::string what = std::isnan(*bad) ? "NaN" : *bad > 0 ? "inf" : "-inf";
  throw InputError(origin + ": tensor " + json_quoted(tensor.name) + ": " + what + " at index " +
                   index_text(tensor.shape, bad - values.begin()));
}

}  // namespace gpufm
