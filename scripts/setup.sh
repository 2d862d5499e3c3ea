#!/usr/bin/env bash
#===- setup.sh - Install aicc's dependencies, build it, run the example ---===#
#
# On a fresh Debian 12 machine: installs the apt packages and a Python venv
# (.venv) with pinned test tools, configures and builds into build/ (tools in
# build/bin/), then compiles the bundled example model for AVX-512 and runs
# it.
#
#   scripts/setup.sh            # everything
#   AICC_SKIP_APT=1 scripts/setup.sh   # packages already installed
#
#===----------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

APT_PACKAGES=(
  # compiler toolchain and build
  build-essential cmake ninja-build ccache git
  # LLVM/MLIR 22 (FileCheck, not, lit come with llvm-22-tools)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools lld-22
  # ONNX (protobuf messages, text parser) and its node-test data
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  # --target=rocm: the ROCm math bitcode libraries (ocml, ockl) that HSACO
  # code objects link (Debian's 5.2.3 bitcode links into LLVM 22)
  rocm-device-libs
  # the artifact format and the runtime's unit tests
  libflatbuffers-dev flatbuffers-compiler libgtest-dev
  # clang with libFuzzer and the sanitizer runtimes: scripts/fuzz (test/fuzz
  # harnesses) and scripts/runtime-tsan.sh, run by .ci/run
  clang-22 libclang-rt-22-dev
  # Python for test generators; Debian's CPU torch for model export;
  # python3-dev for the Python package's extensions (nanobind)
  python3 python3-venv python3-dev python3-torch python3-torchvision
)

if [[ -z "${AICC_SKIP_APT:-}" ]]; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  echo "== apt packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${APT_PACKAGES[@]}" >/dev/null
fi

echo "== python venv (.venv)"
if [[ ! -x .venv/bin/python ]]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt

echo "== configure and build (build/)"
LLVM_BIN=$(llvm-config-22 --bindir)
cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR="$(llvm-config-22 --libdir)/cmake/mlir" \
  -DLLVM_EXTERNAL_LIT="$LLVM_BIN/lit" \
  -DAICC_PYTHON="$ROOT/.venv/bin/python" >/dev/null
cmake --build build -j "$(nproc)"

echo "== python package: import aicc from build/python"
# The build assembles the package (python/ -> build/python/aicc, extensions
# included); a .pth file puts it on the venv's path, so rebuilding updates it
# in place. (pip install ./python builds a standalone wheel instead.)
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$ROOT/build/python" > "$SITE/aicc-build.pth"
.venv/bin/python -c 'import aicc; print("aicc", aicc.__version__, "for Python from", aicc.__file__)'

echo "== example: examples/tiny-cnn.onnx"
build/bin/aicc examples/tiny-cnn.onnx --input-shape=input:1x1x28x28 \
  --target=avx512 -o build/tiny-cnn.aicc --report=memory
build/bin/aicc-run build/tiny-cnn.aicc --inspect
build/bin/aicc-run build/tiny-cnn.aicc --input input=random --benchmark 20
echo "setup done: tools are in build/bin (aicc, aicc-opt, aicc-run); run scripts/test.sh for the tests"
