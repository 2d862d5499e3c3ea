//===- OutlineDispatchRegions.cpp - Dispatch regions to exec kernels ------===//
//
// The last dispatch formation pass (docs/Pipeline.md, section 3): converts
// `func.func @main` on tensors, whose compute ops are grouped in
// `exec.dispatch_region`s, into an `exec.executable` of kernels and an
// `exec.schedule` over buffers.
//
// The walk follows @main's block in order, mapping every tensor value to the
// buffer (memref value of the schedule) that holds it:
//   - block arguments -> the schedule's input buffers;
//   - graph.constant / tensor arith.constant -> exec.constant;
//   - reshapes and contiguous extract_slice -> exec.view of the source
//     buffer (views of views are folded to one view of the root buffer);
//   - every exec.dispatch_region -> a kernel in the executable and an
//     exec.dispatch writing new exec.allocs, or directly the output buffer
//     of the model when its result (or a reshape of it) is returned.
// Returned values that are not written in place are copied at the end.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "passes/exec/DispatchUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-outline-dispatch-regions"

namespace aicc::exec {
#define GEN_PASS_DEF_OUTLINEDISPATCHREGIONS
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

STATISTIC(numKernels, "Kernels outlined");
STATISTIC(numViews, "Views created");
STATISTIC(numCopies, "Outputs copied (not written in place)");

namespace {

/// The tensors `region` reads from above, in the order the computation of
/// its results first reads them (depth first from the yielded values,
/// through the ops of the region): for a region of one op, its operands
/// then the values its own regions capture, with those of the producers
/// cloned in expanded in place. Values only dead ops of the region read
/// come last.
llvm::SetVector<Value> getKernelArguments(DispatchRegionOp region) {
  llvm::SetVector<Value> arguments;
  DenseSet<Operation *> visited;
  auto visit = [&](auto &self, Operation *op) -> void {
    if (!visited.insert(op).second)
      return;
    llvm::SetVector<Value> used(op->operand_begin(), op->operand_end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
    for (Value value : used) {
      Operation *def = value.getDefiningOp();
      if (def && region->isProperAncestor(def))
        self(self, def);
      else
        arguments.insert(value);
    }
  };
  visit(visit, region.getYield());
  llvm::SetVector<Value> rest;
  getUsedValuesDefinedAbove(region.getBody(), rest);
  arguments.insert(rest.begin(), rest.end());
  return arguments;
}

class Outliner {
public:
  Outliner(func::FuncOp func, ExecutableOp executable, ScheduleOp schedule)
      : func_(func), executable_(executable), schedule_(schedule),
        builder_(&schedule.getBody().front(), schedule.getBody().front().end()),
        symbols_(executable) {}

  LogicalResult run();

private:
  LogicalResult convertOp(Operation *op);
  LogicalResult outline(DispatchRegionOp region);
  /// The buffer for a new result `result` of a dispatch.
  Value createResultBuffer(OpResult result);
  Value createView(Value source, int64_t byteOffset, MemRefType type,
                   Location loc);
  std::string makeKernelName(DispatchRegionOp region);

  func::FuncOp func_;
  ExecutableOp executable_;
  ScheduleOp schedule_;
  OpBuilder builder_;
  SymbolTable symbols_;
  DenseMap<Value, Value> buffers_;
  /// For each returned value, the outputs it is returned as.
  DenseMap<Value, SmallVector<unsigned>> returnedAs_;
  /// Outputs already written in place.
  SmallVector<bool> writtenInPlace_;
  unsigned kernelCount_ = 0;
};

} // namespace

std::string Outliner::makeKernelName(DispatchRegionOp region) {
  StringRef node = aicc::graph::getNodeName(region->getLoc());
  if (node.empty()) {
    // Named after the op that computes its first result.
    Operation *op = region.getYield().getValues()[0].getDefiningOp();
    node = (op ? op : region.getOperation())->getName().getStringRef();
  }
  std::string base =
      "k" + std::to_string(kernelCount_++) + "_" + sanitizeSymbolName(node);
  std::string name = base;
  for (unsigned suffix = 1; symbols_.lookup(name); ++suffix)
    name = base + "_" + std::to_string(suffix);
  return name;
}

Value Outliner::createView(Value source, int64_t byteOffset, MemRefType type,
                           Location loc) {
  if (auto view = source.getDefiningOp<ViewOp>()) {
    byteOffset += view.getByteOffset();
    source = view.getSource();
  }
  if (byteOffset == 0 && source.getType() == type)
    return source;
  ++numViews;
  return ViewOp::create(builder_, loc, type, source,
                        builder_.getI64IntegerAttr(byteOffset));
}

Value Outliner::createResultBuffer(OpResult result) {
  auto type = getBufferType(cast<RankedTensorType>(result.getType()));
  Location loc = result.getOwner()->getLoc();
  auto outputs = schedule_.getOutputBuffers();
  // Returned as it is: write the output buffer directly.
  auto it = returnedAs_.find(result);
  if (it != returnedAs_.end()) {
    for (unsigned output : it->second) {
      if (writtenInPlace_[output])
        continue;
      writtenInPlace_[output] = true;
      return outputs[output];
    }
  }
  // Returned through reshapes only (e.g. a final Flatten): write the output
  // buffer through a view of it with this result's shape.
  SmallVector<Value> worklist = {result};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user))
        continue;
      Value reshaped = user->getResult(0);
      auto returned = returnedAs_.find(reshaped);
      if (returned != returnedAs_.end()) {
        for (unsigned output : returned->second) {
          if (writtenInPlace_[output])
            continue;
          writtenInPlace_[output] = true;
          return createView(outputs[output], 0, type, loc);
        }
      }
      worklist.push_back(reshaped);
    }
  }
  return AllocOp::create(builder_, loc, type, /*space=*/0,
                         /*offset=*/IntegerAttr());
}

LogicalResult Outliner::outline(DispatchRegionOp region) {
  for (Type type : region->getResultTypes())
    if (!isBufferable(type))
      return region->emitOpError("result of type ")
             << type << " is not a statically shaped tensor; it cannot be "
             << "placed in a buffer";

  llvm::SetVector<Value> arguments = getKernelArguments(region);
  for (Value argument : arguments) {
    if (!isa<RankedTensorType>(argument.getType()))
      return region->emitOpError("uses a ")
             << argument.getType()
             << " value that is neither a tensor nor computable from "
                "constants; it cannot be passed to a kernel";
    if (!buffers_.lookup(argument))
      return region->emitOpError("reads a tensor that has no buffer");
  }

  // The kernel: the region's body on the arguments.
  std::string name = makeKernelName(region);
  OpBuilder kernelBuilder(&executable_.getBodyBlock(),
                          executable_.getBodyBlock().end());
  SmallVector<Type> argumentTypes;
  for (Value argument : arguments)
    argumentTypes.push_back(argument.getType());
  auto kernel = func::FuncOp::create(
      kernelBuilder, region->getLoc(), name,
      kernelBuilder.getFunctionType(argumentTypes, region->getResultTypes()));
  symbols_.insert(kernel);
  Block *entry = kernel.addEntryBlock();
  kernelBuilder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [argument, blockArgument] :
       llvm::zip(arguments, entry->getArguments()))
    mapping.map(argument, blockArgument);
  for (Operation &op : region.getBodyBlock().without_terminator())
    kernelBuilder.clone(op, mapping);
  SmallVector<Value> results;
  for (Value value : region.getYield().getValues())
    results.push_back(mapping.lookupOrDefault(value));
  func::ReturnOp::create(kernelBuilder, region->getLoc(), results);
  ++numKernels;

  // The dispatch.
  SmallVector<Value> ins, outs;
  for (Value argument : arguments)
    ins.push_back(buffers_.lookup(argument));
  for (OpResult result : region->getResults()) {
    Value buffer = createResultBuffer(result);
    buffers_[result] = buffer;
    outs.push_back(buffer);
  }
  auto kernelRef =
      SymbolRefAttr::get(executable_.getSymNameAttr(),
                         {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  DispatchOp::create(builder_, region->getLoc(), kernelRef, ins, outs);
  LLVM_DEBUG(llvm::dbgs() << "outlined " << name << " with " << arguments.size()
                          << " arguments\n");
  return success();
}

LogicalResult Outliner::convertOp(Operation *op) {
  Location loc = op->getLoc();
  if (auto region = dyn_cast<DispatchRegionOp>(op))
    return outline(region);
  if (isTensorConstant(op)) {
    auto value = cast<ElementsAttr>(op->getAttr("value"));
    auto type = cast<RankedTensorType>(value.getType());
    if (!isBufferable(type))
      return op->emitOpError("constant of type ")
             << type << " cannot be placed in a buffer";
    StringRef node = aicc::graph::getNodeName(loc);
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(value);
        node.empty() && resource)
      node = resource.getRawHandle().getKey();
    buffers_[op->getResult(0)] = ConstantOp::create(
        builder_, loc, getBufferType(type),
        node.empty() ? StringAttr() : builder_.getStringAttr(node), value);
    return success();
  }
  if (isViewOp(op)) {
    Value result = op->getResult(0);
    auto type = cast<RankedTensorType>(result.getType());
    int64_t byteOffset = 0;
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
      byteOffset =
          *getContiguousSliceOffset(slice) *
          static_cast<int64_t>(*getElementByteSize(type.getElementType()));
    buffers_[result] = createView(buffers_.lookup(op->getOperand(0)),
                                  byteOffset, getBufferType(type), loc);
    return success();
  }
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    // Kernels create their own (its content is undefined); a buffer is only
    // needed where a view or the return reads it.
    bool onlyKernels = llvm::all_of(empty->getUsers(), [](Operation *user) {
      return !isViewOp(user) && !isa<func::ReturnOp>(user);
    });
    if (!onlyKernels) {
      if (!isBufferable(empty.getType()))
        return op->emitOpError("cannot be placed in a buffer");
      buffers_[empty] = AllocOp::create(
          builder_, loc, getBufferType(empty.getType()), 0, IntegerAttr());
    }
    return success();
  }
  bool producesTensors = llvm::any_of(
      op->getResultTypes(), [](Type type) { return isa<TensorType>(type); });
  if (producesTensors)
    return op->emitOpError("is not in an exec.dispatch_region; run "
                           "aicc-form-dispatch-regions first");
  // Scalars are cloned into the regions that use them.
  if (isMemoryEffectFree(op))
    return success();
  return op->emitOpError("has side effects and no tensor results; it "
                         "cannot be placed in the schedule");
}

LogicalResult Outliner::run() {
  Block &body = func_.getBody().front();
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands()))
    returnedAs_[value].push_back(index);
  writtenInPlace_.assign(returnOp.getNumOperands(), false);
  for (auto [argument, buffer] :
       llvm::zip(func_.getArguments(), schedule_.getInputBuffers()))
    buffers_[argument] = buffer;

  for (Operation &op : body.without_terminator())
    if (failed(convertOp(&op)))
      return failure();

  // Results not written in place are copied into their output buffers.
  auto outputs = schedule_.getOutputBuffers();
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands())) {
    if (writtenInPlace_[index])
      continue;
    Value buffer = buffers_.lookup(value);
    if (!buffer)
      return returnOp.emitOpError("result ")
             << index << " has no buffer; it cannot be returned";
    CopyOp::create(builder_, returnOp.getLoc(), buffer, outputs[index]);
    ++numCopies;
  }
  ReturnOp::create(builder_, returnOp.getLoc());

  // Views that only fed other views (and were folded) are dead.
  SmallVector<ViewOp> views(schedule_.getBody().getOps<ViewOp>());
  for (ViewOp view : llvm::reverse(views))
    if (view->use_empty())
      view->erase();
  return success();
}

namespace {

struct OutlineDispatchRegionsPass
    : public exec::impl::OutlineDispatchRegionsBase<
          OutlineDispatchRegionsPass> {
  using OutlineDispatchRegionsBase::OutlineDispatchRegionsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func = lookupEntryFunction(module, entryPoint);
    if (!func)
      return signalPassFailure();
    FunctionType type = func.getFunctionType();
    for (auto [index, input] : llvm::enumerate(type.getInputs()))
      if (!isBufferable(input)) {
        func.emitOpError("argument ") << index << " of type " << input
                                      << " is not a statically shaped tensor";
        return signalPassFailure();
      }
    for (auto [index, result] : llvm::enumerate(type.getResults()))
      if (!isBufferable(result)) {
        func.emitOpError("result ") << index << " of type " << result
                                    << " is not a statically shaped tensor";
        return signalPassFailure();
      }

    OpBuilder builder(func);
    auto executable =
        ExecutableOp::create(builder, func.getLoc(), executableName);
    SymbolTable(module).insert(executable, Block::iterator(func));

    // Inputs then outputs, with the graph.name (and other) attributes.
    SmallVector<Type> bufferTypes;
    SmallVector<Attribute> argumentAttrs;
    for (auto [index, input] : llvm::enumerate(type.getInputs())) {
      bufferTypes.push_back(getBufferType(cast<RankedTensorType>(input)));
      argumentAttrs.push_back(func.getArgAttrDict(index)
                                  ? Attribute(func.getArgAttrDict(index))
                                  : builder.getDictionaryAttr({}));
    }
    for (auto [index, result] : llvm::enumerate(type.getResults())) {
      bufferTypes.push_back(getBufferType(cast<RankedTensorType>(result)));
      argumentAttrs.push_back(func.getResultAttrDict(index)
                                  ? Attribute(func.getResultAttrDict(index))
                                  : builder.getDictionaryAttr({}));
    }
    auto schedule = ScheduleOp::create(
        builder, func.getLoc(), func.getSymName(),
        builder.getFunctionType(bufferTypes, {}), type.getNumInputs());
    schedule.setArgAttrsAttr(builder.getArrayAttr(argumentAttrs));
    for (auto [argument, buffer] :
         llvm::zip(func.getArguments(), schedule.getInputBuffers()))
      buffer.setLoc(argument.getLoc());

    Outliner outliner(func, executable, schedule);
    if (failed(outliner.run())) {
      schedule->erase();
      executable->erase();
      return signalPassFailure();
    }
    func->erase();
  }
};

} // namespace
