#!/usr/bin/env bash
# Builds the CPU backend with AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer into build-asan/ (BUILD_DIR to change), then runs the whole test
# suite there. Any report fails the run: the test process and the gpufm processes the tests start
# (they inherit the options set here) stop at the first report and exit with 86, a code gpufm
# never uses, so no test that expects a failure's exit code passes over one. Reports from
# libraries outside gpufm that are not bugs of ours are suppressed in scripts/sanitize/lsan.supp,
# each entry saying why.
#
# Usage: scripts/sanitize.sh [CTEST_ARGS...]   (e.g. -R Cli to run some tests only)
set -euo pipefail
# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"
[[ ${1:-} == -h || ${1:-} == --help ]] && usage 0
cd "$(dirname "$0")/.."

build_dir="${BUILD_DIR:-build-asan}"
# RelWithDebInfo: optimised enough for the training tests, with line numbers in the reports. The
# tests' oracles (Chromium, tensorboard in $build_dir/venv) as scripts/test.sh has them, so the
# whole suite runs.
GPUFM_TEST_ORACLES=1 BUILD_DIR=$build_dir CMAKE_ARGS="-DGPUFM_CUDA=OFF -DGPUFM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
  scripts/setup.sh

# allocator_may_return_null: gpufm reports memory it cannot get as an error (CpuMemory tests it).
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1:exitcode=86:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
# print_suppressions=0: the list of suppressions used would add lines to the stderr the tests check.
export LSAN_OPTIONS=suppressions=$PWD/scripts/sanitize/lsan.supp:print_suppressions=0
# As in the normal test run: OpenMP threads that spin while waiting would starve the tests beside them.
export OMP_WAIT_POLICY=passive
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"
