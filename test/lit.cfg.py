# -*- Python -*-
# lit configuration for aicc's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "aicc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.aicc_obj_root, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "runtime", "Inputs"]
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(
    ["FileCheck", "not", "count", "split-file"], config.llvm_tools_dir)
llvm_config.add_tool_substitutions(
    ["aicc", "aicc-opt", "aicc-run"], [config.aicc_tools_dir])
# aicc-bisect exists when the Python package with its compiler is built.
if os.path.exists(os.path.join(config.aicc_tools_dir, "aicc-bisect")):
    config.available_features.add("aicc-bisect")
    llvm_config.add_tool_substitutions(["aicc-bisect"], [config.aicc_tools_dir])
# scripts/sanitize runs the suite with ASan+UBSan-instrumented tools.
if os.environ.get("AICC_SANITIZE"):
    config.available_features.add("asan")
# %python is the project's interpreter (with onnx), not the one running lit:
# inserted first, it wins over lit's default %python substitution.
config.substitutions.insert(0, ("%python", config.python_executable))
config.substitutions.append(("%aicc_src", config.aicc_src_root))

# GPU targets (test/targets/cuda, rocm): `ptxas` when a CUDA toolkit validates
# PTX ($CUDA_HOME, /usr/local/cuda or PATH); `rocm-device-libs` when the
# ROCm math bitcode libraries are installed (Debian's rocm-device-libs).
import shutil

_ptxas = None
for _root in (os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
    if _root and os.access(os.path.join(_root, "bin", "ptxas"), os.X_OK):
        _ptxas = os.path.join(_root, "bin", "ptxas")
        break
_ptxas = _ptxas or shutil.which("ptxas")
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
if os.path.isdir("/usr/lib/x86_64-linux-gnu/amdgcn/bitcode") or (
        os.environ.get("ROCM_PATH") and
        os.path.isdir(os.path.join(os.environ["ROCM_PATH"], "amdgcn", "bitcode"))):
    config.available_features.add("rocm-device-libs")
llvm_config.with_system_environment(["CUDA_HOME", "ROCM_PATH"])
llvm_config.add_tool_substitutions(["llvm-readelf"], config.llvm_tools_dir)

# CPU features of the machine running the tests, for tests that run kernels
# needing them (REQUIRES: cpu-avx512bf16); compile-only checks run anywhere.
_cpu_flags = []
try:
    with open("/proc/cpuinfo") as _f:
        for _line in _f:
            if _line.startswith("flags"):
                _cpu_flags = _line.split(":", 1)[1].split()
                break
except OSError:
    pass
if "avx512_bf16" in _cpu_flags:
    config.available_features.add("cpu-avx512bf16")
