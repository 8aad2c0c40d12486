#include "gpufm/tfevents.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "gpufm/error.hpp"
#include "gpufm/png.hpp"
#include "io/crc32c.hpp"
#include "io/protobuf_writer.hpp"

namespace gpufm {

namespace {

// Field numbers of tensorboard/compat/proto/event.proto and summary.proto.
namespace event_field {
constexpr int wall_time = 1, step = 2, file_version = 3, summary = 5;
}
constexpr int summary_value_field = 1;
namespace value_field {
constexpr int tag = 1, simple_value = 2, image = 4, histo = 5;
}
namespace histogram_field {
constexpr int min = 1, max = 2, num = 3, sum = 4, sum_squares = 5, bucket_limit = 6, bucket = 7;
}
namespace image_field {
constexpr int height = 1, width = 2, colorspace = 3, encoded_image_string = 4;
}

constexpr std::string_view file_version = "brain.Event:2";

std::atomic<int> event_files_created{0};

std::filesystem::path new_event_file_path(const std::filesystem::path& directory) {
  std::array<char, 256> name{};  // the last char stays the terminator
  const std::string host = ::gethostname(name.data(), name.size() - 1) == 0 ? name.data() : "localhost";
  std::array<char, 24> seconds{};
  std::snprintf(seconds.data(), seconds.size(), "%010lld", static_cast<long long>(std::time(nullptr)));
  return directory / ("events.out.tfevents." + std::string(seconds.data()) + "." + host + "." +
                      std::to_string(::getpid()) + "." + std::to_string(event_files_created++));
}

double seconds_since_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

io::ProtobufMessage event_at(std::int64_t step) {
  io::ProtobufMessage event;
  event.add_double(event_field::wall_time, seconds_since_epoch());
  event.add_int(event_field::step, step);
  return event;
}

// A Summary.Value with its tag, for its one kind of value to be added.
io::ProtobufMessage tagged_value(std::string_view tag) {
  io::ProtobufMessage value;
  value.add_string(value_field::tag, tag);
  return value;
}

// The event at `step` of a summary holding the one value.
io::ProtobufMessage summary_event(std::int64_t step, const io::ProtobufMessage& value) {
  io::ProtobufMessage summary;
  summary.add_message(summary_value_field, value);
  io::ProtobufMessage event = event_at(step);
  event.add_message(event_field::summary, summary);
  return event;
}

void append_little_endian(std::vector<std::byte>& out, std::uint64_t value, int byte_count) {
  for (int i = 0; i < byte_count; ++i) out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFF));
}

IoError write_error(const std::filesystem::path& path, int error_number) {
  return IoError("could not write " + path.string() + ": " + std::strerror(error_number));
}

}  // namespace

Histogram histogram_of(std::span<const float> values, int buckets) {
  Histogram h;
  if (values.empty()) return h;
  const auto [least, most] = std::minmax_element(values.begin(), values.end());
  h.min = *least;
  h.max = *most;
  h.num = static_cast<double>(values.size());
  for (const float v : values) {
    h.sum += v;
    h.sum_squares += static_cast<double>(v) * v;
  }
  const int count = h.max > h.min ? std::max(buckets, 1) : 1;
  const double width = (h.max - h.min) / count;
  h.bucket.assign(static_cast<std::size_t>(count), 0);
  for (int i = 0; i < count; ++i) h.bucket_limit.push_back(i + 1 == count ? h.max : h.min + width * (i + 1));
  for (const float v : values) {
    // The last bucket holds the maximum itself.
    const auto i = count == 1 ? 0 : std::min(static_cast<int>((v - h.min) / width), count - 1);
    h.bucket[static_cast<std::size_t>(i)] += 1;
  }
  return h;
}

EventFileWriter::EventFileWriter(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw IoError("could not create " + directory.string() + ": " + error.message());
  path_ = new_event_file_path(directory);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) throw write_error(path_, errno);

  io::ProtobufMessage event;
  event.add_double(event_field::wall_time, seconds_since_epoch());
  event.add_string(event_field::file_version, file_version);
  add_event(event.bytes());
  try {
    flush();
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

EventFileWriter::~EventFileWriter() {
  try {
    flush();
  } catch (const IoError&) {
    // Destructors must not throw; callers that need to know flush() first.
  }
  ::close(fd_);
}

void EventFileWriter::scalar(std::string_view tag, std::int64_t step, double value) {
  io::ProtobufMessage summary_value = tagged_value(tag);
  summary_value.add_float(value_field::simple_value, static_cast<float>(value));
  add_event(summary_event(step, summary_value).bytes());
}

void EventFileWriter::image(std::string_view tag, std::int64_t step, const Image& image) {
  io::ProtobufMessage encoded;
  encoded.add_int(image_field::height, image.height);
  encoded.add_int(image_field::width, image.width);
  encoded.add_int(image_field::colorspace, image.channels);  // 1 gray, 3 RGB: the same numbers
  encoded.add_bytes(image_field::encoded_image_string, encode_png(image));
  io::ProtobufMessage summary_value = tagged_value(tag);
  summary_value.add_message(value_field::image, encoded);
  add_event(summary_event(step, summary_value).bytes());
}

void EventFileWriter::histogram(std::string_view tag, std::int64_t step, std::span<const float> values) {
  const Histogram h = histogram_of(values);
  io::ProtobufMessage histo;
  histo.add_double(histogram_field::min, h.min);
  histo.add_double(histogram_field::max, h.max);
  histo.add_double(histogram_field::num, h.num);
  histo.add_double(histogram_field::sum, h.sum);
  histo.add_double(histogram_field::sum_squares, h.sum_squares);
  histo.add_packed_doubles(histogram_field::bucket_limit, h.bucket_limit);
  histo.add_packed_doubles(histogram_field::bucket, h.bucket);
  io::ProtobufMessage summary_value = tagged_value(tag);
  summary_value.add_message(value_field::histo, histo);
  add_event(summary_event(step, summary_value).bytes());
}

// A TFRecord: the payload's length (8 bytes), its masked CRC, the payload, the payload's masked
// CRC, all little-endian.
void EventFileWriter::add_event(std::span<const std::byte> event) {
  std::vector<std::byte> length;
  append_little_endian(length, event.size(), 8);
  unwritten_.insert(unwritten_.end(), length.begin(), length.end());
  append_little_endian(unwritten_, io::masked_crc32c(length), 4);
  unwritten_.insert(unwritten_.end(), event.begin(), event.end());
  append_little_endian(unwritten_, io::masked_crc32c(event), 4);
}

// write() may take fewer bytes than offered; what it took is dropped from unwritten_ at once, so
// that a failure part-way leaves the rest, and the records stay whole once a later flush succeeds.
void EventFileWriter::flush() {
  while (!unwritten_.empty()) {
    const ssize_t written = ::write(fd_, unwritten_.data(), unwritten_.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw write_error(path_, errno);
    }
    unwritten_.erase(unwritten_.begin(), unwritten_.begin() + written);
  }
}

}  // namespace gpufm
