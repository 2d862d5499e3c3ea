//===- LoweringUtils.h - Helpers shared by the graph lowerings --*- C++ -*-===//
//
// Building blocks of the graph -> linalg patterns: broadcasting operands into
// a loop nest with projected-permutation maps, elementwise and reduction
// `linalg.generic`s, reshapes as collapse/expand, scalar constants, and the
// unsigned-integer convention (inside linalg bodies, unsigned scalars are
// reinterpreted as signless with builtin.unrealized_conversion_cast; see
// Passes.td).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_LOWERING_LOWERINGUTILS_H
#define AICC_PASSES_LOWERING_LOWERINGUTILS_H

#include "dialects/graph/GraphOps.h"
#include "passes/graph/SymbolicShapes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>

namespace aicc::lowering {

using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;

//===----------------------------------------------------------------------===//
// Dynamic dims (docs/Pipeline.md "Dynamic shapes", contract A)
//===----------------------------------------------------------------------===//

/// The `index` value of every dim of every graph value of the function being
/// lowered, computed before the conversion from the symbolic shape analysis:
/// static dims are index attributes, `?` dims the values materialized at the
/// top of `@main` (`tensor.dim` of the declaring argument for each function
/// symbol, `affine.min`/`affine.max` for derived symbols, `affine.apply` of
/// the symbols for every expression). A null entry is a dim the analysis
/// cannot express. Set for the duration of the conversion of one function
/// (DynamicDims::Scope); patterns reach it through getDimSizes.
class DynamicDims {
public:
  /// The context of the conversion running on this thread, or null (a
  /// function without `aicc.symbols`).
  static DynamicDims *current();

  /// Installs `dims` as the current context while alive.
  class Scope {
  public:
    explicit Scope(DynamicDims *dims);
    ~Scope();
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;

  private:
    DynamicDims *previous;
  };

  /// `analysis` must outlive this object; `builder` inserts at the top of
  /// the function, after the symbols (`symbols`: function symbols, value
  /// symbols, then derived ones).
  DynamicDims(const graph::SymbolicShapeAnalysis &analysis, OpBuilder builder,
              llvm::SmallVector<Value> symbols)
      : analysis(analysis), builder(builder), symbols(std::move(symbols)) {}

  const graph::SymbolicShapeAnalysis &getAnalysis() const { return analysis; }

  /// The index value of `expr` (an attribute for a constant, the symbol's
  /// value, or an affine.apply of the symbols at the top of the function,
  /// created once); null for a null expr.
  mlir::OpFoldResult materialize(mlir::AffineExpr expr);

  /// Records the analysis' shape (and element values, when all known) of
  /// the graph value `value`; a dim the analysis does not express is taken
  /// from the producer's `aicc.result_dims` when it has them.
  void record(Value value);
  /// Records `exprs` as the element values of `value` (a tensor that
  /// replaces a shape-computing op).
  void setValues(Value value, llvm::SmallVector<mlir::AffineExpr> exprs) {
    values[value] = std::move(exprs);
  }

  /// The recorded dims of `value`, or null.
  const llvm::SmallVector<mlir::OpFoldResult> *lookup(Value value) const {
    auto it = sizes.find(value);
    return it == sizes.end() ? nullptr : &it->second;
  }
  /// The dims of `value` as expressions, or null.
  const llvm::SmallVector<mlir::AffineExpr> *lookupShape(Value value) const {
    auto it = shapes.find(value);
    return it == shapes.end() ? nullptr : &it->second;
  }
  /// The element values of `value` (every one known), or null.
  const llvm::SmallVector<mlir::AffineExpr> *lookupValues(Value value) const {
    auto it = values.find(value);
    return it == values.end() ? nullptr : &it->second;
  }
  /// The affine.apply values created so far, by expression.
  const llvm::DenseMap<mlir::AffineExpr, Value> &getApplied() const {
    return applied;
  }
  /// The values of the symbols (function symbols, value symbols, then
  /// derived ones), by symbol index.
  llvm::ArrayRef<Value> getSymbolValues() const { return symbols; }
  /// `to` (a converted operand) has the dims and values of `from` (the
  /// graph value it replaces).
  void alias(Value to, Value from);

private:
  const graph::SymbolicShapeAnalysis &analysis;
  OpBuilder builder;
  llvm::SmallVector<Value> symbols;
  llvm::DenseMap<mlir::AffineExpr, Value> applied;
  llvm::DenseMap<Value, llvm::SmallVector<mlir::OpFoldResult>> sizes;
  llvm::DenseMap<Value, llvm::SmallVector<mlir::AffineExpr>> shapes;
  llvm::DenseMap<Value, llvm::SmallVector<mlir::AffineExpr>> values;
};

//===----------------------------------------------------------------------===//
// Value-dependent shapes (docs/Pipeline.md "Value-dependent shapes", issue 15)
//===----------------------------------------------------------------------===//

// The attribute names (kValueSymbolsAttrName, kResultDimsAttrName,
// kValueParamsAttrName) are aicc:: names from passes/graph/SymbolicShapes.h.

/// The number of value symbols of the function that holds `op` (0 when it
/// has no `aicc.value_symbols`).
int64_t getNumValueSymbols(mlir::Operation *op);
/// Whether `op` has result dims that depend on input values
/// (`aicc.result_dims`).
bool hasValueDependentDims(mlir::Operation *op);
/// The index values of `aicc.value_params[name]` of `op`: the symbols'
/// values materialized at the top of `@main` (an affine map's results are
/// materialized like any dim expression; a constant becomes an
/// arith.constant built with `b`). Empty when the op has no such parameter,
/// when an index is not a symbol, or outside a function with symbols.
llvm::SmallVector<mlir::Value> getValueParams(mlir::Operation *op,
                                              llvm::StringRef name,
                                              mlir::OpBuilder &b);

/// The size of every dim of `value` (a ranked tensor): static dims as index
/// attributes, dynamic ones from the DynamicDims context (or, for values the
/// lowering built, from their tensor.empty / destination / expand_shape).
/// Null entries for dims that are unknown; std::nullopt when not ranked.
std::optional<llvm::SmallVector<mlir::OpFoldResult>> getDimSizes(Value value);
/// True when every dim of `value` is known (static, or dynamic with a
/// recorded size).
bool hasKnownDims(Value value);
/// getDimSizes when every dim is known, with dynamic dims materialized as
/// Values; std::nullopt otherwise.
std::optional<llvm::SmallVector<mlir::OpFoldResult>>
getKnownDimSizes(Value value);
/// The dims of `value` as expressions over the function's symbols
/// (constants for static dims); std::nullopt when some dim is not known.
std::optional<llvm::SmallVector<mlir::AffineExpr>> getDimExprs(Value value);
/// The index value of an expression (DynamicDims::materialize).
mlir::OpFoldResult materializeExpr(mlir::AffineExpr expr);
/// Like whyNotStaticIntOrFloat, but a dynamic dim is accepted when its size
/// is known (getDimSizes); the reason names the dim otherwise.
std::string whyNotKnownIntOrFloat(mlir::Operation *op);
/// The static shape of mixed sizes (kDynamic for values).
llvm::SmallVector<int64_t> staticShapeOf(llvm::ArrayRef<mlir::OpFoldResult> sizes);
/// Whether some operand or result of `op` has a dynamic dim.
bool hasDynamicDims(mlir::Operation *op);

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// True for `ui8`, `ui16`, ... (ONNX unsigned types).
bool isUnsignedInt(Type type);
/// The signless equivalent of an integer type; other types unchanged.
Type toSignless(Type type);
/// A ranked tensor type with the signless element type.
RankedTensorType toSignless(RankedTensorType type);
/// The static ranked tensor type of `value`, or null.
RankedTensorType getStaticType(Value value);
/// True when every operand and result is a statically shaped ranked tensor of
/// int or float elements.
bool hasStaticIntOrFloatTypes(mlir::Operation *op);
/// Why `op` does not pass hasStaticIntOrFloatTypes (which input or output,
/// and its type), for a match failure; empty when it does.
std::string whyNotStaticIntOrFloat(mlir::Operation *op);

/// Unsigned scalars (block arguments of linalg bodies over `ui*` tensors)
/// are reinterpreted as signless with builtin.unrealized_conversion_cast so
/// that arith applies; results go back the same way. Other values are
/// returned unchanged.
Value toSignlessScalar(OpBuilder &b, Location loc, Value scalar);
Value fromSignlessScalar(OpBuilder &b, Location loc, Value scalar, Type type);
llvm::SmallVector<Value> toSignlessScalars(OpBuilder &b, Location loc,
                                           ValueRange scalars);

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// A scalar constant of an int (signless) or float type.
Value constScalar(OpBuilder &b, Location loc, Type type, double value);
Value constInt(OpBuilder &b, Location loc, Type type, int64_t value);
Value constIndex(OpBuilder &b, Location loc, int64_t value);
/// A `tensor.extract` whose indices come from the model's data: marked
/// with kCheckedIndexAttrName so that an index outside `tensor` fails the
/// kernel at run time instead of reading a clamped element.
Value checkedExtract(OpBuilder &b, Location loc, Value tensor,
                     ValueRange indices);
/// The lowest (-inf for floats) and highest values of a type.
Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned);
Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned);

/// Scalar arithmetic dispatched on float/int and signedness. Max/min
/// propagate NaN like NumPy.
Value scalarAdd(OpBuilder &b, Location loc, Value x, Value y);
Value scalarSub(OpBuilder &b, Location loc, Value x, Value y);
Value scalarMul(OpBuilder &b, Location loc, Value x, Value y);
Value scalarDiv(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned);
Value scalarMax(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned);
Value scalarMin(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned);
/// Converts a scalar between any int/float types; `srcUnsigned` and
/// `dstUnsigned` give the signedness of the integer sides. Float -> int
/// truncates; int/float -> i1 is `!= 0`.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type dstType,
                    bool srcUnsigned, bool dstUnsigned);
/// f32(f64(x) * f64(y) + f64(z)) for f32 x, y, z: a fused multiply-add
/// (the product is exact in f64; the rounding to f32 of the f64 sum equals
/// fma's except when the f64 sum is itself inexact and lands on an f32 tie,
/// which no test has hit), as ONNX Runtime's vfmadd in QLinearAdd and its
/// LayerNorm variance. Contraction or reassociation of the f64 ops cannot
/// change it.
Value fusedMulAdd(OpBuilder &b, Location loc, Value x, Value y, Value z);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Value createEmpty(OpBuilder &b, Location loc, llvm::ArrayRef<int64_t> shape,
                  Type elementType);
/// A tensor.empty of mixed static/dynamic sizes.
Value createEmptySized(OpBuilder &b, Location loc,
                       llvm::ArrayRef<mlir::OpFoldResult> sizes,
                       Type elementType);
Value createFilledSized(OpBuilder &b, Location loc,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes, Value scalar,
                        Type elementType = {});
/// A new tensor filled with `scalar` (linalg.fill), of `elementType` when
/// given (an unsigned type for a signless scalar: a generic then).
Value createFilled(OpBuilder &b, Location loc, llvm::ArrayRef<int64_t> shape,
                   Value scalar, Type elementType = {});

/// Reshapes a static tensor with tensor.collapse_shape / expand_shape (one of
/// them when the shapes allow it, else collapse to 1-D and expand).
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                llvm::ArrayRef<int64_t> shape);

/// Reshapes `value` to `sizes` (mixed static/dynamic) with one
/// tensor.collapse_shape or tensor.expand_shape (dynamic output_shape); null
/// when the reshape is not a pure collapse or expand of the dims (a
/// dynamic dim split or merged with another one in a way the static dims
/// do not decide).
Value reshapeToSizes(OpBuilder &b, Location loc, Value value,
                     llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// An operand prepared for a loop nest: the (possibly collapsed) value and
/// the projected-permutation map reading it.
struct LoopOperand {
  Value value;
  mlir::AffineMap map;
};

/// Right-aligned NumPy broadcasting of `value` into a loop nest of
/// `loopShape`: dims of size 1 that are broadcast are collapsed away.
LoopOperand broadcastInto(OpBuilder &b, Location loc, Value value,
                          llvm::ArrayRef<int64_t> loopShape);
/// `value` read in a loop nest of rank `numLoops` where its dim i is loop
/// dim loopDims[i]; dims of size 1 whose loop is larger are collapsed away.
LoopOperand readInto(OpBuilder &b, Location loc, Value value,
                     llvm::ArrayRef<int64_t> loopShape,
                     llvm::ArrayRef<int64_t> loopDims);

using ScalarBody =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An elementwise linalg.generic producing `shape` x `elementType` from
/// `inputs` (NumPy-broadcast). The body gets one signless scalar per input
/// and returns a signless scalar.
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       llvm::ArrayRef<int64_t> shape, Type elementType,
                       ScalarBody body);
/// buildElementwise over mixed sizes (dynamic dims: an operand dim of static
/// size 1 against a loop dim that is not 1 is broadcast, any other dim is
/// read as is).
Value buildElementwiseSized(OpBuilder &b, Location loc, ValueRange inputs,
                            llvm::ArrayRef<mlir::OpFoldResult> sizes,
                            Type elementType, ScalarBody body);

/// A parallel linalg.generic over `shape` with explicit operand maps; the body
/// gets the input scalars (not the output), signless.
Value buildParallel(OpBuilder &b, Location loc,
                    llvm::ArrayRef<LoopOperand> inputs,
                    llvm::ArrayRef<int64_t> shape, Type elementType,
                    ScalarBody body);
Value buildParallelSized(OpBuilder &b, Location loc,
                         llvm::ArrayRef<LoopOperand> inputs,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         Type elementType, ScalarBody body);

/// The loops of a reduction over `axes` (sorted) of a nest of `rank` dims:
/// their iterator types and the map writing the result (the parallel dims,
/// in order).
std::pair<llvm::SmallVector<mlir::utils::IteratorType>, mlir::AffineMap>
reductionLoops(mlir::MLIRContext *ctx, int64_t rank,
               llvm::ArrayRef<int64_t> axes);

/// Reduces `input` over `axes` (sorted, unique) into a tensor of the input
/// shape without those dims, starting from `init` (signless);
/// `combine(elem, acc)` on signless scalars. The result has the element type
/// of `input`.
Value buildReduction(
    OpBuilder &b, Location loc, Value input, llvm::ArrayRef<int64_t> axes,
    Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// The shape with `axes` (sorted) removed, or set to 1 when `keepDims`.
llvm::SmallVector<int64_t> reducedShape(llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> axes,
                                        bool keepDims);

/// The sliding-window geometry of Conv and pooling ops, per spatial dim.
/// `padEnd` may exceed the ONNX pads where ceil_mode needs a last partial
/// window; `explicitPadEnd` keeps the ONNX value.
struct WindowParams {
  llvm::SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd,
      explicitPadEnd;
};
/// Computes the window of an ONNX Conv/Pool op from its attributes and the
/// static input/output spatial sizes; nullopt for an unknown auto_pad or
/// malformed attributes.
std::optional<WindowParams>
getWindowParams(llvm::ArrayRef<int64_t> inSpatial,
                llvm::ArrayRef<int64_t> outSpatial,
                llvm::ArrayRef<int64_t> kernel,
                std::optional<llvm::ArrayRef<int64_t>> strides,
                std::optional<llvm::ArrayRef<int64_t>> dilations,
                std::optional<llvm::ArrayRef<int64_t>> pads,
                llvm::StringRef autoPad);

/// Convolution of an already padded N x C x in... `input` with an
/// M x C/group x k... `weight` into `init` (N x M x out...), all of one
/// element type (float, or i32 for the integer convolutions); defined in
/// LowerConv.cpp.
Value buildConv(OpBuilder &b, Location loc, Value input, Value weight,
                Value init, llvm::ArrayRef<int64_t> strides,
                llvm::ArrayRef<int64_t> dilations, int64_t group);

/// Pads the spatial dims (2..) of an N x C x ... tensor with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 llvm::ArrayRef<int64_t> padBegin,
                 llvm::ArrayRef<int64_t> padEnd, Value value);
/// Pads `input` (low/high per dim, non-negative) with the scalar `value`.
Value padWith(OpBuilder &b, Location loc, Value input,
              llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
              Value value);

/// Normalizes a possibly negative ONNX axis; nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Values of a constant integer operand (graph.constant / arith.constant).
std::optional<llvm::SmallVector<int64_t>> constantInts(Value value);
/// Values of a constant float or int operand as doubles.
std::optional<llvm::SmallVector<double>> constantFloats(Value value);

} // namespace aicc::lowering

#endif // AICC_PASSES_LOWERING_LOWERINGUTILS_H
