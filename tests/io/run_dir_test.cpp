// A run directory's history: history.csv in Keras' CSVLogger form, and history.json read back as
// it was written, a value that is not finite included.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gpufm/error.hpp"
#include "gpufm/run_dir.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

using test::read_file;
using test::TempDir;

std::vector<EpochRecord> diverging_history() {
  return {EpochRecord{.epoch = 1, .loss = 0.5, .accuracy = 0.8999999761581421, .val_loss = 0.25, .val_accuracy = 1.0, .lr = 1e-05,
                      .seconds = 100000.0, .samples = 10},
          EpochRecord{.epoch = 2, .loss = 2.0, .accuracy = 0.1, .val_loss = std::numeric_limits<double>::quiet_NaN(),
                      .val_accuracy = 0.1, .lr = 0.0001, .seconds = 1.5, .samples = 10}};
}

TEST(RunDirectoryHistory, CsvIsCsvLoggersColumnsWithPythonsNumbers) {
  TempDir dir;
  const RunDirectory run = RunDirectory::create(dir / "run", "model");
  run.write_history(diverging_history());
  EXPECT_EQ(read_file(dir / "run" / "history.csv"),
            "epoch,accuracy,learning_rate,loss,seconds,val_accuracy,val_loss\n"
            "0,0.8999999761581421,1e-05,0.5,100000.0,1.0,0.25\n"
            "1,0.1,0.0001,2.0,1.5,0.1,nan\n");
}

TEST(RunDirectoryHistory, WithoutAccuracyOrValidationTheColumnsAreCsvLoggers) {
  TempDir dir;
  const RunDirectory run = RunDirectory::create(dir / "run", "model");
  EpochRecord autoencoders{};
  autoencoders.epoch = 1;
  autoencoders.loss = 0.125;
  autoencoders.lr = 0.001;
  autoencoders.seconds = 2.0;
  autoencoders.samples = 10;
  run.write_history({autoencoders});
  EXPECT_EQ(read_file(dir / "run" / "history.csv"), "epoch,learning_rate,loss,seconds,val_loss\n0,0.001,0.125,2.0,NA\n");
}

TEST(RunDirectoryHistory, JsonReadsBackWhatWasWrittenANaNIncluded) {
  TempDir dir;
  const RunDirectory run = RunDirectory::create(dir / "run", "model");
  run.write_history(diverging_history());
  const std::vector<EpochRecord> read = run.read_history();
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].accuracy, 0.8999999761581421);
  EXPECT_EQ(read[0].seconds, 100000.0);
  ASSERT_TRUE(read[1].val_loss.has_value());
  EXPECT_TRUE(std::isnan(*read[1].val_loss));
  EXPECT_EQ(read[1].val_accuracy, 0.1);
}

// A history edited by hand until it no longer reads: the file and the parser's reason, in words
// (without nlohmann's exception ids).
TEST(RunDirectoryHistory, AMalformedHistoryNamesTheFileAndWhy) {
  TempDir dir;
  const RunDirectory run = RunDirectory::create(dir / "run", "model");
  const std::string history = (dir / "run" / "history.json").string();
  dir.write("run/history.json", "[{\"epoch\": 1,");
  test::expect_input_error([&] { run.read_history(); }, {history + ": malformed history (parse error at line 1, column 14: "});
  dir.write("run/history.json", "[{\"epoch\": 1}]");
  EXPECT_EQ(test::error_of<InputError>([&] { run.read_history(); }), history + ": malformed history (key 'loss' not found)");
}

}  // namespace
}  // namespace gpufm
