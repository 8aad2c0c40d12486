// TensorBoard event files, so that `tensorboard --logdir runs` shows a run's curves and sample
// images as it does a Keras run's (whose TensorBoard callback writes logs/train and
// logs/validation, a writer each).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "gpufm/image.hpp"

namespace gpufm {

// The distribution of a tensor's values as TensorBoard's histogram dashboard draws it (its legacy
// HistogramProto): equal-width buckets from min to max, bucket_limit[i] being bucket i's right
// edge and bucket[i] its count; one bucket when every value is the same, none for no values.
struct Histogram {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> bucket_limit, bucket;
};
// Keras' tf.summary.histogram default: 30 buckets.
Histogram histogram_of(std::span<const float> values, int buckets = 30);

// One event file, events.out.tfevents.<10-digit seconds>.<hostname>.<pid>.<n> as TensorBoard's
// own writer names them (n counts the files this process created), holding TFRecord records of
// Event messages. TensorBoard reads the file while it grows, so it is appended to, not written
// atomically: events wait in memory until flush(), which appends them as whole records; a record
// cut short by a crash is what readers take for one not yet written.
class EventFileWriter {
 public:
  // Creates `directory` as needed and a new event file in it, holding the file-version event
  // ("brain.Event:2"; readers treat files without one differently). IoError naming the file or
  // directory when the system refuses.
  explicit EventFileWriter(const std::filesystem::path& directory);
  // Flushes what is left and closes the file; a failure here is lost, so call flush() first.
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // A scalar, stored as a float32 simple_value (what every TensorBoard reader takes), e.g.
  // scalar("epoch_loss", epoch, loss) with Keras' tags and epochs counted from 0.
  void scalar(std::string_view tag, std::int64_t step, double value);
  // An image summary holding the image as a PNG (encode_png's exceptions).
  void image(std::string_view tag, std::int64_t step, const Image& image);
  // A histogram summary of the values (histogram_of), as Keras' TensorBoard(histogram_freq=1)
  // logs each weight: histogram("conv2d/weight/histogram", epoch, weights).
  void histogram(std::string_view tag, std::int64_t step, std::span<const float> values);

  // Appends the events so far to the file: once per epoch, and before a run stops. IoError naming
  // the file when the disk refuses; what was not written stays for the next flush().
  void flush();

 private:
  void add_event(std::span<const std::byte> event);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::byte> unwritten_;  // whole records, not yet appended to the file
};

}  // namespace gpufm
