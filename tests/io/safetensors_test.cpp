#include "gpufm/safetensors.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

const std::string origin = "model.safetensors";

// A file as the format lays it out: the length field (the header's size unless given), the
// header, then a data buffer of zeros.
std::vector<std::byte> file_with(const std::string& header, std::size_t buffer_bytes,
                                 std::optional<std::uint64_t> header_length = std::nullopt) {
  const std::uint64_t length = header_length.value_or(header.size());
  std::vector<std::byte> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::byte>(length >> (8 * i)));
  const auto header_bytes = std::as_bytes(std::span(header));
  bytes.insert(bytes.end(), header_bytes.begin(), header_bytes.end());
  bytes.resize(bytes.size() + buffer_bytes);
  return bytes;
}

void expect_decode_error(const std::vector<std::byte>& bytes, std::vector<std::string> words) {
  words.push_back(origin + ": ");
  expect_input_error([&] { decode_safetensors(bytes, origin); }, words);
}

// A header whose one tensor "w" has the given fields, over a buffer of buffer_bytes.
void expect_entry_error(const std::string& fields, std::size_t buffer_bytes, std::vector<std::string> words) {
  words.push_back("tensor \"w\": ");
  expect_decode_error(file_with(R"({"w":{)" + fields + "}}", buffer_bytes), words);
}

const std::vector<float> weights = {0.5f, -1.25f, 3.0f, 1e-7f};
const std::vector<float> biases = {0.0f, -2.5f};
const std::vector<std::int64_t> steps = {123456789012345};

SafetensorsFile small_model() {
  return {{{"format", "pt"}},
          {f32_tensor("fc.weight", {2, 2}, weights), f32_tensor("fc.bias", {2}, biases)}};
}

TEST(Safetensors, RoundTripsF32AndI64TensorsWithMetadata) {
  TempDir dir;
  SafetensorsFile file = small_model();
  file.metadata["epoch"] = "3";
  file.tensors.push_back(i64_tensor("optimizer.step", {}, steps));
  file.tensors.push_back(f32_tensor("empty", {0, 3}, {}));
  save_safetensors(dir / "model.safetensors", file);

  const SafetensorsFile loaded = load_safetensors(dir / "model.safetensors");
  EXPECT_EQ(loaded.metadata, file.metadata);
  ASSERT_EQ(loaded.tensors.size(), 4u);
  for (const NamedTensor& tensor : file.tensors) {
    const NamedTensor* found = loaded.find(tensor.name);
    ASSERT_NE(found, nullptr) << tensor.name;
    EXPECT_EQ(found->dtype, tensor.dtype) << tensor.name;
    EXPECT_EQ(found->shape, tensor.shape) << tensor.name;
    EXPECT_EQ(found->data, tensor.data) << tensor.name;
  }
  EXPECT_EQ(f32_values(*loaded.find("fc.weight")), weights);
  EXPECT_EQ(i64_values(*loaded.find("optimizer.step")), steps);
  EXPECT_EQ(loaded.find("fc.missing"), nullptr);
}

// I64 before F32 keeps the 8-byte values 8-aligned; names order each dtype; decoding keeps that order.
TEST(Safetensors, OrdersTheBufferByDtypeSizeThenName) {
  SafetensorsFile file = small_model();
  file.tensors.push_back(i64_tensor("step", {1}, steps));
  std::vector<std::string> names;
  for (const NamedTensor& tensor : decode_safetensors(encode_safetensors(file), origin).tensors) {
    names.push_back(tensor.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"step", "fc.bias", "fc.weight"}));
}

// The layout Hugging Face's writer gives this model: metadata first, compact JSON padded with
// spaces to a multiple of 8, offsets that tile the buffer in the order of the header.
TEST(Safetensors, EncodesAKnownFileByteForByte) {
  const std::vector<std::byte> bytes = encode_safetensors(small_model());
  const std::string json =
      R"({"__metadata__":{"format":"pt"},)"
      R"("fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}})";
  const std::string header = json + std::string(8 - json.size() % 8, ' ');
  ASSERT_EQ(header.size() % 8, 0u);

  std::vector<std::byte> expected = file_with(header, 0);
  for (const std::vector<float>* values : {&biases, &weights}) {
    const auto data = std::as_bytes(std::span(*values));
    expected.insert(expected.end(), data.begin(), data.end());
  }
  EXPECT_EQ(bytes, expected);

  const SafetensorsFile decoded = decode_safetensors(bytes, origin);
  EXPECT_EQ(decoded.metadata, small_model().metadata);
  EXPECT_EQ(f32_values(*decoded.find("fc.weight")), weights);
  EXPECT_EQ(f32_values(*decoded.find("fc.bias")), biases);
}

TEST(Safetensors, AcceptsAnEmptyFileOfNoTensors) {
  const SafetensorsFile decoded = decode_safetensors(file_with("{}      ", 0), origin);
  EXPECT_TRUE(decoded.metadata.empty());
  EXPECT_TRUE(decoded.tensors.empty());
}

TEST(Safetensors, EncodingRefusesTensorsItCannotWrite) {
  const auto encoding_error = [](SafetensorsFile file) {
    return error_of<std::logic_error>([&] { encode_safetensors(file); });
  };
  SafetensorsFile short_data = small_model();
  short_data.tensors[0].data.pop_back();
  expect_contains(encoding_error(short_data), {"\"fc.weight\" has 15 bytes of data, its shape needs 16"});
  SafetensorsFile duplicate = small_model();
  duplicate.tensors.push_back(duplicate.tensors[0]);
  expect_contains(encoding_error(duplicate), {"two tensors are named \"fc.weight\""});
  SafetensorsFile reserved = small_model();
  reserved.tensors[0].name = "__metadata__";
  expect_contains(encoding_error(reserved), {"a tensor cannot be named \"__metadata__\""});
}

TEST(Safetensors, MissingFileIsReported) {
  TempDir dir;
  const auto path = dir / "absent.safetensors";
  expect_input_error([&] { load_safetensors(path); }, {path.string() + ": no such file"});
}

TEST(Safetensors, FileShorterThanTheLengthFieldIsRejected) {
  TempDir dir;
  const auto path = dir.write("short.safetensors", "{}");
  expect_input_error([&] { load_safetensors(path); },
                     {path.string() + ": 2 bytes, too short for the 8-byte header length"});
}

TEST(Safetensors, HeaderLengthPastTheEndIsRejected) {
  expect_decode_error(file_with("{}", 0, 100), {"header length 100 runs past the end of the file, which has 2 bytes"});
}

TEST(Safetensors, HugeHeaderLengthIsRejectedBeforeReading) {
  expect_decode_error(file_with("{}", 0, std::uint64_t{1} << 40),
                      {"header length 1,099,511,627,776 is above the limit of 100,000,000 bytes"});
}

TEST(Safetensors, MalformedJsonIsReportedWithTheParsersReason) {
  expect_decode_error(file_with(R"({"w":{"dtype":)", 0), {"header is not valid JSON: parse error", "column"});
}

// Found by tests/fuzz (safetensors_fuzz): nlohmann reports such a number as out_of_range, not as
// a parse error, and it escaped as that exception instead of an InputError.
TEST(Safetensors, NumberTooLargeForADoubleIsReported) {
  expect_decode_error(file_with(R"({"w":1e400})", 0), {"header is not valid JSON: number overflow", "1e400"});
}

TEST(Safetensors, HeaderMustBeAnObject) {
  expect_decode_error(file_with("[1,2]", 0), {"header is an array, expected an object"});
}

TEST(Safetensors, DuplicateKeysAreRejected) {
  const std::string entry = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  expect_decode_error(file_with(R"({"w":)" + entry + R"(,"w":)" + entry + "}", 4),
                      {"header has the key \"w\" twice in one object"});
  expect_decode_error(file_with(R"({"w":{"dtype":"F32","dtype":"I64","shape":[1],"data_offsets":[0,4]}})", 4),
                      {"the key \"dtype\" twice"});
}

TEST(Safetensors, EntryMustBeAnObject) {
  expect_decode_error(file_with(R"({"w":[1]})", 0), {"tensor \"w\": entry is an array, expected an object"});
}

TEST(Safetensors, MissingFieldsAreNamed) {
  expect_entry_error(R"("shape":[1],"data_offsets":[0,4])", 4, {"no \"dtype\" in its entry"});
  expect_entry_error(R"("dtype":"F32","data_offsets":[0,4])", 4, {"no \"shape\" in its entry"});
  expect_entry_error(R"("dtype":"F32","shape":[1])", 4, {"no \"data_offsets\" in its entry"});
}

TEST(Safetensors, FieldsOfTheWrongJsonTypeAreRejected) {
  expect_entry_error(R"("dtype":32,"shape":[1],"data_offsets":[0,4])", 4, {"dtype is a number, expected a string"});
  expect_entry_error(R"("dtype":"F32","shape":"1","data_offsets":[0,4])", 4,
                     {"shape \"1\" is not a list of non-negative integers"});
  expect_entry_error(R"("dtype":"F32","shape":[1.0],"data_offsets":[0,4])", 4, {"shape [1.0] is not a list"});
  expect_entry_error(R"("dtype":"F32","shape":[1],"data_offsets":[4])", 4,
                     {"data_offsets [4] are not two non-negative integers"});
  expect_entry_error(R"("dtype":"F32","shape":[1],"data_offsets":[0,"4"])", 4, {"data_offsets [0,\"4\"] are not two"});
}

TEST(Safetensors, NegativeSizesAreRejected) {
  expect_entry_error(R"("dtype":"F32","shape":[2,-1],"data_offsets":[0,4])", 4,
                     {"shape [2,-1] is not a list of non-negative integers below 2^63"});
  expect_entry_error(R"("dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4])", 4,
                     {"shape [9223372036854775808] is not a list"});
}

TEST(Safetensors, OverflowingShapesAreRejected) {
  expect_entry_error(R"("dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4])", 4,
                     {"shape [4294967296,4294967296,4294967296] of F32 needs 2^63 bytes or more"});
  expect_entry_error(R"("dtype":"I64","shape":[2,4611686018427387904],"data_offsets":[0,4])", 4,
                     {"of I64 needs 2^63 bytes or more"});
}

TEST(Safetensors, UnsupportedDtypeIsNamed) {
  expect_entry_error(R"("dtype":"BF16","shape":[2],"data_offsets":[0,4])", 4,
                     {"dtype \"BF16\" is not supported, gpufm reads F32 and I64"});
}

TEST(Safetensors, OffsetsEndingBeforeTheyBeginAreRejected) {
  expect_entry_error(R"("dtype":"F32","shape":[1],"data_offsets":[4,0])", 4,
                     {"data_offsets [4,0] end before they begin"});
}

TEST(Safetensors, OffsetsPastTheBufferAreRejected) {
  expect_entry_error(R"("dtype":"F32","shape":[4],"data_offsets":[0,16])", 8,
                     {"data_offsets [0,16] run past the end of the 8-byte data buffer"});
}

TEST(Safetensors, SizeNotMatchingTheShapeIsRejected) {
  expect_entry_error(R"("dtype":"F32","shape":[2,2],"data_offsets":[0,12])", 12,
                     {"shape [2,2] of F32 needs 16 bytes, but data_offsets [0,12] hold 12"});
}

TEST(Safetensors, OverlappingTensorsAreNamed) {
  expect_decode_error(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                12),
                      {"tensors \"a\" (bytes 0..8) and \"b\" (bytes 4..12) overlap"});
}

TEST(Safetensors, HolesInTheBufferAreRejected) {
  expect_decode_error(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                                20),
                      {"bytes 8..12 of the 20-byte data buffer belong to no tensor"});
}

TEST(Safetensors, TrailingBytesAreRejected) {
  expect_decode_error(file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 7),
                      {"bytes 4..7 of the 7-byte data buffer belong to no tensor"});
}

TEST(Safetensors, MetadataMustMapNamesToStrings) {
  expect_decode_error(file_with(R"({"__metadata__":["pt"]})", 0),
                      {"\"__metadata__\" is an array, expected an object of strings"});
  expect_decode_error(file_with(R"({"__metadata__":{"epoch":3}})", 0),
                      {"\"__metadata__\" value for \"epoch\" is a number, expected a string"});
}

// A name with a newline cannot break the one-line message: names are shown JSON-escaped.
TEST(Safetensors, NamesAreEscapedInMessages) {
  expect_decode_error(file_with(R"({"a\nb":3})", 0), {R"(tensor "a\nb": entry is a number)"});
}

TEST(SafetensorsCheckFinite, NamesTheFirstNonFiniteValueAndItsIndex) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> values = {1.0f, 2.0f, 3.0f, nan, 5.0f, -inf};
  expect_input_error([&] { check_finite(f32_tensor("conv.kernel", {2, 3}, values), origin); },
                     {origin + ": tensor \"conv.kernel\": NaN at index [1, 0]"});
  const std::vector<float> infinite = {1.0f, -inf, inf};
  expect_input_error([&] { check_finite(f32_tensor("bias", {3}, infinite), origin); },
                     {"tensor \"bias\": -inf at index [1]"});
}

TEST(SafetensorsCheckFinite, AcceptsFiniteAndIntegerTensors) {
  EXPECT_NO_THROW(check_finite(f32_tensor("fc.weight", {2, 2}, weights), origin));
  EXPECT_NO_THROW(check_finite(i64_tensor("step", {}, steps), origin));
}

// Found by tests/fuzz (safetensors_fuzz): the values of a tensor of no elements were copied
// from a null pointer, which the sanitizer build reports.
TEST(SafetensorsCheckFinite, AcceptsTensorsOfNoElements) {
  EXPECT_NO_THROW(check_finite(f32_tensor("nothing", {0, 3}, {}), origin));
  EXPECT_TRUE(f32_values(f32_tensor("nothing", {4, 0}, {})).empty());
  EXPECT_TRUE(i64_values(i64_tensor("nothing", {0}, {})).empty());
}

}  // namespace

}  // namespace gpufm::test
