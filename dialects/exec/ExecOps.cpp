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
    auto isStaticTensor = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && tensor.hasStaticShape();
    };
    if (!llvm::all_of(kernel.getArgumentTypes(), isStaticTensor) ||
        !llvm::all_of(kernel.getResultTypes(), isStaticTensor))
      return kernel.emitOpError(
          "kernel arguments and results must be statically shaped tensors");
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
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    auto memref = dyn_cast<MemRefType>(input);
    if (!memref || !memref.hasStaticShape() ||
        !memref.getLayout().isIdentity() || !getByteSize(memref))
      return emitOpError("argument ")
             << index
             << " is not a statically shaped memref with identity layout";
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
  std::optional<ArrayRef<int64_t>> arena = getArenaSize();
  if (!arena)
    return success();
  for (AllocOp alloc : getBody().getOps<AllocOp>()) {
    if (!alloc.getOffset())
      return alloc.emitOpError("has no offset, but the schedule is planned");
    if (alloc.getSpace() >= arena->size())
      return alloc.emitOpError("memory space ")
             << alloc.getSpace() << " has no arena size in the schedule";
    uint64_t size = *getByteSize(alloc.getType());
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

LogicalResult AllocOp::verify() {
  if (!getByteSize(getType()))
    return emitOpError("element type ")
           << getType().getElementType() << " has no byte size";
  if (static_cast<int64_t>(getSpace()) < 0)
    return emitOpError("memory space must be non-negative");
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
  std::optional<uint64_t> sourceSize = getByteSize(getSource().getType());
  std::optional<uint64_t> size = getByteSize(getType());
  if (!sourceSize || !size)
    return emitOpError("element types must have a byte size");
  int64_t offset = getByteOffset();
  if (offset < 0)
    return emitOpError("byte offset ") << offset << " is negative";
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
  if (type.getNumInputs() != getIns().size())
    return emitOpError("has ")
           << getIns().size() << " ins, but the kernel takes "
           << type.getNumInputs() << " arguments";
  if (type.getNumResults() != getOuts().size())
    return emitOpError("has ")
           << getOuts().size() << " outs, but the kernel returns "
           << type.getNumResults() << " results";
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(getIns().getTypes(), type.getInputs())))
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
  std::optional<uint64_t> source = getByteSize(getSource().getType());
  std::optional<uint64_t> target = getByteSize(getTarget().getType());
  if (!source || !target || *source != *target)
    return emitOpError("source and target differ in byte size");
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
