#!/usr/bin/env bash
#===- scripts/runtime-tsan.sh - Concurrent sessions under ThreadSanitizer -===#
#
# Configures build-tsan without the compiler and with -fsanitize=thread,
# builds the runtime and its tests, and runs the tests that share one module
# between threads: runtime.ConcurrentSessions (a C program: 8 threads with
# their own sessions plus 2 threads racing on one session, all over one
# loaded module), runtime.ThreadSafetyTest.*, runtime.ThreadPoolTest.* and
# the session tests. Any data race fails the run.
#
#   scripts/runtime-tsan.sh [extra ctest args]
#
# Environment: JOBS (default 2), BUILD_DIR (default <repo>/build-tsan).
#
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-tsan}"
JOBS="${JOBS:-2}"

cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAICC_BUILD_COMPILER=OFF \
  -DAICC_BUILD_RUNTIME_BENCH=OFF \
  -DAICC_ENABLE_TSAN=ON >/dev/null
ninja -C "$BUILD_DIR" -j "$JOBS" aicc-runtime-tests aicc-make-test-module \
  aicc-concurrent-sessions aicc_test_kernels

# halt_on_error: the first race fails the test (exit code 66).
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" \
  -R 'runtime\.(ConcurrentSessions|ThreadSafetyTest|ThreadPoolTest|SessionTest|GpuSessionTest)' "$@"
