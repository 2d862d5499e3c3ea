//===- Driver.h - The aicc command-line driver ------------------*- C++ -*-===//
//
// Two entry points: runAiccMain is the `aicc` tool; compileModel compiles a
// model to an artifact in memory for embedders (the Python package). Both run
// the same pipeline. This header includes no LLVM or MLIR header, so code
// built with exceptions and RTTI (Python bindings) can use it.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_DRIVER_DRIVER_H
#define AICC_COMPILER_DRIVER_DRIVER_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aicc {
/// Runs `aicc` with its command line; returns the process exit code.
int runAiccMain(int argc, char **argv);

/// What compileModel compiles and how; the fields mirror aicc's options.
struct CompileOptions {
  /// The model: a file (binary ONNX, or ONNX text when it ends in .onnxtxt),
  /// or, when `modelPath` is empty, a serialized onnx.ModelProto.
  std::string modelPath;
  std::string modelBytes;
  /// Directory that external-data paths of `modelBytes` are relative to.
  std::string baseDir;
  /// --target (a registered target name, or an accelerator with CPU
  /// fallback, "npu,avx512": compiler/driver/Partition.h).
  std::string target = "avx512";
  /// -O level, 0-3.
  unsigned optLevel = 3;
  /// --gpu-arch for GPU targets ("" = the target's default chip).
  std::string gpuArch;
  /// --input-shape specs ("name:1x3x224x224"), --dim specs ("batch=1") and
  /// --input-value specs ("name=1,2,3" or "name=@file.npy").
  std::vector<std::string> inputShapes;
  std::vector<std::string> dims;
  std::vector<std::string> inputValues;
  /// --report: "" (none), "memory", or "partition" (with a target list);
  /// the text lands in CompileResult.report.
  std::string report;
  /// --precision: "fp32" (the model as it is), "bf16" (bf16 operands and
  /// f32 accumulation for Conv/MatMul/Gemm with constant weights) or "fp16"
  /// (f16 weights, f32 math): passes/graph/ConvertPrecision.cpp.
  std::string precision = "fp32";
  /// --kv-cache: "" (none), "auto" or "PAST:PRESENT,...": the cache pairs
  /// become persistent session state updated in place.
  std::string kvCache;
  /// --kv-cache-layout: 0 contiguous, N > 0 paged:block=N.
  int64_t kvBlock = 0;
  /// --conv-algorithm: "auto" or "direct" (TargetOptions::convAlgorithm).
  std::string convAlgorithm = "auto";
  /// Called as kernels compile (done, total); may be empty.
  std::function<void(size_t, size_t)> progress;
};

/// One diagnostic of a compile.
struct CompileDiagnostic {
  enum class Severity { Error, Warning, Note };
  Severity severity = Severity::Error;
  /// The ONNX node it is about ("" when none).
  std::string node;
  /// The message as `aicc` prints it after "aicc: error: ".
  std::string message;
  /// Attached notes.
  std::vector<std::string> notes;
};

struct CompileResult {
  /// The .aicc artifact; empty when the compile failed.
  std::vector<uint8_t> artifact;
  /// Every diagnostic in the order it was emitted; a failed compile has at
  /// least one error.
  std::vector<CompileDiagnostic> diagnostics;
  /// The text of the requested report ("" when none).
  std::string report;
  bool succeeded() const { return !artifact.empty(); }
};

/// Compiles a model to an artifact in memory. Thread-safe (each call has its
/// own MLIR context); never prints and never exits.
CompileResult compileModel(const CompileOptions &options);

/// --kv-cache-layout's text: 0 for "contiguous" (or ""), the block size for
/// "paged" (16) or "paged:block=N" (N in 1..65536), nullopt otherwise.
std::optional<int64_t> parseKvCacheLayout(const std::string &text);

/// Names of the registered targets.
std::vector<std::string> getTargetNames();
} // namespace aicc

#endif // AICC_COMPILER_DRIVER_DRIVER_H
