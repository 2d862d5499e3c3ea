//===- ExecDialect.cpp - Exec dialect -------------------------------------===//

#include "dialects/exec/ExecDialect.h"
#include "dialects/exec/ExecOps.h"

using namespace mlir;
using namespace aicc::exec;

#include "dialects/exec/ExecDialect.cpp.inc"

void ExecDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/exec/ExecOps.cpp.inc"
      >();
}
