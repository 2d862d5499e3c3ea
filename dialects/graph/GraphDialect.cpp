//===- GraphDialect.cpp - Graph dialect ----------------------------------===//

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"

using namespace mlir;
using namespace aicc::graph;

#include "dialects/graph/GraphDialect.cpp.inc"

void GraphDialect::initialize() { registerGraphDialectOperations(this); }

Operation *GraphDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
