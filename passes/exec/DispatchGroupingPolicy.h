//===- DispatchGroupingPolicy.h - Which ops share a dispatch ----*- C++ -*-===//
//
// The replaceable decision of aicc-form-dispatch-regions: which ops of the
// entry function are computed together by one kernel. The pass asks a
// policy for groups of ops, checks them, and wraps each group in an
// `exec.dispatch_region`; everything else (constants, views, clonable
// producers, the rules for bindings and output buffers) is fixed by the
// later passes. A fusion policy implements DispatchGroupingPolicy and is
// handed to createFormDispatchRegions(policy) in buildExecPipeline.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_EXEC_DISPATCHGROUPINGPOLICY_H
#define AICC_PASSES_EXEC_DISPATCHGROUPINGPOLICY_H

#include "mlir/IR/Block.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>

namespace aicc::exec {

/// Ops of one block that one dispatch computes.
using DispatchGroup = llvm::SmallVector<mlir::Operation *>;

/// Decides which ops of the entry function share a dispatch.
///
/// Contract, checked by aicc-form-dispatch-regions (a violation is reported
/// as an error on the op, never a crash):
///   - each op of a group is a non-terminator op of `body`, in at most one
///     group; the order inside a group and of the groups does not matter
///     (regions are built in block order);
///   - every op for which needsDispatch() (passes/exec/DispatchUtils.h)
///     holds is in a group; ops in no group stay in the function, where the
///     outliner turns constants and views into buffers and the clone pass
///     copies clonable producers into the regions that use them;
///   - no op outside a group uses a result of the group before the group's
///     last op (the region is created at the place of its last op);
///   - every result of a group's ops that is used outside the group, or not
///     used at all, becomes a result of the region (the dispatch writes it)
///     and must be a statically shaped tensor.
///
/// A policy holds no state of one run: the pass may run it on several
/// modules and from several threads.
class DispatchGroupingPolicy {
public:
  virtual ~DispatchGroupingPolicy();

  /// A short name for debug output, e.g. "one-op-per-region".
  virtual llvm::StringRef getName() const = 0;

  /// Appends the groups of `body` (the entry function's block) to `groups`.
  /// May emit diagnostics and fail.
  virtual mlir::LogicalResult
  formGroups(mlir::Block &body,
             llvm::SmallVectorImpl<DispatchGroup> &groups) const = 0;
};

/// Today's policy: every op that needsDispatch() is a group of its own, so
/// each kernel computes one ONNX node (plus the producers cloned into it).
std::shared_ptr<const DispatchGroupingPolicy> createOneOpPerRegionPolicy();

/// Producer-consumer fusion (FusionPolicy.cpp): elementwise ops join the
/// dispatch of the elementwise op or reduction producing an operand they
/// alone read, element for element.
std::shared_ptr<const DispatchGroupingPolicy> createFusionPolicy();

} // namespace aicc::exec

#endif // AICC_PASSES_EXEC_DISPATCHGROUPINGPOLICY_H
