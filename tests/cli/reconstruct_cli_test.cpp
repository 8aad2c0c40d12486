// An autoencoder's reconstructions: its run's report shows them after every epoch, and
// `gpufm reconstruct` draws a split's first images above them with each one's error.
#include <gtest/gtest.h>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/png_pixels.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

constexpr const char* autoencoder = R"(let latent = 16
input 8x8x1
flatten
dense $latent relu
dense 64 sigmoid
reshape 8x8x1
train:
  loss mse
  optimizer adam lr=0.01
  batch 32
  epochs 2
  validation 0.2
)";

std::pair<int, int> png_size(const std::filesystem::path& file) {
  const std::string bytes = read_file(file);
  const PngPixels png = decode_png(std::as_bytes(std::span(bytes.data(), bytes.size())));
  return {png.width, png.height};
}

TEST(ReconstructCli, AnAutoencodersReportAndTheCommandShowItsReconstructions) {
  TempDir dir;
  write_learnable_set(dir.path(), 256, 64);
  const std::string model = dir.write("ae.dsl", autoencoder).string(), run = (dir / "run").string();
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", run}).exit_code, 0);
  expect_contains(read_file(dir / "run" / "report.html"), {"<h2>Reconstructions (epoch 2)</h2>"});
  // Ten 8-pixel images, twice their size, in columns 50 points wide (44 + 6), at 2 pixels a point.
  EXPECT_EQ(png_size(dir / "run" / "reconstructions.png").first, 2 * (10 + 92 + 10 * 50 + 10));

  const CommandResult result = run_gpufm({"reconstruct", run, "--n", "5", "--split", "val"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"5 validation images: mean squared error 0.", "Reconstructions: " + run + "/reconstructions-val.svg"});
  EXPECT_EQ(png_size(dir / "run" / "reconstructions-val.png").first, 2 * (10 + 92 + 5 * 50 + 10));
  EXPECT_NE(read_file(dir / "run" / "reconstructions-val.svg").find("<svg"), std::string::npos);

  const std::string classifier_model = dir.write("small.dsl", learnable_classifier).string();
  ASSERT_EQ(run_gpufm({"train", classifier_model, "--data", dir.path().string(), "--out", (dir / "cls").string(), "--epochs", "1"}).exit_code, 0);
  expect_one_line_error(run_gpufm({"reconstruct", (dir / "cls").string()}), 2,
                        {"the model's target is its labels; reconstruct takes an autoencoder (target input)"});
  expect_one_line_error(run_gpufm({"reconstruct", run, "--split", "train"}), 2, {"--split", "train"});
  expect_one_line_error(run_gpufm({"reconstruct", run, "--n", "65"}), 2, {"--n 65: the run's test split has 64 images"});
}

// A sweep of the latent size shows every trial's reconstructions of the same images with its loss.
TEST(ReconstructCli, ALatentSweepsReportShowsEachSizesReconstructions) {
  TempDir dir;
  write_learnable_set(dir.path(), 256, 64);
  const std::string model = dir.write("ae.dsl", autoencoder).string();
  ASSERT_EQ(run_gpufm({"sweep", model, "--data", dir.path().string(), "--grid", "latent=8,2", "--out", (dir / "sweep").string()}).exit_code, 0);
  const std::string html = read_file(dir / "sweep" / "report.html");
  expect_contains(html, {"<h2>Reconstructions by member</h2>", "<p>trial-001 (latent=8): best val_loss 0.", "<p>trial-002 (latent=2): best val_loss 0."});
  EXPECT_LT(html.find("trial-001 (latent=8)"), html.find("trial-002 (latent=2)"));
  // An autoencoder's members are compared by their losses: no accuracy columns.
  expect_contains(html, {"<th>best val_loss</th><th>test loss</th><th>time</th>"});
  EXPECT_EQ(html.find("accuracy</th>"), std::string::npos);
}

}  // namespace
}  // namespace gpufm::test
