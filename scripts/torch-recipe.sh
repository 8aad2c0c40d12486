# shellcheck shell=bash
# Sourced by gpu-check.sh and bench.sh: torch_ref.py's arguments for a gpufm model file, so the
# PyTorch yardstick trains with the file's recipe.
#
#   torch_recipe FILE [EPOCHS]   sets torch_args (--model, --epochs, --batch, --lr, --val-split)
#                                and recipe_optimizer (the file's optimizer, "adam" when unstated)
#
# torch_ref.py's validation split is the last fraction of the training set, like Keras'; it
# cannot validate on the test split, and --val-split 0 leaves it no training data (X[:-0] is
# empty), so a model that validates on the test split or not at all holds out a single image
# there: it trains on 59,999 images where gpufm trains on 60,000. Keras' defaults stand where the
# file states nothing: batch 32, 1 epoch, Adam at lr 0.001. torch_ref.py always trains with Adam:
# its figures compare only when recipe_optimizer is adam too.

# A setting of a model file's train: section ("batch", "epochs", "validation"); empty when absent.
train_setting() {
  awk -v key="$2" '/^train:/ { section = 1; next } /^[^ \t#]/ { section = 0 } section && $1 == key { print $2; exit }' "$1"
}

# The optimizer statement's name and lr= ("adam 0.001"); empty fields when absent.
optimizer_and_rate() {
  awk '/^train:/ { section = 1; next } /^[^ \t#]/ { section = 0 }
       section && $1 == "optimizer" { lr = ""; for (i = 3; i <= NF; ++i) if ($i ~ /^lr=/) lr = substr($i, 4); print $2, lr; exit }' "$1"
}

torch_recipe() {
  local file=$1 epochs=${2:-} model validation split rate batch model_epochs
  model=$(basename "$file" .dsl)
  validation=$(train_setting "$file" validation)
  case $validation in
    "" | test | 0) split=0.0000167 ;;  # int(60000 * split) = 1
    *) split=$validation ;;
  esac
  # shellcheck disable=SC2034  # recipe_optimizer and torch_args are for the caller
  recipe_optimizer=
  read -r recipe_optimizer rate < <(optimizer_and_rate "$file") || true
  recipe_optimizer=${recipe_optimizer:-adam}
  batch=$(train_setting "$file" batch)
  model_epochs=$(train_setting "$file" epochs)
  # shellcheck disable=SC2034
  torch_args=(--model "$model" --epochs "${epochs:-${model_epochs:-1}}" --batch "${batch:-32}" --lr "${rate:-0.001}" --val-split "$split")
}
