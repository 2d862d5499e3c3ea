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

llvm::StringRef aicc::graph::getNodeName(Location loc) {
  llvm::StringRef name;
  loc->walk([&](Location nested) {
    if (auto nameLoc = dyn_cast<NameLoc>(nested)) {
      name = nameLoc.getName().strref();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

llvm::StringRef aicc::graph::getOnnxOpType(Operation *op) {
  llvm::StringRef name = op->getName().getStringRef();
  name.consume_front("graph.");
  return name;
}
