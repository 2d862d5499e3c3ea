#!/usr/bin/env bash
# Imports real (PyTorch-exported) models with aicc and checks the result.
#
#   scripts/check-real-models.sh [--small] [--aicc PATH] [--models DIR] [--runs N]
#
# Exports the models with scripts/export-models.py into build/models/
# (build/models/small/ with --small) unless they are already there, then for each
# runs `aicc MODEL --emit=graph [--input-shape=...]` and reports exit status,
# wall time, op count, and fails the model if
#   - aicc exits non-zero,
#   - any shape-computing op is left (graph.Shape, graph.ConstantOfShape,
#     graph.Range, graph.Size), or
#   - any tensor type is not fully static ('?' in tensor<...>, or unranked).
# The printed graphs (with weights elided) and stderr are kept next to the
# models as NAME.mlir / NAME.log.  ResNet-50's import time is measured as the
# best of --runs (default 3) runs of `aicc resnet50.onnx --emit=graph -o /dev/null`
# (weights printed in full); the target is under 2 s.
#
# Exit status: 0 if every model passes, 1 otherwise, 2 on setup errors.

set -u -o pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
aicc="$repo_root/build/bin/aicc"
small=0
models_dir=""
runs=3
target_ms=2000

while [ $# -gt 0 ]; do
  case "$1" in
    --small) small=1 ;;
    --aicc) aicc="$2"; shift ;;
    --aicc=*) aicc="${1#--aicc=}" ;;
    --models) models_dir="$2"; shift ;;
    --models=*) models_dir="${1#--models=}" ;;
    --runs) runs="$2"; shift ;;
    --runs=*) runs="${1#--runs=}" ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-real-models: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$models_dir" ]; then
  models_dir="$repo_root/build/models"
  [ "$small" = 1 ] && models_dir="$models_dir/small"
fi

python="$repo_root/.venv/bin/python"
[ -x "$python" ] || python=python3

# aicc gets rebuilt by others now and then: wait for it a little.
for _ in $(seq 60); do [ -x "$aicc" ] && break; sleep 5; done
if [ ! -x "$aicc" ]; then
  echo "check-real-models: $aicc not found" >&2
  exit 2
fi

models="resnet50 mobilenet_v2 bert gpt2 gpt2_past dyn_cnn"
missing=0
for m in $models; do
  [ -f "$models_dir/$m.onnx" ] || missing=1
done
[ -f "$models_dir/models.json" ] || missing=1
if [ "$missing" = 1 ]; then
  echo "check-real-models: exporting models into $models_dir"
  small_flag=""
  [ "$small" = 1 ] && small_flag="--small"
  "$python" "$repo_root/scripts/export-models.py" --out "$models_dir" $small_flag || {
    echo "check-real-models: export failed" >&2; exit 2; }
fi

# --input-shape flags per model, from models.json (written by the exporter).
shape_flags() {
  "$python" - "$models_dir/models.json" "$1" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
print(" ".join("--input-shape=" + s for s in meta["models"][sys.argv[2]]["input_shapes"]))
EOF
}

now_ms() { date +%s%3N; }

# Weights are elided from the kept .mlir (it would otherwise hold every weight
# as hex text: ~2x the model size).
elide="--mlir-elide-resource-strings-if-larger=64 --mlir-elide-elementsattrs-if-larger=16"

fails=0
rows=()
for m in $models; do
  onnx="$models_dir/$m.onnx"
  flags="$(shape_flags "$m")"
  out="$models_dir/$m.mlir"
  log="$models_dir/$m.log"
  t0=$(now_ms)
  # shellcheck disable=SC2086
  "$aicc" "$onnx" --emit=graph -o "$out" $flags $elide 2> "$log"
  rc=$?
  ms=$(( $(now_ms) - t0 ))
  status=ok
  ops=-; consts=-; leftover=-; dyn=-
  if [ "$rc" -ne 0 ]; then
    status="FAIL(rc=$rc)"
    [ "$rc" -gt 128 ] && status="CRASH(rc=$rc)"
  else
    ops=$(grep -cE '= graph\.[A-Za-z]' "$out")
    consts=$(grep -cE '= graph\.constant\b' "$out")
    ops=$(( ops - consts ))
    leftover=$(grep -oE 'graph\.(Shape|ConstantOfShape|Range|Size)\b' "$out" | sort | uniq -c |
               awk '{printf "%s%s:%s", sep, substr($2, 7), $1; sep=","}')
    [ -z "$leftover" ] && leftover=none
    dyn=$(grep -oE 'tensor<([^>]*\?[^>]*|\*[^>]*)>' "$out" | wc -l)
    if [ "$leftover" != none ]; then status="FAIL(shape ops)"; fi
    if [ "$dyn" -ne 0 ]; then status="FAIL(dynamic types)"; fi
  fi
  [ "$status" = ok ] || fails=$((fails + 1))
  rows+=("$(printf '%-13s %-20s %8s %6s %7s %-22s %8s' "$m" "$status" "$ms" "$ops" "$consts" "$leftover" "$dyn")")
  if [ "$status" != ok ]; then
    grep -m5 'error' "$log" | sed "s/^/  $m: /" >&2
  fi
done

echo
[ "$small" = 1 ] && echo "models: $models_dir (--small)" || echo "models: $models_dir"
printf '%-13s %-20s %8s %6s %7s %-22s %8s\n' model status ms ops consts "leftover shape ops" "dyn types"
printf '%s\n' "${rows[@]}"

# ResNet-50 import time: best of $runs, full output to /dev/null.
best=""
for _ in $(seq "$runs"); do
  t0=$(now_ms)
  "$aicc" "$models_dir/resnet50.onnx" --emit=graph -o /dev/null 2>/dev/null || break
  ms=$(( $(now_ms) - t0 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo
if [ -n "$best" ]; then
  verdict="ok"
  [ "$best" -ge "$target_ms" ] && verdict="OVER TARGET"
  echo "resnet50 import (best of $runs, aicc --emit=graph -o /dev/null): $best ms (target < $target_ms ms: $verdict)"
else
  echo "resnet50 import timing: aicc failed"
fi

echo "check-real-models: $(( $(echo "$models" | wc -w) - fails )) passed, $fails failed"
[ "$fails" -eq 0 ]
