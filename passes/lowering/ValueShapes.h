//===- ValueShapes.h - Value-dependent shapes in the lowerings --*- C++ -*-===//
//
// Helpers of the lowerings of ops whose output shape depends on the values
// of a graph input (issue 15, value-dependent shapes contract A/B): the
// run-time parameters an op carries in `aicc.value_params` and the sizes of
// its results from `aicc.result_dims`, both expressed over the function's
// symbols (dim symbols, then value symbols) and materialized through the
// DynamicDims context of the conversion.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_LOWERING_VALUESHAPES_H
#define AICC_PASSES_LOWERING_VALUESHAPES_H

#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include <optional>

namespace aicc::lowering {

/// `size` as an index Value (a constant for an attribute).
inline mlir::Value indexValue(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::OpFoldResult size) {
  if (auto v = llvm::dyn_cast<mlir::Value>(size))
    return v;
  return mlir::arith::ConstantIndexOp::create(
      b, loc, llvm::cast<mlir::IntegerAttr>(llvm::cast<mlir::Attribute>(size))
                  .getInt());
}

/// True when `op` carries run-time parameters (it was handled by the value
/// symbols pass).
inline bool hasValueParams(mlir::Operation *op) {
  return op->hasAttr(kValueParamsAttrName);
}

/// The sizes of result `i` of `op`: static dims from its type, `?` dims
/// from `aicc.result_dims` (materialized), else from the symbolic shape
/// analysis (getKnownDimSizes). std::nullopt when some dim is unknown.
inline std::optional<llvm::SmallVector<mlir::OpFoldResult>>
resultSizes(mlir::Operation *op, unsigned i) {
  auto type = llvm::dyn_cast<mlir::RankedTensorType>(op->getResult(i).getType());
  if (!type)
    return std::nullopt;
  mlir::Builder b(op->getContext());
  auto maps = op->getAttrOfType<mlir::ArrayAttr>(kResultDimsAttrName);
  if (!maps || maps.size() <= i || !DynamicDims::current())
    return getKnownDimSizes(op->getResult(i));
  auto map = llvm::dyn_cast<mlir::AffineMapAttr>(maps[i]);
  if (!map || map.getValue().getNumResults() != type.getRank())
    return std::nullopt;
  llvm::SmallVector<mlir::OpFoldResult> sizes;
  for (auto [d, expr] : llvm::enumerate(map.getValue().getResults())) {
    if (!type.isDynamicDim(d)) {
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      continue;
    }
    mlir::OpFoldResult size = materializeExpr(expr);
    if (!size)
      return std::nullopt;
    sizes.push_back(size);
  }
  return sizes;
}

/// `sizes` with the static dims of `type` as attributes and its `?` dims
/// as Values (constants where `sizes` has an attribute), so that a
/// tensor.empty of them has exactly `type`'s shape.
inline llvm::SmallVector<mlir::OpFoldResult>
sizesOfType(mlir::OpBuilder &b, mlir::Location loc,
            llvm::ArrayRef<mlir::OpFoldResult> sizes,
            mlir::RankedTensorType type) {
  llvm::SmallVector<mlir::OpFoldResult> out;
  for (auto [d, size] : llvm::enumerate(sizes)) {
    if (!type.isDynamicDim(d))
      out.push_back(b.getIndexAttr(type.getDimSize(d)));
    else
      out.push_back(indexValue(b, loc, size));
  }
  return out;
}

} // namespace aicc::lowering

#endif // AICC_PASSES_LOWERING_VALUESHAPES_H
