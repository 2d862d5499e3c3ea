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
// Dynamic shapes (issue 12, contract B): the index values of @main
// (`tensor.dim` with `aicc.symbol`, affine.apply/min/max, constants) are
// recomputed in the schedule on demand (`exec.symbol` for the symbols). A
// kernel's trailing index arguments are its push constants: the index
// values its region uses from above, then the extents of the `?` dims of
// its tensors (named by `aicc.dynamic_dims`), deduplicated. Each `?` dim of
// a @main tensor is resolved to a schedule value through its producer
// (tensor.empty sizes, a destination's dims, expand_shape's output shape,
// slice sizes, else the op's reified shape) down to the symbols.
//
// Value-dependent shapes (issue 15, contract C): an `exec.symbol` in @main
// (a value symbol, index n + j over `aicc.symbols` then
// `aicc.value_symbols`) is a symbol like `tensor.dim {aicc.symbol}`; a
// `tensor.reshape` whose shape is a `tensor.from_elements` of index values
// is a view; a buffer without an upper bound over the symbols' ranges, or
// with one above 1 GiB, is `runtime_allocated` (no arena slot).
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/exec/IndexExpr.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
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
STATISTIC(numRuntimeAllocated, "Buffers left to the runtime to allocate");

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
  Outliner(func::FuncOp func, ExecutableOp executable, ScheduleOp schedule,
           ArrayRef<SymbolInfo> symbolInfos)
      : func_(func), executable_(executable), schedule_(schedule),
        builder_(&schedule.getBody().front(), schedule.getBody().front().end()),
        symbols_(executable), symbolInfos_(symbolInfos) {}

  LogicalResult run();

private:
  LogicalResult convertOp(Operation *op);
  LogicalResult outline(DispatchRegionOp region);
  /// The buffer for a new result `result` of a dispatch.
  FailureOr<Value> createResultBuffer(OpResult result);
  FailureOr<Value> createView(Value source, int64_t byteOffset,
                              RankedTensorType type, Value tensor,
                              Location loc);
  /// The schedule's value of the index value `value` of @main.
  FailureOr<Value> getScheduleIndex(Value value);
  /// The schedule's value of the extent of dim `dim` of the @main tensor
  /// `tensor`.
  FailureOr<Value> getScheduleDim(Value tensor, unsigned dim);
  /// The schedule's values of the `?` dims of `tensor`, in order.
  FailureOr<SmallVector<Value>> getDynamicDims(Value tensor);
  Value getConstantIndex(int64_t value);
  Value getSymbol(int64_t index);
  /// Sets `upper_bound_bytes` of a dynamic alloc, or fails.
  LogicalResult setUpperBound(AllocOp alloc);
  std::string makeKernelName(DispatchRegionOp region);

  func::FuncOp func_;
  ExecutableOp executable_;
  ScheduleOp schedule_;
  OpBuilder builder_;
  SymbolTable symbols_;
  DenseMap<Value, Value> buffers_;
  ArrayRef<SymbolInfo> symbolInfos_;
  /// @main index value -> schedule index value.
  DenseMap<Value, Value> indices_;
  /// (@main tensor, dim) -> schedule index value.
  DenseMap<std::pair<Value, unsigned>, Value> dims_;
  DenseMap<int64_t, Value> constants_, symbolValues_;
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

FailureOr<Value> Outliner::createView(Value source, int64_t byteOffset,
                                      RankedTensorType tensorType,
                                      Value tensor, Location loc) {
  MemRefType type = getBufferType(tensorType);
  if (auto view = source.getDefiningOp<ViewOp>()) {
    byteOffset += view.getByteOffset();
    source = view.getSource();
  }
  FailureOr<SmallVector<Value>> sizes = getDynamicDims(tensor);
  if (failed(sizes))
    return failure();
  if (byteOffset == 0 && source.getType() == type && type.hasStaticShape())
    return source;
  ++numViews;
  return ViewOp::create(builder_, loc, type, source, *sizes,
                        builder_.getI64IntegerAttr(byteOffset))
      .getResult();
}

Value Outliner::getConstantIndex(int64_t value) {
  Value &constant = constants_[value];
  if (!constant) {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(&schedule_.getBody().front());
    constant = arith::ConstantIndexOp::create(builder_, schedule_.getLoc(),
                                              value);
  }
  return constant;
}

Value Outliner::getSymbol(int64_t index) {
  Value &symbol = symbolValues_[index];
  if (!symbol) {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(&schedule_.getBody().front());
    symbol = SymbolOp::create(builder_, schedule_.getLoc(),
                              builder_.getIndexType(),
                              builder_.getI64IntegerAttr(index));
  }
  return symbol;
}

FailureOr<Value> Outliner::getScheduleIndex(Value value) {
  if (Value known = indices_.lookup(value))
    return known;
  Operation *def = value.getDefiningOp();
  auto fail = [&]() -> FailureOr<Value> {
    InFlightDiagnostic diag =
        def ? def->emitOpError("computes an index value")
            : emitError(value.getLoc(), "an index block argument");
    diag << " that the schedule cannot compute: extents and offsets must "
            "come from the symbols (tensor.dim of an argument with "
            "'aicc.symbol', or exec.symbol) by affine.apply/min/max and "
            "constants";
    return failure();
  };
  if (!def)
    return fail();
  Value result;
  if (auto dim = dyn_cast<tensor::DimOp>(def)) {
    auto symbol = def->getAttrOfType<IntegerAttr>("aicc.symbol");
    std::optional<int64_t> index = dim.getConstantIndex();
    if (symbol) {
      result = getSymbol(symbol.getInt());
    } else if (index) {
      FailureOr<Value> extent =
          getScheduleDim(dim.getSource(), static_cast<unsigned>(*index));
      if (failed(extent))
        return failure();
      result = *extent;
    } else {
      return fail();
    }
  } else if (auto symbol = dyn_cast<SymbolOp>(def)) {
    // A value symbol materialized by the lowering (issue 15).
    result = getSymbol(static_cast<int64_t>(symbol.getIndex()));
  } else if (auto constant = dyn_cast<arith::ConstantIndexOp>(def)) {
    result = getConstantIndex(constant.value());
  } else if (isa<affine::AffineApplyOp, affine::AffineMinOp,
                 affine::AffineMaxOp>(def)) {
    IRMapping mapping;
    for (Value operand : def->getOperands()) {
      FailureOr<Value> mapped = getScheduleIndex(operand);
      if (failed(mapped))
        return failure();
      mapping.map(operand, *mapped);
    }
    result = builder_.clone(*def, mapping)->getResult(0);
  } else {
    return fail();
  }
  indices_[value] = result;
  return result;
}

FailureOr<Value> Outliner::getScheduleDim(Value tensor, unsigned dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(dim))
    return getConstantIndex(type.getDimSize(dim));
  auto key = std::make_pair(tensor, dim);
  if (Value known = dims_.lookup(key))
    return known;
  auto store = [&](FailureOr<Value> result) {
    if (succeeded(result))
      dims_[key] = *result;
    return result;
  };
  // An argument: its aicc.shape over the symbols.
  if (auto argument = dyn_cast<BlockArgument>(tensor)) {
    if (argument.getOwner()->getParentOp() != func_)
      return emitError(tensor.getLoc(), "dim ")
             << dim << " of a block argument that is not @main's";
    auto shape =
        func_.getArgAttrOfType<AffineMapAttr>(argument.getArgNumber(),
                                              "aicc.shape");
    if (!shape || shape.getValue().getNumResults() != type.getRank())
      return func_.emitOpError("argument ")
             << argument.getArgNumber() << " has dynamic dims but no "
             << "'aicc.shape' of rank " << type.getRank();
    AffineMap map = shape.getValue();
    AffineExpr expr = map.getResult(dim);
    if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
      return store(getSymbol(symbol.getPosition()));
    SmallVector<Value> operands;
    for (unsigned i = 0; i < map.getNumSymbols(); ++i)
      operands.push_back(getSymbol(i));
    return store(affine::AffineApplyOp::create(
                     builder_, tensor.getLoc(),
                     AffineMap::get(0, map.getNumSymbols(), expr), operands)
                     .getResult());
  }
  Operation *def = tensor.getDefiningOp();
  unsigned resultNumber = cast<OpResult>(tensor).getResultNumber();
  if (auto region = dyn_cast<DispatchRegionOp>(def))
    return store(getScheduleDim(region.getYield().getValues()[resultNumber],
                                dim));
  if (auto empty = dyn_cast<tensor::EmptyOp>(def))
    return store(getScheduleIndex(empty.getDynamicSize(dim)));
  if (auto destination = dyn_cast<DestinationStyleOpInterface>(def))
    return store(getScheduleDim(
        destination.getDpsInitOperand(resultNumber)->get(), dim));
  auto fromFoldResult = [&](OpFoldResult size) -> FailureOr<Value> {
    if (auto attr = dyn_cast<Attribute>(size))
      return getConstantIndex(cast<IntegerAttr>(attr).getInt());
    return getScheduleIndex(cast<Value>(size));
  };
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
    return store(fromFoldResult(expand.getMixedOutputShape()[dim]));
  // A reshape to a shape of index values (value-dependent shapes): the
  // element of the shape.
  if (auto reshape = dyn_cast<tensor::ReshapeOp>(def)) {
    Value shape = reshape.getShape();
    if (auto elements = shape.getDefiningOp<tensor::FromElementsOp>()) {
      Value element = elements.getElements()[dim];
      if (auto cast = element.getDefiningOp<arith::IndexCastOp>())
        element = cast.getIn();
      if (element.getType().isIndex())
        return store(getScheduleIndex(element));
    }
    return def->emitOpError("shape operand of a dynamic reshape must be a "
                            "tensor.from_elements of index values (dim ")
           << dim << ")";
  }
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def);
      slice && slice.getSourceType().getRank() == type.getRank())
    return store(fromFoldResult(slice.getMixedSizes()[dim]));
  // Sums and products of other extents, computed in the schedule.
  auto combine = [&](ArrayRef<OpFoldResult> terms,
                     bool product) -> FailureOr<Value> {
    SmallVector<Value> operands;
    AffineExpr expr = getAffineConstantExpr(product ? 1 : 0,
                                            builder_.getContext());
    for (OpFoldResult term : terms) {
      AffineExpr part;
      if (auto attr = dyn_cast<Attribute>(term)) {
        part = getAffineConstantExpr(cast<IntegerAttr>(attr).getInt(),
                                     builder_.getContext());
      } else {
        part = getAffineSymbolExpr(operands.size(), builder_.getContext());
        operands.push_back(cast<Value>(term));
      }
      expr = product ? expr * part : expr + part;
    }
    if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
      return operands[symbol.getPosition()];
    if (auto constant = dyn_cast<AffineConstantExpr>(expr))
      return getConstantIndex(constant.getValue());
    return affine::AffineApplyOp::create(
               builder_, def->getLoc(),
               AffineMap::get(0, operands.size(), expr), operands)
        .getResult();
  };
  auto scheduledDim = [&](Value source,
                          unsigned sourceDim) -> FailureOr<OpFoldResult> {
    auto sourceType = cast<RankedTensorType>(source.getType());
    if (!sourceType.isDynamicDim(sourceDim))
      return OpFoldResult(builder_.getIndexAttr(sourceType.getDimSize(sourceDim)));
    FailureOr<Value> value = getScheduleDim(source, sourceDim);
    if (failed(value))
      return failure();
    return OpFoldResult(*value);
  };
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    SmallVector<OpFoldResult> terms;
    // A local: indexing the returned temporary would dangle in the loop.
    SmallVector<ReassociationIndices> groups =
        collapse.getReassociationIndices();
    for (int64_t sourceDim : groups[dim]) {
      FailureOr<OpFoldResult> term =
          scheduledDim(collapse.getSrc(), static_cast<unsigned>(sourceDim));
      if (failed(term))
        return failure();
      terms.push_back(*term);
    }
    return store(combine(terms, /*product=*/true));
  }
  if (auto concat = dyn_cast<tensor::ConcatOp>(def)) {
    if (dim != concat.getDim())
      return store(getScheduleDim(concat.getInputs()[0], dim));
    SmallVector<OpFoldResult> terms;
    for (Value input : concat.getInputs()) {
      FailureOr<OpFoldResult> term = scheduledDim(input, dim);
      if (failed(term))
        return failure();
      terms.push_back(*term);
    }
    return store(combine(terms, /*product=*/false));
  }
  if (auto pad = dyn_cast<tensor::PadOp>(def)) {
    FailureOr<OpFoldResult> source = scheduledDim(pad.getSource(), dim);
    if (failed(source))
      return failure();
    SmallVector<OpFoldResult> terms = {*source};
    for (OpFoldResult bound :
         {pad.getMixedLowPad()[dim], pad.getMixedHighPad()[dim]}) {
      if (auto value = dyn_cast<Value>(bound)) {
        FailureOr<Value> scheduled = getScheduleIndex(value);
        if (failed(scheduled))
          return failure();
        bound = *scheduled;
      }
      terms.push_back(bound);
    }
    return store(combine(terms, /*product=*/false));
  }
  // Anything else: the op's reified shape (tensor.dim of its operands and
  // affine.apply), resolved, then erased again.
  if (auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(def)) {
    OpBuilder builder(def);
    Operation *before = def->getPrevNode();
    ReifiedRankedShapedTypeDims shapes;
    if (succeeded(reifyResultShapes(builder, def, shapes))) {
      FailureOr<Value> result =
          fromFoldResult(shapes[resultNumber][dim]);
      // The ops reify created, users first.
      SmallVector<Operation *> created;
      for (Operation *op = before ? before->getNextNode()
                                  : &def->getBlock()->front();
           op != def; op = op->getNextNode())
        created.push_back(op);
      for (Operation *op : llvm::reverse(created)) {
        for (Value v : op->getResults())
          indices_.erase(v);
        if (op->use_empty())
          op->erase();
      }
      return store(result);
    }
  }
  return def->emitOpError("result #")
         << resultNumber << " of type " << type << ": the extent of dim "
         << dim << " cannot be computed in the schedule";
}

FailureOr<SmallVector<Value>> Outliner::getDynamicDims(Value tensor) {
  SmallVector<Value> sizes;
  auto type = cast<RankedTensorType>(tensor.getType());
  for (unsigned dim = 0; dim < type.getRank(); ++dim) {
    if (!type.isDynamicDim(dim))
      continue;
    FailureOr<Value> size = getScheduleDim(tensor, dim);
    if (failed(size))
      return failure();
    sizes.push_back(*size);
  }
  return sizes;
}

LogicalResult Outliner::setUpperBound(AllocOp alloc) {
  if (alloc.getType().hasStaticShape())
    return success();
  std::optional<uint64_t> bound =
      getBufferUpperBoundBytes(alloc.getResult(), symbolInfos_);
  // No bound, or too large to reserve in the arena: the runtime allocates
  // the bytes of each run (contract C).
  if (!bound || *bound > kMaxPlannedDynamicBytes) {
    alloc.setRuntimeAllocated(true);
    ++numRuntimeAllocated;
    return success();
  }
  alloc.setUpperBoundBytesAttr(builder_.getI64IntegerAttr(
      static_cast<int64_t>(*bound)));
  return success();
}

FailureOr<Value> Outliner::createResultBuffer(OpResult result) {
  auto tensorType = cast<RankedTensorType>(result.getType());
  auto type = getBufferType(tensorType);
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
      if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp,
               tensor::ReshapeOp>(user) ||
          user->getOperand(0) != value)
        continue;
      Value reshaped = user->getResult(0);
      auto returned = returnedAs_.find(reshaped);
      if (returned != returnedAs_.end()) {
        for (unsigned output : returned->second) {
          if (writtenInPlace_[output])
            continue;
          writtenInPlace_[output] = true;
          return createView(outputs[output], 0, tensorType, result, loc);
        }
      }
      worklist.push_back(reshaped);
    }
  }
  FailureOr<SmallVector<Value>> sizes = getDynamicDims(result);
  if (failed(sizes))
    return failure();
  auto alloc = AllocOp::create(builder_, loc, type, *sizes,
                               builder_.getI64IntegerAttr(0),
                               /*offset=*/IntegerAttr(),
                               /*upper_bound_bytes=*/IntegerAttr(),
                               /*runtime_allocated=*/UnitAttr());
  if (failed(setUpperBound(alloc)))
    return failure();
  return alloc.getResult();
}

LogicalResult Outliner::outline(DispatchRegionOp region) {
  for (Type type : region->getResultTypes())
    if (!isBufferable(type))
      return region->emitOpError("result of type ")
             << type << " is not a ranked tensor of a type with a byte size; it "
             << "cannot be placed in a buffer";

  llvm::SetVector<Value> used = getKernelArguments(region);
  SmallVector<Value> arguments, indexArguments;
  for (Value argument : used) {
    if (argument.getType().isIndex()) {
      indexArguments.push_back(argument);
      continue;
    }
    if (!isa<RankedTensorType>(argument.getType()))
      return region->emitOpError("uses a ")
             << argument.getType()
             << " value that is neither a tensor nor computable from "
                "constants; it cannot be passed to a kernel";
    if (!buffers_.lookup(argument))
      return region->emitOpError("reads a tensor that has no buffer");
  }
  for (Value argument : used)
    if (!argument.getType().isIndex())
      arguments.push_back(argument);

  // The push constants: the index values the body uses, then the extents
  // of the `?` dims of its tensors, each schedule value once.
  SmallVector<Value> push;
  DenseMap<Value, int64_t> pushIndex;
  auto addPush = [&](Value value) {
    auto [it, inserted] = pushIndex.try_emplace(value, push.size());
    if (inserted)
      push.push_back(value);
    return it->second;
  };
  SmallVector<int64_t> indexPositions;
  for (Value value : indexArguments) {
    FailureOr<Value> scheduled = getScheduleIndex(value);
    if (failed(scheduled))
      return failure();
    indexPositions.push_back(addPush(*scheduled));
  }
  auto dynamicDims = [&](Value tensor) -> FailureOr<SmallVector<int64_t>> {
    FailureOr<SmallVector<Value>> sizes = getDynamicDims(tensor);
    if (failed(sizes))
      return failure();
    SmallVector<int64_t> positions;
    for (Value size : *sizes) {
      positions.push_back(addPush(size));
    }
    return positions;
  };
  SmallVector<SmallVector<int64_t>> argumentDims, resultDims;
  for (Value argument : arguments) {
    FailureOr<SmallVector<int64_t>> dims = dynamicDims(argument);
    if (failed(dims))
      return failure();
    argumentDims.push_back(*dims);
  }
  for (OpResult result : region->getResults()) {
    FailureOr<SmallVector<int64_t>> dims = dynamicDims(result);
    if (failed(dims))
      return failure();
    resultDims.push_back(*dims);
  }

  // The kernel: the region's body on the arguments.
  std::string name = makeKernelName(region);
  OpBuilder kernelBuilder(&executable_.getBodyBlock(),
                          executable_.getBodyBlock().end());
  SmallVector<Type> argumentTypes;
  for (Value argument : arguments)
    argumentTypes.push_back(argument.getType());
  argumentTypes.append(push.size(), kernelBuilder.getIndexType());
  auto kernel = func::FuncOp::create(
      kernelBuilder, region->getLoc(), name,
      kernelBuilder.getFunctionType(argumentTypes, region->getResultTypes()));
  symbols_.insert(kernel);
  for (auto [index, dims] : llvm::enumerate(argumentDims))
    if (!dims.empty())
      kernel.setArgAttr(index, kDynamicDimsAttrName,
                        kernelBuilder.getDenseI64ArrayAttr(dims));
  for (auto [index, dims] : llvm::enumerate(resultDims))
    if (!dims.empty())
      kernel.setResultAttr(index, kDynamicDimsAttrName,
                           kernelBuilder.getDenseI64ArrayAttr(dims));
  Block *entry = kernel.addEntryBlock();
  kernelBuilder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [argument, blockArgument] :
       llvm::zip(arguments, entry->getArguments()))
    mapping.map(argument, blockArgument);
  for (auto [value, position] : llvm::zip(indexArguments, indexPositions))
    mapping.map(value, entry->getArgument(arguments.size() + position));
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
    FailureOr<Value> buffer = createResultBuffer(result);
    if (failed(buffer))
      return failure();
    buffers_[result] = *buffer;
    outs.push_back(*buffer);
  }
  auto kernelRef =
      SymbolRefAttr::get(executable_.getSymNameAttr(),
                         {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  DispatchOp::create(builder_, region->getLoc(), kernelRef, ins, outs,
                     push);
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
  // The shape of reshape views: read by the schedule, never a buffer.
  if (isReshapeShape(op))
    return success();
  if (isViewOp(op)) {
    Value result = op->getResult(0);
    auto type = cast<RankedTensorType>(result.getType());
    int64_t byteOffset = 0;
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
      byteOffset =
          *getContiguousSliceOffset(slice) *
          static_cast<int64_t>(*getElementByteSize(type.getElementType()));
    FailureOr<Value> view = createView(buffers_.lookup(op->getOperand(0)),
                                       byteOffset, type, result, loc);
    if (failed(view))
      return failure();
    buffers_[result] = *view;
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
      FailureOr<SmallVector<Value>> sizes = getDynamicDims(empty);
      if (failed(sizes))
        return failure();
      auto alloc = AllocOp::create(builder_, loc,
                                   getBufferType(empty.getType()), *sizes,
                                   builder_.getI64IntegerAttr(0),
                                   IntegerAttr(), IntegerAttr(), UnitAttr());
      if (failed(setUpperBound(alloc)))
        return failure();
      buffers_[empty] = alloc;
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
  // The extents of the outputs' `?` dims, for the output shapes.
  SmallVector<Value> outputDims;
  for (Value value : returnOp.getOperands()) {
    FailureOr<SmallVector<Value>> dims = getDynamicDims(value);
    if (failed(dims))
      return failure();
    outputDims.append(*dims);
  }
  ReturnOp::create(builder_, returnOp.getLoc(), outputDims);

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
    FailureOr<SmallVector<SymbolInfo>> symbolInfos = getSymbols(func);
    if (failed(symbolInfos))
      return signalPassFailure();
    auto checkType = [&](Type type, StringRef what, size_t index) {
      if (!isBufferable(type)) {
        func.emitOpError() << what << " " << index << " of type " << type
                           << " is not a ranked tensor of a type with a "
                           << "byte size";
        return false;
      }
      if (!cast<RankedTensorType>(type).hasStaticShape() &&
          symbolInfos->empty()) {
        func.emitOpError()
            << what << " " << index << " of type " << type
            << " has dynamic dims, but the function has no 'aicc.symbols' "
            << "(compile with --dim NAME=LO..HI)";
        return false;
      }
      return true;
    };
    for (auto [index, input] : llvm::enumerate(type.getInputs()))
      if (!checkType(input, "argument", index))
        return signalPassFailure();
    for (auto [index, result] : llvm::enumerate(type.getResults()))
      if (!checkType(result, "result", index))
        return signalPassFailure();

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
    // Dynamic shapes: the symbols, assumptions and the derived symbols
    // (min/max) they may use (contract B).
    for (StringRef attr : {"aicc.symbols", "aicc.value_symbols",
                           "aicc.assumptions", "aicc.assumption_ops",
                           "aicc.derived_symbols"})
      if (Attribute value = func->getAttr(attr))
        schedule->setAttr(attr, value);
    for (auto [argument, buffer] :
         llvm::zip(func.getArguments(), schedule.getInputBuffers()))
      buffer.setLoc(argument.getLoc());

    Outliner outliner(func, executable, schedule, *symbolInfos);
    if (failed(outliner.run())) {
      schedule->erase();
      executable->erase();
      return signalPassFailure();
    }
    func->erase();
  }
};

} // namespace
