//===- LowerResize.cpp - Resize to linalg ---------------------------------===//
//
// Not lowered yet: graph.Resize stays a graph op and the driver reports it.
// The plan: one gather generic over the output, with the source coordinate
// of each output index computed from linalg.index by the
// coordinate_transformation_mode (half_pixel, pytorch_half_pixel,
// align_corners, asymmetric) and nearest_mode, or the two (linear) taps
// per resized dim blended with their weights.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace aicc::lowering {

void populateResizePatterns(mlir::RewritePatternSet &patterns) {}

} // namespace aicc::lowering
