//===- ExecDialect.h - Exec dialect -----------------------------*- C++ -*-===//
#ifndef AICC_DIALECTS_EXEC_EXECDIALECT_H
#define AICC_DIALECTS_EXEC_EXECDIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/exec/ExecDialect.h.inc"

#endif // AICC_DIALECTS_EXEC_EXECDIALECT_H
