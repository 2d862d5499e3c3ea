"""Checks the `requires:` line of `aicc-run --inspect` (stdin) for a
--target=host artifact against this machine's /proc/cpuinfo flags: every
AVX-512 extension the CPU has that Halide's host target compiles for must be
listed (so the runtime can check it), and nothing the CPU lacks."""
import sys

# /proc/cpuinfo flag -> the artifact's (LLVM/GCC) feature name.
FLAGS = {
    "avx512f": "avx512f", "avx512bw": "avx512bw", "avx512dq": "avx512dq",
    "avx512vl": "avx512vl", "avx512cd": "avx512cd",
    "avx512_vnni": "avx512vnni", "avx512_bf16": "avx512bf16",
    "avx512ifma": "avx512ifma", "avx512vbmi": "avx512vbmi",
    "avx512_vbmi2": "avx512vbmi2", "avx512_bitalg": "avx512bitalg",
    "avx512_fp16": "avx512fp16", "avx2": "avx2", "fma": "fma",
}
cpu = set()
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("flags"):
            cpu = set(line.split(":", 1)[1].split())
            break
required = None
for line in sys.stdin:
    if line.strip().startswith("requires:"):
        required = line.split(":", 1)[1].split()
if required is None:
    sys.exit("no 'requires:' line in the --inspect output")
names = {v: k for k, v in FLAGS.items()}
errors = []
for feature in required:
    flag = names.get(feature)
    if flag and flag not in cpu:
        errors.append(f"{feature} is required but this CPU lacks it")
expected = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl",
            "avx512cd"]
# Halide's Zen 4 and Sapphire Rapids levels (AVX512-BF16 on the CPU) bring
# VNNI, BF16, VBMI2 and BITALG; Sapphire Rapids (AVX512-FP16) also FP16.
if "avx512_bf16" in cpu:
    expected += ["avx512vnni", "avx512bf16", "avx512vbmi2", "avx512bitalg"]
if "avx512_fp16" in cpu and "amx_int8" in cpu:
    expected += ["avx512fp16", "amx-int8", "amx-bf16"]
for feature in expected:
    if feature not in required:
        errors.append(f"{feature} is missing from: {' '.join(required)}")
if errors:
    sys.exit("\n".join(errors))
print("ok:", " ".join(required))
