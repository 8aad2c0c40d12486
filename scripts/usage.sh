# Sourced by the scripts whose help is their header comment: usage [CODE] prints that comment
# (from line 2 up to `set -euo`), on stdout when asked for and on stderr after a usage error,
# and exits with CODE.
usage() {
  local code=${1:-0}
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&"$((code == 0 ? 1 : 2))"
  exit "$code"
}
