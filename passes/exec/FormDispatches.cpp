//===- FormDispatches.cpp - Outline compute ops into exec dispatches ------===//
//
// Converts `func.func @main` on tensors into an `exec.executable` of kernels
// and an `exec.schedule` over buffers (docs/Pipeline.md, section 3).
//
// The walk follows @main's block in order, mapping every tensor value to the
// buffer (memref value of the schedule) that holds it:
//   - block arguments -> the schedule's input buffers;
//   - graph.constant / tensor arith.constant -> exec.constant;
//   - reshapes and contiguous extract_slice -> exec.view of the source
//     buffer (views of views are folded to one view of the root buffer);
//   - every other op with tensor results -> a kernel in the executable and
//     an exec.dispatch writing new exec.allocs, or directly the output
//     buffer of the model when its result (or a reshape of it) is returned;
//   - scalar constants, tensor.empty inits and linalg.fill-of-empty inits
//     are cloned into the kernels that use them instead.
// Returned values that are not written in place are copied at the end.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallString.h"

namespace aicc::exec {
#define GEN_PASS_DEF_FORMDISPATCHES
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

namespace {

/// The ONNX node name in `loc` (the first NameLoc inside it), or "".
StringRef getNodeName(Location loc) {
  StringRef name;
  loc->walk([&](Location nested) {
    if (auto nameLoc = dyn_cast<NameLoc>(nested)) {
      name = nameLoc.getName().strref();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// `text` with every character that is not [A-Za-z0-9_] replaced by '_', so
/// it is a plain C identifier fragment (entry points are ELF symbols).
std::string sanitize(StringRef text) {
  std::string result;
  for (char c : text)
    result.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  return result;
}

MemRefType getBufferType(RankedTensorType type) {
  return MemRefType::get(type.getShape(), type.getElementType());
}

bool isBufferable(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && getByteSize(tensor);
}

/// Whether `op` (a tensor constant) becomes an exec.constant.
bool isTensorConstant(Operation *op) {
  if (isa<graph::ConstantOp>(op))
    return true;
  auto constant = dyn_cast<arith::ConstantOp>(op);
  return constant && isa<RankedTensorType>(constant.getType());
}

/// If `slice` reads one contiguous row-major byte range of its source,
/// returns the offset of that range in elements.
std::optional<int64_t> getContiguousSliceOffset(tensor::ExtractSliceOp slice) {
  RankedTensorType source = slice.getSourceType();
  if (!source.hasStaticShape() || !slice.hasUnitStride())
    return std::nullopt;
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  ArrayRef<int64_t> sizes = slice.getStaticSizes();
  ArrayRef<int64_t> shape = source.getShape();
  if (ShapedType::isDynamicShape(offsets) || ShapedType::isDynamicShape(sizes))
    return std::nullopt;
  // Leading dimensions of size 1, then at most one partial dimension, then
  // full dimensions.
  size_t dim = 0, rank = shape.size();
  while (dim < rank && sizes[dim] == 1)
    ++dim;
  for (size_t inner = dim + 1; inner < rank; ++inner)
    if (offsets[inner] != 0 || sizes[inner] != shape[inner])
      return std::nullopt;
  int64_t linear = 0;
  for (size_t d = 0; d < rank; ++d)
    linear = linear * shape[d] + offsets[d];
  return linear;
}

/// Whether `op` is a pure reshape/slice that becomes an exec.view.
bool isViewOp(Operation *op) {
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
    return true;
  auto slice = dyn_cast<tensor::ExtractSliceOp>(op);
  return slice && getContiguousSliceOffset(slice).has_value();
}

class DispatchFormer {
public:
  DispatchFormer(func::FuncOp func, ExecutableOp executable,
                 ScheduleOp schedule)
      : func_(func), executable_(executable), schedule_(schedule),
        builder_(&schedule.getBody().front(),
                 schedule.getBody().front().end()),
        symbols_(executable) {}

  LogicalResult run();

private:
  LogicalResult convertOp(Operation *op);
  LogicalResult outline(Operation *op);
  /// Adds to `clones` the ops computing `value` inside a kernel of `user`,
  /// or fails if `value` must come from a buffer.
  /// Tensors that cloned scalar ops read (e.g. `tensor.extract` of a
  /// weight) are added to `arguments`.
  bool collectClones(Value value, Operation *user,
                     llvm::SetVector<Operation *> &clones,
                     llvm::SetVector<Value> &arguments);
  /// The buffer for a new result `result` of a dispatch.
  Value createResultBuffer(OpResult result);
  Value createView(Value source, int64_t byteOffset, MemRefType type,
                   Location loc);
  std::string makeKernelName(Operation *op);

  func::FuncOp func_;
  ExecutableOp executable_;
  ScheduleOp schedule_;
  OpBuilder builder_;
  SymbolTable symbols_;
  DenseMap<Value, Value> buffers_;
  /// Init producers (linalg.fill, elementwise generics) cloned into their
  /// only user's kernel.
  DenseSet<Operation *> fusedFills_;
  /// For each returned value, the outputs it is returned as.
  DenseMap<Value, SmallVector<unsigned>> returnedAs_;
  /// Outputs already written in place.
  SmallVector<bool> writtenInPlace_;
  unsigned kernelCount_ = 0;
};

} // namespace

std::string DispatchFormer::makeKernelName(Operation *op) {
  StringRef node = getNodeName(op->getLoc());
  std::string base = "k" + std::to_string(kernelCount_++) + "_" +
                     sanitize(node.empty() ? op->getName().getStringRef()
                                           : node);
  std::string name = base;
  for (unsigned suffix = 1; symbols_.lookup(name); ++suffix)
    name = base + "_" + std::to_string(suffix);
  return name;
}

Value DispatchFormer::createView(Value source, int64_t byteOffset,
                                 MemRefType type, Location loc) {
  if (auto view = source.getDefiningOp<ViewOp>()) {
    byteOffset += view.getByteOffset();
    source = view.getSource();
  }
  if (byteOffset == 0 && source.getType() == type)
    return source;
  return ViewOp::create(builder_, loc, type, source,
                        builder_.getI64IntegerAttr(byteOffset));
}

Value DispatchFormer::createResultBuffer(OpResult result) {
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

bool DispatchFormer::collectClones(Value value, Operation *user,
                                   llvm::SetVector<Operation *> &clones,
                                   llvm::SetVector<Value> &arguments) {
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != &func_.getBody().front())
    return false;
  if (clones.contains(def))
    return true;
  if (isa<RankedTensorType>(value.getType())) {
    // An undefined tensor (an init, or the window operand of a pooling op)
    // is created in the kernel rather than read from a buffer.
    if (isa<tensor::EmptyOp>(def)) {
      clones.insert(def);
      return true;
    }
    // A fill, or an elementwise generic (a bias broadcast), used only as
    // inits: computed inside the kernel, its tensor inputs become bindings.
    if (fusedFills_.contains(def)) {
      for (Value operand : def->getOperands()) {
        bool isInit = isa_and_nonnull<tensor::EmptyOp>(operand.getDefiningOp());
        if (isa<RankedTensorType>(operand.getType()) && !isInit) {
          arguments.insert(operand);
          continue;
        }
        if (!collectClones(operand, def, clones, arguments))
          return false;
      }
      clones.insert(def);
      return true;
    }
    return false;
  }
  // Scalars: effect-free chains of scalar ops (usually one arith.constant,
  // sometimes a tensor.extract of a weight, whose tensor is then a binding).
  if (!isMemoryEffectFree(def) || def->getNumRegions() != 0)
    return false;
  for (Value operand : def->getOperands()) {
    if (isa<RankedTensorType>(operand.getType()) &&
        !isa_and_nonnull<tensor::EmptyOp>(operand.getDefiningOp())) {
      arguments.insert(operand);
      continue;
    }
    if (isa<ShapedType>(operand.getType()) ||
        !collectClones(operand, def, clones, arguments))
      return false;
  }
  clones.insert(def);
  return true;
}

LogicalResult DispatchFormer::outline(Operation *op) {
  for (Type type : op->getResultTypes())
    if (!isBufferable(type))
      return op->emitOpError("result of type ")
             << type << " is not a statically shaped tensor; it cannot be "
             << "placed in a buffer";

  // Everything the op reads from @main: operands and captured values.
  llvm::SetVector<Value> used(op->operand_begin(), op->operand_end());
  getUsedValuesDefinedAbove(op->getRegions(), used);

  llvm::SetVector<Value> arguments;
  llvm::SetVector<Operation *> clones;
  for (Value value : used) {
    if (collectClones(value, op, clones, arguments))
      continue;
    if (!isa<RankedTensorType>(value.getType()))
      return op->emitOpError("uses a ")
             << value.getType()
             << " value that is neither a tensor nor computable from "
                "constants; it cannot be passed to a kernel";
    arguments.insert(value);
  }
  for (Value argument : arguments)
    if (!buffers_.lookup(argument))
      return op->emitOpError("reads a tensor that has no buffer");

  // The kernel.
  std::string name = makeKernelName(op);
  OpBuilder kernelBuilder(&executable_.getBodyBlock(),
                          executable_.getBodyBlock().end());
  SmallVector<Type> argumentTypes;
  for (Value argument : arguments)
    argumentTypes.push_back(argument.getType());
  auto kernel = func::FuncOp::create(
      kernelBuilder, op->getLoc(), name,
      kernelBuilder.getFunctionType(argumentTypes, op->getResultTypes()));
  symbols_.insert(kernel);
  Block *entry = kernel.addEntryBlock();
  kernelBuilder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [argument, blockArgument] :
       llvm::zip(arguments, entry->getArguments()))
    mapping.map(argument, blockArgument);
  SmallVector<Operation *> ordered(clones.begin(), clones.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  for (Operation *clone : ordered)
    kernelBuilder.clone(*clone, mapping);
  Operation *body = kernelBuilder.clone(*op, mapping);
  func::ReturnOp::create(kernelBuilder, op->getLoc(), body->getResults());

  // The dispatch.
  SmallVector<Value> ins, outs;
  for (Value argument : arguments)
    ins.push_back(buffers_.lookup(argument));
  for (OpResult result : op->getResults()) {
    Value buffer = createResultBuffer(result);
    buffers_[result] = buffer;
    outs.push_back(buffer);
  }
  auto kernelRef = SymbolRefAttr::get(
      executable_.getSymNameAttr(),
      {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  DispatchOp::create(builder_, op->getLoc(), kernelRef, ins, outs);
  return success();
}

LogicalResult DispatchFormer::convertOp(Operation *op) {
  Location loc = op->getLoc();
  if (isTensorConstant(op)) {
    auto value = cast<ElementsAttr>(op->getAttr("value"));
    auto type = cast<RankedTensorType>(value.getType());
    if (!isBufferable(type))
      return op->emitOpError("constant of type ")
             << type << " cannot be placed in a buffer";
    StringRef node = getNodeName(loc);
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
      byteOffset = *getContiguousSliceOffset(slice) *
                   static_cast<int64_t>(*getElementByteSize(
                       type.getElementType()));
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
      buffers_[empty] =
          AllocOp::create(builder_, loc, getBufferType(empty.getType()), 0,
                          IntegerAttr());
    }
    return success();
  }
  if (fusedFills_.contains(op))
    return success();
  bool producesTensors = llvm::any_of(op->getResultTypes(), [](Type type) {
    return isa<TensorType>(type);
  });
  if (!producesTensors) {
    // Scalars are cloned into the kernels that use them.
    if (isMemoryEffectFree(op))
      return success();
    return op->emitOpError("has side effects and no tensor results; it "
                           "cannot be placed in the schedule");
  }
  return outline(op);
}

LogicalResult DispatchFormer::run() {
  Block &body = func_.getBody().front();
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands()))
    returnedAs_[value].push_back(index);
  writtenInPlace_.assign(returnOp.getNumOperands(), false);
  for (auto [argument, buffer] :
       llvm::zip(func_.getArguments(), schedule_.getInputBuffers()))
    buffers_[argument] = buffer;

  // A fill, or an elementwise generic such as a bias broadcast, used only as
  // the init of linalg ops runs inside each of their kernels (matmul and
  // conv accumulators start from it), unless it is returned.
  for (auto init : body.getOps<linalg::LinalgOp>()) {
    bool elementwise =
        isa<linalg::FillOp>(init) ||
        (isa<linalg::GenericOp>(init) && init.getNumReductionLoops() == 0);
    if (!elementwise || init->getNumResults() != 1 || init->use_empty() ||
        returnedAs_.count(init->getResult(0)) ||
        !init.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
      continue;
    // Every user gets its own copy (CSE may have merged equal broadcasts).
    bool onlyInits = llvm::all_of(init->getUses(), [](OpOperand &use) {
      auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
      return user && user.isDpsInit(&use);
    });
    if (onlyInits)
      fusedFills_.insert(init);
  }

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

struct FormDispatchesPass
    : public exec::impl::FormDispatchesBase<FormDispatchesPass> {
  using FormDispatchesBase::FormDispatchesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entryPoint);
    if (!func) {
      module.emitError("no function '@") << entryPoint << "' to convert";
      return signalPassFailure();
    }
    if (func.isExternal() || !func.getBody().hasOneBlock()) {
      func.emitOpError("must have a body of one block");
      return signalPassFailure();
    }
    FunctionType type = func.getFunctionType();
    for (auto [index, input] : llvm::enumerate(type.getInputs()))
      if (!isBufferable(input)) {
        func.emitOpError("argument ")
            << index << " of type " << input
            << " is not a statically shaped tensor";
        return signalPassFailure();
      }
    for (auto [index, result] : llvm::enumerate(type.getResults()))
      if (!isBufferable(result)) {
        func.emitOpError("result ")
            << index << " of type " << result
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

    DispatchFormer former(func, executable, schedule);
    if (failed(former.run())) {
      schedule->erase();
      executable->erase();
      return signalPassFailure();
    }
    func->erase();
  }
};

} // namespace
