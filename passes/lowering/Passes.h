//===- Passes.h - graph to linalg lowering passes ---------------*- C++ -*-===//
//
// The lowering of graph ops to linalg on tensors (docs/Pipeline.md, stage 2)
// and the pattern sets it is made of, one per op family.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_LOWERING_PASSES_H
#define AICC_PASSES_LOWERING_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
class Operation;
class RewritePatternSet;
} // namespace mlir

namespace aicc::lowering {

#define GEN_PASS_DECL
#include "passes/lowering/Passes.h.inc"

/// Unary, binary and variadic elementwise ops, comparisons, logic, Cast,
/// Where, Clip, activations.
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// MatMul, Gemm, MatMulInteger.
void populateMatmulPatterns(mlir::RewritePatternSet &patterns);
/// Conv, ConvTranspose.
void populateConvPatterns(mlir::RewritePatternSet &patterns);
/// MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool.
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
/// Reduce*, ArgMax/ArgMin, Softmax family, normalizations.
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
/// Shape and data movement ops: Transpose, Reshape family, Concat, Slice,
/// Split, Gather*, Expand, Tile, Pad, ...
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);

/// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss.
void populateLossPatterns(mlir::RewritePatternSet &patterns);
/// Attention (opset 23).
void populateAttentionPatterns(mlir::RewritePatternSet &patterns);
/// ScatterElements, ScatterND, GatherND.
void populateScatterPatterns(mlir::RewritePatternSet &patterns);
/// OneHot (LowerOneHot.cpp).
void populateOneHotPatterns(mlir::RewritePatternSet &patterns);
/// TopK (LowerTopK.cpp).
void populateTopKPatterns(mlir::RewritePatternSet &patterns);
/// BitCast and LpPool (LowerBitCast.cpp).
void populateBitCastPatterns(mlir::RewritePatternSet &patterns);
/// GridSample, RoiAlign (LowerGridSample.cpp).
void populateGridSamplePatterns(mlir::RewritePatternSet &patterns);
/// RotaryEmbedding (LowerRotaryEmbedding.cpp).
void populateRotaryEmbeddingPatterns(mlir::RewritePatternSet &patterns);
/// CausalConvWithState (LowerCausalConv.cpp).
void populateCausalConvPatterns(mlir::RewritePatternSet &patterns);
/// Dropout in training mode (LowerDropout.cpp).
void populateDropoutPatterns(mlir::RewritePatternSet &patterns);
/// TfIdfVectorizer (LowerTfIdfVectorizer.cpp).
void populateTfIdfVectorizerPatterns(mlir::RewritePatternSet &patterns);
/// DFT (LowerDFT.cpp).
void populateDFTPatterns(mlir::RewritePatternSet &patterns);
/// LinearAttention (LowerLinearAttention.cpp).
void populateLinearAttentionPatterns(mlir::RewritePatternSet &patterns);
/// ReverseSequence, TensorScatter (LowerSequenceEdits.cpp).
void populateSequenceEditPatterns(mlir::RewritePatternSet &patterns);
/// LRN, MeanVarianceNormalization, SwiGLU (LowerLocalNormalization.cpp).
void populateLocalNormalizationPatterns(mlir::RewritePatternSet &patterns);
/// EyeLike, Det (LowerEyeLikeDet.cpp).
void populateEyeLikeDetPatterns(mlir::RewritePatternSet &patterns);
/// QuantizeLinear, DequantizeLinear, and (through populateQuantOpsPatterns)
/// the integer quantized ops.
void populateQuantizePatterns(mlir::RewritePatternSet &patterns);
/// ConvInteger, QLinearConv, QLinearMatMul, DynamicQuantizeLinear and ONNX
/// Runtime's quantized com.microsoft ops (LowerQuantOps.cpp).
void populateQuantOpsPatterns(mlir::RewritePatternSet &patterns);

/// Resize (nearest, linear and cubic).
void populateResizePatterns(mlir::RewritePatternSet &patterns);

/// All of the above.
void populateGraphToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// The StringAttr the lowering sets on every graph op it leaves in place:
/// why the op could not be lowered (the reason of its last failed match, or
/// "no lowering for <OpType> yet").
inline constexpr llvm::StringLiteral kUnsupportedAttrName = "aicc.unsupported";

/// Discardable unit attribute on a `tensor.extract` inside a linalg.generic
/// body: its indices come from the model's data (Gather, GatherElements,
/// GatherND) and an index outside the tensor is a run-time error of the
/// kernel (ONNX Runtime: INVALID_ARGUMENT), not a clamped read. Kernels
/// without it may clamp.
inline constexpr llvm::StringLiteral kCheckedIndexAttrName =
    "aicc.checked_index";

/// Integer attribute N on a `tensor.extract` inside a linalg.generic body
/// that reads an index from the model's data (ScatterND's index tuples,
/// ScatterElements' indices): the value indexes a dim of size N (negative
/// values count from the end), and one outside [-N, N) is a run-time error
/// of the kernel.
inline constexpr llvm::StringLiteral kIndexBoundAttrName = "aicc.index_bound";

/// Emits one error per graph op left by the lowering (graph.constant
/// aside), all at once, at the op's location:
///   node '<onnx node name>' (ai.onnx::<OpType>): <reason>
/// followed by "N node(s) cannot be compiled for <targetName>" ("... cannot
/// be lowered to linalg" when `targetName` is empty). Fails when there was
/// at least one.
mlir::LogicalResult reportUnloweredOps(mlir::ModuleOp module,
                                       llvm::StringRef targetName);

#define GEN_PASS_REGISTRATION
#include "passes/lowering/Passes.h.inc"

} // namespace aicc::lowering

#endif // AICC_PASSES_LOWERING_PASSES_H
