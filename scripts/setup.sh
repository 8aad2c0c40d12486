#!/usr/bin/env bash
# Installs what gpufm needs from Debian (only what is missing), then configures and builds
# into build/ (BUILD_DIR to change; CMAKE_ARGS for more, e.g. -DGPUFM_CUDA=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packages.sh
source scripts/packages.sh

packages=(cmake ninja-build g++ pkg-config libcli11-dev libgtest-dev zlib1g-dev nlohmann-json3-dev libopenblas-openmp-dev libcairo2-dev fonts-dejavu-core libpng-dev python3-venv dataset-fashion-mnist)
# The tests' oracles from Debian: headless Chromium opens the HTML reports.
if [ "${GPUFM_TEST_ORACLES:-0}" = 1 ]; then packages+=(chromium); fi
install_missing setup "${packages[@]}"

# The CUDA toolkit is not a Debian package; use it where NVIDIA's installer put it.
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086  # CMAKE_ARGS is a list of flags
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)"

# The tests' Python oracle, which Debian lacks: the tensorboard package (with Pillow), reading
# gpufm's event files back. scripts/test.sh asks for it (GPUFM_TEST_ORACLES=1); it goes into a
# venv in the build directory, where the tests look for it.
if [ "${GPUFM_TEST_ORACLES:-0}" = 1 ] && ! "$build_dir/venv/bin/python3" -c 'import tensorboard, PIL' 2>/dev/null; then
  echo "setup: installing tensorboard into $build_dir/venv"
  python3 -m venv --clear "$build_dir/venv"
  "$build_dir/venv/bin/python3" -m pip install -q --disable-pip-version-check tensorboard==2.21.0
fi
