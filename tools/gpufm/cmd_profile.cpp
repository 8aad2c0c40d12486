// `gpufm profile [FILE] [--steps N] [--warmup N] [--trace FILE] [--peak-tflops T --peak-gbps G]
// [--data DIR] [--set KEY=VALUE]... [--device D] [--seed S]`: a table of where a training step's
// time goes, phase by phase (each layer's forward and backward, the loss, the optimizer), with
// the estimated arithmetic and memory traffic of each and the rates they were achieved at; with
// the hardware's peaks, the fastest the step could run (docs/benchmarks.md); --trace writes the
// timed steps as a Chrome trace, which Perfetto (ui.perfetto.dev) opens.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "gpufm/chrome_trace.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/step_cost.hpp"
#include "gpufm/step_profile.hpp"
#include "text_table.hpp"
#include "training_options.hpp"
#include "value_checks.hpp"

namespace gpufm::cli {

namespace {

struct ProfileOptions {
  TrainingOptions run;
  ProfileSettings profile;
  std::string trace;
  double peak_tflops = 0, peak_gbps = 0;  // the hardware's, for the step's limit; 0 when not given
};

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string shortest(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Per second, from per step: FLOPs as TFLOP/s and bytes as GB/s.
std::string rate(double per_step, double milliseconds, double unit) {
  return milliseconds > 0 && per_step > 0 ? fixed(per_step / (milliseconds / 1000) / unit, 3) : "";
}

// The fastest the step could run at the given peaks: each phase at the rate that bounds it.
void print_limit(std::ostream& out, const StepProfile& profile, const std::vector<PhaseCost>& costs, double peak_tflops, double peak_gbps) {
  const double limit_milliseconds = 1000 * step_time_limit_seconds(costs, peak_tflops * 1e12, peak_gbps * 1e9);
  out << "Limit at " << shortest(peak_tflops) << " TFLOP/s and " << shortest(peak_gbps) << " GB/s: " << fixed(limit_milliseconds, 4)
      << " ms a step; measured " << fixed(profile.step_milliseconds / limit_milliseconds, 1) << "x that\n";
}

void print_profile(std::ostream& out, const StepProfile& profile, const std::vector<PhaseCost>& costs) {
  out << "Profile of " << profile.model << ": " << name(profile.precision) << ", batch " << profile.batch << ", " << profile.steps << " timed steps, "
      << fixed(profile.step_milliseconds, 3) << " ms a step\n";
  TextTable table({{"Phase", false}, {"Layer", false}, {"ms", true}, {"Share", true}, {"MFLOP", true}, {"TFLOP/s", true},
                   {"MB", true}, {"GB/s", true}});
  for (const PhaseProfile& phase : profile.phases) {
    const PhaseCost& cost = phase.cost;
    const bool per_layer = cost.phase.kind == PhaseKind::forward || cost.phase.kind == PhaseKind::backward;
    const std::string layer = per_layer ? phase.label.substr(phase.label.find(' ') + 1) : "";
    table.add_row({name(cost.phase.kind), layer, fixed(phase.milliseconds, 4),
                   fixed(100 * phase.milliseconds / profile.step_milliseconds, 1) + "%", fixed(cost.flops / 1e6, 2),
                   rate(cost.flops, phase.milliseconds, 1e12), fixed(cost.bytes / 1e6, 2), rate(cost.bytes, phase.milliseconds, 1e9)});
  }
  const StepTotals step = totals(costs);
  table.add_row({"step", "", fixed(profile.step_milliseconds, 4), "100.0%", fixed(step.flops / 1e6, 2),
                 rate(step.flops, profile.step_milliseconds, 1e12), fixed(step.bytes / 1e6, 2), rate(step.bytes, profile.step_milliseconds, 1e9)});
  out << table.str();
}

}  // namespace

void add_profile_command(CLI::App& root) {
  auto options = std::make_shared<ProfileOptions>();
  CLI::App* command = root.add_subcommand("profile", "Time each layer's forward and backward and the optimizer over training steps");
  add_model_run_options(*command, options->run, "Seed of initial weights, shuffling and dropout");
  command->add_option("--steps", options->profile.steps, "Training steps to time")->capture_default_str()->check(whole_number(1, 100000));
  command->add_option("--warmup", options->profile.warmup_steps, "Untimed steps first")
      ->capture_default_str()
      ->check(whole_number(0, 100000));
  command->add_option("--trace", options->trace, "Also write the timed steps as a Chrome trace (JSON) to this file");
  CLI::Option* tflops = command->add_option("--peak-tflops", options->peak_tflops, "The hardware's peak arithmetic, for the step's limit")
                            ->check(positive_number());
  CLI::Option* gbps = command->add_option("--peak-gbps", options->peak_gbps, "The hardware's peak memory bandwidth, for the step's limit")
                          ->check(positive_number());
  tflops->needs(gbps);
  gbps->needs(tflops);
  command->callback([options, command] {
    const SelectedBackend selected = select_device(options->run.device);
    const std::filesystem::path model = model_file(options->run);
    std::cout << sources_line(*command, options->run, model) << "\n";
    std::cout << "Device: " << selected.backend->describe() << " (" << selected.why << ")\n" << std::flush;
    const Graph graph = compile_file(model, options->run.overrides());
    const Dataset data = load_dataset(resolve_data_paths(options->run.data));
    options->profile.seed = options->run.seed;
    const StepProfile profile = profile_training_steps(graph, data.train, *selected.backend, options->profile);
    std::vector<PhaseCost> costs;
    for (const PhaseProfile& phase : profile.phases) costs.push_back(phase.cost);
    print_profile(std::cout, profile, costs);
    if (options->peak_tflops > 0) print_limit(std::cout, profile, costs, options->peak_tflops, options->peak_gbps);
    if (!options->trace.empty()) {
      write_chrome_trace(options->trace, profile);
      std::cout << "Trace: " << options->trace << "\n";
    }
  });
}

}  // namespace gpufm::cli
