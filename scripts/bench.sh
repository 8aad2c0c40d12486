#!/usr/bin/env bash
# Sets gpufm beside PyTorch on one GPU: for each model, `gpufm bench` on CUDA, then the PyTorch
# yardstick (../shared/peer/torch_ref.py) in each of its modes (eager, torch.compile, CUDA graphs)
# with the model file's recipe (torch-recipe.sh), back to back; then one table of training wall
# times, images per second, gpufm's speed-up over each mode and each side's test accuracy
# (scripts/bench_table.py). Record its table in docs/benchmarks.md with the versions it prints.
#
# Usage: scripts/bench.sh [options]
#   --gpufm PATH       the gpufm binary (default build/gpufm)
#   --models LIST      models/NAME.dsl to run, comma-separated (default cnn,mlp,autoencoder)
#   --epochs N         train every model N epochs instead of its file's count
#   --modes LIST       torch_ref.py modes, comma-separated (default eager,compile,graphs)
#   --precision P      fp32 (default), tf32, bf16 or fp16, for both sides (torch_ref.py has no fp16:
#                      it then runs bf16, the nearest it has); the table's rows read MODEL@P
#   --data DIR         the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)
#   --torch-ref FILE   the yardstick (default ../shared/peer/torch_ref.py beside the checkout)
#   --out DIR          where each run's JSON line and the table go (default runs/bench-<time>)
#   --dry-run          print the commands instead of running them
# Environment: PYTHON (default python3); GPUFM_LIBRARY_PATH, an LD_LIBRARY_PATH for gpufm alone
# (gpu-check.sh's packed binaries), PyTorch keeping its own libraries.
# Writes OUT/gpufm_MODEL.json, OUT/torch_MODEL_MODE.json (one JSON line each; MODEL@P outside
# fp32) and OUT/bench.md.
# Exit status: 0 when every run gave its figures, 1 otherwise, 2 for a usage error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gpufm=$root/build/gpufm
models=cnn,mlp,autoencoder
epochs=
modes=eager,compile,graphs
precision=fp32
data=/usr/share/datasets/fashion-mnist
torch_ref=$root/../shared/peer/torch_ref.py
out=$root/runs/bench-$(date +%Y%m%d-%H%M%S)
dry_run=0
PYTHON=${PYTHON:-python3}

# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"
# shellcheck source=torch-recipe.sh
source "$(dirname "$0")/torch-recipe.sh"

usage_error() {
  echo "bench: $*" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --gpufm) gpufm=$(realpath -m "${2:?--gpufm needs a path}"); shift 2 ;;
    --models) models=${2:?--models needs a list}; shift 2 ;;
    --epochs) epochs=${2:?--epochs needs a number}; shift 2 ;;
    --modes) modes=${2:?--modes needs a list}; shift 2 ;;
    --precision) precision=${2:?--precision needs fp32, tf32, bf16 or fp16}; shift 2 ;;
    --data) data=$(realpath -m "${2:?--data needs a folder}"); shift 2 ;;
    --torch-ref) torch_ref=$(realpath -m "${2:?--torch-ref needs a file}"); shift 2 ;;
    --out) out=$(realpath -m "${2:?--out needs a folder}"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -z $epochs || $epochs =~ ^[1-9][0-9]*$ ]] || usage_error "--epochs expects a positive whole number, got '$epochs'"
[[ $models =~ ^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$ ]] || usage_error "--models expects names separated by commas, got '$models'"
[[ $modes =~ ^(eager|compile|graphs)(,(eager|compile|graphs))*$ ]] || usage_error "--modes expects eager, compile or graphs, got '$modes'"
[[ $precision =~ ^(fp32|tf32|bf16|fp16)$ ]] || usage_error "--precision expects fp32, tf32, bf16 or fp16, got '$precision'"
torch_precision=${precision/fp16/bf16}
row_suffix=
[[ $precision == fp32 ]] || row_suffix=@$precision
((dry_run)) || [[ -x $gpufm ]] || usage_error "no gpufm binary at $gpufm (build it, or pass --gpufm)"
((dry_run)) || [[ -f $torch_ref ]] || usage_error "no torch_ref.py at $torch_ref (pass --torch-ref)"

# Runs a command whose last stdout line is its JSON figures into FILE; in a dry run, prints it.
figures_of() {
  local file=$1
  shift
  if ((dry_run)); then
    echo "dry run: $* > $file"
    return 0
  fi
  echo "bench: $*" >&2
  "$@" | tail -n 1 >"$file.part" && mv "$file.part" "$file"
}

mkdir -p "$out"
failed=0
for model in ${models//,/ }; do
  file=$root/models/$model.dsl
  [[ -f $file ]] || usage_error "no model file $file"
  row=$model$row_suffix
  figures_of "$out/gpufm_$row.json" env LD_LIBRARY_PATH="${GPUFM_LIBRARY_PATH:-${LD_LIBRARY_PATH:-}}" \
    "$gpufm" bench "$file" --device cuda --data "$data" --precision "$precision" ${epochs:+--epochs "$epochs"} || failed=1
  torch_recipe "$file" "$epochs"
  [[ $recipe_optimizer == adam ]] || echo "bench: $model trains with $recipe_optimizer; torch_ref.py with adam" >&2
  for mode in ${modes//,/ }; do
    figures_of "$out/torch_${row}_$mode.json" "$PYTHON" "$torch_ref" --data "$data" --mode "$mode" --precision "$torch_precision" \
      "${torch_args[@]}" || failed=1
  done
done
((dry_run)) && exit 0
"$PYTHON" "$root/scripts/bench_table.py" "$out" | tee "$out/bench.md"
exit "$failed"
