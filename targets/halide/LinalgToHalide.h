//===- LinalgToHalide.h - Kernel functions to Halide pipelines --*- C++ -*-===//
//
// Translates one outlined kernel (a func.func of linalg/tensor/arith/math
// ops on tensors, see docs/Pipeline.md) into a Halide
// pipeline: each tensor value becomes a Func indexed innermost-first,
// linalg.generic becomes a pure definition over Vars plus, for reduction
// loops, an update over an RDom.
//
// Dynamic shapes (docs/Pipeline.md "Dynamic shapes", contract B): a kernel
// may take tensors with `?` dims, followed by trailing `index` arguments
// (the dispatch's push constants). Each `?` dim of an argument or result
// carries `aicc.dynamic_dims = array<i64: p, ...>`, the push constant that
// holds its extent. The push constants become int32 scalar parameters of
// the pipeline, placed before its buffers.
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
  /// Innermost first. A negative value `-1 - p` is a dynamic extent: push
  /// constant `p` of the dispatch holds it (see dynamicExtent).
  std::vector<int32_t> extents;
};

/// The HalideBufferDesc extent meaning "push constant `p`".
inline int32_t dynamicExtent(int64_t p) { return int32_t(-1 - p); }

/// What compiling one kernel produced.
struct CompiledKernel {
  std::string functionName; ///< the Halide pipeline; its argv form is +"_argv"
  std::vector<HalideBufferDesc> buffers; ///< inputs then outputs
  /// The pipeline has one more output, a rank-0 int32 run-time status
  /// (KernelStatus) that the entry point provides and checks; it is not
  /// one of `buffers` (it is no binding of the dispatch).
  bool hasStatus = false;
  /// Number of push constants (the kernel's trailing index arguments). The
  /// pipeline takes them as int32 scalars, right after the user context and
  /// before the buffers; the entry point checks that each is in
  /// [0, 2^31 - 1] and passes a copy.
  int32_t numPushConstants = 0;
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
  /// Write Halide's optimized LLVM bitcode to the object path instead of an
  /// object, for a caller that compiles it for its own CPU model
  /// (targets/avx512/KernelObject.h).
  bool emitBitcode = false;
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
