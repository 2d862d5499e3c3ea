//===- DispatchUtils.cpp - Shared predicates of dispatch formation --------===//

#include "passes/exec/DispatchUtils.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace aicc::exec {

std::string sanitizeSymbolName(StringRef text) {
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
  return tensor && getElementByteSize(tensor.getElementType());
}

bool isIndexComputation(Operation *op) {
  return op->getNumResults() == 1 && op->getResult(0).getType().isIndex() &&
         !op->hasTrait<OpTrait::ConstantLike>();
}

bool isTensorConstant(Operation *op) {
  if (isa<graph::ConstantOp>(op))
    return true;
  auto constant = dyn_cast<arith::ConstantOp>(op);
  return constant && isa<RankedTensorType>(constant.getType());
}

std::optional<int64_t> getContiguousSliceOffset(tensor::ExtractSliceOp slice) {
  RankedTensorType source = slice.getSourceType();
  if (!slice.hasUnitStride())
    return std::nullopt;
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  ArrayRef<int64_t> sizes = slice.getStaticSizes();
  ArrayRef<int64_t> shape = source.getShape();
  // The offset must be static (the artifact's buffer offsets are); the size
  // of the partial dimension may be dynamic.
  if (ShapedType::isDynamicShape(offsets))
    return std::nullopt;
  // Leading dimensions of size 1, then at most one partial dimension, then
  // full (static) dimensions.
  size_t dim = 0, rank = shape.size();
  while (dim < rank && sizes[dim] == 1)
    ++dim;
  for (size_t inner = dim + 1; inner < rank; ++inner)
    if (offsets[inner] != 0 || ShapedType::isDynamic(shape[inner]) ||
        sizes[inner] != shape[inner])
      return std::nullopt;
  // The linear offset: a dynamic dim may only follow the last non-zero
  // offset (its stride would be dynamic).
  int64_t linear = 0;
  bool nonZero = false;
  for (size_t d = 0; d < rank; ++d) {
    if (nonZero && ShapedType::isDynamic(shape[d]))
      return std::nullopt;
    linear = nonZero ? linear * shape[d] + offsets[d] : offsets[d];
    nonZero = nonZero || offsets[d] != 0;
  }
  return linear;
}

bool isReshapeShape(Operation *op) {
  // Value-dependent reshapes (issue 15): the shape is read by the schedule.
  return isa<tensor::FromElementsOp>(op) && !op->use_empty() &&
         llvm::all_of(op->getUses(), [](OpOperand &use) {
           return isa<tensor::ReshapeOp>(use.getOwner()) &&
                  use.getOperandNumber() == 1;
         });
}

bool isViewOp(Operation *op) {
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
    return true;
  // A reshape of dense row-major bytes is a view (issue 15); the shape
  // comes from index values (tensor.from_elements).
  if (auto reshape = dyn_cast<tensor::ReshapeOp>(op))
    return static_cast<bool>(
        reshape.getShape().getDefiningOp<tensor::FromElementsOp>());
  auto slice = dyn_cast<tensor::ExtractSliceOp>(op);
  return slice && getContiguousSliceOffset(slice).has_value();
}

bool isInitProducer(Operation *op) {
  auto init = dyn_cast<linalg::LinalgOp>(op);
  if (!init)
    return false;
  bool elementwise =
      isa<linalg::FillOp>(op) ||
      (isa<linalg::GenericOp>(op) && init.getNumReductionLoops() == 0);
  if (!elementwise || op->getNumResults() != 1 || op->use_empty() ||
      init.getNumDpsInits() != 1 ||
      !init.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
    return false;
  // Every user gets its own copy (CSE may have merged equal broadcasts). A
  // returned value has a use that is no init, so it is never cloned.
  return llvm::all_of(op->getUses(), [](OpOperand &use) {
    auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
    return user && user.isDpsInit(&use);
  });
}

/// Whether tensor constant `op` has one float element and every use reads
/// it as a bound: an input of a linalg.generic whose body only compares
/// it or takes a max/min/select with it (a Clip's bounds). Exact
/// operations only, so the kernel computes the same whether it is a
/// constant or a value read from memory (a constant scale of a product
/// would let the compiler reassociate the product around it).
static bool isBoundConstant(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  Attribute value = isa<graph::ConstantOp>(op)
                        ? Attribute(cast<graph::ConstantOp>(op).getValue())
                        : cast<arith::ConstantOp>(op).getValue();
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!type || !dense || !type.hasStaticShape() ||
      type.getNumElements() != 1 || !isa<FloatType>(type.getElementType()))
    return false;
  // Finite values only: the kernel compiler's simplifier assumes float
  // arithmetic on constants stays finite (an attention mask's -inf as a
  // constant in `x + select(m, 0, -inf)` gave wrong results).
  if (!(*dense.getValues<APFloat>().begin()).isFinite())
    return false;
  if (op->getResult(0).use_empty())
    return false;
  for (OpOperand &use : op->getResult(0).getUses()) {
    auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!generic || !generic.isDpsInput(&use))
      return false;
    BlockArgument arg = generic.getMatchingBlockArgument(&use);
    for (Operation *user : arg.getUsers())
      if (!isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
               arith::MinNumFOp, arith::CmpFOp, arith::SelectOp>(user))
        return false;
  }
  return true;
}

bool isClonableIntoDispatchRegion(Operation *op) {
  if (isa<tensor::EmptyOp>(op) || isInitProducer(op))
    return true;
  if (isTensorConstant(op) && isBoundConstant(op))
    return true;
  // Extents and offsets are computed in the schedule and reach the kernel
  // as push constants.
  if (isIndexComputation(op) || isa<tensor::DimOp>(op))
    return false;
  // Scalars (anything but ranked tensors): effect-free ops without regions;
  // the tensors they read are read by the kernel, other shaped operands
  // cannot be passed to a kernel.
  auto isTensor = [](Type type) { return isa<RankedTensorType>(type); };
  auto isNonTensorShaped = [](Type type) {
    return isa<ShapedType>(type) && !isa<RankedTensorType>(type);
  };
  return op->getNumResults() != 0 &&
         llvm::none_of(op->getResultTypes(), isTensor) &&
         llvm::none_of(op->getOperandTypes(), isNonTensorShaped) &&
         op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

bool needsDispatch(Operation *op) {
  bool producesTensors = llvm::any_of(
      op->getResultTypes(), [](Type type) { return isa<TensorType>(type); });
  return producesTensors && !isTensorConstant(op) && !isViewOp(op) &&
         !isReshapeShape(op) && !isa<tensor::EmptyOp>(op) &&
         !isClonableIntoDispatchRegion(op);
}

func::FuncOp lookupEntryFunction(ModuleOp module, StringRef name) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func) {
    module.emitError("no function '@") << name << "' to convert";
    return nullptr;
  }
  if (func.isExternal() || !func.getBody().hasOneBlock()) {
    func.emitOpError("must have a body of one block");
    return nullptr;
  }
  return func;
}

} // namespace aicc::exec
