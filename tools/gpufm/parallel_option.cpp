#include "parallel_option.hpp"

#include "value_checks.hpp"

namespace gpufm::cli {

void add_parallel_option(CLI::App& command, std::string& parallel) {
  command
      .add_option("--parallel", parallel,
                  "Members to run at once, each on its own backend (its own CUDA stream); auto: " + std::to_string(gpu_side_by_side) +
                      " on a GPU, as its free memory allows, 1 on the CPU")
      ->check(whole_number_or("auto", 1, 64))
      ->capture_default_str();
}

StudyBackends study_backends(const SelectedBackend& selected, const std::string& parallel) {
  const std::size_t side_by_side = parallel == "auto" ? (selected.gpu ? gpu_side_by_side : 1) : std::stoul(parallel);
  return StudyBackends{*selected.backend, side_by_side, selected.make_another};
}

}  // namespace gpufm::cli
