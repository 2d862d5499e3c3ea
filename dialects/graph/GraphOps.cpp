//===- GraphOps.cpp - Graph dialect operations ---------------------------===//
//
// Op definitions are generated in shards (GraphOps.cpp.inc with
// -op-shard-count) so the four translation units compile in parallel; this
// file holds shard 0, graph.constant and the generated family rules.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace aicc::graph;

#define GET_OP_DEFS_0
#include "dialects/graph/GraphOps.cpp.inc"

namespace aicc::graph {

LogicalResult ConstantOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange, DictionaryAttr attrs,
    OpaqueProperties properties, RegionRange, SmallVectorImpl<Type> &types) {
  ConstantOp::Adaptor adaptor({}, attrs, properties);
  types.push_back(adaptor.getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

static unsigned numYielded(Region &region) {
  return region.front().getTerminator()->getNumOperands();
}

LogicalResult IfOp::verify() {
  if (auto t = dyn_cast<RankedTensorType>(getCond().getType()))
    if (t.hasStaticShape() && t.getNumElements() != 1)
      return emitOpError("condition must have one element, it has ")
             << t.getNumElements();
  for (auto [name, region] :
       {std::pair<StringRef, Region *>{"then_branch", &getThenBranch()},
        {"else_branch", &getElseBranch()}})
    if (numYielded(*region) != getNumResults())
      return emitOpError() << name << " yields " << numYielded(*region)
                           << " values, the op has " << getNumResults()
                           << " results";
  return success();
}

LogicalResult LoopOp::verify() {
  unsigned numCarried = getInitial().size();
  Block &body = getBody().front();
  if (body.getNumArguments() != 2 + numCarried)
    return emitOpError("body takes ")
           << body.getNumArguments() << " arguments, expected "
           << 2 + numCarried << " (iteration number, condition and "
           << numCarried << " loop-carried values)";
  if (getNumResults() < numCarried)
    return emitOpError("has ") << getNumResults() << " results, fewer than its "
                               << numCarried << " loop-carried values";
  if (numYielded(getBody()) != 1 + getNumResults())
    return emitOpError("body yields ")
           << numYielded(getBody()) << " values, expected "
           << 1 + getNumResults() << " (condition and one per result)";
  return success();
}

LogicalResult ScanOp::verify() {
  int64_t numInputs = getInputs().size();
  int64_t numScanInputs = getNumScanInputsAttr().getValue().getSExtValue();
  if (numScanInputs < 1 || numScanInputs > numInputs)
    return emitOpError("num_scan_inputs ")
           << numScanInputs << " must be between 1 and the number of "
           << "operands, " << numInputs;
  Block &body = getBody().front();
  if ((int64_t)body.getNumArguments() != numInputs)
    return emitOpError("body takes ")
           << body.getNumArguments() << " arguments, the op has " << numInputs
           << " operands";
  if ((int64_t)getNumResults() < getNumStates())
    return emitOpError("has ") << getNumResults() << " results, fewer than its "
                               << getNumStates() << " states";
  if (numYielded(getBody()) != getNumResults())
    return emitOpError("body yields ")
           << numYielded(getBody()) << " values, the op has " << getNumResults()
           << " results";
  return success();
}

#include "dialects/graph/GraphOnnxOpsInfer.inc"

} // namespace aicc::graph
