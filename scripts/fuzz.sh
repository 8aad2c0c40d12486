#!/usr/bin/env bash
# Fuzzes the readers of what users hand gpufm with libFuzzer (clang's), one target each:
#
#   idx          IDX data files, raw or gzip-compressed (read_idx_u8)
#   safetensors  checkpoints (decode_safetensors), and that what it reads writes back the same
#   model        model files: parsed, compiled with the train section, memory planned and
#                summarised; and the text a run records for them compiles the same way
#
# Installs what is missing from Debian (clang, libFuzzer, the libraries gpufm builds with),
# builds the targets with AddressSanitizer and UndefinedBehaviorSanitizer into build-fuzz/
# (FUZZ_BUILD_DIR to change), then runs each for SECONDS_PER_TARGET. A target starts from its
# seeds in tests/fuzz/corpus/TARGET, which it only reads, and from the inputs its earlier runs
# found, kept in build-fuzz/corpus/TARGET. A crash, an exception other than gpufm's InputError, a
# sanitizer report, a leak, one input running 10 s or allocating 512 MiB at once, or the process
# passing 2 GiB is a finding: the target stops there and leaves the input in
# build-fuzz/findings/TARGET/, which the script names, with the command that reproduces it.
# Prints per target the executions, the time and the findings; exits 1 when there was any, 2 for a
# usage error.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
set -euo pipefail
# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"
# shellcheck source=packages.sh
source "$(dirname "$0")/packages.sh"
cd "$(dirname "$0")/.."

all_targets=(idx safetensors model)
seconds=60
targets=()
for arg in "$@"; do
  case $arg in
    -h | --help) usage 0 ;;
    idx | safetensors | model) targets+=("$arg") ;;
    *)
      [[ $arg =~ ^[1-9][0-9]*$ && ${#targets[@]} -eq 0 ]] || {
        echo "fuzz: unknown argument '$arg' (targets: ${all_targets[*]}; the seconds come first; see --help)" >&2
        exit 2
      }
      seconds=$arg
      ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

# As scripts/setup.sh installs gpufm's packages (keep the libraries in step with its list), with
# clang, its libFuzzer and its OpenMP runtime in place of g++.
packages=(cmake ninja-build clang libclang-rt-dev libomp-dev pkg-config libcli11-dev zlib1g-dev nlohmann-json3-dev
  libopenblas-openmp-dev libcairo2-dev libpng-dev)
install_missing fuzz "${packages[@]}"

build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
# tests/fuzz/CMakeLists.txt adds the optimisation, debug and sanitizer flags to the build type's.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DGPUFM_CUDA=OFF -DGPUFM_TESTS=OFF -DGPUFM_FUZZ=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

export UBSAN_OPTIONS=print_stacktrace=1
failed=()
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  findings="$build_dir/findings/$target"
  log="$build_dir/findings/$target.log"
  mkdir -p "$corpus" "$findings"
  dictionary=()
  [ -f "tests/fuzz/$target.dict" ] && dictionary=(-dict="tests/fuzz/$target.dict")
  started=$SECONDS
  status=0
  # The first corpus directory is the one libFuzzer writes to; the seeds are only read.
  "$build_dir/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$findings/" "${dictionary[@]}" \
    "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  # libFuzzer's last status line: "#1107403 DONE cov: 2666 ft: 11565 corp: 785/318Kb ...". The
  # final count of executions comes after it, except when a crash ended the run.
  status_line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  executions=${executions:-$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$status_line")}
  coverage=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status_line")
  inputs=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status_line")
  printf 'fuzz: %-12s %10s executions in %4d s, %5s edges covered, %5s inputs in the corpus: ' \
    "$target" "${executions:-?}" "$elapsed" "${coverage:-?}" "${inputs:-?}"
  if ((status == 0)); then
    echo "no findings"
    continue
  fi
  failed+=("$target")
  finding=$(sed -n "s/.*Test unit written to //p" "$log" | tail -1)
  echo "FINDING (libFuzzer exit status $status)"
  grep -E "^==[0-9]+==ERROR|runtime error|^terminate called|^  what\(\)|^fuzz: |^SUMMARY" "$log" | head -8 | sed 's/^/    /' || true
  echo "    input: ${finding:-none saved}; the whole log: $log"
  [ -n "$finding" ] && echo "    reproduce: $build_dir/tests/fuzz/${target}_fuzz $finding"
done

if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
