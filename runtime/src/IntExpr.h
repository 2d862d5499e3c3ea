//===- IntExpr.h - Integer expressions over module symbols -----*- C++ -*-===//
//
// Format 1.3 stores every run-time integer of a dynamic module (a dimension,
// a push constant, a copy size) as an IntExpr: a postfix program over the
// module's symbols (aicc.fbs, docs/Artifact.md "Dynamic shapes"). The loader
// checks each program once with interval arithmetic over the symbols'
// ranges (which also proves that no division is by a value <= 0 and gives
// every expression's bounds); a run then evaluates it with overflow checks.
//
// Format 1.4 adds value symbols (Symbol.def): programs that also read input
// values (LOAD, FMULFLOOR, FRANGE) and compare/select (EQ, LT, SELECT).
// Their loads can be anything, so the loader proves what the symbols' ranges
// allow and leaves the rest (overflow, a divisor <= 0) to checked evaluation
// at run time, which reports it as an error, never as undefined behaviour.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_SRC_INTEXPR_H
#define AICC_RUNTIME_SRC_INTEXPR_H

#include "aicc/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aicc {

/// Opcodes of an IntExpr program.
enum IntOp : int64_t {
  kIntConst = 0,
  kIntSym = 1,
  kIntAdd = 2,
  kIntSub = 3,
  kIntMul = 4,
  kIntFloorDiv = 5,
  kIntCeilDiv = 6,
  kIntMod = 7,
  kIntMin = 8,
  kIntMax = 9,
  kIntNeg = 10,
  // 1.4 (docs/Artifact.md): LOAD k j, FMULFLOOR k j, FRANGE k0 k1 k2 read
  // inputs (only in a value symbol's def); EQ, LT, SELECT anywhere.
  kIntLoad = 11,
  kIntFMulFloor = 12,
  kIntFRange = 13,
  kIntEq = 14,
  kIntLt = 15,
  kIntSelect = 16,
};

/// An input the LOAD family may read: its element type and element count
/// (checked at load), and at run time its data (null: not available).
struct IntExprInput {
  aicc_element_type_t type = AICC_ELEMENT_TYPE_UNKNOWN;
  uint64_t count = 0;
  const void *data = nullptr;
  /// For messages (null: "input K").
  const char *name = nullptr;
};

/// How checkIntExpr treats the 1.4 opcodes.
struct IntExprCheckOptions {
  /// The inputs LOAD/FMULFLOOR/FRANGE may read; null rejects those opcodes.
  const std::vector<IntExprInput> *inputs = nullptr;
  /// Value symbol definitions: a possible overflow or divisor <= 0 is left
  /// to run time (the result range is then unbounded) instead of rejected.
  bool runtimeChecks = false;
};

/// Longest program and deepest stack the loader accepts.
constexpr uint32_t kMaxIntExprLength = 4096;
constexpr uint32_t kMaxIntExprDepth = 64;

/// A closed interval of int64 values.
struct IntRange {
  int64_t lo = 0, hi = 0;
};

/// Checks the program `code[0, size)` over symbols with the ranges
/// `symbols`: known opcodes, operands present, symbol indices in range,
/// stack depth (exactly one result), divisors whose range is > 0, and no
/// int64 overflow over the ranges. On success stores the result's range in
/// `*out`; on failure returns false and describes the problem in `*error`.
bool checkIntExpr(const int64_t *code, uint32_t size,
                  const std::vector<IntRange> &symbols, IntRange *out,
                  std::string *error);
bool checkIntExpr(const int64_t *code, uint32_t size,
                  const std::vector<IntRange> &symbols, IntRange *out,
                  std::string *error, const IntExprCheckOptions &options);

/// Evaluates a program that checkIntExpr accepted, with `values` the
/// symbols' values. Returns false on int64 overflow (possible only when a
/// value lies outside its checked range) or a division by a value <= 0.
bool evalIntExpr(const int64_t *code, uint32_t size, const int64_t *values,
                 size_t valueCount, int64_t *out);

/// Evaluates a program that may read `inputs` (1.4). On failure returns
/// false and says why in `*error` (an overflow, a divisor <= 0, a loaded
/// value outside int64, NaN or infinity, a Range delta of 0, an input
/// without data).
bool evalIntExpr(const int64_t *code, uint32_t size, const int64_t *values,
                 size_t valueCount, const IntExprInput *inputs,
                 size_t inputCount, int64_t *out, std::string *error);

/// Whether the program reads inputs (LOAD, FMULFLOOR or FRANGE); sets
/// `*input` to the first input it reads.
bool readsInputs(const int64_t *code, uint32_t size, int64_t *input);

/// Whether the program is exactly `CONST v` (sets *value) / `SYM i` (sets
/// *symbol).
bool isConstIntExpr(const int64_t *code, uint32_t size, int64_t *value);
bool isSymIntExpr(const int64_t *code, uint32_t size, int64_t *symbol);

/// Renders a program in infix form with symbol names, for messages.
std::string formatIntExpr(const int64_t *code, uint32_t size,
                          const std::vector<std::string> &symbolNames);

} // namespace aicc

#endif // AICC_RUNTIME_SRC_INTEXPR_H
