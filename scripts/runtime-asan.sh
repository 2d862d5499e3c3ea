#!/usr/bin/env bash
#===- scripts/runtime-asan.sh - Runtime tests under AddressSanitizer ------===#
#
# Configures build-asan without the compiler and with -fsanitize=address,
# builds the runtime, aicc-run and their tests, and runs them with ctest.
# The corruption suite (runtime.CorruptionTest.*) loads thousands of
# truncated and damaged artifacts from exact-size buffers, so any read
# outside an artifact is reported here.
#
#   scripts/runtime-asan.sh [extra ctest args, e.g. -R Corruption]
#
# Environment: JOBS (default 2), BUILD_DIR (default <repo>/build-asan).
#
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"
JOBS="${JOBS:-2}"

cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAICC_BUILD_COMPILER=OFF \
  -DAICC_ENABLE_ASAN=ON
ninja -C "$BUILD_DIR" -j "$JOBS"

# detect_leaks: sessions and modules must not leak either.
# abort_on_error: an ASan report fails the test even inside a death-free run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" -L runtime "$@"
