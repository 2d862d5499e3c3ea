//===- NpuSupport.h - What RNPU runs, asked of graph ops --------*- C++ -*-===//
//
// The npu target's capability check. It runs at graph level, after
// FuseQDQ has turned QDQ groups into integer QLinear ops: there each op
// still is one ONNX node with its name and attributes, and quantized ops
// show their zero points, scales and constant weights. An op is supported
// when the npu target has a code generator for it and the op's types,
// attributes and sizes fit RNPU (docs/RNPU.md, compiler section).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_NPUSUPPORT_H
#define AICC_TARGETS_NPU_NPUSUPPORT_H

#include "targets/npu/ConvCodegen.h"
#include "targets/npu/EltwiseCodegen.h"
#include "targets/npu/PoolCodegen.h"

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace aicc::npu {

/// The parameters of a graph.QLinearConv whose scales, zero points, weights
/// and bias are constants and whose shapes are static; otherwise nullopt and
/// `why` says what is not.
std::optional<QConvParams> getQConvParams(mlir::Operation *op,
                                          std::string &why);

/// The parameters of a 2-D graph.QLinearMatMul with a constant b, as the
/// channels-last 1x1 conv that computes it; otherwise nullopt and `why`.
std::optional<QConvParams> getQMatMulParams(mlir::Operation *op,
                                            std::string &why);

/// The parameters of a 2-D graph.QGemm with a constant b, alpha 1, no
/// transA and a quantized output (y_scale), as the channels-last 1x1 conv
/// that computes it (C is the conv's bias); otherwise nullopt and `why`.
std::optional<QConvParams> getQGemmParams(mlir::Operation *op,
                                          std::string &why);

/// The conv parameters of any op the npu target generates code for
/// (QLinearConv, QLinearMatMul, QGemm), or nullopt and `why`.
std::optional<QConvParams> getNpuParams(mlir::Operation *op, std::string &why);

/// The parameters of a graph.QLinearAdd or graph.QLinearMul with static
/// shapes and constant per-tensor scales and zero points, a of the result's
/// shape and b of it or broadcast to it in at most three levels (a
/// QLinearMul's operands are swapped when only a broadcasts); otherwise
/// nullopt and `why`. `a` and `b`, when given, receive the operands in the
/// order of the parameters (the stream's bindings 0 and 1).
std::optional<QAddParams> getQAddParams(mlir::Operation *op, std::string &why,
                                        mlir::Value *a = nullptr,
                                        mlir::Value *b = nullptr);

/// An int8 max pool: a graph.MaxPool over 8-bit data, or the float MaxPool
/// of a QDQ model between a DequantizeLinear of 8-bit data and a
/// QuantizeLinear (its only user) with the same per-tensor scale, zero point
/// and type, which is exactly the max pool of the integers (ONNX Runtime's
/// QDQ export leaves it so; FuseQDQ keeps it float).
struct QMaxPoolMatch {
  MaxPoolParams params;
  /// The 8-bit input and result.
  mlir::Value x, y;
  /// The DequantizeLinear / QuantizeLinear around it, or null.
  mlir::Operation *dequantize = nullptr, *quantize = nullptr;
};
std::optional<QMaxPoolMatch> matchQMaxPool(mlir::Operation *op,
                                           std::string &why);

/// Empty when RNPU (with `config`) runs `op`, else why not. Constants are
/// supported (they become DRAM constants of the ops that use them).
std::string whyUnsupported(mlir::Operation *op, const rnpu::RnpuConfig &config);

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_NPUSUPPORT_H
