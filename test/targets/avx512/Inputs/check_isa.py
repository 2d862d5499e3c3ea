"""Checks that the kernels of an .aicc artifact use only the instructions of
their ISA level: writes out the kernel library (the ELF embedded in the
artifact), disassembles it with llvm-objdump and looks at the Halide kernels
(functions aicc_hl_*; the support code is compiled separately and checks
the CPU itself). Fails on an instruction outside the level, or, for the
VNNI levels, when no kernel uses vpdpbusd (the test would prove nothing).

usage: check_isa.py LLVM-READELF ARTIFACT LEVEL
(LLVM-READELF: lit's llvm-readelf; llvm-objdump is taken from its folder.)"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

readelf, artifact, level = sys.argv[1:4]

data = open(artifact, "rb").read()
start = data.find(b"\x7fELF")
if start < 0:
    sys.exit(f"{artifact}: no embedded ELF")
# The ELF ends with its section header table (e_shoff + e_shnum * e_shentsize).
shoff = struct.unpack_from("<Q", data, start + 0x28)[0]
shentsize, shnum = struct.unpack_from("<HH", data, start + 0x3A)
elf = data[start:start + shoff + shentsize * shnum]

objdump = os.path.join(os.path.dirname(readelf), "llvm-objdump")
if not os.path.exists(objdump):
    objdump = (shutil.which("llvm-objdump-22") or shutil.which("llvm-objdump")
               or shutil.which("objdump"))
with tempfile.NamedTemporaryFile(suffix=".so") as f:
    f.write(elf)
    f.flush()
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", f.name],
                          check=True, capture_output=True, text=True).stdout

# Mnemonics of each kernel function.
kernel_ops = {}
current = None
for line in text.splitlines():
    m = re.match(r"^[0-9a-f]+ <([^>]+)>:", line)
    if m:
        current = m.group(1) if m.group(1).startswith("aicc_hl_") else None
        continue
    m = re.match(r"^\s*[0-9a-f]+:\s+(\{vex\}\s+)?([a-z][a-z0-9.]*)", line)
    if current and m:
        kernel_ops.setdefault(current, []).append(
            ("{vex} " if m.group(1) else "") + m.group(2))
if not kernel_ops:
    sys.exit(f"{artifact}: no aicc_hl_* kernel functions in the disassembly")

SSE4A = {"insertq", "extrq", "movntss", "movntsd"}
AMX = re.compile(r"^(tile|tdp|ldtilecfg|sttilecfg)")
# AVX512-FP16: every mnemonic on ph/sh (packed/scalar half) but F16C's two
# conversions, and vmovw.
FP16 = re.compile(r"^v\w*(ph|sh)x?$")
F16C = {"vcvtph2ps", "vcvtps2ph"}
# Zen 4 / Ice Lake extensions outside the VNNI levels: VBMI, VBMI2, IFMA,
# BITALG, VPOPCNTDQ, GFNI, VAES, VPCLMULQDQ.
LATER = re.compile(r"^(vpermb|vpermi2b|vpermt2b|vpmultishiftqb|vpcompress[bw]"
                   r"|vpexpand[bw]|vpshld|vpshrd|vpmadd52|vpopcnt"
                   r"|vpshufbitqmb|vgf2p8|vaes|vpclmul)")


def outside(op):
    if op in SSE4A:
        return "SSE4A"
    if op.startswith("{vex} "):
        return "AVX-VNNI (VEX)"
    if (FP16.match(op) and op not in F16C) or op == "vmovw":
        return "AVX512-FP16"
    if level in ("avx512-vnni", "avx512-amx") and LATER.match(op):
        return "an extension beyond AVX-512 F/CD/BW/DQ/VL + VNNI + BF16"
    if level != "avx512-amx" and AMX.match(op):
        return "AMX"
    if level == "avx512" and op.startswith("vpdp"):
        return "AVX512-VNNI"
    return None


errors = []
dot_products = 0
for fn, ops in kernel_ops.items():
    for op in ops:
        why = outside(op)
        if why:
            errors.append(f"{fn}: {op} ({why}) is outside {level}")
        dot_products += op == "vpdpbusd"
if level in ("avx512-vnni", "avx512-amx") and not dot_products:
    errors.append(f"no kernel uses vpdpbusd: not the {level} kernels?")
if errors:
    sys.exit("\n".join(sorted(set(errors))[:20]))
print(f"{level}: {sum(map(len, kernel_ops.values()))} instructions in "
      f"{len(kernel_ops)} kernel functions, all within the level")
