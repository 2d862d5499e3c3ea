//===- InlineControlFlow.cpp - Inline If, unroll Loop and Scan ------------===//
//
// aicc compiles static graphs: a graph.If whose condition is a constant is
// replaced by the branch it takes; a graph.Loop with a constant trip count
// and condition and a graph.Scan over a static sequence length are unrolled.
// One forward sweep over the function re-infers and folds each op (so a
// condition computed from shapes becomes a constant before its If is
// reached) and handles control flow where it meets it; each unrolled
// iteration is swept on its own, so a condition computed in the previous
// iteration and control flow nested in the body are resolved in turn.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "passes/graph/Passes.h"
#include "passes/graph/ShapeRefinement.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-graph-inline-control-flow"

namespace aicc::graph {
#define GEN_PASS_DEF_INLINECONTROLFLOWPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

/// Iterations a Loop or Scan may unroll to.
constexpr int64_t kMaxUnroll = 4096;

class ControlFlowInliner {
public:
  explicit ControlFlowInliner(func::FuncOp func) : func(func) {}

  /// Sweeps the ops of `block` from `begin` up to, not including, `end`
  /// (null: the end of the block). Failures are reported and counted.
  void sweep(Operation *begin, Operation *end);

  int errors = 0;
  int64_t numInlined = 0;
  int64_t numIterations = 0;

private:
  /// Handles one op; returns the op the sweep continues with.
  Operation *visit(Operation *op);
  /// The taken branch's ops before `op`; returns the first of them (or
  /// the op after `op` when the branch is empty).
  Operation *inlineIf(IfOp op);
  LogicalResult unrollLoop(LoopOp op);
  LogicalResult unrollScan(ScanOp op);
  /// Clones `body` before `before` with its arguments bound to `args`,
  /// sweeps the clone (from `first`, the first op made for this iteration,
  /// if any) and returns the values it yields.
  FailureOr<SmallVector<Value>> runBody(Block &body, ValueRange args,
                                        Operation *first, Operation *before);
  /// Replaces `result` (of `op`) by the outputs of all iterations for one
  /// scan output, stacked along `axis` with Unsqueeze and Concat before
  /// `op`.
  void stack(Operation *op, Value result, ArrayRef<Value> parts, int64_t axis);
  Value constantI64(Operation *op, ArrayRef<int64_t> values, bool scalar);
  /// Reports a control-flow node that cannot be made static: the message
  /// begins with the ONNX node the importer recorded.
  InFlightDiagnostic nodeError(Operation *op);
  std::string freezeHint(Value value) {
    std::string flags = inputValueFlags(func, {value});
    return flags.empty() ? "" : "; fix it with " + flags;
  }

  func::FuncOp func;
};

InFlightDiagnostic ControlFlowInliner::nodeError(Operation *op) {
  ++errors;
  InFlightDiagnostic diag = op->emitError();
  if (auto node = op->getAttrOfType<StringAttr>("graph.onnx_node"))
    diag << node.getValue() << ": ";
  else
    diag << "'" << op->getName() << "': ";
  return diag;
}

void ControlFlowInliner::sweep(Operation *begin, Operation *end) {
  for (Operation *op = begin; op && op != end;)
    op = visit(op);
}

Operation *ControlFlowInliner::visit(Operation *op) {
  Operation *next = op->getNextNode();
  if (auto ifOp = dyn_cast<IfOp>(op)) {
    auto c = getConstantInts(ifOp.getCond());
    if (!c || c->size() != 1) {
      nodeError(op) << "If is supported only when its condition is a "
                       "compile-time constant"
                    << freezeHint(ifOp.getCond());
      return next;
    }
    return inlineIf(ifOp);
  }
  if (auto loop = dyn_cast<LoopOp>(op)) {
    if (succeeded(unrollLoop(loop))) {
      ++numInlined;
      loop->erase();
    }
    return next;
  }
  if (auto scan = dyn_cast<ScanOp>(op)) {
    if (succeeded(unrollScan(scan))) {
      ++numInlined;
      scan->erase();
    }
    return next;
  }
  bool changed = false, erased = false;
  if (failed(refineAndFold(op, changed, erased)))
    ++errors;
  return next;
}

Operation *ControlFlowInliner::inlineIf(IfOp op) {
  bool taken = (*getConstantInts(op.getCond()))[0] != 0;
  Block &branch = (taken ? op.getThenBranch() : op.getElseBranch()).front();
  LLVM_DEBUG(llvm::dbgs() << "inlining the " << (taken ? "then" : "else")
                          << " branch of " << op->getLoc() << "\n");
  IRMapping mapping;
  OpBuilder builder(op);
  Operation *first = nullptr;
  for (Operation &inner : branch.without_terminator()) {
    Operation *clone = builder.clone(inner, mapping);
    if (!first)
      first = clone;
  }
  for (auto [result, yielded] :
       llvm::zip(op->getResults(), branch.getTerminator()->getOperands()))
    result.replaceAllUsesWith(mapping.lookupOrDefault(yielded));
  Operation *next = op->getNextNode();
  op->erase();
  ++numInlined;
  return first ? first : next;
}

Value ControlFlowInliner::constantI64(Operation *op, ArrayRef<int64_t> values,
                                      bool scalar) {
  OpBuilder builder(op);
  auto type = RankedTensorType::get(
      scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{(int64_t)values.size()},
      builder.getI64Type());
  return ConstantOp::create(builder, op->getLoc(),
                            DenseElementsAttr::get(type, values));
}

FailureOr<SmallVector<Value>> ControlFlowInliner::runBody(Block &body,
                                                          ValueRange args,
                                                          Operation *first,
                                                          Operation *before) {
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  OpBuilder builder(before);
  // The cloned terminator holds the iteration's outputs while the clone is
  // swept: folding replaces its operands like any other use.
  Operation *holder = nullptr;
  for (Operation &inner : body) {
    Operation *clone = builder.clone(inner, mapping);
    if (!first)
      first = clone;
    holder = clone;
  }
  int errorsBefore = errors;
  sweep(first, holder);
  SmallVector<Value> outputs(holder->getOperands());
  holder->erase();
  ++numIterations;
  if (errors != errorsBefore)
    return failure();
  return outputs;
}

void ControlFlowInliner::stack(Operation *op, Value result,
                               ArrayRef<Value> parts, int64_t axis) {
  OpBuilder builder(op);
  Location loc = op->getLoc();
  Operation *first = nullptr;
  SmallVector<Value> expanded;
  for (Value part : parts) {
    Value axes = constantI64(op, {axis}, false);
    if (!first)
      first = axes.getDefiningOp();
    expanded.push_back(UnsqueezeOp::create(
        builder, loc, UnrankedTensorType::get(getElementType(part)), part,
        axes));
  }
  assert(!expanded.empty() && "no iteration to stack");
  Value stacked = expanded.size() == 1
                      ? expanded[0]
                      : ConcatOp::create(builder, loc, expanded[0].getType(),
                                         expanded,
                                         builder.getI64IntegerAttr(axis))
                            .getResult();
  // Replaced first: the sweep infers the new ops' types and may fold them.
  result.replaceAllUsesWith(stacked);
  sweep(first, op);
}

LogicalResult ControlFlowInliner::unrollLoop(LoopOp op) {
  std::optional<int64_t> trips;
  if (Value tripValue = op.getMaxTripCount()) {
    auto c = getConstantInts(tripValue);
    if (!c || c->size() != 1)
      return nodeError(op) << "Loop is unrolled at compile time and needs a "
                              "constant trip count"
                           << freezeHint(tripValue);
    trips = (*c)[0];
  }
  Value condIn = op.getCond();
  unsigned numCarried = op.getInitial().size();
  SmallVector<Value> carried(op.getInitial());
  SmallVector<SmallVector<Value>> scans(op.getNumResults() - numCarried);
  Value cond = condIn;
  Block &body = op.getBody().front();
  for (int64_t it = 0;; ++it) {
    if (trips && it >= *trips)
      break;
    if (cond) {
      auto c = getConstantInts(cond);
      if (!c || c->size() != 1)
        return nodeError(op) << "Loop is unrolled at compile time and needs "
                                "a condition that is constant in every "
                                "iteration"
                             << freezeHint(cond);
      if (!(*c)[0])
        break;
    }
    if (it >= kMaxUnroll)
      return nodeError(op) << "Loop runs more than " << kMaxUnroll
                           << " iterations; aicc unrolls loops at compile "
                              "time";
    Value iteration = constantI64(op, {it}, true);
    Value condArg = cond;
    if (!condArg) {
      OpBuilder builder(op);
      condArg = ConstantOp::create(
          builder, op.getLoc(),
          DenseElementsAttr::get(RankedTensorType::get({}, builder.getI1Type()),
                                 true));
    }
    SmallVector<Value> args = {iteration, condArg};
    args.append(carried);
    auto outputs = runBody(body, args, iteration.getDefiningOp(), op);
    if (failed(outputs))
      return failure();
    // Without a cond input the loop is a for loop: its body's cond is
    // ignored.
    cond = condIn ? (*outputs)[0] : Value();
    carried.assign(outputs->begin() + 1, outputs->begin() + 1 + numCarried);
    for (auto [k, scan] : llvm::enumerate(scans))
      scan.push_back((*outputs)[1 + numCarried + k]);
  }
  // Results: the final carried values, then each scan output stacked on a
  // new axis 0.
  for (unsigned k = 0; k < numCarried; ++k)
    op.getResult(k).replaceAllUsesWith(carried[k]);
  for (auto [k, scan] : llvm::enumerate(scans)) {
    Value result = op.getResult(numCarried + k);
    if (result.use_empty())
      continue;
    if (scan.empty())
      return nodeError(op) << "Loop runs no iteration, so scan output #" << k
                           << " has no static shape";
    stack(op, result, scan, 0);
  }
  return success();
}

LogicalResult ControlFlowInliner::unrollScan(ScanOp op) {
  int64_t numStates = op.getNumStates();
  SmallVector<Value> states(op.getInputs().take_front(numStates));
  SmallVector<Value> scanIn(op.getInputs().drop_front(numStates));
  auto attrAt = [](std::optional<ArrayRef<int64_t>> attr, size_t k) {
    return attr && k < attr->size() ? (*attr)[k] : 0;
  };
  // The sequence length: the scanned axis of the scan inputs.
  int64_t length = -1;
  SmallVector<int64_t> axes;
  for (auto [k, v] : llvm::enumerate(scanIn)) {
    auto shape = getShape(v);
    int64_t axis = attrAt(op.getScanInputAxes(), k);
    int64_t rank = shape ? shape->size() : 0;
    if (!shape || axis < -rank || axis >= rank)
      return nodeError(op) << "Scan input " << k << " has no axis " << axis;
    axis = axis < 0 ? axis + rank : axis;
    axes.push_back(axis);
    length = (*shape)[axis];
    if (ShapedType::isDynamic(length))
      return nodeError(op) << "Scan runs over a sequence of unknown length; "
                              "aicc unrolls it at compile time"
                           << freezeHint(v);
  }
  if (length > kMaxUnroll)
    return nodeError(op) << "Scan runs " << length
                         << " iterations; aicc unrolls at most " << kMaxUnroll;
  Block &body = op.getBody().front();
  SmallVector<SmallVector<Value>> scans(op.getNumResults() - numStates);
  for (int64_t it = 0; it < length; ++it) {
    SmallVector<Value> args(states);
    OpBuilder builder(op);
    Operation *first = nullptr;
    for (auto [k, v] : llvm::enumerate(scanIn)) {
      bool reverse = attrAt(op.getScanInputDirections(), k) != 0;
      Value index = constantI64(op, {reverse ? length - 1 - it : it}, true);
      if (!first)
        first = index.getDefiningOp();
      args.push_back(GatherOp::create(
          builder, op.getLoc(), UnrankedTensorType::get(getElementType(v)), v,
          index, builder.getI64IntegerAttr(axes[k])));
    }
    auto outputs = runBody(body, args, first, op);
    if (failed(outputs))
      return failure();
    states.assign(outputs->begin(), outputs->begin() + numStates);
    for (auto [k, scan] : llvm::enumerate(scans))
      scan.push_back((*outputs)[numStates + k]);
  }
  for (int64_t k = 0; k < numStates; ++k)
    op.getResult(k).replaceAllUsesWith(states[k]);
  for (auto [k, scan] : llvm::enumerate(scans)) {
    Value result = op.getResult(numStates + k);
    if (result.use_empty())
      continue;
    if (scan.empty())
      return nodeError(op) << "Scan runs no iteration";
    SmallVector<Value> parts(scan);
    if (attrAt(op.getScanOutputDirections(), k))
      std::reverse(parts.begin(), parts.end());
    stack(op, result, parts, attrAt(op.getScanOutputAxes(), k));
  }
  return success();
}

struct InlineControlFlowPass
    : impl::InlineControlFlowPassBase<InlineControlFlowPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty())
      return;
    ControlFlowInliner inliner(func);
    inliner.sweep(&func.getBody().front().front(), nullptr);
    numInlined += inliner.numInlined;
    numIterations += inliner.numIterations;
    if (inliner.errors) {
      signalPassFailure();
      return;
    }
    updateFunctionResultTypes(func);
  }
};

} // namespace
} // namespace aicc::graph
