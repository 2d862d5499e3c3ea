//===- MarkFoldedPadding.cpp - Allow folded padding in avx512 kernels ----===//
//
// See Passes.td: the avx512 schedule computes a pad folded into a depthwise
// conv (and the expand conv before it) per parallel task, so the fusion
// policy may group them; the attribute tells it so. Likewise it computes
// row groups (a reduction over the innermost dims with the ops around it)
// per row: `aicc.fuse_rows`.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace aicc::avx512 {
#define GEN_PASS_DEF_MARKFOLDEDPADDING
#include "targets/avx512/Passes.h.inc"
} // namespace aicc::avx512

using namespace mlir;

namespace aicc::avx512 {
namespace {

struct MarkFoldedPaddingPass
    : public impl::MarkFoldedPaddingBase<MarkFoldedPaddingPass> {
  void runOnOperation() override {
    getOperation()->setAttr("aicc.fold_padding", UnitAttr::get(&getContext()));
    getOperation()->setAttr("aicc.fuse_rows", UnitAttr::get(&getContext()));
  }
};

} // namespace
} // namespace aicc::avx512
