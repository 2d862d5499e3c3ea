//===- ValueShapeFunctions.h - Shapes that depend on input values -*- C++ -*-===//
//
// The per-op shape functions of aicc-graph-value-symbols (docs/Pipeline.md
// "Value-dependent shapes", contract A): an op whose output dims depend on
// the VALUES of a small graph input (Reshape's `shape`, Slice's `starts`,
// ReduceSum's `axes`, ...) gets value symbols, each defined by a postfix
// IntExpr program that the runtime evaluates from the input values before
// the run, and its result dims over them.
//
// Programs are written as expression trees (`Prog`) that fold constants as
// they are built, so a shape function can be written once for the general
// case (axes read from an input) and yields short programs where the
// operands are known at compile time (constant axes). A `Prog` is emitted in
// the artifact's IntExpr encoding (dialects/exec/IndexExpr.h, contract D).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_VALUESHAPEFUNCTIONS_H
#define AICC_PASSES_GRAPH_VALUESHAPEFUNCTIONS_H

#include "dialects/exec/IndexExpr.h"
#include "passes/graph/SymbolicShapes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringRef.h"
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace aicc::graph {

/// The IntExpr opcodes (contract D), those of the artifact.
using exec::IntExprOp;

/// An integer program: an expression tree over constants, symbols and input
/// elements. Operations on constants fold (unless they overflow, which stays
/// a run-time error). A null Prog stands for "not expressible".
class Prog {
public:
  Prog() = default;
  static Prog constant(int64_t v);
  static Prog sym(int64_t index);
  static Prog load(int64_t input, int64_t element);
  /// floor(a * element `element` of float input `input`).
  static Prog fmulFloor(Prog a, int64_t input, int64_t element);
  static Prog frange(int64_t start, int64_t limit, int64_t delta);

  explicit operator bool() const { return node != nullptr; }
  std::optional<int64_t> getConstant() const;
  /// The symbol index when the program is exactly `SYM i`.
  std::optional<int64_t> getSymbol() const;
  /// Appends the postfix code.
  void emit(std::vector<int64_t> &code) const;
  std::vector<int64_t> code() const {
    std::vector<int64_t> c;
    emit(c);
    return c;
  }

  struct Node;

private:
  explicit Prog(std::shared_ptr<const Node> n) : node(std::move(n)) {}
  std::shared_ptr<const Node> node;
  friend Prog makeOp(IntExprOp op, std::vector<Prog> args,
                     std::vector<int64_t> imm);
};

Prog operator+(Prog a, Prog b);
Prog operator-(Prog a, Prog b);
Prog operator*(Prog a, Prog b);
Prog operator-(Prog a);
Prog floorDiv(Prog a, Prog b);
Prog ceilDiv(Prog a, Prog b);
Prog mod(Prog a, Prog b);
Prog min(Prog a, Prog b);
Prog max(Prog a, Prog b);
/// 1 when a == b, else 0 (and so on).
Prog eq(Prog a, Prog b);
Prog ne(Prog a, Prog b);
Prog lt(Prog a, Prog b);
Prog le(Prog a, Prog b);
/// c != 0 ? t : f. Both branches are evaluated at run time: keep divisors in
/// the unselected one positive.
Prog select(Prog c, Prog t, Prog f);
/// Logical and/or of 0/1 values.
Prog both(Prog a, Prog b);
Prog either(Prog a, Prog b);
/// The program of an integer constant (convenience).
inline Prog cst(int64_t v) { return Prog::constant(v); }

/// Evaluates `code` with the symbol values `symbols` (constant folding);
/// std::nullopt on any run-time error (overflow, divisor <= 0, an unknown
/// symbol) and for the LOAD family (input values are not known here).
std::optional<int64_t> evaluateIntExpr(llvm::ArrayRef<int64_t> code,
                                       llvm::ArrayRef<int64_t> symbols = {});

/// A graph input whose values a program may read: argument `arg` of @main
/// (reached directly or through Cast/Identity/Squeeze/Unsqueeze/Reshape),
/// static shape, `count` <= 64 elements.
struct ValueInput {
  unsigned arg = 0;
  int64_t count = 0;
  bool isFloat = false;
};

/// A value symbol being defined.
struct NewValueSymbol {
  std::string name, what;
  int64_t lo = 0, hi = 0;
  std::vector<int64_t> def;
};

/// What a shape function builds for one op; committed by the pass when the
/// function succeeds.
class ValueShapeBuilder {
public:
  ValueShapeBuilder(mlir::func::FuncOp func,
                    const SymbolicShapeAnalysis &analysis, mlir::Operation *op);

  mlir::Operation *getOp() const { return op; }
  const SymbolicShapeAnalysis &getAnalysis() const { return analysis; }
  mlir::MLIRContext *getContext() const { return op->getContext(); }
  /// "node 'r' (Reshape)".
  const std::string &describe() const { return nodeDesc; }

  /// The input behind `v`, when it is a value input (float types only with
  /// `allowFloat`).
  std::optional<ValueInput> getValueInput(mlir::Value v,
                                          bool allowFloat = false) const;
  /// The element values of the small integer tensor `v` as programs: known
  /// to the symbolic analysis (constants, shapes) or LOADs of a value input.
  std::optional<llvm::SmallVector<Prog>> getInts(mlir::Value v) const;
  /// The input dims of `v` as expressions (all expressible), or nullopt.
  std::optional<llvm::SmallVector<mlir::AffineExpr>>
  getDims(mlir::Value v) const;
  /// The program of an expression over the symbols (dim symbols, value
  /// symbols, the ones defined here).
  Prog toProg(mlir::AffineExpr e) const;
  /// The range of such an expression; [-kMaxValueDim, kMaxValueDim]-clamped
  /// fallback when it cannot be bounded.
  std::pair<int64_t, int64_t> rangeOf(mlir::AffineExpr e) const;
  int64_t upperBound(mlir::AffineExpr e) const { return rangeOf(e).second; }

  /// Defines a value symbol `name` (appended to describe()) computed by `p`
  /// with range [lo, hi]; returns the expression to use: the constant when
  /// `p` folded, the symbol when `p` is one, else the new symbol (reusing
  /// one of this op with the same program and range). Null when `p` is.
  mlir::AffineExpr define(llvm::StringRef name, llvm::StringRef what,
                          int64_t lo, int64_t hi, Prog p);
  /// A validity condition: `cond` must be 1 at run time (a value symbol of
  /// range [1, 1] whose `what` says what is wrong). Fails, with an error on
  /// the op, when `cond` folds to 0.
  mlir::LogicalResult require(llvm::StringRef name, llvm::StringRef what,
                              Prog cond);
  /// An equality the run checks (`aicc.value_assumptions`).
  void assume(mlir::AffineExpr lhs, mlir::AffineExpr rhs);
  /// `aicc.value_params[name]`; each entry becomes a symbol (constants and
  /// compound expressions get a value symbol of their own).
  void setParam(llvm::StringRef name, llvm::ArrayRef<mlir::AffineExpr> values);
  /// The result dims of result `i`.
  void setResultDims(unsigned i, llvm::ArrayRef<mlir::AffineExpr> dims);

  /// Why the function declined (for debugging output); returns failure.
  mlir::LogicalResult decline(const llvm::Twine &why);

  /// An expression of the analysis with its derived symbols (min/max)
  /// replaced by value symbols defined here (so that the result dims are
  /// over dim and value symbols only).
  mlir::AffineExpr sanitize(mlir::AffineExpr e);

  // Results, read by the pass.
  unsigned numExistingSymbols() const { return base; }
  llvm::ArrayRef<NewValueSymbol> getNewSymbols() const { return symbols; }
  llvm::ArrayRef<llvm::SmallVector<mlir::AffineExpr>> getResultDims() const {
    return resultDims;
  }
  llvm::ArrayRef<std::pair<mlir::AffineExpr, mlir::AffineExpr>>
  getAssumptions() const {
    return assumptions;
  }
  const std::vector<std::pair<std::string, llvm::SmallVector<int64_t>>> &
  getParams() const {
    return params;
  }
  std::string getDeclineReason() const { return declined; }
  /// Whether the function reported an error on the op (an input known to
  /// be invalid), not just declined.
  bool hasError() const { return errored; }

private:
  mutable mlir::func::FuncOp func;
  const SymbolicShapeAnalysis &analysis;
  mlir::Operation *op;
  std::string nodeDesc;
  unsigned base; // dim symbols + existing value symbols
  llvm::SmallVector<NewValueSymbol> symbols;
  std::map<std::tuple<std::vector<int64_t>, int64_t, int64_t>, unsigned>
      byProgram;
  llvm::SmallVector<llvm::SmallVector<mlir::AffineExpr>> resultDims;
  llvm::SmallVector<std::pair<mlir::AffineExpr, mlir::AffineExpr>> assumptions;
  std::vector<std::pair<std::string, llvm::SmallVector<int64_t>>> params;
  std::string declined;
  bool errored = false;
};

/// Whether `op` is of a type that has a value shape function.
bool hasValueShapeFunction(mlir::Operation *op);
/// Runs the shape function of `op`; failure (with the reason in the
/// builder) when its shape operands are not value inputs or its rank would
/// depend on values. Errors on the op only for inputs known to be invalid.
mlir::LogicalResult buildValueShape(ValueShapeBuilder &b);

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_VALUESHAPEFUNCTIONS_H
