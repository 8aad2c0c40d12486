#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gpufm/error.hpp"
#include "gpufm/png.hpp"
#include "gpufm/tfevents.hpp"
#include "io/crc32c.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

std::span<const std::byte> bytes_of(std::string_view text) { return std::as_bytes(std::span(text.data(), text.size())); }

std::uint64_t little_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// The fields of one protobuf message by number: varints and fixed-size values as integers,
// length-delimited ones as their bytes. Enough for the Event messages the writer makes.
struct ProtobufFields {
  std::multimap<int, std::uint64_t> numbers;
  std::multimap<int, std::string> strings;

  std::uint64_t number(int field) const { return numbers.count(field) == 1 ? numbers.find(field)->second : ~0ull; }
  std::string string(int field) const { return strings.count(field) == 1 ? strings.find(field)->second : "<absent>"; }
};

std::uint64_t read_varint(std::string_view& bytes) {
  std::uint64_t value = 0;
  for (int shift = 0; !bytes.empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes.front());
    bytes.remove_prefix(1);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  ADD_FAILURE() << "varint runs past the message's end";
  return value;
}

ProtobufFields parse_message(std::string_view bytes) {
  ProtobufFields fields;
  while (!bytes.empty()) {
    const std::uint64_t key = read_varint(bytes);
    const int field = static_cast<int>(key >> 3);
    switch (key & 7) {
      case 0: fields.numbers.emplace(field, read_varint(bytes)); break;
      case 1: fields.numbers.emplace(field, little_endian(bytes.substr(0, 8))); bytes.remove_prefix(8); break;
      case 5: fields.numbers.emplace(field, little_endian(bytes.substr(0, 4))); bytes.remove_prefix(4); break;
      case 2: {
        const auto size = static_cast<std::size_t>(read_varint(bytes));
        if (size > bytes.size()) {
          ADD_FAILURE() << "field " << field << " runs past the message's end";
          return fields;
        }
        fields.strings.emplace(field, std::string(bytes.substr(0, size)));
        bytes.remove_prefix(size);
        break;
      }
      default: ADD_FAILURE() << "wire type " << (key & 7) << " in field " << field; return fields;
    }
  }
  return fields;
}

// The payloads of a TFRecord file, each record's framing and both CRCs checked.
std::vector<std::string> read_records(const std::filesystem::path& path) {
  const std::string file = test::read_file(path);
  std::string_view rest = file;
  std::vector<std::string> payloads;
  while (!rest.empty()) {
    if (rest.size() < 12) {
      ADD_FAILURE() << "a record header cut short at byte " << file.size() - rest.size();
      break;
    }
    const std::uint64_t length = little_endian(rest.substr(0, 8));
    EXPECT_EQ(little_endian(rest.substr(8, 4)), io::masked_crc32c(bytes_of(rest.substr(0, 8)))) << "length CRC";
    if (rest.size() < 16 + length) {
      ADD_FAILURE() << "a record cut short at byte " << file.size() - rest.size();
      break;
    }
    const std::string_view payload = rest.substr(12, length);
    EXPECT_EQ(little_endian(rest.substr(12 + length, 4)), io::masked_crc32c(bytes_of(payload))) << "payload CRC";
    payloads.emplace_back(payload);
    rest.remove_prefix(16 + length);
  }
  return payloads;
}

double as_double(std::uint64_t bits) { return std::bit_cast<double>(bits); }
float as_float(std::uint64_t bits) { return std::bit_cast<float>(static_cast<std::uint32_t>(bits)); }

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The Summary.Value of an event holding one: Event.summary (5) -> Summary.value (1).
ProtobufFields summary_value_of(const ProtobufFields& event) {
  return parse_message(parse_message(event.string(5)).string(1));
}

TEST(Crc32c, MatchesTheStandardCheckValues) {
  EXPECT_EQ(io::crc32c(bytes_of("123456789")), 0xE3069283u);
  // RFC 3720 (iSCSI), appendix B.4.
  std::vector<std::byte> bytes(32, std::byte{0});
  EXPECT_EQ(io::crc32c(bytes), 0x8A9136AAu);
  std::fill(bytes.begin(), bytes.end(), std::byte{0xFF});
  EXPECT_EQ(io::crc32c(bytes), 0x62A8AB43u);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i);
  EXPECT_EQ(io::crc32c(bytes), 0x46DD794Eu);
  EXPECT_EQ(io::crc32c({}), 0u);
}

// TensorBoard's own vector (tensorboard/data/server/masked_crc.rs).
TEST(Crc32c, MaskedAsTensorBoardMasksIt) {
  EXPECT_EQ(io::masked_crc32c(bytes_of("\x1a\x11" "CRC test, one two")), 0x5794D08Au);
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// events.out.tfevents.<10-digit seconds>.<hostname>.<pid>.<n>
TEST(EventFileWriter, NamesTheFileAsTensorBoardsWriterDoes) {
  const test::TempDir dir;
  const EventFileWriter first(dir / "logs" / "train");
  const EventFileWriter second(dir / "logs" / "train");
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  const std::string prefix = "events.out.tfevents.";
  const std::string host_and_pid = std::string(".") + host.data() + "." + std::to_string(::getpid()) + ".";
  const std::string name = first.path().filename().string();
  ASSERT_GT(name.size(), prefix.size() + 10 + host_and_pid.size()) << name;
  EXPECT_EQ(name.substr(0, prefix.size()), prefix);
  EXPECT_TRUE(all_digits(name.substr(prefix.size(), 10))) << name;
  EXPECT_EQ(name.substr(prefix.size() + 10, host_and_pid.size()), host_and_pid);
  EXPECT_TRUE(all_digits(name.substr(prefix.size() + 10 + host_and_pid.size()))) << name;
  EXPECT_EQ(first.path().parent_path(), dir / "logs" / "train");
  EXPECT_NE(first.path(), second.path());
  EXPECT_TRUE(std::filesystem::exists(second.path()));
}

TEST(EventFileWriter, StartsWithTheFileVersionEvent) {
  const test::TempDir dir;
  const double before = seconds_now();
  const EventFileWriter writer(dir.path());
  const double after = seconds_now();
  const std::vector<std::string> records = read_records(writer.path());
  ASSERT_EQ(records.size(), 1u);
  const ProtobufFields event = parse_message(records[0]);
  EXPECT_EQ(event.string(3), "brain.Event:2");
  EXPECT_GE(as_double(event.number(1)), before);
  EXPECT_LE(as_double(event.number(1)), after);
  EXPECT_EQ(event.numbers.count(2), 0u) << "no step";
}

TEST(EventFileWriter, WritesScalarsAsSimpleValues) {
  const test::TempDir dir;
  EventFileWriter writer(dir.path());
  writer.scalar("epoch_loss", 0, 0.6931);
  writer.scalar("epoch_accuracy", 12345678901, 0.875);
  writer.flush();
  const std::vector<std::string> records = read_records(writer.path());
  ASSERT_EQ(records.size(), 3u);
  const ProtobufFields loss = parse_message(records[1]);
  EXPECT_EQ(loss.number(2), 0u);
  EXPECT_EQ(summary_value_of(loss).string(1), "epoch_loss");
  EXPECT_EQ(as_float(summary_value_of(loss).number(2)), 0.6931f);
  const ProtobufFields accuracy = parse_message(records[2]);
  EXPECT_EQ(accuracy.number(2), 12345678901u);
  EXPECT_EQ(summary_value_of(accuracy).string(1), "epoch_accuracy");
  EXPECT_EQ(as_float(summary_value_of(accuracy).number(2)), 0.875f);
}

TEST(EventFileWriter, WritesImagesAsPngSummaries) {
  const test::TempDir dir;
  const Image image{3, 2, 1, {0, 50, 100, 150, 200, 250}};
  EventFileWriter writer(dir.path());
  writer.image("reconstructions", 4, image);
  writer.flush();
  const std::vector<std::string> records = read_records(writer.path());
  ASSERT_EQ(records.size(), 2u);
  const ProtobufFields event = parse_message(records[1]);
  EXPECT_EQ(event.number(2), 4u);
  const ProtobufFields value = summary_value_of(event);
  EXPECT_EQ(value.string(1), "reconstructions");
  const ProtobufFields summary_image = parse_message(value.string(4));
  EXPECT_EQ(summary_image.number(1), 2u) << "height";
  EXPECT_EQ(summary_image.number(2), 3u) << "width";
  EXPECT_EQ(summary_image.number(3), 1u) << "colorspace: gray";
  const std::vector<std::byte> png = encode_png(image);
  EXPECT_EQ(summary_image.string(4), std::string(reinterpret_cast<const char*>(png.data()), png.size()));
}

TEST(Histogram, EqualBucketsFromTheMinimumTheMaximumInTheLast) {
  const std::vector<float> values = {0, 1, 2, 3};
  const Histogram h = histogram_of(values, 3);
  EXPECT_EQ(h.min, 0);
  EXPECT_EQ(h.max, 3);
  EXPECT_EQ(h.num, 4);
  EXPECT_EQ(h.sum, 6);
  EXPECT_EQ(h.sum_squares, 14);
  EXPECT_EQ(h.bucket_limit, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(h.bucket, (std::vector<double>{1, 1, 2}));
  const Histogram constant = histogram_of(std::vector<float>{2, 2});
  EXPECT_EQ(constant.bucket_limit, (std::vector<double>{2}));
  EXPECT_EQ(constant.bucket, (std::vector<double>{2}));
  const Histogram none = histogram_of({});
  EXPECT_EQ(none.num, 0);
  EXPECT_TRUE(none.bucket.empty());
  EXPECT_EQ(histogram_of(values).bucket.size(), 30u) << "Keras' default";
}

TEST(EventFileWriter, AppendsEventsOnlyWhenFlushedOrClosed) {
  const test::TempDir dir;
  std::filesystem::path path;
  {
    EventFileWriter writer(dir.path());
    path = writer.path();
    writer.scalar("epoch_loss", 0, 1.0);
    EXPECT_EQ(read_records(path).size(), 1u);
    writer.flush();
    EXPECT_EQ(read_records(path).size(), 2u);
    writer.scalar("epoch_loss", 1, 0.5);
  }
  EXPECT_EQ(read_records(path).size(), 3u);
}

TEST(EventFileWriter, NamesADirectoryItCannotCreate) {
  const test::TempDir dir;
  const std::filesystem::path file = dir.write("taken", "");
  const std::string message = test::error_of<IoError>([&] { EventFileWriter writer(file / "logs"); });
  test::expect_contains(message, {(file / "logs").string()});
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace gpufm
