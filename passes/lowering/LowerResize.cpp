#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"
using namespace mlir;
namespace aicc::lowering {
void populateResizePatterns(RewritePatternSet &patterns) {}
} // namespace aicc::lowering
