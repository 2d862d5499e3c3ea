#!/usr/bin/env bash
#===- test.sh - Run every aicc test ----------------------------------------===#
#
# lit suites (dialects, passes, importer), runtime unit tests (also under
# AddressSanitizer in build-asan/), and the ONNX node-test import sweep, all
# through ctest so they run in parallel. Needs scripts/setup.sh first.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

cmake --build build -j "$JOBS"
if [[ -x scripts/runtime-asan.sh ]]; then
  echo "== runtime under AddressSanitizer (build-asan/)"
  scripts/runtime-asan.sh
fi
echo "== ctest (build/)"
ctest --test-dir build --output-on-failure -j "$JOBS"
