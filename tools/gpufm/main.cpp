// gpufm: train and study small image networks. This file only wires the subcommands and maps
// errors to one line on stderr and the documented exit codes (README: "Exit codes").
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <new>
#include <regex>

#include "commands.hpp"
#include "config_file.hpp"
#include "error_line.hpp"
#include "gpufm/error.hpp"
#include "value_checks.hpp"

namespace {

constexpr int usage_exit_code = static_cast<int>(gpufm::ExitCode::bad_input);

// CLI11's message for a flag given more often than it is taken ("--epochs: At Most 1 required but
// received 2") in plain words.
std::string plain_words(const std::string& message) {
  static const std::regex at_most("At Most 1 required but received ([0-9]+)");
  return std::regex_replace(message, at_most, "given $1 times; give it once");
}

std::string one_line_failure(const CLI::App*, const CLI::Error& e) {
  return "gpufm: error: " + gpufm::cli::printable_line(plain_words(e.what())) + " (see --help)\n";
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit, write() then fails with EFBIG, and the error names the file, where
  // SIGXFSZ's default would kill the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"gpufm: train and study small image networks on IDX data, on a GPU or the CPU"};
  app.name("gpufm");
  app.set_version_flag("-V,--version", "gpufm " GPUFM_VERSION);
  app.set_help_all_flag("--help-all", "Print the help of every command and exit");
  // Checked after parsing, so that an unknown command is reported as such.
  app.require_subcommand(0, 1);
  app.failure_message(one_line_failure);
  app.footer("Exit codes: 0 success, 1 training failed, 2 bad input or usage, 3 no usable GPU for --device cuda, 130 interrupted.");
  gpufm::cli::add_config_option(app);

  gpufm::cli::add_data_command(app);
  gpufm::cli::add_summary_command(app);
  gpufm::cli::add_train_command(app);
  gpufm::cli::add_eval_command(app);
  gpufm::cli::add_kfold_command(app);
  gpufm::cli::add_sweep_command(app);
  gpufm::cli::add_compare_command(app);
  gpufm::cli::add_reconstruct_command(app);
  gpufm::cli::add_explain_command(app);
  gpufm::cli::add_bench_command(app);
  gpufm::cli::add_profile_command(app);
  gpufm::cli::add_info_command(app);
  gpufm::cli::refuse_empty_values(app);

  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) throw CLI::RequiredError("A command");
  } catch (const CLI::ParseError& e) {
    const int cli_code = app.exit(e);  // prints help, the version, or the one-line failure
    return cli_code == 0 ? 0 : usage_exit_code;
  } catch (const gpufm::Interrupted& e) {
    std::cout.flush();
    if (isatty(STDERR_FILENO) != 0) std::cerr << "\n";  // past the ^C and a progress bar's line
    std::cerr << "gpufm: " << e.what() << "\n";         // where it stopped, and how to resume
    return static_cast<int>(e.exit_code());
  } catch (const gpufm::Error& e) {
    std::cout.flush();
    std::cerr << "gpufm: error: " << gpufm::cli::printable_line(e.what()) << "\n";
    return static_cast<int>(e.exit_code());
  } catch (const std::bad_alloc&) {
    std::cout.flush();
    std::cerr << "gpufm: error: out of host memory; `gpufm summary MODEL` shows what the model plans\n";
    return static_cast<int>(gpufm::ExitCode::training_failed);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "gpufm: internal error: " << gpufm::cli::printable_line(e.what()) << "\n";
    return static_cast<int>(gpufm::ExitCode::training_failed);
  }
  return 0;
}
