//===- ExecOps.h - Exec dialect operations ----------------------*- C++ -*-===//
#ifndef AICC_DIALECTS_EXEC_EXECOPS_H
#define AICC_DIALECTS_EXEC_EXECOPS_H

#include "dialects/exec/ExecDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <optional>

namespace aicc::exec {
/// Bytes of one element of `type` as the runtime stores it: integers and
/// floats round up to whole bytes (i1 is one byte); nullopt for types a
/// buffer cannot hold (index, complex, vectors).
std::optional<uint64_t> getElementByteSize(mlir::Type type);
/// Bytes of a statically shaped memref or tensor; nullopt as above.
std::optional<uint64_t> getByteSize(mlir::ShapedType type);
/// On a kernel's tensor argument or result with `?` dims: for each `?` dim
/// in order, the index of the push constant (trailing index argument)
/// holding its extent (contract B of issue 12).
inline constexpr llvm::StringLiteral kDynamicDimsAttrName =
    "aicc.dynamic_dims";
} // namespace aicc::exec

#define GET_OP_CLASSES
#include "dialects/exec/ExecOps.h.inc"

#endif // AICC_DIALECTS_EXEC_EXECOPS_H
