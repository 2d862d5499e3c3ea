//===- SymbolicShapes.h - Shapes as expressions over dim symbols -*- C++
//-*-===//
//
// The symbolic shape analysis of a graph-dialect function imported with
// dynamic dims (`--dim NAME=LO..HI`, docs/Pipeline.md "Dynamic shapes").
// Every dim of every tensor value is an AffineExpr over symbols:
//
//  - symbols 0..N-1 are the function's, in the order of its `aicc.symbols`
//    dictionary (sorted by name), each with its inclusive range;
//  - symbols N..N+M-1 are value symbols (`aicc.value_symbols`), computed
//    at run time from input values (aicc-graph-value-symbols);
//  - symbols N+M.. are derived: the min or max of other expressions, for the
//    clamps that affine algebra cannot express (a Slice end beyond its dim,
//    a Range of negative length) and that the declared ranges do not
//    decide. The lowering materializes them with affine.min/affine.max;
//  - a null AffineExpr is a dim that is not expressible (an op without a
//    symbolic rule, a value read from data).
//
// Small integer tensors (a Shape's result and what Gather, Concat, Slice,
// Add, Mul... compute of it) also carry their element VALUES as expressions,
// so a Reshape, Expand, ConstantOfShape, Slice or Range that consumes them
// gets a symbolic shape.
//
// Broadcasting two different expressions neither of which is 1 assumes them
// equal, as ONNX Runtime does; each such assumption is recorded (and must be
// checked at run time once the lowering exists).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_SYMBOLICSHAPES_H
#define AICC_PASSES_GRAPH_SYMBOLICSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineExpr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace aicc {

/// Attribute names of the symbolic dims on the imported function.
/// `aicc.symbols` on the func: a dictionary from each dynamic symbol to its
/// inclusive range, `{past_sequence = array<i64: 0, 1024>, ...}`; symbol i
/// of every affine expression is the i-th entry (sorted by name).
inline constexpr llvm::StringLiteral kSymbolsAttrName = "aicc.symbols";
/// `aicc.shape` on a func argument with dynamic dims: its shape as an affine
/// map without dims over those symbols, `affine_map<()[s0, s1] -> (1, s1)>`.
inline constexpr llvm::StringLiteral kArgShapeAttrName = "aicc.shape";
/// Value symbols (aicc-graph-value-symbols, docs/Pipeline.md "Value-dependent
/// shapes"): `aicc.value_symbols` on the func is an array of dictionaries
/// `{name, range = array<i64: lo, hi>, def = array<i64: IntExpr>, what}`;
/// value symbol j is symbol number (size of `aicc.symbols`) + j.
inline constexpr llvm::StringLiteral kValueSymbolsAttrName =
    "aicc.value_symbols";
/// `aicc.result_dims` on an op: one affine map without dims per result over
/// all symbols (dim symbols, then value symbols): its result shape.
inline constexpr llvm::StringLiteral kResultDimsAttrName = "aicc.result_dims";
/// `aicc.value_params` on an op whose lowering needs run-time parameters: a
/// dictionary from a parameter name to an `array<i64>` of the symbol indices
/// of its values, or to an affine map over the symbols (one result per
/// value) (per-op table, contract A).
inline constexpr llvm::StringLiteral kValueParamsAttrName = "aicc.value_params";
/// `aicc.value_assumptions` on an op: affine maps `()[s..] -> (lhs, rhs)` of
/// equalities the run must check; the symbolic shape analysis reports them
/// with its broadcast assumptions (so they reach `aicc.assumptions`).
inline constexpr llvm::StringLiteral kValueAssumptionsAttrName =
    "aicc.value_assumptions";
/// The upper bound of a value symbol that has no natural one (2^31 - 1).
inline constexpr int64_t kMaxValueDim = 2147483647;

namespace graph {

/// A dynamic dim symbol of a function and its inclusive range.
struct ShapeSymbol {
  std::string name;
  int64_t lo = 0, hi = 0;
};

/// A value symbol (`aicc.value_symbols` entry): computed at run time from
/// input values by its `def` program.
struct ValueSymbol {
  std::string name;
  int64_t lo = 0, hi = 0;
};

/// A symbol the analysis defines as the min or max of expressions.
struct DerivedSymbol {
  enum class Kind { Min, Max };
  Kind kind;
  llvm::SmallVector<mlir::AffineExpr, 2> operands;
  int64_t lo = 0, hi = 0;
};

/// Two expressions a broadcast assumed equal (neither is 1), with the op
/// that assumed it.
struct ShapeAssumption {
  mlir::AffineExpr lhs, rhs;
  mlir::Operation *op;
};

/// The inclusive range of the affine binary operation `kind` (add, mul,
/// floordiv, ceildiv, mod) applied to operands in ranges `lhs` and `rhs`, by
/// interval arithmetic; std::nullopt on int64 overflow or for a divisor not
/// known to be positive. (The one range rule of the symbolic analysis and
/// of the value shape functions.)
std::optional<std::pair<int64_t, int64_t>>
binaryRange(mlir::AffineExprKind kind, std::pair<int64_t, int64_t> lhs,
            std::pair<int64_t, int64_t> rhs);

/// The inclusive range of `expr` by interval arithmetic (binaryRange over
/// its operations), `symbolRange` giving the range of the symbol at each
/// position; std::nullopt when some symbol or operation is unbounded, or for
/// a null expression. (The one range function of the symbolic analysis and
/// of the value shape functions, which differ only in their symbols.)
std::optional<std::pair<int64_t, int64_t>> intervalRange(
    mlir::AffineExpr expr,
    llvm::function_ref<std::optional<std::pair<int64_t, int64_t>>(unsigned)>
        symbolRange);

class SymbolicShapeAnalysis {
public:
  /// Analyzes `op`, a func::FuncOp, in one forward sweep over its body.
  explicit SymbolicShapeAnalysis(mlir::Operation *op);

  /// Whether the function declares dynamic or value symbols.
  bool hasSymbols() const {
    return !symbols.empty() || !valueSymbols.empty();
  }
  /// The dim symbols (`aicc.symbols`): symbols 0..N-1.
  llvm::ArrayRef<ShapeSymbol> getSymbols() const { return symbols; }
  /// The value symbols (`aicc.value_symbols`): value symbol j is symbol
  /// number getSymbols().size() + j.
  llvm::ArrayRef<ValueSymbol> getValueSymbols() const { return valueSymbols; }
  /// Dim symbols plus value symbols: the first derived symbol's number.
  unsigned getNumBaseSymbols() const {
    return symbols.size() + valueSymbols.size();
  }
  /// Derived symbol i is symbol number getNumBaseSymbols() + i.
  llvm::ArrayRef<DerivedSymbol> getDerivedSymbols() const { return derived; }
  llvm::ArrayRef<ShapeAssumption> getAssumptions() const { return assumptions; }

  /// The shape of `value`, every dim an expression; failure when its rank
  /// is unknown or some dim is not expressible.
  mlir::FailureOr<llvm::SmallVector<mlir::AffineExpr>>
  getSymbolicShape(mlir::Value value) const;
  /// The shape with a null expression for each dim that is not
  /// expressible; std::nullopt when the rank is unknown.
  std::optional<llvm::SmallVector<mlir::AffineExpr>>
  getPartialShape(mlir::Value value) const;
  /// The element values (row-major) of a small tensor that computes shapes,
  /// null where not known; std::nullopt when none are tracked.
  std::optional<llvm::SmallVector<mlir::AffineExpr>>
  getSymbolicValues(mlir::Value value) const;

  /// The inclusive range of `expr` under the symbols' ranges; std::nullopt
  /// when it cannot be bounded.
  std::optional<std::pair<int64_t, int64_t>>
  getRange(mlir::AffineExpr expr) const;
  /// Upper bounds of every dim of `value`'s shape (for the memory planner).
  std::optional<llvm::SmallVector<int64_t>>
  getUpperBounds(mlir::Value value) const;

  /// `expr` with symbol names: "past_sequence + sequence",
  /// "min(past_sequence + sequence, 1024) - past_sequence", "?" for null.
  std::string print(mlir::AffineExpr expr) const;
  /// "[1, sequence, 768]"; "unranked" for std::nullopt.
  std::string
  print(std::optional<llvm::ArrayRef<mlir::AffineExpr>> shape) const;

  // Building blocks of the rules, public for the rules' helpers.
  mlir::AffineExpr constant(int64_t v) const;
  /// Simplifies to a canonical sum of products of atoms when the expression
  /// is a polynomial, so that equal expressions are the same object.
  mlir::AffineExpr canonical(mlir::AffineExpr expr) const;
  bool provablyEqual(mlir::AffineExpr a, mlir::AffineExpr b) const;
  /// a <= b for every value of the symbols in their ranges.
  bool provablyLessEqual(mlir::AffineExpr a, mlir::AffineExpr b) const;
  mlir::AffineExpr min(mlir::AffineExpr a, mlir::AffineExpr b);
  mlir::AffineExpr max(mlir::AffineExpr a, mlir::AffineExpr b);
  /// a / b when b divides a exactly (product factors cancel), else
  /// a floordiv b; null when either is null.
  mlir::AffineExpr divide(mlir::AffineExpr a, mlir::AffineExpr b) const;
  /// The broadcast of dims `a` and `b` of `op`'s operands (see above).
  mlir::AffineExpr broadcast(mlir::AffineExpr a, mlir::AffineExpr b,
                             mlir::Operation *op);

private:
  struct Info {
    std::optional<llvm::SmallVector<mlir::AffineExpr>> shape;
    std::optional<llvm::SmallVector<mlir::AffineExpr>> values;
  };
  void analyze(mlir::Operation *op);
  Info infoFromType(mlir::Value value) const;
  const Info *lookup(mlir::Value value) const;
  unsigned numSymbols() const { return getNumBaseSymbols() + derived.size(); }
  /// min(a, b) or max(a, b): the smaller or larger where provable, else a
  /// derived symbol of `kind` (reused when it exists).
  mlir::AffineExpr extremum(DerivedSymbol::Kind kind, mlir::AffineExpr a,
                            mlir::AffineExpr b);
  bool usesDerived(mlir::AffineExpr expr) const;

  mlir::MLIRContext *context;
  llvm::SmallVector<ShapeSymbol> symbols;
  llvm::SmallVector<ValueSymbol> valueSymbols;
  llvm::SmallVector<DerivedSymbol> derived;
  llvm::SmallVector<ShapeAssumption> assumptions;
  llvm::DenseMap<mlir::Value, Info> infos;

  friend struct SymbolicRules;
};

} // namespace graph
} // namespace aicc

#endif // AICC_PASSES_GRAPH_SYMBOLICSHAPES_H
