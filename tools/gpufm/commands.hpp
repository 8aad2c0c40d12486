// The gpufm subcommands. Each adds itself to the root app and runs from its CLI11 callback;
// the library reports problems by throwing gpufm::Error, which main() turns into one line on
// stderr and the documented exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace gpufm::cli {

void add_bench_command(CLI::App& root);
void add_compare_command(CLI::App& root);
void add_data_command(CLI::App& root);
void add_eval_command(CLI::App& root);
void add_explain_command(CLI::App& root);
void add_info_command(CLI::App& root);
void add_kfold_command(CLI::App& root);
void add_profile_command(CLI::App& root);
void add_reconstruct_command(CLI::App& root);
void add_summary_command(CLI::App& root);
void add_sweep_command(CLI::App& root);
void add_train_command(CLI::App& root);

}  // namespace gpufm::cli
