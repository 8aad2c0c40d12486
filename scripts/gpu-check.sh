#!/usr/bin/env bash
# Verifies gpufm on a GPU machine in one command, with binaries built elsewhere: that machine has
# the CUDA toolkit, cuDNN, cuBLAS and PyTorch but not our build dependencies, so
# scripts/package-for-device.sh packs the binaries and what they need into a folder (.device/)
# that travels with the tree. Steps, each recorded and none stopping the others:
#
#   unpack      the package, into a scratch folder
#   libraries   where cuDNN and cuBLAS are (the dynamic linker's cache, then the CUDA toolkit,
#               then PyTorch's NVIDIA wheels), and that the binaries load with them
#   gpu         nvidia-smi's GPU line, and the GPU as gpufm's own probe sees it
#   tests       the whole gpufm_tests suite: each GPU suite in a process of its own, then the rest
#   memcheck_*  compute-sanitizer's memcheck over short training runs (an MLP on the full data,
#               a CNN with batch-norm and dropout on a subset)
#   racecheck_cnn  compute-sanitizer's racecheck (shared-memory hazards) over that CNN run
#   train_*     the reference models with `gpufm train --device cuda`, epochs as in the model files
#   torch_*     right after each, torch_ref.py (eager PyTorch) with the same model, epochs, batch,
#               learning rate and training-set size, for the figures to compare
#
# With --bench, the speed steps instead of tests, sanitizers and trainings (one 10-minute call
# holds both only for short runs):
#
#   bench_*     scripts/bench.sh: `gpufm bench` and torch_ref.py eager, compile and graphs, back to
#               back, in each of --precisions (bench_MODEL, bench_MODEL_P outside fp32); its table
#               goes in the report
#   profile_*   `gpufm profile`: each layer's time, with the step's limit at the GPU's FP32 peak
#               (H100: 66.9 TFLOP/s, 3.35 TB/s; H200: 4.8 TB/s) and a Chrome trace
#   ncu_cnn     Nsight Compute over one training step of the CNN (gpufm train --profile-steps):
#               each kernel's time and its share of the GPU's compute and memory peaks
#   variants_*  `gpufm bench` of the MLP and the CNN (2 epochs) as it runs by default (steps
#               replayed as CUDA graphs, bias and activation in cuBLASLt's epilogues and cuDNN's
#               fused convolution), then with --unfused, then with --eager: ms a step each, the
#               kernels a captured step launches, and the fusions the libraries refused
#   kfold_side_by_side  a 5-fold study of the CNN (3 epochs, or --epochs) with the folds one after
#               another, then all five side by side: the two wall times
#
# Writes to OUT (the device tool's $OUT, else runs/gpu-check): gpu-check.md (the table of steps
# and figures), gpu-check.json (the same, for machines), gtest-gpu-SUITE.json and
# gtest-rest.json (each GPU suite's results and the others'), logs.tar.gz (every step's log, the
# runs' metrics and histories). The report is rewritten after every step, so a run cut off by a
# time limit still leaves one. Exit status: 0 when every step passed, 1 otherwise, 2 for
# a usage error.
#
# Typical use: scripts/package-for-device.sh here, then on the device, from the tree's root,
# scripts/gpu-check.sh --models mlp,cnn (the autoencoder's 200 epochs do not fit one 10-minute
# call: give it its own call with --models autoencoder --epochs N).
#
# Usage: scripts/gpu-check.sh [options]
#   --from DIR        the package folder (default .device)
#   --out DIR         where the report goes (default $OUT, else runs/gpu-check)
#   --models LIST     reference models to train, comma-separated (default mlp,cnn,autoencoder)
#   --epochs N        train every reference model N epochs instead of its file's count
#   --quick           a smoke run: --epochs 1
#   --no-torch        skip the PyTorch runs
#   --bench           the speed steps (bench_*, profile_*, ncu_cnn) for --models instead
#   --precisions LIST the precisions --bench compares, comma-separated (default fp32; as:
#                     fp32,bf16,fp16)
#   --budget SECONDS  stop starting steps, and cut the running one, after this long (default 540,
#                     inside the device tool's 600-second limit; 0 for none)
#   --dry-run         unpack and find the libraries for real, and print the other commands
#                     instead of running them (for trying the script on a machine without a GPU)
# Environment: LDCONFIG, CUDA_HOME (default /usr/local/cuda) and PYTHON (default python3) change
# where libraries are looked for.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
from=$root/.device
out=${OUT:-$root/runs/gpu-check}
models=mlp,cnn,autoencoder
epochs=
torch=1
bench=0
precisions=fp32
budget=540
dry_run=0
LDCONFIG=${LDCONFIG:-ldconfig}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
PYTHON=${PYTHON:-python3}

# Filled in as the steps run.
work=           # scratch: the unpacked package, runs, logs
setup_failed=   # why later steps cannot run, once unpack or libraries failed
gpufm_path=     # LD_LIBRARY_PATH for the packed binaries: their libraries, cuDNN's and cuBLAS's
declare -A found_libraries=()  # soname -> "directory (how it was found)"
began=$SECONDS
# A step's status is one of these when it did not fail: "no peer" is a model torch_ref.py lacks;
# "unavailable" a tool this machine cannot run (compute-sanitizer on a gVisor machine), which a
# step says by exiting with unavailable_status.
ok_statuses='passed|dry run|no peer|unavailable'
unavailable_status=77

# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"
# shellcheck source=torch-recipe.sh
source "$(dirname "$0")/torch-recipe.sh"

usage_error() {
  echo "gpu-check: $*" >&2
  exit 2
}

parse_args() {
  while (($#)); do
    case $1 in
      --from) from=$(realpath -m "${2:?--from needs a folder}"); shift 2 ;;
      --out) out=$(realpath -m "${2:?--out needs a folder}"); shift 2 ;;
      --models) models=${2:?--models needs a list}; shift 2 ;;
      --epochs) epochs=${2:?--epochs needs a number}; shift 2 ;;
      --quick) epochs=1; shift ;;
      --no-torch) torch=0; shift ;;
      --bench) bench=1; shift ;;
      --precisions) precisions=${2:?--precisions needs a list}; shift 2 ;;
      --budget) budget=${2:?--budget needs seconds}; shift 2 ;;
      --dry-run) dry_run=1; shift ;;
      -h | --help) usage 0 ;;
      *) usage_error "unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -z $epochs || $epochs =~ ^[1-9][0-9]*$ ]] || usage_error "--epochs expects a positive whole number, got '$epochs'"
  [[ $budget =~ ^[0-9]+$ ]] || usage_error "--budget expects whole seconds, got '$budget'"
  [[ $precisions =~ ^(fp32|tf32|bf16|fp16)(,(fp32|tf32|bf16|fp16))*$ ]] ||
    usage_error "--precisions expects fp32, tf32, bf16 or fp16 separated by commas, got '$precisions'"
  [[ $models =~ ^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$ ]] || usage_error "--models expects names separated by commas, got '$models'"
  [[ -f $from/gpufm-device.tar.xz ]] || usage_error "no package in $from (make it with scripts/package-for-device.sh, or pass --from)"
}

# --- Running steps ----------------------------------------------------------------------------

seconds_left() {
  if ((budget == 0)); then echo 0; else echo $((budget - (SECONDS - began))); fi
}

# Runs a command, cut off when the budget runs out (timeout's status 124 then); in a dry run,
# prints it instead.
bounded() {
  if ((dry_run)); then
    echo "dry run: $*"
    return 0
  fi
  if ((budget == 0)); then
    "$@"
  else
    timeout --kill-after=5 "$(seconds_left)" "$@"
  fi
}

# A packed binary with the libraries found for it, bounded; the PyTorch runs keep the plain
# environment (PyTorch loads its own copies).
bounded_gpufm() { bounded env LD_LIBRARY_PATH="$gpufm_path" "$@"; }

# The step's one-line result for the report; a step calls it as it learns things.
note() { echo "$*" >"$work/notes/$step_name"; }

# step_name (a file name) and its function: runs the function in a subshell with errexit on,
# output in logs/NAME.log, and records passed, failed or timed out; never stops the script.
run_step() {
  step_name=$1
  shift
  if [[ -n $setup_failed ]]; then
    record "$step_name" skipped 0 "$setup_failed"
    return
  fi
  if ((budget > 0 && $(seconds_left) < 5)); then
    record "$step_name" skipped 0 "the ${budget}-second budget was spent"
    return
  fi
  echo "gpu-check: $step_name"
  local start=$SECONDS status
  set +e
  (set -e; "$@") >"$work/logs/$step_name.log" 2>&1
  status=$?
  set -e
  local detail
  detail=$(cat "$work/notes/$step_name" 2>/dev/null || true)
  # In a dry run a step that only printed its commands says so; one that ran (unpack) is passed.
  if ((dry_run && status == 0)) && grep -q '^dry run: ' "$work/logs/$step_name.log"; then
    record "$step_name" "dry run" $((SECONDS - start)) "$(grep '^dry run: ' "$work/logs/$step_name.log" | cut -c 10- | paste -sd';')"
    return
  fi
  case $status in
    0) record "$step_name" passed $((SECONDS - start)) "$detail" ;;
    "$unavailable_status") record "$step_name" unavailable $((SECONDS - start)) "$detail" ;;
    124 | 137) record "$step_name" "timed out" $((SECONDS - start)) "cut off at the budget${detail:+; $detail}" ;;
    *) record "$step_name" failed $((SECONDS - start)) "exit status $status; ${detail:+$detail; }$(tail -n 1 "$work/logs/$step_name.log")" ;;
  esac
  write_report
}

# One line per step in steps.tsv: name, status, seconds, detail (tabs and newlines flattened).
record() {
  local detail=${4//$'\t'/ }
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${detail//$'\n'/ }" >>"$work/steps.tsv"
  echo "gpu-check: $1: $2${4:+ ($detail)}"
}

# --- Steps ------------------------------------------------------------------------------------

unpack_package() {
  tar -C "$work" -xJf "$from/gpufm-device.tar.xz" 2>/dev/null ||
    "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$from/gpufm-device.tar.xz" "$work"
  cp "$from/MANIFEST" "$work/MANIFEST"
  note "commit $(grep -m1 '^commit=' "$work/MANIFEST" | cut -d= -f2-), built on $(grep -m1 '^built_on=' "$work/MANIFEST" | cut -d= -f2-)"
}

# The NVIDIA wheels' folders: `nvidia` is a namespace package, one folder per site-packages that
# has some of it (nvidia/cu13/lib holds CUDA 13's cuBLAS, nvidia/cudnn/lib cuDNN).
nvidia_wheel_folders() {
  "$PYTHON" -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null || true
}

# Sets found_libraries[soname] to the folder holding it and how it was found: the dynamic
# linker's cache first (a system install), then the CUDA toolkit, then PyTorch's wheels.
find_library() {
  local soname=$1 path folder
  path=$("$LDCONFIG" -p 2>/dev/null | awk -v name="$soname" '$1 == name { print $NF; exit }' || true)
  if [[ -n $path ]]; then
    found_libraries[$soname]="$(dirname "$path") (ldconfig)"
    return 0
  fi
  for folder in "$CUDA_HOME/lib64" "$CUDA_HOME/targets/x86_64-linux/lib" "$CUDA_HOME/lib"; do
    if [[ -e $folder/$soname ]]; then
      found_libraries[$soname]="$folder (CUDA toolkit)"
      return 0
    fi
  done
  while read -r folder; do
    [[ -n $folder ]] || continue
    path=$(find "$folder" -maxdepth 3 -name "$soname" -print -quit 2>/dev/null)
    if [[ -n $path ]]; then
      found_libraries[$soname]="$(dirname "$path") (python wheel)"
      return 0
    fi
  done < <(nvidia_wheel_folders)
  return 1
}

# Runs in the main shell: the folders it finds are needed by every later step.
find_libraries() {
  local soname missing=() folders=() folder
  for soname in libcudnn.so.9 libcublas.so.13 libcublasLt.so.13; do
    find_library "$soname" || missing+=("$soname")
  done
  # cuDNN compiles some fused kernels at run time with NVRTC; found if present, not required.
  find_library libnvrtc.so.13 || true
  for soname in libcudnn.so.9 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13; do
    [[ -n ${found_libraries[$soname]:-} ]] || continue
    echo "$soname: ${found_libraries[$soname]}"
    folder=${found_libraries[$soname]% (*}
    [[ " ${folders[*]} " == *" $folder "* ]] || folders+=("$folder")
  done
  if ((${#missing[@]})); then
    echo "not found: ${missing[*]} (looked in the ldconfig cache, $CUDA_HOME and the python nvidia wheels)"
    return 1
  fi
  gpufm_path=$work/lib$(printf ':%s' "${folders[@]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # Our libstdc++ and libgcc_s only when the system's are missing or too old for the binaries.
  if LD_LIBRARY_PATH=$gpufm_path ldd "$work/bin/gpufm" "$work/bin/gpufm_tests" | grep -q 'not found'; then
    gpufm_path=$work/lib:$work/lib/fallback:${gpufm_path#"$work/lib:"}
    echo "using the packed libstdc++ and libgcc_s"
  fi
  if LD_LIBRARY_PATH=$gpufm_path ldd "$work/bin/gpufm" "$work/bin/gpufm_tests" | grep 'not found'; then
    echo "the binaries cannot load (GLIBC needed: $(grep -m1 '^needs_glibc=' "$work/MANIFEST" | cut -d= -f2))"
    return 1
  fi
}

# Fails when gpufm's own probe finds no GPU, whatever nvidia-smi says (a driver too old for the
# CUDA runtime built in, say): every GPU test would then skip.
show_gpu() {
  local line
  line=$(bounded nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader)
  line=${line%%$'\n'*}
  echo "nvidia-smi: $line"
  echo "$line" >"$work/gpu_line"
  note "$line"
  bounded_gpufm "$work/bin/gpufm" info | tee "$work/gpufm_info"
  ((dry_run)) || ! grep -q '^GPU: none' "$work/gpufm_info"
}

# The tests call the CLI, and read models/ and tests/ files, through absolute paths compiled in on
# the build machine; where those do not exist here they are made to point at this checkout and at
# the unpacked binary. The source folder first: the binary's path usually lies inside it.
link_compiled_paths() {
  local key target path
  for key in "gpufm_source_dir:$root" "gpufm_binary:$work/bin/gpufm"; do
    path=$(grep -m1 "^${key%%:*}=" "$work/MANIFEST" | cut -d= -f2-)
    target=${key#*:}
    if [[ -e $path ]]; then
      echo "$path exists; the tests use it as it is"
    elif ((dry_run)); then
      echo "dry run: would link $path -> $target"
    else
      mkdir -p "$(dirname "$path")" && ln -s "$target" "$path" && echo "linked $path -> $target"
    fi
  done
}

# The GPU suites first, each in a process of its own: a kernel fault poisons the CUDA context for
# the rest of its process, and a crash loses that process's results, so one broken suite leaves
# the others' results standing. Then the rest in one process. A GPU that cannot be used fails the
# GPU suites rather than skipping them (GPUFM_REQUIRE_GPU).
gpu_suites='*Cuda*:StepAllocations.*'
gpu_suite_names() {
  env LD_LIBRARY_PATH="$gpufm_path" "$work/bin/gpufm_tests" --gtest_list_tests --gtest_filter="$gpu_suites" |
    sed -n 's/^\([^ ][^ ]*\)\..*$/\1/p'
}
run_tests() {
  link_compiled_paths
  cd "$work"
  local status=0 suite results lost=()
  for suite in $(gpu_suite_names); do
    results=$out/gtest-gpu-${suite//\//_}.json
    bounded_gpufm env GPUFM_REQUIRE_GPU=1 "$work/bin/gpufm_tests" --gtest_filter="$suite.*" --gtest_output="json:$results" ||
      status=$?
    ((dry_run)) || [[ -s $results ]] || lost+=("$suite")
  done
  bounded_gpufm "$work/bin/gpufm_tests" --gtest_filter="-$gpu_suites" --gtest_output="json:$out/gtest-rest.json" || status=$?
  ((dry_run)) || note "$("$PYTHON" -c 'import glob, json, sys
runs = [json.load(open(path)) for path in sorted(glob.glob(sys.argv[1] + "/gtest-*.json"))]
cases = [t for g in runs for s in g["testsuites"] for t in s["testsuite"]]
print(len(cases), "tests,", sum(g["failures"] for g in runs), "failed,", sum(t.get("result") == "SKIPPED" for t in cases), "skipped")' "$out")${lost:+; no results (crashed or cut off): ${lost[*]}}"
  return "$status"
}

# A smaller copy of the data for the slower sanitizer runs: the first images of each split.
make_data_subset() {
  local to=$1 train=$2 test=$3
  mkdir -p "$to"
  "$PYTHON" - "$from/data" "$to" "$train" "$test" <<'PYTHON'
import gzip, struct, sys
source, target, counts = sys.argv[1], sys.argv[2], {"train": int(sys.argv[3]), "t10k": int(sys.argv[4])}
for split, count in counts.items():
    for kind in ("images-idx3", "labels-idx1"):
        name = f"{split}-{kind}-ubyte.gz"
        with gzip.open(f"{source}/{name}") as f:
            raw = f.read()
        rank = raw[3]  # the IDX header: 0, 0, dtype, rank, then rank big-endian sizes, the first the count
        sizes = struct.unpack_from(f">{rank}I", raw, 4)
        item = 1
        for size in sizes[1:]:
            item *= size
        header = bytearray(raw[:4 + 4 * rank])
        struct.pack_into(">I", header, 4, count)
        with gzip.open(f"{target}/{name}", "wb") as f:
            f.write(bytes(header) + raw[len(header):len(header) + count * item])
PYTHON
}

# Whether a tool's output (the step's log, and any FILES) holds MESSAGE, its way of saying it
# cannot use this machine's GPU; if so, notes WHAT with the line.
tool_refused_gpu() {
  local message=$1 what=$2 line
  shift 2
  line=$(grep -hs -m1 "$message" "$work/logs/$step_name.log" "$@" | head -n 1) || true
  [[ -n $line ]] || return 1
  note "$what: $line"
}

# One epoch of a model under a compute-sanitizer tool: memcheck reports bad accesses (and, with
# --leak-check full, device memory never freed), racecheck shared-memory hazards; --error-exitcode
# turns any report into a failed step.
sanitize() {
  local tool=$1 model=$2 data=$3 sanitizer status=0 options=()
  sanitizer=$(command -v compute-sanitizer || echo "$CUDA_HOME/bin/compute-sanitizer")
  [[ $tool != memcheck ]] || options=(--leak-check full)
  bounded_gpufm "$sanitizer" --tool "$tool" "${options[@]}" --error-exitcode 3 \
    "$work/bin/gpufm" train "$work/models/$model.dsl" --device cuda --data "$data" --epochs 1 --out "$work/runs/$tool-$model" ||
    status=$?
  ((dry_run)) && return 0
  # As on this workplace's gVisor machines: the sanitizer refuses the GPU, gpufm is not at fault.
  ((status == 0)) || ! tool_refused_gpu 'Device not supported' "compute-sanitizer cannot use this GPU here" ||
    return "$unavailable_status"
  note "$model: $(grep -m1 'ERROR SUMMARY' "$work/logs/$step_name.log" || echo 'no ERROR SUMMARY line')"
  return "$status"
}

memcheck_mlp() { sanitize memcheck mlp "$from/data"; }
data_subset() {
  [[ -d $work/data-subset ]] || make_data_subset "$work/data-subset" 2048 512
}
memcheck_cnn() {
  data_subset
  sanitize memcheck cnn_bn "$work/data-subset"
}
racecheck_cnn() {
  data_subset
  sanitize racecheck cnn_bn "$work/data-subset"
}

train_gpufm() {
  local model=$1 run=$work/runs/$1
  bounded_gpufm "$work/bin/gpufm" train "$work/models/$model.dsl" --device cuda --data "$from/data" --out "$run" ${epochs:+--epochs "$epochs"}
  ((dry_run)) && return 0
  cp "$run/metrics.json" "$work/figures/gpufm_$model.json"
  note "$(summarize gpufm "$run/metrics.json")"
}

# "test accuracy 0.9012, loss 0.2768, 1.52 s/epoch" from gpufm's metrics.json or torch_ref's line.
summarize() {
  "$PYTHON" - "$@" <<'PYTHON'
import json, sys
kind, figures = sys.argv[1], json.load(open(sys.argv[2]))
if kind == "gpufm":
    accuracy, loss, per_epoch = figures["test"].get("accuracy"), figures["test"]["loss"], figures["seconds_per_epoch"]
    extra = ""
else:
    accuracy, loss, per_epoch = figures["test_acc"], figures["test_loss"], sum(figures["epoch_s"]) / len(figures["epoch_s"])
    extra = f", torch {figures['torch']}"
print(("" if accuracy is None else f"test accuracy {accuracy:.4f}, ") + f"loss {loss:.4f}, {per_epoch:.2f} s/epoch{extra}")
PYTHON
}

# torch_ref.py in eager mode with the model file's recipe (torch-recipe.sh).
train_torch() {
  local model=$1
  torch_recipe "$work/models/$model.dsl" "$epochs"
  bounded "$PYTHON" "$work/torch_ref.py" --data "$from/data" --mode eager "${torch_args[@]}" | tee "$work/torch_$model.out"
  ((dry_run)) && return 0
  tail -n 1 "$work/torch_$model.out" >"$work/figures/torch_$model.json"
  local summary
  summary=$(summarize torch "$work/figures/torch_$model.json")
  if [[ $recipe_optimizer != adam ]]; then summary="$summary; torch used adam, the model file $recipe_optimizer"; fi
  note "$summary"
}

# scripts/bench.sh for one model in one precision, with the packed binary and torch_ref.py.
bench_model() {
  local model=$1 precision=$2 status=0 row=$1
  [[ $precision == fp32 ]] || row=$model@$precision
  bounded env GPUFM_LIBRARY_PATH="$gpufm_path" PYTHON="$PYTHON" bash "$root/scripts/bench.sh" --gpufm "$work/bin/gpufm" \
    --torch-ref "$work/torch_ref.py" --data "$from/data" --models "$model" --precision "$precision" --out "$out/bench" \
    ${epochs:+--epochs "$epochs"} || status=$?
  ((dry_run)) && return 0
  note "$("$PYTHON" - "$out/bench" "$row" <<'PYTHON'
import json, sys
folder, model = sys.argv[1], sys.argv[2]
def load(name):
    try:
        return json.loads(open(f"{folder}/{name}.json").read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return {}
ours = load(f"gpufm_{model}")
parts = [f"gpufm {ours['train_s']:.2f} s, test acc {ours['test_acc']:.4f}" if ours else "gpufm: no figures"]
for mode in ("eager", "compile", "graphs"):
    theirs = load(f"torch_{model}_{mode}")
    if theirs and ours:
        parts.append(f"{mode} {theirs['train_s']:.2f} s ({theirs['train_s'] / ours['train_s']:.1f}x)")
    else:
        parts.append(f"{mode}: no figures")
print("; ".join(parts))
PYTHON
)"
  return "$status"
}

# The FP32 peaks (no tensor cores: the CUDA backend computes in full float32) of the GPU
# nvidia-smi names: "TFLOP/s GB/s", or nothing for a GPU not listed.
fp32_peaks() {
  case $(cat "$work/gpu_line" 2>/dev/null) in
    *H200*) echo "66.9 4800" ;;
    *H100*) echo "66.9 3350" ;;
  esac
}

profile_model() {
  local model=$1 peaks=() limit=()
  read -r -a peaks < <(fp32_peaks) || true
  ((${#peaks[@]} == 2)) && limit=(--peak-tflops "${peaks[0]}" --peak-gbps "${peaks[1]}")
  mkdir -p "$out/profile"
  bounded_gpufm "$work/bin/gpufm" profile "$work/models/$model.dsl" --device cuda --data "$from/data" --steps 50 --warmup 20 \
    "${limit[@]}" --trace "$out/profile/trace_$model.json" | tee "$out/profile/profile_$model.txt"
  ((dry_run)) || note "$(grep -E '^Profile of|^Limit at' "$out/profile/profile_$model.txt" | paste -sd';')"
}

# Nsight Compute over training step 30 of the CNN (past cuDNN's algorithm search): each kernel's
# time and its throughput as a share of the GPU's compute and memory peaks, as CSV.
# The clocks are left as the machine has them (--clock-control none), as this workplace's GPU
# machines ask.
ncu_cnn() {
  local ncu status=0
  ncu=$(command -v ncu || echo "$CUDA_HOME/bin/ncu")
  mkdir -p "$out/profile"
  bounded_gpufm "$ncu" --profile-from-start off --clock-control none --csv --log-file "$out/profile/ncu_cnn.csv" \
    --metrics gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed \
    "$work/bin/gpufm" train "$work/models/cnn.dsl" --device cuda --data "$from/data" --epochs 1 --profile-steps 30:30 \
    --out "$work/runs/ncu-cnn" || status=$?
  ((dry_run)) && return 0
  # As on this workplace's gVisor machines: the profiler cannot read the counters there.
  ((status == 0)) || ! tool_refused_gpu 'Failed to initialize the profiler' "Nsight Compute cannot read this GPU's counters here" \
    "$out/profile/ncu_cnn.csv" || return "$unavailable_status"
  note "$(grep -c 'gpu__time_duration' "$out/profile/ncu_cnn.csv") kernels in step 30"
  return "$status"
}

# What CUDA graphs and fused epilogues pay: the model's step as it runs by default, then with each
# left out.
step_variants() {
  local model=$1 variant
  mkdir -p "$out/bench"
  for variant in default unfused eager; do
    local flags=()
    [[ $variant != default ]] && flags=("--$variant")
    bounded_gpufm "$work/bin/gpufm" bench "$work/models/$model.dsl" --device cuda --data "$from/data" --epochs 2 "${flags[@]}" |
      tee "$out/bench/${model}_$variant.jsonl"
  done
  ((dry_run)) && return 0
  note "$("$PYTHON" - "$out/bench" "$model" <<'PYTHON'
import json, sys
folder, model = sys.argv[1:]
figures = {v: json.loads(open(f"{folder}/{model}_{v}.jsonl").read().strip().splitlines()[-1])
           for v in ("default", "unfused", "eager")}
print(f"{model}: {figures['default']['ms_per_step']:.3f} ms a step ({figures['default']['kernels_per_step']} kernels), "
      f"--unfused {figures['unfused']['ms_per_step']:.3f} ms ({figures['unfused']['kernels_per_step']} kernels), "
      f"--eager {figures['eager']['ms_per_step']:.3f} ms; fusions refused: "
      f"{'; '.join(figures['default'].get('refused_fusions', [])) or 'none'}")
PYTHON
)"
}

# The wall time of `gpufm kfold` over the CNN with --parallel $1, in seconds.
timed_kfold() {
  local parallel=$1 start=$SECONDS
  bounded_gpufm "$work/bin/gpufm" kfold "$work/models/cnn.dsl" --device cuda --data "$from/data" --folds 5 --epochs "${epochs:-3}" \
    --parallel "$parallel" --out "$work/runs/kfold-parallel-$parallel" >&2
  echo $((SECONDS - start))
}

kfold_side_by_side() {
  local one_by_one five
  one_by_one=$(timed_kfold 1)
  five=$(timed_kfold 5)
  ((dry_run)) || note "5 folds of cnn, ${epochs:-3} epochs: one after another ${one_by_one} s, side by side ${five} s"
}

# --- Report -----------------------------------------------------------------------------------

# gpu-check.json and gpu-check.md from steps.tsv, the figures and the gtest-*.json files; logs.tar.gz from
# the logs and the runs' small files.
write_report() {
  "$PYTHON" - "$work" "$out" "$dry_run" <<'PYTHON' || echo "gpu-check: the report could not be written ($PYTHON failed)" >&2
import glob, json, os, sys
work, out, dry_run = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

def read(path, default=""):
    try:
        return open(path).read().strip()
    except OSError:
        return default

steps = []
for line in read(f"{work}/steps.tsv").splitlines():
    name, status, seconds, detail = (line.split("\t") + [""] * 4)[:4]
    steps.append({"step": name, "status": status, "seconds": int(seconds or 0), "detail": detail})
figures = {os.path.basename(p)[:-5]: json.loads(read(p, "null")) for p in sorted(glob.glob(f"{work}/figures/*.json"))}
manifest = dict(line.split("=", 1) for line in read(f"{work}/MANIFEST").splitlines() if "=" in line and not line.startswith("packed"))
gtest = None
runs = [json.loads(read(path, "{}")) for path in sorted(glob.glob(f"{out}/gtest-*.json"))]
if runs:
    cases = [(s["name"] + "." + t["name"], t) for g in runs for s in g.get("testsuites", []) for t in s.get("testsuite", [])]
    # Each failed test with the first line of its first failure, which names the file and line.
    gtest = {"tests": len(cases), "failures": sum(g.get("failures", 0) for g in runs),
             "failed": {n: t["failures"][0].get("failure", "").splitlines()[0][:300] for n, t in cases if t.get("failures")},
             "skipped": [n for n, t in cases if t.get("result") == "SKIPPED"]}
report = {"passed": bool(steps) and all(s["status"] in ("passed", "dry run", "no peer") for s in steps), "dry_run": dry_run,
          "gpu": read(f"{work}/gpu_line"), "package": manifest, "libraries": read(f"{work}/libraries").splitlines(),
          "steps": steps, "gtest": gtest, "figures": figures}
json.dump(report, open(f"{out}/gpu-check.json", "w"), indent=2)

def cell(value, form="{:.4f}"):
    return "" if value is None else form.format(value)

md = ["# gpufm GPU check" + (" (dry run)" if dry_run else ""), "",
      f"- GPU: {report['gpu'] or 'unknown'}",
      f"- package: commit {manifest.get('commit', '?')}, built {manifest.get('created', '?')} on {manifest.get('built_on', '?')}",
      *[f"- {line}" for line in report["libraries"]],
      f"- result: **{('nothing failed' if dry_run else 'all passed') if report['passed'] else 'NOT all passed'}**", "",
      "| step | status | seconds | detail |", "|---|---|---|---|",
      *[f"| {s['step']} | {s['status']} | {s['seconds']} | {s['detail'].replace('|', '/')} |" for s in steps]]
if gtest:
    md += ["", f"gtest: {gtest['tests']} tests, {gtest['failures']} failed, {len(gtest['skipped'])} skipped"]
    md += [f"- failed: {n}: {m}" for n, m in gtest["failed"].items()]
    md += [f"- skipped: {n}" for n in gtest["skipped"][:10]]
    if len(gtest["skipped"]) > 10:
        md.append(f"- and {len(gtest['skipped']) - 10} more skipped")
models = sorted({k.split("_", 1)[1] for k in figures if figures[k]})
if models:
    md += ["", "| model | epochs | gpufm test acc | torch test acc | gpufm test loss | torch test loss | gpufm s/epoch | torch s/epoch | gpufm img/s | torch img/s (steady) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for m in models:
        g, t = figures.get(f"gpufm_{m}") or {}, figures.get(f"torch_{m}") or {}
        epoch_s = t.get("epoch_s") or []
        md.append("| " + " | ".join([m, str(g.get("epochs", t.get("epochs", ""))), cell(g.get("test", {}).get("accuracy")), cell(t.get("test_acc")),
                                     cell(g.get("test", {}).get("loss")), cell(t.get("test_loss")), cell(g.get("seconds_per_epoch"), "{:.2f}"),
                                     cell(sum(epoch_s) / len(epoch_s) if epoch_s else None, "{:.2f}"),
                                     cell(g.get("train_images_per_second"), "{:,.0f}"), cell(t.get("images_per_s_steady"), "{:,.0f}")]) + " |")
    md += ["", "s/epoch includes each side's validation pass; torch_ref.py drops the ragged last batch, gpufm trains on it."]
bench_table = read(f"{out}/bench/bench.md")
if bench_table:
    md += ["", "## gpufm against PyTorch (scripts/bench.sh)", "", bench_table]
open(f"{out}/gpu-check.md", "w").write("\n".join(md) + "\n")
PYTHON
  # Logs and the runs' figures and histories; checkpoints stay behind (megabytes each).
  (cd "$work" && find logs notes MANIFEST runs -maxdepth 2 \( -name '*.log' -o -path 'notes/*' -o -name MANIFEST -o -name '*.json' -o -name '*.csv' \) -print0 2>/dev/null |
    tar -czf "$out/logs.tar.gz" --null -T -) || true
}

# --- Main -------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  mkdir -p "$out"
  work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/logs" "$work/notes" "$work/figures" "$work/runs"
  : >"$work/steps.tsv"
  ((budget == 0)) || echo "gpu-check: a ${budget}-second budget; steps not started by then are recorded as skipped"

  run_step unpack unpack_package
  [[ $(tail -n 1 "$work/steps.tsv" | cut -f2) =~ ^($ok_statuses)$ ]] || setup_failed="the package did not unpack"
  # In the main shell, not run_step's subshell: later steps need the folders it finds.
  step_name=libraries
  local start=$SECONDS
  if [[ -n $setup_failed ]]; then
    record libraries skipped 0 "$setup_failed"
  elif find_libraries >"$work/logs/libraries.log" 2>&1; then
    grep -v '^using' "$work/logs/libraries.log" >"$work/libraries"
    record libraries passed $((SECONDS - start)) "$(paste -sd';' "$work/libraries" | sed 's/;/; /g')"
  else
    record libraries failed $((SECONDS - start)) "$(tail -n 1 "$work/logs/libraries.log")"
    setup_failed="cuDNN or cuBLAS not found, or the binaries cannot load"
  fi

  run_step gpu show_gpu
  if ((bench)); then
    local model
    local precision
    for model in ${models//,/ }; do
      for precision in ${precisions//,/ }; do
        if [[ $precision == fp32 ]]; then
          run_step "bench_$model" bench_model "$model" fp32
        else
          run_step "bench_${model}_$precision" bench_model "$model" "$precision"
        fi
      done
      run_step "profile_$model" profile_model "$model"
    done
    for model in mlp cnn; do
      if [[ ,$models, == *,$model,* ]]; then
        run_step "variants_$model" step_variants "$model"
      fi
    done
    if [[ ,$models, == *,cnn,* ]]; then
      run_step ncu_cnn ncu_cnn
      run_step kfold_side_by_side kfold_side_by_side
    fi
    finish
    return
  fi
  run_step tests run_tests
  run_step memcheck_mlp memcheck_mlp
  run_step memcheck_cnn memcheck_cnn
  run_step racecheck_cnn racecheck_cnn
  local model
  for model in ${models//,/ }; do
    if [[ ! -f $work/models/$model.dsl ]]; then
      record "train_$model" failed 0 "no models/$model.dsl in the package"
      continue
    fi
    run_step "train_$model" train_gpufm "$model"
    if ((!torch)); then
      continue
    elif grep -q "name == \"$model\"" "$work/torch_ref.py" 2>/dev/null; then
      run_step "torch_$model" train_torch "$model"
    else
      record "torch_$model" "no peer" 0 "torch_ref.py has no model '$model'"
    fi
  done
  finish
}

finish() {
  write_report
  echo "gpu-check: report in $out/gpu-check.md"
  cat "$out/gpu-check.md" 2>/dev/null || true
  ! cut -f2 "$work/steps.tsv" | grep -qvE "^($ok_statuses)\$"
}

main "$@"
