#!/usr/bin/env bash
# Profiles training steps with Nsight Systems: `gpufm train` on CUDA under nsys, tracing CUDA,
# cuDNN, cuBLAS and gpufm's NVTX ranges (epochs, steps; each layer's forward and backward and the
# optimizer at a step's capture as a CUDA graph), each kernel of a replayed graph on its own, and
# capturing only training steps FIRST to LAST (gpufm's --profile-steps starts and stops the
# capture; nsys waits for it). `-- --eager` shows every step's phases as NVTX ranges instead.
# The report (profile.nsys-rep, for the Nsight Systems GUI) and its summaries (profile-kernels:
# time per kernel; profile-ranges: each NVTX range's time on the GPU, the work its calls launched,
# as nvtx_gpu_proj_sum projects it; on the host a replayed step's range is only its launch) go
# into the run directory, next to the run. Where Nsight Systems is missing or cannot
# finish a report, `gpufm profile MODEL` times each layer with CUDA events instead.
#
# Usage: scripts/profile.sh MODEL [options] [-- more gpufm train flags]
#   --steps FIRST:LAST  the training steps to capture (default 50:60, past cuDNN's algorithm search)
#   --out DIR           the run directory (default runs/profile-MODEL-<time>)
#   --gpufm PATH        the binary (default build/gpufm)
#   --dry-run           print the commands instead of running them
# The run trains one epoch unless the flags after -- say otherwise (--epochs N); --data and --set
# go there too. Exit status: gpufm's or nsys's on failure, 2 for a usage error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
steps=50:60
out=
gpufm=$root/build/gpufm
dry_run=0
model=

# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"

usage_error() {
  echo "profile: $*" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --steps) steps=${2:?--steps needs FIRST:LAST}; shift 2 ;;
    --out) out=$(realpath -m "${2:?--out needs a folder}"); shift 2 ;;
    --gpufm) gpufm=$(realpath -m "${2:?--gpufm needs a path}"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage 0 ;;
    --) shift; break ;;
    -*) usage_error "unknown option '$1' (see --help)" ;;
    *) [[ -z $model ]] || usage_error "one model file, got '$model' and '$1'"; model=$1; shift ;;
  esac
done
[[ -n $model ]] || usage_error "give a model file (see --help)"
[[ -f $model ]] || usage_error "no model file $model"
[[ $steps =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || usage_error "--steps expects FIRST:LAST, got '$steps'"
out=${out:-$root/runs/profile-$(basename "$model" .dsl)-$(date +%Y%m%d-%H%M%S)}
nsys=$(command -v nsys || echo /usr/local/cuda/bin/nsys)
((dry_run)) || [[ -x $nsys ]] || usage_error "Nsight Systems (nsys) is not installed; \`$gpufm profile $model\` times each layer without it"

run() {
  if ((dry_run)); then echo "dry run: $*"; else "$@"; fi
}

one_epoch=(--epochs 1)
for flag in "$@"; do [[ $flag != --epochs && $flag != --epochs=* ]] || one_epoch=(); done

# The report is written beside the run, then moved into it: gpufm makes the run directory itself.
report=$(mktemp -d "${TMPDIR:-/tmp}/gpufm-profile.XXXXXX")
trap 'rm -rf "$report"' EXIT
run "$nsys" profile --trace=cuda,nvtx,cudnn,cublas --cuda-graph-trace=node --capture-range=cudaProfilerApi --capture-range-end=stop \
  --output "$report/profile" --force-overwrite=true \
  "$gpufm" train "$model" --device cuda --out "$out" "${one_epoch[@]}" --profile-steps "$steps" "$@"
run mv "$report/profile.nsys-rep" "$out/profile.nsys-rep"
run "$nsys" stats --report cuda_gpu_kern_sum --format csv --output "$out/profile-kernels" "$out/profile.nsys-rep"
run "$nsys" stats --report nvtx_gpu_proj_sum --format csv --output "$out/profile-ranges" "$out/profile.nsys-rep"
((dry_run)) || echo "profile: $out/profile.nsys-rep, $out/profile-kernels_cuda_gpu_kern_sum.csv, $out/profile-ranges_nvtx_gpu_proj_sum.csv"
