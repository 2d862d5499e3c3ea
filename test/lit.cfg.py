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
# %python is the project's interpreter (with onnx), not the one running lit:
# inserted first, it wins over lit's default %python substitution.
config.substitutions.insert(0, ("%python", config.python_executable))
config.substitutions.append(("%aicc_src", config.aicc_src_root))
