//===- CompilerModule.cpp - aicc._compiler: compileModel in Python --------===//
//
// Binds aicc::compileModel (compiler/driver/Driver.h), the same pipeline as
// the `aicc` tool. The compile runs without the GIL. Driver.h includes no
// LLVM header, so this file builds with exceptions and RTTI for nanobind.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

namespace nb = nanobind;

NB_MODULE(_compiler, m) {
  m.doc() = "aicc compiler bindings (internal; use aicc.compile)";
  m.def("targets", &aicc::getTargetNames);
  m.def(
      "compile",
      [](const std::string &path, nb::bytes model, const std::string &baseDir,
         const std::string &target, unsigned optLevel,
         std::vector<std::string> inputShapes, std::vector<std::string> dims,
         std::vector<std::string> inputValues, const std::string &report,
         const std::string &precision, const std::string &kvCache,
         const std::string &kvCacheLayout, const std::string &convAlgorithm) {
        aicc::CompileOptions options;
        options.modelPath = path;
        options.modelBytes.assign(model.c_str(), model.size());
        options.baseDir = baseDir;
        options.target = target;
        options.optLevel = optLevel;
        options.inputShapes = std::move(inputShapes);
        options.dims = std::move(dims);
        options.inputValues = std::move(inputValues);
        options.report = report;
        options.precision = precision;
        options.kvCache = kvCache;
        options.convAlgorithm = convAlgorithm;
        std::optional<int64_t> kvBlock = aicc::parseKvCacheLayout(kvCacheLayout);
        if (!kvBlock)
          throw nb::value_error(
              ("aicc.compile: kv_cache_layout='" + kvCacheLayout +
               "' is not a layout (contiguous, paged or paged:block=N with N "
               "in 1..65536)")
                  .c_str());
        if (*kvBlock && kvCache.empty())
          throw nb::value_error(("aicc.compile: kv_cache_layout='" +
                                 kvCacheLayout +
                                 "' needs kv_cache (\"auto\" or pairs)")
                                    .c_str());
        options.kvBlock = *kvBlock;
        aicc::CompileResult result;
        {
          nb::gil_scoped_release release;
          result = aicc::compileModel(options);
        }
        // (artifact bytes or None, [(severity, node, message, notes)], report)
        nb::list diagnostics;
        for (const aicc::CompileDiagnostic &diag : result.diagnostics) {
          const char *severity =
              diag.severity == aicc::CompileDiagnostic::Severity::Error
                  ? "error"
                  : diag.severity == aicc::CompileDiagnostic::Severity::Warning
                        ? "warning"
                        : "note";
          nb::list notes;
          for (const std::string &note : diag.notes)
            notes.append(note);
          diagnostics.append(
              nb::make_tuple(severity, diag.node, diag.message, notes));
        }
        nb::object artifact = nb::none();
        if (result.succeeded())
          artifact = nb::bytes(
              reinterpret_cast<const char *>(result.artifact.data()),
              result.artifact.size());
        return nb::make_tuple(artifact, diagnostics, result.report);
      },
      nb::arg("path"), nb::arg("model"), nb::arg("base_dir"),
      nb::arg("target"), nb::arg("opt_level"), nb::arg("input_shapes"),
      nb::arg("dims"), nb::arg("input_values"), nb::arg("report"),
      nb::arg("precision") = "fp32", nb::arg("kv_cache") = "",
      nb::arg("kv_cache_layout") = "contiguous",
      nb::arg("conv_algorithm") = "auto");
}
