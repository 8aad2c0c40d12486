#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite. GPU tests skip, saying why, on a
# machine without a GPU. Then fuzzes the readers of user files for 20 s each (scripts/fuzz.sh,
# which first builds them with clang into build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
GPUFM_TEST_ORACLES=1 scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
scripts/fuzz.sh 20
