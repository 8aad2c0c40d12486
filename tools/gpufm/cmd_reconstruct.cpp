// `gpufm reconstruct RUN [--n 16] [--split test|val] [--best] [--out STEM]`: an autoencoder run's
// first images of a split above its reconstructions of them, with each one's error, written as
// STEM.svg and STEM.png (default RUN/reconstructions-SPLIT); the mean error printed.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "commands.hpp"
#include "device_option.hpp"
#include "gpufm/device.hpp"
#include "gpufm/reconstruct.hpp"
#include "value_checks.hpp"

namespace gpufm::cli {

namespace {

struct ReconstructOptions {
  std::string run;
  std::int64_t count = 16;
  std::string split = "test";
  bool best = false;
  std::string out;
  DeviceOptions device;
};

}  // namespace

void add_reconstruct_command(CLI::App& root) {
  auto options = std::make_shared<ReconstructOptions>();
  CLI::App* command = root.add_subcommand("reconstruct", "Show an autoencoder's reconstructions of a split's first images");
  command->add_option("run", options->run, "The autoencoder's run directory")->required();
  command->add_option("--n", options->count, "How many images")->capture_default_str()->check(whole_number(1, 1000));
  command->add_option("--split", options->split, "The test split, or the run's validation images")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "val"}));
  command->add_flag("--best", options->best, "Use the run's best checkpoint rather than its latest");
  command->add_option("--out", options->out, "Write OUT.svg and OUT.png (default: RUN/reconstructions-SPLIT)");
  add_device_option(*command, options->device);
  command->callback([options] {
    SelectedBackend selected = select_device(options->device);
    const bool validation = options->split == "val";
    const Reconstructions reconstructions =
        reconstruct_run(ReconstructRequest{options->run, options->count, validation, options->best}, *selected.backend);
    const std::string split = validation ? "validation" : "test";
    const std::filesystem::path out = options->out.empty() ? std::filesystem::path(options->run) / ("reconstructions-" + options->split)
                                                           : std::filesystem::path(options->out);
    const std::string title = std::to_string(reconstructions.inputs.size()) + " " + split + " images and their reconstructions";
    write_picture(out, reconstructions.picture(title));
    const double mean = std::accumulate(reconstructions.errors.begin(), reconstructions.errors.end(), 0.0) /
                        static_cast<double>(reconstructions.errors.size());
    char line[160];
    std::snprintf(line, sizeof line, "%zu %s images: mean squared error %.5f (least %.5f, most %.5f)\n", reconstructions.errors.size(),
                  split.c_str(), mean, *std::min_element(reconstructions.errors.begin(), reconstructions.errors.end()),
                  *std::max_element(reconstructions.errors.begin(), reconstructions.errors.end()));
    std::cout << line << "Reconstructions: " << out.string() << ".svg, " << out.string() << ".png\n";
  });
}

}  // namespace gpufm::cli
