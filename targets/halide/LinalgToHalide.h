//===- LinalgToHalide.h - Kernel functions to Halide pipelines --*- C++ -*-===//
//
// Translates one outlined kernel (a func.func of linalg/tensor/arith/math
// ops on static-shaped tensors, see docs/Pipeline.md) into a Halide
// pipeline: each tensor value becomes a Func indexed innermost-first,
// linalg.generic becomes a pure definition over Vars plus, for reduction
// loops, an update over an RDom.
//
// The translation is shared by every target that generates code through
// Halide; the target supplies the schedule (SchedulePolicy.h) and the Halide
// target string. This header does not include Halide.h so that MLIR code can
// use it; the pipeline is compiled to an object file directly.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_HALIDE_LINALGTOHALIDE_H
#define AICC_TARGETS_HALIDE_LINALGTOHALIDE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <cstdint>
#include <string>
#include <vector>

namespace aicc::halidegen {

class SchedulePolicy;

/// A buffer of a kernel's signature as an entry point describes it to
/// Halide (for the avx512 target: KernelSupport.c, aicc_hl_buffer_desc).
struct HalideBufferDesc {
  uint8_t typeCode = 0; ///< halide_type_code_t
  uint8_t bits = 0;
  std::vector<int32_t> extents; ///< innermost first
};

/// What compiling one kernel produced.
struct CompiledKernel {
  std::string functionName; ///< the Halide pipeline; its argv form is +"_argv"
  std::vector<HalideBufferDesc> buffers; ///< inputs then outputs
  /// The pipeline has one more output, a rank-0 int32 run-time status
  /// (KernelStatus) that the entry point provides and checks; it is not
  /// one of `buffers` (it is no binding of the dispatch).
  bool hasStatus = false;
};

/// Codes of a kernel's run-time status output; the larger code wins when
/// several checks fail. KernelSupport.c maps them to messages.
enum KernelStatus : int32_t {
  kStatusOk = 0,
  kStatusDivisionByZero = 1,
  kStatusIndexOutOfRange = 2,
};


struct HalideCompileOptions {
  /// Halide target string, e.g. "x86-64-linux-avx512_skylake".
  std::string target;
  /// The target's schedule; must be set.
  const SchedulePolicy *policy = nullptr;
  /// Disable the schedule heuristics (-O0): compute everything root, serial.
  bool naiveSchedule = false;
};

/// Translates `kernel`, schedules it and writes an object file defining
/// `functionName` and `functionName_argv`. Errors (unsupported ops, Halide
/// failures) are emitted on the kernel's location.
mlir::FailureOr<CompiledKernel>
compileKernelWithHalide(mlir::func::FuncOp kernel,
                        const std::string &functionName,
                        const std::string &objectPath,
                        const HalideCompileOptions &options);

} // namespace aicc::halidegen

#endif // AICC_TARGETS_HALIDE_LINALGTOHALIDE_H
