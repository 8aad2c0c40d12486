#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that cannot build gpufm itself (it has
# the CUDA toolkit, cuDNN and cuBLAS, but none of our Debian build dependencies: CLI11,
# nlohmann-json, GoogleTest, OpenBLAS):
#
#   gpufm-device.tar.xz   bin/gpufm, bin/gpufm_tests (built here for the H100, sm_90), lib/ with
#                         the shared libraries they need that such a machine lacks (OpenBLAS and
#                         its Fortran runtime, OpenMP), lib/fallback/ with our libstdc++ and
#                         libgcc_s (used there only if the system's are too old), models/, and
#                         torch_ref.py (the PyTorch peer the figures are compared with)
#   data/                 the four Fashion-MNIST IDX files, already gzip-compressed
#   MANIFEST              what was packed, from which commit, and the paths compiled into the tests
#
# The folder must stay under 60 MiB (the device tool carries at most 64 MiB); xz brings
# OpenBLAS's 36 MB down to about 4. Usage:
#
#   scripts/package-for-device.sh [--build-dir DIR] [--out DIR] [--data DIR] [--torch-ref FILE] [--no-build]
#
# then carry the folder (default .device/, git-ignored) to the device and run scripts/gpu-check.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build-device
out_dir=$root/.device
data_dir=/usr/share/datasets/fashion-mnist
torch_ref=$root/../shared/peer/torch_ref.py
build=1
max_mib=60
stage=  # the folder the archive is made from, removed on exit

# shellcheck source=usage.sh
source "$(dirname "$0")/usage.sh"

die() {
  echo "package-for-device: $*" >&2
  exit 1
}

parse_args() {
  while (($#)); do
    case $1 in
      --build-dir) build_dir=$(realpath -m "${2:?--build-dir needs a directory}"); shift 2 ;;
      --out) out_dir=$(realpath -m "${2:?--out needs a directory}"); shift 2 ;;
      --data) data_dir=${2:?--data needs a directory}; shift 2 ;;
      --torch-ref) torch_ref=${2:?--torch-ref needs a file}; shift 2 ;;
      --no-build) build=0; shift ;;
      -h | --help) usage 0 ;;
      *) echo "package-for-device: unknown argument '$1'" >&2; usage 2 ;;
    esac
  done
}

# A Release build of the two binaries with the CUDA backend, for the H100 (compute capability 9.0).
build_binaries() {
  if ((build)); then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGPUFM_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
    ninja -C "$build_dir" gpufm gpufm_tests
  fi
  grep -q '^GPUFM_CUDA:BOOL=ON' "$build_dir/CMakeCache.txt" || die "$build_dir was configured without the CUDA backend (GPUFM_CUDA=OFF, or no nvcc)"
  [[ $(cuda_architectures) == 90 ]] || echo "package-for-device: warning: $build_dir is built for CUDA architectures $(cuda_architectures), not 90 (the H100)" >&2
}

# As configured, or the project's default (90) when the cache does not name them.
cuda_architectures() {
  local cached
  cached=$(grep -o -m1 '^CMAKE_CUDA_ARCHITECTURES:[A-Z]*=.*' "$build_dir/CMakeCache.txt" | cut -d= -f2)
  echo "${cached:-90}"
}

# The tests run the CLI through a path compiled into them (GPUFM_BINARY) and read models/ under
# another (GPUFM_SOURCE_DIR); gpu-check.sh recreates both on the device, so they are recorded.
compiled_define() {
  # build.ninja spells them -DNAME=\"value\"; the value is what lies between the quotes.
  grep -o -m1 -e "-D$1=[^ ]*" "$build_dir/build.ninja" | head -1 | cut -d= -f2- | sed 's/[\\"]//g'
}

# Shared libraries of the binaries (ldd lists the indirect ones too) that the device may lack.
# Left out: the C library family and the dynamic loader (always there; a private copy would not
# match the system's loader), zlib (essential on Debian and Ubuntu), and the NVIDIA libraries
# (the driver's libcuda, and cuBLAS and cuDNN, which the device has and gpu-check.sh finds).
# libstdc++ and libgcc_s go to lib/fallback: the device's are likely newer and used first.
copy_libraries() {
  local stage=$1 line name path
  mkdir -p "$stage/lib/fallback"
  ldd "$stage/bin/gpufm" "$stage/bin/gpufm_tests" | while read -r line; do
    [[ $line == *"=> /"* ]] || continue
    name=${line%% =>*}
    name=${name//[[:space:]]/}
    path=${line#*=> }
    path=${path%% (*}
    case $name in
      libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux* | libz.so.*) ;;
      libcuda.so.* | libcublas*.so.* | libcudnn*.so.* | libnvrtc*.so.*) ;;
      libstdc++.so.* | libgcc_s.so.*) cp -L "$path" "$stage/lib/fallback/$name" ;;
      *) cp -L "$path" "$stage/lib/$name" ;;
    esac
  done
  [[ -e $stage/lib/libopenblas.so.0 ]] || die "libopenblas.so.0 not among the binaries' libraries; is this the OpenMP OpenBLAS build?"
}

# The newest glibc and libstdc++ symbol versions the packed code needs: if the device's glibc is
# older than the first, nothing here can run there (gpu-check.sh says so).
newest_version() {
  local prefix=$1
  shift
  objdump -T "$@" 2>/dev/null | grep -o "${prefix}_[0-9][0-9.]*" | sort -uV | tail -1
}

write_manifest() {
  local stage=$1 commit
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit+uncommitted changes"
  {
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$commit"
    echo "built_on=$(grep -m1 '^PRETTY_NAME=' /etc/os-release | cut -d'"' -f2), $(ldd --version | head -1)"
    echo "cuda_architectures=$(cuda_architectures)"
    echo "gpufm_binary=$(compiled_define GPUFM_BINARY)"
    echo "gpufm_source_dir=$(compiled_define GPUFM_SOURCE_DIR)"
    echo "needs_glibc=$(newest_version GLIBC "$stage"/bin/* "$stage"/lib/*.so*)"
    echo "needs_glibcxx=$(newest_version GLIBCXX "$stage"/bin/* "$stage"/lib/*.so*)"
  } >"$out_dir/MANIFEST"
  (cd "$stage" && find . -type f -printf '%P %s\n' | sort) | sed 's/^/packed: /' >>"$out_dir/MANIFEST"
}

main() {
  parse_args "$@"
  [[ -f $torch_ref ]] || die "no torch_ref.py at $torch_ref (--torch-ref FILE)"
  local file
  for file in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f $data_dir/$file.gz ]] || die "no $data_dir/$file.gz (install dataset-fashion-mnist, or --data DIR)"
  done
  build_binaries

  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/bin"
  cp "$(compiled_define GPUFM_BINARY)" "$stage/bin/gpufm"
  cp "$build_dir/tests/gpufm_tests" "$stage/bin/gpufm_tests"
  copy_libraries "$stage"
  cp -r "$root/models" "$stage/models"
  cp "$torch_ref" "$stage/torch_ref.py"

  rm -rf "$out_dir"
  mkdir -p "$out_dir/data"
  tar -C "$stage" -cJf "$out_dir/gpufm-device.tar.xz" .
  cp "$data_dir"/*-idx?-ubyte.gz "$out_dir/data/"
  write_manifest "$stage"

  local bytes
  bytes=$(du -sb "$out_dir" | cut -f1)
  echo "packed $out_dir: $((bytes / 1024 / 1024)) MiB ($bytes bytes)"
  grep -v '^packed: ' "$out_dir/MANIFEST" | sed 's/^/  /'
  ((bytes < max_mib * 1024 * 1024)) || die "$out_dir is $((bytes / 1024 / 1024)) MiB, over the $max_mib MiB the device tool can carry with the rest"
}

main "$@"
