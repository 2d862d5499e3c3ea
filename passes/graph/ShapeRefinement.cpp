//===- ShapeRefinement.cpp - Re-inference and folding of graph ops ----===//

#include "passes/graph/ShapeRefinement.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <functional>

using namespace mlir;

namespace aicc::graph {

LogicalResult refineAndFold(Operation *op, bool &changed, bool &erased) {
  erased = false;
  if (op->getNumRegions() || op->hasTrait<OpTrait::IsTerminator>() ||
      isa<ConstantOp>(op) || !isa<GraphDialect>(op->getDialect()))
    return success();
  SmallVector<Type> types;
  LogicalResult inferred = failure();
  if (auto split = dyn_cast<SplitOp>(op)) {
    inferred = inferSplitResultTypes(
        op->getLoc(), split.getInput(), split.getSplit(), split.getAxis(),
        split.getNumOutputs(), op->getNumResults(), types);
    if (failed(inferred))
      return failure();
  } else if (auto iface = dyn_cast<InferTypeOpInterface>(op)) {
    inferred = iface.inferReturnTypes(
        op->getContext(), op->getLoc(), op->getOperands(),
        op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
        op->getRegions(), types);
    if (failed(inferred))
      return failure();
  }
  // Shapes that became static here (a folded shape subgraph) are checked
  // like the importer's: an element count or byte size beyond int64_t.
  for (auto [i, type] : llvm::enumerate(types))
    if (failed(checkTensorSize(op->getLoc(), type,
                               "output " + std::to_string(i) + " shape")))
      return failure();
  if (succeeded(inferred) && types.size() == op->getNumResults())
    for (auto [result, type] : llvm::zip(op->getResults(), types))
      if (result.getType() != type) {
        result.setType(type);
        changed = true;
      }

  OpBuilder builder(op);
  SmallVector<Value> folded;
  if (failed(builder.tryFold(op, folded)))
    return success();
  changed = true;
  if (folded.empty())
    return success(); // folded in place
  op->replaceAllUsesWith(folded);
  op->erase();
  erased = true;
  return success();
}

void updateFunctionResultTypes(func::FuncOp func) {
  if (func.getBody().empty())
    return;
  Operation *ret = func.getBody().back().getTerminator();
  if (!ret)
    return;
  func.setFunctionType(FunctionType::get(func.getContext(),
                                         func.getFunctionType().getInputs(),
                                         ret->getOperandTypes()));
}

std::string inputValueFlags(func::FuncOp func, ArrayRef<Value> values) {
  std::string flags;
  llvm::SmallPtrSet<Operation *, 16> seen;
  std::function<void(Value, int)> visit = [&](Value v, int depth) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != &func.getBody().front())
        return;
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "graph.name");
      std::string flag =
          name ? "--input-value=" + name.getValue().str() + "=..." : "";
      if (name && !StringRef(flags).contains(flag))
        flags += (flags.empty() ? "" : " ") + flag;
      return;
    }
    Operation *def = v.getDefiningOp();
    if (!def || depth > 8 || !seen.insert(def).second)
      return;
    for (Value operand : def->getOperands())
      visit(operand, depth + 1);
  };
  for (Value v : values)
    if (v)
      visit(v, 0);
  return flags;
}

} // namespace aicc::graph
