//===- IndexExpr.h - Index values of dynamically shaped schedules -*- C++ -*-===//
//
// With dynamic shapes (issue 12, docs/Pipeline.md "Dynamic shapes") the
// extents and offsets of an exec.schedule are `index` values computed from
// the function symbols: `exec.symbol {index = i}`, `arith.constant`,
// `affine.apply`/`affine.min`/`affine.max` of them. This file gives
//   - their ranges over the symbols' ranges (interval arithmetic): memory
//     planning sizes buffers by the upper bounds;
//   - their postfix programs (the artifact's IntExpr, contract C): the
//     runtime evaluates them per run;
//   - where each dim of a buffer comes from (a constant, an index value, or
//     the `aicc.shape` expression of a schedule input).
//
//===----------------------------------------------------------------------===//

#ifndef AICC_DIALECTS_EXEC_INDEXEXPR_H
#define AICC_DIALECTS_EXEC_INDEXEXPR_H

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aicc::exec {

/// Opcodes of the artifact's IntExpr postfix programs (contract C).
enum class IntExprOp : int64_t {
  Const = 0,
  Sym = 1,
  Add = 2,
  Sub = 3,
  Mul = 4,
  FloorDiv = 5,
  CeilDiv = 6,
  Mod = 7,
  Min = 8,
  Max = 9,
  Neg = 10,
  // Artifact 1.4 (value symbols; docs/Artifact.md): LOAD k j, FMULFLOOR k j,
  // FRANGE k0 k1 k2 read @main's arguments; EQ, LT, SELECT.
  Load = 11,
  FMulFloor = 12,
  FRange = 13,
  Eq = 14,
  Lt = 15,
  Select = 16,
};

/// A dynamic buffer whose upper bound exceeds this many bytes is not given
/// an arena slot but runtime-allocated (issue 15, contract C), as is one
/// without an upper bound.
constexpr uint64_t kMaxPlannedDynamicBytes = uint64_t(1) << 30;

/// An inclusive integer interval.
struct IndexRange {
  int64_t lo = 0;
  int64_t hi = 0;
};

/// A function symbol: its name and inclusive range. A value symbol (issue
/// 15) also has its IntExpr program over the arguments' values and earlier
/// symbols, and what it is (for run-time errors).
struct SymbolInfo {
  std::string name;
  IndexRange range;
  bool isValue = false;
  std::vector<int64_t> def;
  std::string what;
};

/// The symbols of `op`: the entries of its `aicc.symbols` dictionary (name
/// -> array<i64: lo, hi>) in order, then those of `aicc.value_symbols` (an
/// array of {name, range = array<i64: lo, hi>, def = array<i64: ...>,
/// what}), so that value symbol j has index n + j; empty when it has
/// neither. Fails with a diagnostic on a malformed entry.
mlir::FailureOr<llvm::SmallVector<SymbolInfo>>
getSymbols(mlir::Operation *op);

/// The range of `expr` whose dims and symbols have the given ranges, or
/// nullopt if interval arithmetic cannot bound it (a division by a range
/// containing 0, an overflow).
std::optional<IndexRange> getAffineRange(mlir::AffineExpr expr,
                                         llvm::ArrayRef<IndexRange> dims,
                                         llvm::ArrayRef<IndexRange> symbols);

/// The range of the index value `value` (see the file comment) over the
/// symbol ranges `symbols`; nullopt for a value not computed that way.
std::optional<IndexRange> getIndexRange(mlir::Value value,
                                        llvm::ArrayRef<SymbolInfo> symbols);

/// Appends the postfix program of `value` to `code`; fails (without a
/// diagnostic) for a value not computed from symbols and constants.
mlir::LogicalResult appendIndexCode(mlir::Value value,
                                    std::vector<int64_t> &code);

/// Appends the postfix program of `expr`, whose symbol i is function symbol
/// i and which has no dims (an `aicc.shape` or `aicc.assumptions` entry).
mlir::LogicalResult appendSymbolExprCode(mlir::AffineExpr expr,
                                         std::vector<int64_t> &code);

/// The same for an expression that may also use derived symbols: symbol
/// `numSymbols + i` is entry i of `derived` (the lowering's
/// `aicc.derived_symbols`: {kind = "min"|"max", operands =
/// affine_map<()[s...] -> (a, b)>}), written as the MIN/MAX of its operands'
/// programs.
mlir::LogicalResult appendSymbolExprCode(mlir::AffineExpr expr,
                                         std::vector<int64_t> &code,
                                         unsigned numSymbols,
                                         mlir::ArrayAttr derived);

/// Where an extent comes from: a constant, an index value of the schedule,
/// or an expression over the symbols (an input's `aicc.shape`). Exactly one
/// is set.
struct DimSource {
  std::optional<int64_t> constant;
  mlir::Value value;
  mlir::AffineExpr expr;
};

/// The source of dim `dim` of the buffer `buffer` (a memref value of an
/// exec.schedule): static dims are constants, `?` dims of an exec.alloc or
/// exec.view are their size operands, those of a schedule input come from
/// its `aicc.shape`, those of an output from the `dims` of `exec.return`.
std::optional<DimSource> getBufferDim(mlir::Value buffer, unsigned dim);

/// The range of `source` over `symbols`.
std::optional<IndexRange> getDimRange(const DimSource &source,
                                      llvm::ArrayRef<SymbolInfo> symbols);

/// Appends the postfix program of `source`.
mlir::LogicalResult appendDimCode(const DimSource &source,
                                  std::vector<int64_t> &code);

/// Renders a postfix program in infix form with `symbols`' names, for
/// reports (`--report=memory`).
std::string formatIndexCode(llvm::ArrayRef<int64_t> code,
                            llvm::ArrayRef<SymbolInfo> symbols);

/// The postfix program of the bytes of `buffer` in a run: its element bytes
/// times its extents; fails for a dim not computed from the symbols.
mlir::LogicalResult appendBufferBytesCode(mlir::Value buffer,
                                          std::vector<int64_t> &code);

/// The bytes of the largest tensor `buffer` can hold over `symbols` (its
/// byte size when static); nullopt when a dim cannot be bounded.
std::optional<uint64_t>
getBufferUpperBoundBytes(mlir::Value buffer,
                         llvm::ArrayRef<SymbolInfo> symbols);

} // namespace aicc::exec

#endif // AICC_DIALECTS_EXEC_INDEXEXPR_H
