//===- ExecOps.cpp - Exec dialect operations ------------------------------===//
//
// Verifiers of the exec ops. Every message here appears verbatim in
// test/dialects/exec/invalid.mlir.
//
//===----------------------------------------------------------------------===//

#include "dialects/exec/ExecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace aicc::exec;

std::optional<uint64_t> aicc::exec::getElementByteSize(Type type) {
  if (type.isIntOrFloat())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  return std::nullopt;
}

std::optional<uint64_t> aicc::exec::getByteSize(ShapedType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  std::optional<uint64_t> element = getElementByteSize(type.getElementType());
  if (!element)
    return std::nullopt;
  return *element * static_cast<uint64_t>(type.getNumElements());
}

/// Whether a kernel signature type `kernelType` (a tensor) describes the
/// same data as the buffer type `bufferType` (a memref).
static bool matchesKernelType(Type bufferType, Type kernelType) {
  auto buffer = dyn_cast<MemRefType>(bufferType);
  auto tensor = dyn_cast<RankedTensorType>(kernelType);
  return buffer && tensor && buffer.getShape() == tensor.getShape() &&
         buffer.getElementType() == tensor.getElementType();
}

//===----------------------------------------------------------------------===//
// ExecutableOp
//===----------------------------------------------------------------------===//

void ExecutableOp::build(OpBuilder &builder, OperationState &state,
                         StringRef name) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addRegion()->emplaceBlock();
}

LogicalResult ExecutableOp::verify() {
  for (Operation &op : getBodyBlock()) {
    auto kernel = dyn_cast<func::FuncOp>(op);
    if (!kernel)
      return op.emitOpError("is not a kernel: an exec.executable holds only "
                            "'func.func' ops");
    if (kernel.isExternal())
      return kernel.emitOpError("kernel has no body");
    // Tensors, then the push constants (index); `?` dims name the push
    // constant holding their extent in `aicc.dynamic_dims`.
    ArrayRef<Type> inputs = kernel.getArgumentTypes();
    unsigned numTensors = 0;
    while (numTensors < inputs.size() &&
           isa<RankedTensorType>(inputs[numTensors]))
      ++numTensors;
    unsigned numPush = inputs.size() - numTensors;
    if (!llvm::all_of(inputs.drop_front(numTensors),
                      [](Type type) { return type.isIndex(); }) ||
        !llvm::all_of(kernel.getResultTypes(), llvm::IsaPred<RankedTensorType>))
      return kernel.emitOpError("kernel arguments must be ranked tensors "
                                "followed by index push constants, and its "
                                "results ranked tensors");
    auto checkDynamicDims = [&](Type type, DictionaryAttr attrs,
                                StringRef what,
                                unsigned index) -> LogicalResult {
      auto tensor = cast<RankedTensorType>(type);
      if (tensor.hasStaticShape())
        return success();
      auto dims = attrs ? attrs.getAs<DenseI64ArrayAttr>(kDynamicDimsAttrName)
                        : DenseI64ArrayAttr();
      if (!dims || dims.size() != static_cast<int64_t>(
                                      tensor.getNumDynamicDims()))
        return kernel.emitOpError()
               << what << " #" << index << " of type " << type << " needs '"
               << kDynamicDimsAttrName << "' with one push constant per '?' dim";
      for (int64_t push : dims.asArrayRef())
        if (push < 0 || push >= static_cast<int64_t>(numPush))
          return kernel.emitOpError()
                 << what << " #" << index << ": push constant " << push
                 << " is not in [0, " << numPush << ")";
      return success();
    };
    for (unsigned i = 0; i < numTensors; ++i)
      if (failed(checkDynamicDims(inputs[i], kernel.getArgAttrDict(i),
                                  "argument", i)))
        return failure();
    for (auto [i, type] : llvm::enumerate(kernel.getResultTypes()))
      if (failed(checkDynamicDims(type, kernel.getResultAttrDict(i),
                                  "result", i)))
        return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduleOp
//===----------------------------------------------------------------------===//

void ScheduleOp::build(OpBuilder &builder, OperationState &state,
                       StringRef name, FunctionType type, int64_t numInputs) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getFunctionTypeAttrName(state.name),
                     TypeAttr::get(type));
  state.addAttribute(getNumInputsAttrName(state.name),
                     builder.getI64IntegerAttr(numInputs));
  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  for (Type input : type.getInputs())
    block->addArgument(input, state.location);
}

ParseResult ScheduleOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildType = [](Builder &builder, ArrayRef<Type> inputs,
                      ArrayRef<Type> results,
                      function_interface_impl::VariadicFlag, std::string &) {
    return builder.getFunctionType(inputs, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void ScheduleOp::print(OpAsmPrinter &printer) {
  function_interface_impl::printFunctionOp(
      printer, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

LogicalResult ScheduleOp::verify() {
  FunctionType type = getFunctionType();
  if (type.getNumResults() != 0)
    return emitOpError("has results; outputs are written into output "
                       "buffer arguments");
  auto numInputs = static_cast<int64_t>(getNumInputs());
  if (numInputs < 0 || numInputs > static_cast<int64_t>(type.getNumInputs()))
    return emitOpError("'num_inputs' (")
           << numInputs << ") is not in [0, " << type.getNumInputs() << "]";
  bool hasSymbols = (*this)->hasAttr("aicc.symbols") ||
                    (*this)->hasAttr("aicc.value_symbols");
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    auto memref = dyn_cast<MemRefType>(input);
    if (!memref || !memref.getLayout().isIdentity() ||
        !getElementByteSize(memref.getElementType()))
      return emitOpError("argument ")
             << index << " is not a memref with identity layout whose "
             << "elements have a byte size";
    if (!memref.hasStaticShape() && !hasSymbols)
      return emitOpError("argument ")
             << index << " has dynamic dims, but the schedule has no "
             << "'aicc.symbols'";
  }
  std::optional<ArrayRef<int64_t>> arena = getArenaSize();
  std::optional<ArrayRef<int64_t>> bound = getLowerBound();
  if (arena.has_value() != bound.has_value() ||
      (arena && arena->size() != bound->size()))
    return emitOpError("'arena_size' and 'lower_bound' must both be present "
                       "with one entry per memory space");
  if (arena) {
    for (auto [space, sizes] : llvm::enumerate(llvm::zip(*arena, *bound))) {
      auto [arenaSize, lowerBound] = sizes;
      if (lowerBound < 0 || lowerBound > arenaSize)
        return emitOpError("memory space ")
               << space << ": lower bound " << lowerBound
               << " is not in [0, arena size " << arenaSize << "]";
    }
  }
  return success();
}

LogicalResult ScheduleOp::verifyRegions() {
  int64_t outputDims = 0;
  for (BlockArgument output : getOutputBuffers())
    outputDims += cast<MemRefType>(output.getType()).getNumDynamicDims();
  if (auto returnOp = dyn_cast<ReturnOp>(getBody().front().getTerminator());
      returnOp &&
      static_cast<int64_t>(returnOp.getOutputDims().size()) != outputDims)
    return returnOp.emitOpError("has ")
           << returnOp.getOutputDims().size()
           << " output dims, but the outputs have " << outputDims
           << " dynamic dims";
  std::optional<ArrayRef<int64_t>> arena = getArenaSize();
  if (!arena)
    return success();
  for (AllocOp alloc : getBody().getOps<AllocOp>()) {
    // Runtime-allocated buffers live outside the arenas (issue 15), and
    // persistent state (aicc-exec-kv-state) is a state pool.
    if (alloc.getRuntimeAllocated() || alloc->hasAttr("aicc.state"))
      continue;
    if (!alloc.getOffset())
      return alloc.emitOpError("has no offset, but the schedule is planned");
    if (alloc.getSpace() >= arena->size())
      return alloc.emitOpError("memory space ")
             << alloc.getSpace() << " has no arena size in the schedule";
    std::optional<uint64_t> slot = alloc.getSlotBytes();
    if (!slot)
      return alloc.emitOpError("has dynamic dims but no 'upper_bound_bytes', "
                               "but the schedule is planned");
    uint64_t size = *slot;
    uint64_t limit = (*arena)[alloc.getSpace()];
    uint64_t offset = *alloc.getOffset();
    if (offset > limit || size > limit - offset)
      return alloc.emitOpError("bytes [")
             << offset << ", " << offset + size << ") exceed the arena of "
             << limit << " bytes";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AllocOp
//===----------------------------------------------------------------------===//

std::optional<uint64_t> AllocOp::getSlotBytes() {
  if (getRuntimeAllocated())
    return std::nullopt;
  if (getType().hasStaticShape())
    return getByteSize(getType());
  return getUpperBoundBytes();
}

LogicalResult AllocOp::verify() {
  if (!getElementByteSize(getType().getElementType()))
    return emitOpError("element type ")
           << getType().getElementType() << " has no byte size";
  if (static_cast<int64_t>(getDynamicSizes().size()) !=
      getType().getNumDynamicDims())
    return emitOpError("has ")
           << getDynamicSizes().size() << " size operands, but its type has "
           << getType().getNumDynamicDims() << " dynamic dims";
  if (std::optional<uint64_t> bound = getUpperBoundBytes();
      bound && static_cast<int64_t>(*bound) < 0)
    return emitOpError("upper bound ")
           << static_cast<int64_t>(*bound) << " is negative";
  if (static_cast<int64_t>(getSpace()) < 0)
    return emitOpError("memory space must be non-negative");
  if (getRuntimeAllocated() && (getOffset() || getUpperBoundBytes()))
    return emitOpError("is runtime-allocated, so it has no arena 'offset' "
                       "or 'upper_bound_bytes'");
  if (std::optional<uint64_t> offset = getOffset()) {
    auto value = static_cast<int64_t>(*offset);
    if (value < 0 || value % 64 != 0)
      return emitOpError("offset ")
             << value << " is not a non-negative multiple of 64";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto valueType = cast<ShapedType>(getValue().getType());
  MemRefType type = getType();
  if (valueType.getShape() != type.getShape() ||
      valueType.getElementType() != type.getElementType())
    return emitOpError("value of type ")
           << valueType << " does not match the buffer type " << type;
  if (!getByteSize(type))
    return emitOpError("element type ")
           << type.getElementType() << " has no byte size";
  return success();
}

//===----------------------------------------------------------------------===//
// ViewOp
//===----------------------------------------------------------------------===//

Value ViewOp::getViewSource() { return getSource(); }

LogicalResult ViewOp::verify() {
  if (!getElementByteSize(getSource().getType().getElementType()) ||
      !getElementByteSize(getType().getElementType()))
    return emitOpError("element types must have a byte size");
  if (static_cast<int64_t>(getDynamicSizes().size()) !=
      getType().getNumDynamicDims())
    return emitOpError("has ")
           << getDynamicSizes().size() << " size operands, but its type has "
           << getType().getNumDynamicDims() << " dynamic dims";
  int64_t offset = getByteOffset();
  if (offset < 0)
    return emitOpError("byte offset ") << offset << " is negative";
  // Dynamic ranges are checked against the upper bounds by the planner.
  std::optional<uint64_t> sourceSize = getByteSize(getSource().getType());
  std::optional<uint64_t> size = getByteSize(getType());
  if (!sourceSize || !size)
    return success();
  if (static_cast<uint64_t>(offset) > *sourceSize ||
      *size > *sourceSize - static_cast<uint64_t>(offset))
    return emitOpError("bytes [")
           << offset << ", " << offset + *size << ") exceed the source's "
           << *sourceSize << " bytes";
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

func::FuncOp DispatchOp::lookupKernel() {
  auto kernel =
      SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(*this, getKernel());
  if (!kernel || !isa_and_nonnull<ExecutableOp>(kernel->getParentOp()))
    return nullptr;
  return kernel;
}

LogicalResult
DispatchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto kernel =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getKernel());
  if (!kernel || !isa_and_nonnull<ExecutableOp>(kernel->getParentOp()))
    return emitOpError("'")
           << getKernel()
           << "' does not name a kernel (a func.func in an exec.executable)";
  FunctionType type = kernel.getFunctionType();
  // Trailing index arguments are the push constants.
  unsigned numPush = 0;
  while (numPush < type.getNumInputs() &&
         type.getInput(type.getNumInputs() - 1 - numPush).isIndex())
    ++numPush;
  unsigned numTensors = type.getNumInputs() - numPush;
  if (numTensors != getIns().size())
    return emitOpError("has ")
           << getIns().size() << " ins, but the kernel takes " << numTensors
           << " arguments";
  if (numPush != getPushConstants().size())
    return emitOpError("has ")
           << getPushConstants().size()
           << " push constants, but the kernel takes " << numPush
           << " index arguments";
  if (type.getNumResults() != getOuts().size())
    return emitOpError("has ")
           << getOuts().size() << " outs, but the kernel returns "
           << type.getNumResults() << " results";
  for (auto [index, pair] : llvm::enumerate(
           llvm::zip(getIns().getTypes(), type.getInputs().take_front(
                                              numTensors))))
    if (!matchesKernelType(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError("in #")
             << index << " of type " << std::get<0>(pair)
             << " does not match kernel argument type " << std::get<1>(pair);
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(getOuts().getTypes(), type.getResults())))
    if (!matchesKernelType(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError("out #")
             << index << " of type " << std::get<0>(pair)
             << " does not match kernel result type " << std::get<1>(pair);
  return success();
}

//===----------------------------------------------------------------------===//
// CopyOp
//===----------------------------------------------------------------------===//

LogicalResult CopyOp::verify() {
  MemRefType sourceType = getSource().getType();
  MemRefType targetType = getTarget().getType();
  if (sourceType.hasStaticShape() && targetType.hasStaticShape()) {
    std::optional<uint64_t> source = getByteSize(sourceType);
    std::optional<uint64_t> target = getByteSize(targetType);
    if (!source || !target || *source != *target)
      return emitOpError("source and target differ in byte size");
    return success();
  }
  // Dynamic: the same tensor in both (the bytes of this run).
  if (sourceType.getShape() != targetType.getShape() ||
      getElementByteSize(sourceType.getElementType()) !=
          getElementByteSize(targetType.getElementType()))
    return emitOpError("dynamically shaped source and target must have the "
                       "same shape and element size");
  return success();
}

//===----------------------------------------------------------------------===//
// SymbolOp
//===----------------------------------------------------------------------===//

LogicalResult SymbolOp::verify() {
  auto index = static_cast<int64_t>(getIndex());
  if (index < 0)
    return emitOpError("symbol index ") << index << " is negative";
  auto schedule = (*this)->getParentOfType<ScheduleOp>();
  if (!schedule)
    return success();
  // Dim symbols (`aicc.symbols`), then value symbols
  // (`aicc.value_symbols`, issue 15).
  auto symbols = schedule->getAttrOfType<DictionaryAttr>("aicc.symbols");
  auto values = schedule->getAttrOfType<ArrayAttr>("aicc.value_symbols");
  int64_t count = (symbols ? symbols.size() : 0) + (values ? values.size() : 0);
  if (index >= count)
    return emitOpError("symbol index ")
           << index << " is not one of the schedule's "
           << (symbols ? symbols.size() : 0) << " 'aicc.symbols'"
           << (values ? " and " + std::to_string(values.size()) +
                            " 'aicc.value_symbols'"
                      : std::string());
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchRegionOp
//===----------------------------------------------------------------------===//

YieldOp DispatchRegionOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

LogicalResult DispatchRegionOp::verifyRegions() {
  if (getNumResults() == 0)
    return emitOpError("has no results; a dispatch region computes at least "
                       "one tensor");
  YieldOp yield = getYield();
  if (yield.getValues().size() != getNumResults())
    return emitOpError("yields ")
           << yield.getValues().size() << " values, but the region has "
           << getNumResults() << " results";
  for (auto [index, pair] : llvm::enumerate(
           llvm::zip(yield.getValues().getTypes(), getResultTypes())))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("yielded value #")
             << index << " of type " << std::get<0>(pair)
             << " does not match result type " << std::get<1>(pair);
  return success();
}

#define GET_OP_CLASSES
#include "dialects/exec/ExecOps.cpp.inc"
