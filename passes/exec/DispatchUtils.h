//===- DispatchUtils.h - Shared predicates of dispatch formation -*- C++
//-*-===//
//
// What the three dispatch formation passes (aicc-form-dispatch-regions,
// aicc-clone-producers-into-dispatch-regions, aicc-outline-dispatch-regions)
// and the grouping policies agree on: which ops of the entry function need a
// kernel, which become views or constants of the schedule, and which are
// cheap enough to be recomputed inside every kernel that uses them.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_EXEC_DISPATCHUTILS_H
#define AICC_PASSES_EXEC_DISPATCHUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <string>

namespace aicc::exec {

/// The ONNX node name in `loc` (the first NameLoc inside it), or "".


/// `text` with every character that is not [A-Za-z0-9_] replaced by '_', so
/// it is a plain C identifier fragment (entry points are ELF symbols).
std::string sanitizeSymbolName(llvm::StringRef text);

/// The buffer type that holds a tensor of `type`.
mlir::MemRefType getBufferType(mlir::RankedTensorType type);

/// Whether a value of `type` can live in a buffer: a ranked tensor whose
/// elements have a byte size (dynamic dims are sized by upper bounds).
bool isBufferable(mlir::Type type);

/// Whether `op` computes an `index` value that is not a constant (an
/// extent or offset computed from the symbols: affine.apply/min/max,
/// tensor.dim of an argument). The schedule computes these; kernels get
/// them as push constants.
bool isIndexComputation(mlir::Operation *op);

/// Whether `op` (a tensor constant) becomes an exec.constant.
bool isTensorConstant(mlir::Operation *op);

/// If `slice` reads one contiguous row-major byte range of its source at a
/// static offset, returns the offset of that range in elements (dynamic
/// sizes are allowed in the partial dimension; a symbolic offset is not: a
/// copy kernel reads it).
std::optional<int64_t>
getContiguousSliceOffset(mlir::tensor::ExtractSliceOp slice);

/// Whether `op` is a tensor.from_elements used only as the shape of
/// tensor.reshape views (value-dependent shapes): no kernel, no buffer.
bool isReshapeShape(mlir::Operation *op);

/// Whether `op` is a pure reshape/slice that becomes an exec.view.
bool isViewOp(mlir::Operation *op);

/// Whether `op` is a linalg.fill, or an elementwise linalg.generic such as a
/// bias broadcast, of a `tensor.empty` init whose result is used only as
/// the init of linalg ops (matmul and conv accumulators start from it). It
/// runs inside each of their kernels instead of writing a full tensor.
bool isInitProducer(mlir::Operation *op);

/// Whether `op` is cheap enough to be cloned into every dispatch region
/// that uses its result instead of being read from a buffer:
/// `tensor.empty` (its content is undefined), an init producer (above), and
/// effect-free scalar ops without regions (usually an arith.constant,
/// sometimes a tensor.extract of a weight, whose tensor is then read by the
/// kernel), and one-element float tensor constants that linalg.generic
/// bodies only compare or take a max/min with (a Clip's bounds), which the
/// kernel then knows as constants (a Clip against constant bounds is one
/// vmaxps and one vminps instead of NaN tests and blends on a value read
/// from memory).
bool isClonableIntoDispatchRegion(mlir::Operation *op);

/// Whether `op`, an op of the entry function's body, needs a kernel: it has
/// tensor results and is none of a tensor constant, a view, a
/// `tensor.empty` or an op cloned into its users' regions. Every such op
/// must end up in a dispatch region.
bool needsDispatch(mlir::Operation *op);

/// The function `name` of `module` with a body of one block, or null after
/// emitting an error.
mlir::func::FuncOp lookupEntryFunction(mlir::ModuleOp module,
                                       llvm::StringRef name);

} // namespace aicc::exec

#endif // AICC_PASSES_EXEC_DISPATCHUTILS_H
