#!/usr/bin/env bash
# A screenshot of a report.html as a browser shows it, with Debian's headless Chromium: to look at
# a run's or a study's report where no browser is at hand, and for the test that the report
# renders (tests/report/report_screenshot_test.cpp).
#
# Usage: scripts/screenshot-report.sh REPORT_HTML OUT_PNG [WIDTHxHEIGHT]   (default 1200x2400)
set -euo pipefail
source "$(dirname "$0")/usage.sh"
[[ ${1:-} != -h && ${1:-} != --help ]] || usage 0
(($# >= 2 && $# <= 3)) || usage 2
report=$(realpath "$1")
out=$(realpath -m "$2")
size=${3:-1200x2400}
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "screenshot-report: no chromium; install Debian's chromium package" >&2; exit 2; }
# A profile of its own, so that it neither needs nor touches the user's; no sandbox, as root in
# a container has none to give.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$out" "file://$report" >/dev/null 2>&1
[[ -s $out ]] || { echo "screenshot-report: chromium wrote no screenshot of $report" >&2; exit 1; }
