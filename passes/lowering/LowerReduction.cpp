//===- LowerReduction.cpp - Reductions and normalizations to linalg ------===//
//
// Reduce*, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax and the normalizations.
// A reduction is a linalg.generic with reduction iterators into a linalg.fill
// of the neutral value, producing the shape without the reduced dims;
// keepdims is an expand_shape. Statistics are read back into the full loop
// nest with projected maps that skip the reduced dims.
//
// Numerics: Softmax subtracts the max; ReduceLogSumExp is max-shifted;
// LayerNormalization/InstanceNormalization use the two-pass variance like the
// ONNX reference, in f32 for f16/bf16 inputs (stash_type); Max/Min reductions
// propagate NaN.
//
// Reduce* whose axes are a value input of the graph (issue 15, contract B)
// cannot choose reduction loops at compile time: one generic over 2r loops
// (r parallel of the keepdims=1 extents `kept`, r reductions of the reduced
// extents `extents`, both value symbols of `aicc.value_params`) reads the
// input at i_k + r_k, so every dim is either kept (r_k = 0) or reduced
// (i_k = 0) at run time; keepdims=0 is a tensor.reshape (a view) of that.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"
#include "passes/lowering/ValueShapes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// Mixed sizes without `axes`.
SmallVector<OpFoldResult> reducedSizes(ArrayRef<OpFoldResult> sizes,
                                       ArrayRef<int64_t> axes) {
  SmallVector<OpFoldResult> out;
  for (auto [i, r] : llvm::enumerate(sizes))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(r);
  return out;
}

/// The sizes of every dim of `value` (static or known dynamic).
SmallVector<OpFoldResult> sizesOf(Value value) {
  return *getKnownDimSizes(value);
}

/// Why the dims `axes` of `value` cannot be reduced by an op that needs
/// their element count (a mean): a dynamic one; "" otherwise.
std::string whyDynamicCount(Value value, ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(value.getType());
  for (int64_t axis : axes)
    if (type.isDynamicDim(axis))
      return "dynamic dim " + std::to_string(axis) +
             " is averaged over; a mean over a dynamic dim is not supported "
             "by the lowering yet";
  return "";
}

using CombineFn =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange, Value)>;

/// Reduces over `axes` of a loop nest of `loopShape`, reading `inputs`
/// through their maps; the result has the loop shape without `axes`.
Value reduceInputs(OpBuilder &b, Location loc, ArrayRef<LoopOperand> inputs,
                   ArrayRef<OpFoldResult> loopSizes, ArrayRef<int64_t> axes,
                   Value init, CombineFn combine) {
  int64_t rank = loopSizes.size();
  Value filled =
      createFilledSized(b, loc, reducedSizes(loopSizes, axes), init);
  // Statistics are always float; no unsigned results here.
  auto [iterators, outMap] = reductionLoops(b.getContext(), rank, axes);
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  for (const LoopOperand &input : inputs) {
    values.push_back(input.value);
    maps.push_back(input.map);
  }
  maps.push_back(outMap);
  return linalg::GenericOp::create(
             b, loc, TypeRange{filled.getType()}, values, ValueRange{filled},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange blockArgs) {
               SmallVector<Value> args = toSignlessScalars(nb, nloc, blockArgs);
               linalg::YieldOp::create(
                   nb, nloc,
                   combine(nb, nloc, ValueRange(args).drop_back(), args.back()));
             })
      .getResult(0);
}

/// The loop dims of a rank-`rank` nest that are not in `axes`.
SmallVector<int64_t> keptDims(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      dims.push_back(i);
  return dims;
}

/// A reduced tensor (shape without `axes`) read in the full loop nest.
LoopOperand readReduced(OpBuilder &b, Location loc, Value reduced,
                        ArrayRef<int64_t> loopShape, ArrayRef<int64_t> axes) {
  return readInto(b, loc, reduced, loopShape,
                  keptDims(loopShape.size(), axes));
}

LoopOperand identity(OpBuilder &b, Value value) {
  auto rank = cast<RankedTensorType>(value.getType()).getRank();
  return {value, b.getMultiDimIdentityMap(rank)};
}

/// Float type to compute statistics of `type` in: f32 for narrower floats.
Type statsType(OpBuilder &b, Type type) {
  if (type.isF16() || type.isBF16() || type.getIntOrFloatBitWidth() < 16)
    return b.getF32Type();
  return type;
}

/// Mean and 1/sqrt(var + eps) of `x` over `axes`, in `computeType`, with the
/// shape without `axes`. With `rms`, the mean is not subtracted (RMSNorm).
std::pair<Value, Value> meanAndInvStd(OpBuilder &b, Location loc, Value x,
                                      ArrayRef<int64_t> axes, double epsilon,
                                      Type computeType, bool rms = false) {
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> shape = sizesOf(x);
  SmallVector<int64_t> staticShape(xType.getShape());
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= staticShape[axis];
  SmallVector<OpFoldResult> outShape = reducedSizes(shape, axes);
  Value zero = constScalar(b, loc, computeType, 0.0);
  auto toCompute = [&](OpBuilder &nb, Location l, Value v) {
    return convertScalar(nb, l, v, computeType, false, false);
  };
  Value mean;
  if (!rms) {
    Value sum = reduceInputs(b, loc, {identity(b, x)}, shape, axes, zero,
                             [&](OpBuilder &nb, Location l, ValueRange a,
                                 Value acc) -> Value {
                               return arith::AddFOp::create(
                                   nb, l, acc, toCompute(nb, l, a[0]));
                             });
    mean = buildElementwiseSized(
        b, loc, {sum}, outShape, computeType,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(nb, l, a[0],
                                       constScalar(nb, l, computeType, count));
        });
  }
  SmallVector<LoopOperand> inputs = {identity(b, x)};
  if (mean)
    inputs.push_back(readReduced(b, loc, mean, staticShape, axes));
  Value sumSq = reduceInputs(
      b, loc, inputs, shape, axes, zero,
      [&](OpBuilder &nb, Location l, ValueRange a, Value acc) -> Value {
        Value v = toCompute(nb, l, a[0]);
        if (a.size() > 1)
          v = arith::SubFOp::create(nb, l, v, a[1]);
        return arith::AddFOp::create(nb, l, acc,
                                     arith::MulFOp::create(nb, l, v, v));
      });
  Value invStd = buildElementwiseSized(
      b, loc, {sumSq}, outShape, computeType,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value var = arith::DivFOp::create(
            nb, l, a[0], constScalar(nb, l, computeType, count));
        Value std = math::SqrtOp::create(
            nb, l,
            arith::AddFOp::create(nb, l, var,
                                  constScalar(nb, l, computeType, epsilon)));
        return arith::DivFOp::create(nb, l, constScalar(nb, l, computeType, 1.0),
                                     std);
      });
  return {mean, invStd};
}

/// `v` through max(v, -|v|), a NaN-propagating maximum that changes no
/// value (and that the folders do not remove, unlike a constant bound):
/// LinalgToHalide computes the expression of an IEEE-dependent op with
/// Halide::strict_float, so `v` is evaluated as written, without the
/// reassociation and FMA contraction of fast-math kernels (needsStrictFloat
/// in targets/halide/LinalgToHalide.cpp).
Value strictly(OpBuilder &b, Location loc, Value v) {
  return arith::MaximumFOp::create(
      b, loc, v,
      arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, v)));
}

/// Sums of `x` (rank L + 1, the normalized row last, n elements) in `lanes`
/// interleaved accumulators as a SIMD loop keeps them: lane j of a row sums
/// x[lanes*k + j] for k < n / lanes in order, starting from `init`, with
/// `step(acc, x[, mean])` (`mean`, of rank L, is read once per row when
/// given). The result is [lead..., lanes] of `accType`.
Value laneSums(
    OpBuilder &b, Location loc, Value x, Value mean, int64_t lanes,
    Type accType,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value, Value)>
        step) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t L = xType.getRank() - 1;
  int64_t n = xType.getDimSize(L), steps = n / lanes;
  SmallVector<OpFoldResult> sizes = sizesOf(x);
  SmallVector<OpFoldResult> outSizes(sizes.begin(), sizes.begin() + L);
  outSizes.push_back(b.getIndexAttr(lanes));
  Value filled =
      createFilledSized(b, loc, outSizes, constScalar(b, loc, accType, 0.0));
  if (steps == 0)
    return filled;
  // The first lanes * steps elements of each row as [lead..., steps, lanes].
  Value body = x;
  if (n % lanes != 0) {
    SmallVector<OpFoldResult> sliceSizes(sizes);
    sliceSizes[L] = b.getIndexAttr(steps * lanes);
    body = tensor::ExtractSliceOp::create(
        b, loc, x, SmallVector<OpFoldResult>(L + 1, b.getIndexAttr(0)),
        sliceSizes, SmallVector<OpFoldResult>(L + 1, b.getIndexAttr(1)));
  }
  SmallVector<OpFoldResult> splitSizes(sizes.begin(), sizes.begin() + L);
  splitSizes.push_back(b.getIndexAttr(steps));
  splitSizes.push_back(b.getIndexAttr(lanes));
  body = reshapeToSizes(b, loc, body, splitSizes);
  // Loops (lead..., k, j): k the reduction, j the lane.
  SmallVector<AffineExpr> lead;
  for (int64_t i = 0; i < L; ++i)
    lead.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineExpr> outExprs(lead);
  outExprs.push_back(getAffineDimExpr(L + 1, ctx));
  SmallVector<Value> inputs = {body};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(L + 2)};
  if (mean) {
    inputs.push_back(mean);
    maps.push_back(AffineMap::get(L + 2, 0, lead, ctx));
  }
  maps.push_back(AffineMap::get(L + 2, 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(L + 2,
                                             utils::IteratorType::parallel);
  iterators[L] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{filled.getType()}, inputs, ValueRange{filled},
             maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value m = mean ? args[1] : Value();
               linalg::YieldOp::create(nb, l,
                                       step(nb, l, args.back(), args[0], m));
             })
      .getResult(0);
}

/// ONNX Runtime's LayerNormalization statistics of an f32 `x` over its
/// trailing `axes`, bit for bit: ORT 1.31 computes them with MLAS's AVX2
/// kernel (MlasLayerNormKernelAvx2, a centered two-pass algorithm) for rows
/// of n >= 8 elements. Per row of n (the normalized dims flattened):
///   mean: four f64 lanes, lane j summing f64(x[4k + j]); combined as
///         (l0 + l2) + (l1 + l3), then the n mod 4 last elements added in
///         order; mean = f32(sum / n) (the division in f64);
///   var:  eight f32 lanes, lane j accumulating fma(d, d, acc) over
///         d = x[8k + j] - mean (f32); combined as
///         ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)); the last
///         n mod 8 elements added in order, the first 4 * floor((n mod 8)
///         / 4) of them as acc + f32(d * d), the rest as fma(d, d, acc)
///         (how GCC compiled the scalar tail);
///   inv_std = 1 / sqrt(var / n + epsilon) (f32).
/// The result: mean and inv_std, f32 tensors of x's shape without `axes`.
std::pair<Value, Value> mlasMeanAndInvStd(OpBuilder &b, Location loc, Value x,
                                          ArrayRef<int64_t> axes,
                                          double epsilon) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), f64 = b.getF64Type();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t L = axes.front();
  int64_t n = 1;
  for (int64_t axis : axes)
    n *= xType.getDimSize(axis);
  SmallVector<OpFoldResult> sizes = sizesOf(x);
  SmallVector<OpFoldResult> leadSizes(sizes.begin(), sizes.begin() + L);
  Value row = x;
  if (axes.size() > 1) {
    SmallVector<OpFoldResult> rowSizes(leadSizes);
    rowSizes.push_back(b.getIndexAttr(n));
    row = reshapeToSizes(b, loc, x, rowSizes);
  }
  // Element t of each row, read in a loop nest over the rows.
  auto element = [&](Value v, int64_t t) -> LoopOperand {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < L; ++i)
      exprs.push_back(getAffineDimExpr(i, ctx));
    exprs.push_back(getAffineConstantExpr(t, ctx));
    return {v, AffineMap::get(L, 0, exprs, ctx)};
  };
  auto perRow = [&](Value v) -> LoopOperand {
    return {v, b.getMultiDimIdentityMap(L)};
  };
  auto wide = [&](OpBuilder &nb, Location l, Value v) {
    return convertScalar(nb, l, v, f64, false, false);
  };

  // The mean: four f64 lanes, then the tail.
  Value sums = laneSums(
      b, loc, row, nullptr, 4, f64,
      [&](OpBuilder &nb, Location l, Value acc, Value v, Value) -> Value {
        return arith::AddFOp::create(nb, l, acc, wide(nb, l, v));
      });
  SmallVector<LoopOperand> inputs;
  for (int64_t j = 0; j < 4; ++j)
    inputs.push_back(element(sums, j));
  for (int64_t t = n / 4 * 4; t < n; ++t)
    inputs.push_back(element(row, t));
  Value mean = buildParallelSized(
      b, loc, inputs, leadSizes, f32,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        auto add = [&](Value p, Value q) {
          return arith::AddFOp::create(nb, l, p, q);
        };
        Value even = add(a[0], a[2]);
        Value odd = add(a[1], a[3]);
        Value sum = add(even, odd);
        for (Value v : a.drop_front(4))
          sum = add(sum, wide(nb, l, v));
        Value m = arith::DivFOp::create(nb, l, sum,
                                        constScalar(nb, l, f64, double(n)));
        return convertScalar(nb, l, strictly(nb, l, m), f32, false, false);
      });

  // The variance: eight f32 lanes of fused multiply-adds, then the tail.
  Value squares = laneSums(
      b, loc, row, mean, 8, f32,
      [&](OpBuilder &nb, Location l, Value acc, Value v, Value m) -> Value {
        Value d = arith::SubFOp::create(nb, l, v, m);
        return fusedMulAdd(nb, l, d, d, acc);
      });
  inputs.clear();
  for (int64_t j = 0; j < 8; ++j)
    inputs.push_back(element(squares, j));
  inputs.push_back(perRow(mean));
  int64_t tail = n % 8, plainTail = tail / 4 * 4;
  for (int64_t t = n - tail; t < n; ++t)
    inputs.push_back(element(row, t));
  Value invStd = buildParallelSized(
      b, loc, inputs, leadSizes, f32,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        auto add = [&](Value p, Value q) {
          return arith::AddFOp::create(nb, l, p, q);
        };
        // SSE's horizontal sum of the two 128-bit halves.
        Value r0 = add(a[0], a[4]);
        Value r1 = add(a[1], a[5]);
        Value r2 = add(a[2], a[6]);
        Value r3 = add(a[3], a[7]);
        Value even = add(r0, r2);
        Value odd = add(r1, r3);
        Value var = add(even, odd);
        Value m = a[8];
        for (int64_t t = 0; t < tail; ++t) {
          Value d = arith::SubFOp::create(nb, l, a[9 + t], m);
          var = t < plainTail ? add(var, arith::MulFOp::create(nb, l, d, d))
                              : fusedMulAdd(nb, l, d, d, var);
        }
        Value denom = math::SqrtOp::create(
            nb, l,
            add(arith::DivFOp::create(nb, l, var,
                                      constScalar(nb, l, f32, double(n))),
                constScalar(nb, l, f32, epsilon)));
        Value inv =
            arith::DivFOp::create(nb, l, constScalar(nb, l, f32, 1.0), denom);
        return strictly(nb, l, inv);
      });
  return {mean, invStd};
}

/// Axes of a Reduce* op: from the constant `axes` operand, all dims when it is
/// absent or empty (unless noop_with_empty_axes), sorted. nullopt when not
/// constant or out of range; an empty vector means identity.
std::optional<SmallVector<int64_t>> reduceAxes(Value axesOperand, int64_t rank,
                                               bool noopWithEmpty) {
  SmallVector<int64_t> axes;
  if (axesOperand) {
    auto values = constantInts(axesOperand);
    if (!values)
      return std::nullopt;
    for (int64_t axis : *values) {
      auto normalized = normalizeAxis(axis, rank);
      if (!normalized)
        return std::nullopt;
      if (!llvm::is_contained(axes, *normalized))
        axes.push_back(*normalized);
    }
  }
  if (axes.empty() && !noopWithEmpty)
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  llvm::sort(axes);
  return axes;
}

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  SumSquare,
  L1,
  L2,
  LogSum,
  LogSumExp
};

/// The neutral value a Reduce* of `Kind` starts from (signless).
template <ReduceKind Kind>
Value reduceInit(OpBuilder &b, Location loc, Type elementType,
                 bool isUnsigned) {
  switch (Kind) {
  case ReduceKind::Max:
  case ReduceKind::LogSumExp:
    return lowestValue(b, loc, elementType, isUnsigned);
  case ReduceKind::Min:
    return highestValue(b, loc, elementType, isUnsigned);
  case ReduceKind::Prod:
    return constScalar(b, loc, elementType, 1.0);
  default:
    return constScalar(b, loc, elementType, 0.0);
  }
}

/// Accumulates element `v` into `acc` for a Reduce* of `Kind` (not
/// LogSumExp, which is two reductions).
template <ReduceKind Kind>
Value reduceCombine(OpBuilder &b, Location l, Value v, Value acc, bool isFloat,
                    bool isUnsigned) {
  switch (Kind) {
  case ReduceKind::Max:
    return scalarMax(b, l, acc, v, isUnsigned);
  case ReduceKind::Min:
    return scalarMin(b, l, acc, v, isUnsigned);
  case ReduceKind::Prod:
    return scalarMul(b, l, acc, v);
  case ReduceKind::SumSquare:
  case ReduceKind::L2:
    return scalarAdd(b, l, acc, scalarMul(b, l, v, v));
  case ReduceKind::L1:
    if (isFloat)
      return scalarAdd(b, l, acc, math::AbsFOp::create(b, l, v));
    return scalarAdd(b, l, acc,
                     isUnsigned ? v : Value(math::AbsIOp::create(b, l, v)));
  default:
    return scalarAdd(b, l, acc, v);
  }
}

//===----------------------------------------------------------------------===//
// Reduce* with value-dependent axes (contract B)
//===----------------------------------------------------------------------===//

/// How an input of a value-axes reduction is read: the whole input (map
/// i_k + r_k), or a tensor of the keepdims=1 shape (map i_k).
struct ValueReduceInput {
  Value value;
  bool full;
};

/// A reduction whose reduced dims are only known at run time: one
/// linalg.generic over 2r loops, r parallel ones of extents `kept` (the
/// keepdims=1 shape: 1 where reduced, else d_k) and r reduction ones of
/// extents `extents` (d_k where reduced, else 1), reading the input at
/// i_k + r_k. A window tensor of the `extents` shape (tensor.empty, as in
/// the pooling lowering) gives the reduction loops their range. The result
/// has the keepdims=1 shape and `elementType` (unsigned kept), starting from
/// `init` (signless); `combine(inputs, acc)` gets signless scalars.
Value reduceOverValueAxes(
    OpBuilder &b, Location loc, ArrayRef<ValueReduceInput> inputs,
    ArrayRef<OpFoldResult> kept, ArrayRef<OpFoldResult> extents, Value init,
    Type elementType,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange, Value)>
        combine) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = kept.size();
  Value filled = createFilledSized(b, loc, kept, init, elementType);
  Value window = createEmptySized(b, loc, extents, b.getI8Type());
  SmallVector<AffineExpr> fullExprs, keptExprs, windowExprs;
  for (int64_t k = 0; k < rank; ++k) {
    fullExprs.push_back(getAffineDimExpr(k, ctx) +
                        getAffineDimExpr(rank + k, ctx));
    keptExprs.push_back(getAffineDimExpr(k, ctx));
    windowExprs.push_back(getAffineDimExpr(rank + k, ctx));
  }
  AffineMap fullMap = AffineMap::get(2 * rank, 0, fullExprs, ctx);
  AffineMap keptMap = AffineMap::get(2 * rank, 0, keptExprs, ctx);
  AffineMap windowMap = AffineMap::get(2 * rank, 0, windowExprs, ctx);
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  for (const ValueReduceInput &input : inputs) {
    values.push_back(input.value);
    maps.push_back(input.full ? fullMap : keptMap);
  }
  values.push_back(window);
  maps.push_back(windowMap);
  maps.push_back(keptMap);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, values, ValueRange{filled}, maps,
      iterators, [&](OpBuilder &nb, Location l, ValueRange blockArgs) {
        SmallVector<Value> args = toSignlessScalars(
            nb, l, blockArgs.take_front(inputs.size()));
        Value acc = toSignlessScalar(nb, l, blockArgs.back());
        linalg::YieldOp::create(
            nb, l,
            fromSignlessScalar(nb, l, combine(nb, l, args, acc), elementType));
      });
  return generic.getResult(0);
}

/// The product of `sizes` inside a kernel body, converted to `type` (the
/// element count of a mean over value-dependent axes).
Value countIn(OpBuilder &b, Location l, ArrayRef<OpFoldResult> sizes,
              Type type, bool isUnsigned) {
  Value count;
  for (OpFoldResult size : sizes) {
    Value v = indexValue(b, l, size);
    count = count ? Value(arith::MulIOp::create(b, l, count, v)) : v;
  }
  if (!count)
    count = constIndex(b, l, 1);
  Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), count);
  return convertScalar(b, l, i64, type, false, isUnsigned);
}

/// Lowers a Reduce* whose axes are a value input (contract A: the op
/// carries `aicc.value_params` `extents` and `kept`, one symbol per input
/// dim). keepdims=0 is a tensor.reshape of the keepdims=1 result to the
/// result dims (`aicc.result_dims`): dropping dims of size 1 does not move
/// any element.
template <ReduceKind Kind>
LogicalResult lowerValueAxesReduce(Operation *op, Value x, bool keepDims,
                                   PatternRewriter &rewriter) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto yType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = xType.getRank();
  SmallVector<Value> extentValues = getValueParams(op, "extents", rewriter);
  SmallVector<Value> keptValues = getValueParams(op, "kept", rewriter);
  if ((int64_t)extentValues.size() != rank ||
      (int64_t)keptValues.size() != rank)
    return rewriter.notifyMatchFailure(
        op, "the axes are a value input, but 'aicc.value_params' does not "
            "give 'extents' and 'kept' for every input dim");
  if (!hasKnownDims(x))
    return rewriter.notifyMatchFailure(op, "the input has unknown dims");
  if (keepDims && yType.getRank() != rank)
    return rewriter.notifyMatchFailure(
        op, "with keepdims=1 the output must have the input's rank");
  std::optional<SmallVector<OpFoldResult>> ySizes = resultSizes(op, 0);
  if (!keepDims && !ySizes)
    return rewriter.notifyMatchFailure(
        op, "the output dims are unknown (no 'aicc.result_dims')");
  Type tensorElementType = xType.getElementType();
  Type elementType = toSignless(tensorElementType);
  bool isFloat = isa<FloatType>(elementType);
  bool isUnsigned = isUnsignedInt(tensorElementType);
  Location loc = op->getLoc();

  // A dim of static size 1 stays 1 whether it is reduced or not; a static
  // output dim of keepdims=1 is the kept extent.
  SmallVector<OpFoldResult> kept, extents;
  for (int64_t k = 0; k < rank; ++k) {
    if (xType.getDimSize(k) == 1) {
      kept.push_back(rewriter.getIndexAttr(1));
      extents.push_back(rewriter.getIndexAttr(1));
      continue;
    }
    if (keepDims && !yType.isDynamicDim(k))
      kept.push_back(rewriter.getIndexAttr(yType.getDimSize(k)));
    else
      kept.push_back(keptValues[k]);
    extents.push_back(extentValues[k]);
  }

  if (keepDims)
    kept = sizesOfType(rewriter, loc, kept, yType);
  Value init = reduceInit<Kind>(rewriter, loc, elementType, isUnsigned);
  Value result;
  if (Kind == ReduceKind::LogSumExp) {
    // max + log(sum(exp(x - max))), with max = 0 where it is -inf.
    Value max = reduceOverValueAxes(
        rewriter, loc, {{x, true}}, kept, extents, init, tensorElementType,
        [](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, acc, a[0]);
        });
    max = buildElementwiseSized(
        rewriter, loc, {max}, kept, elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value isInf = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ,
              math::AbsFOp::create(b, l, a[0]),
              highestValue(b, l, elementType, false));
          return arith::SelectOp::create(
              b, l, isInf, constScalar(b, l, elementType, 0.0), a[0]);
        });
    Value sum = reduceOverValueAxes(
        rewriter, loc, {{x, true}, {max, false}}, kept, extents,
        constScalar(rewriter, loc, elementType, 0.0), tensorElementType,
        [](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          Value e =
              math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
          return arith::AddFOp::create(b, l, acc, e);
        });
    result = buildElementwiseSized(
        rewriter, loc, {sum, max}, kept, elementType,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]),
                                       a[1]);
        });
  } else {
    result = reduceOverValueAxes(
        rewriter, loc, {{x, true}}, kept, extents, init, tensorElementType,
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          return reduceCombine<Kind>(b, l, a[0], acc, isFloat, isUnsigned);
        });
    if (Kind == ReduceKind::Mean || Kind == ReduceKind::L2 ||
        Kind == ReduceKind::LogSum)
      result = buildElementwiseSized(
          rewriter, loc, {result}, kept, tensorElementType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (Kind == ReduceKind::Mean)
              return scalarDiv(
                  b, l, a[0], countIn(b, l, extents, elementType, isUnsigned),
                  isUnsigned);
            if (Kind == ReduceKind::L2)
              return math::SqrtOp::create(b, l, a[0]);
            return math::LogOp::create(b, l, a[0]);
          });
  }
  if (!keepDims) {
    SmallVector<Value> dims;
    for (OpFoldResult size : *ySizes)
      dims.push_back(indexValue(rewriter, loc, size));
    Value shape = tensor::FromElementsOp::create(
        rewriter, loc,
        RankedTensorType::get({(int64_t)dims.size()}, rewriter.getIndexType()),
        dims);
    result = tensor::ReshapeOp::create(rewriter, loc, yType, result, shape);
  }
  rewriter.replaceOp(op, result);
  return success();
}

template <typename OpTy, ReduceKind Kind>
struct ReducePattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    auto xType = cast<RankedTensorType>(op.getData().getType());
    auto yType = cast<RankedTensorType>(op.getType());
    bool isFloat = isa<FloatType>(xType.getElementType());
    bool isUnsigned = isUnsignedInt(xType.getElementType());
    if (!isFloat && (Kind == ReduceKind::L2 || Kind == ReduceKind::LogSum ||
                     Kind == ReduceKind::LogSumExp))
      return rewriter.notifyMatchFailure(
          op, "ReduceL2, ReduceLogSum and ReduceLogSumExp need float inputs");
    if (hasValueParams(op))
      return lowerValueAxesReduce<Kind>(op, op.getData(), op.getKeepdims() != 0,
                                        rewriter);
    if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto axes = reduceAxes(op.getAxes(), xType.getRank(),
                           op.getNoopWithEmptyAxes() != 0);
    if (!axes)
      return rewriter.notifyMatchFailure(op, "axes must be a constant");
    Location loc = op.getLoc();
    if (axes->empty()) {
      if (op.getData().getType() != op.getType())
        return rewriter.notifyMatchFailure(op,
                                           "with no axes to reduce, the output "
                                           "type must equal the input type");
      rewriter.replaceOp(op, op.getData());
      return success();
    }
    Value x = op.getData();
    Type elementType = toSignless(xType.getElementType());
    Type tensorElementType = xType.getElementType();
    ArrayRef<int64_t> shape = xType.getShape();
    SmallVector<OpFoldResult> sizes = sizesOf(x);
    SmallVector<OpFoldResult> outShape = reducedSizes(sizes, *axes);
    if (Kind == ReduceKind::Mean)
      if (std::string why = whyDynamicCount(x, *axes); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
    int64_t count = 1;
    for (int64_t axis : *axes)
      count *= shape[axis];

    Value init = reduceInit<Kind>(rewriter, loc, elementType, isUnsigned);
    Value result;
    if (Kind == ReduceKind::LogSumExp) {
      // max + log(sum(exp(x - max))), with max = 0 where it is -inf.
      Value max = buildReduction(rewriter, loc, x, *axes, init,
                                 [](OpBuilder &b, Location l, Value v,
                                    Value acc) -> Value {
                                   return arith::MaximumFOp::create(b, l, acc, v);
                                 });
      max = buildElementwiseSized(
          rewriter, loc, {max}, outShape, elementType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value isInf = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ,
                math::AbsFOp::create(b, l, a[0]),
                highestValue(b, l, elementType, false));
            return arith::SelectOp::create(
                b, l, isInf, constScalar(b, l, elementType, 0.0), a[0]);
          });
      Value sum = reduceInputs(
          rewriter, loc,
          {identity(rewriter, x), readReduced(rewriter, loc, max, shape, *axes)},
          sizes, *axes, constScalar(rewriter, loc, elementType, 0.0),
          [](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
            Value e = math::ExpOp::create(b, l,
                                          arith::SubFOp::create(b, l, a[0], a[1]));
            return arith::AddFOp::create(b, l, acc, e);
          });
      result = buildElementwiseSized(
          rewriter, loc, {sum, max}, outShape, elementType,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]),
                                         a[1]);
          });
    } else {
      result = buildReduction(
          rewriter, loc, x, *axes, init,
          [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
            return reduceCombine<Kind>(b, l, v, acc, isFloat, isUnsigned);
          });
      if (Kind == ReduceKind::Mean || Kind == ReduceKind::L2 ||
          Kind == ReduceKind::LogSum) {
        result = buildElementwiseSized(
            rewriter, loc, {result}, outShape, tensorElementType,
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              if (Kind == ReduceKind::Mean)
                return scalarDiv(b, l, a[0],
                                 constScalar(b, l, elementType, count),
                                 isUnsigned);
              if (Kind == ReduceKind::L2)
                return math::SqrtOp::create(b, l, a[0]);
              return math::LogOp::create(b, l, a[0]);
            });
      }
    }
    if (yType.hasStaticShape()) {
      result = reshapeTo(rewriter, loc, result, yType.getShape());
    } else {
      auto ySizes = getKnownDimSizes(op->getResult(0));
      result = ySizes ? reshapeToSizes(rewriter, loc, result, *ySizes)
                      : Value();
      if (!result)
        return rewriter.notifyMatchFailure(
            op, "the reduced dims cannot be kept as 1 with dynamic dims");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ArgMax/ArgMin: a reduction with two outputs, the best value and its index.
template <typename OpTy, bool IsMax> struct ArgPattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getData().getType());
    auto yType = cast<RankedTensorType>(op.getType());
    auto axis = normalizeAxis(op.getAxis(), xType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedInt(xType.getElementType());
    bool last = op.getSelectLastIndex() != 0;
    Value x = op.getData();
    Type elementType = toSignless(xType.getElementType());
    Type indexType = yType.getElementType();
    ArrayRef<int64_t> shape = xType.getShape();
    SmallVector<int64_t> outShape = reducedShape(shape, {*axis}, false);
    Value bestInit =
        IsMax ? lowestValue(rewriter, loc, elementType, isUnsigned)
              : highestValue(rewriter, loc, elementType, isUnsigned);
    Value values =
        createFilled(rewriter, loc, outShape, bestInit, xType.getElementType());
    Value indices = createFilled(rewriter, loc, outShape,
                                 constInt(rewriter, loc, indexType, 0));
    int64_t rank = shape.size();
    auto [iterators, outMap] =
        reductionLoops(rewriter.getContext(), rank, {*axis});
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   outMap, outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{x}, ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange blockArgs) {
          SmallVector<Value> args = toSignlessScalars(b, l, blockArgs);
          Value v = args[0], best = args[1], bestIdx = args[2];
          Value idx = arith::IndexCastOp::create(
              b, l, indexType, linalg::IndexOp::create(b, l, *axis));
          Value better;
          if (isa<FloatType>(elementType)) {
            auto pred = IsMax ? (last ? arith::CmpFPredicate::OGE
                                      : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE
                                      : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, pred, v, best);
          } else {
            auto pred = IsMax ? (last ? arith::CmpIPredicate::sge
                                      : arith::CmpIPredicate::sgt)
                              : (last ? arith::CmpIPredicate::sle
                                      : arith::CmpIPredicate::slt);
            if (isUnsigned) {
              switch (pred) {
              case arith::CmpIPredicate::sge:
                pred = arith::CmpIPredicate::uge;
                break;
              case arith::CmpIPredicate::sgt:
                pred = arith::CmpIPredicate::ugt;
                break;
              case arith::CmpIPredicate::sle:
                pred = arith::CmpIPredicate::ule;
                break;
              default:
                pred = arith::CmpIPredicate::ult;
              }
            }
            better = arith::CmpIOp::create(b, l, pred, v, best);
          }
          // The first element always wins so that an all -inf (or all
          // lowest) row gets a valid index.
          Value first = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, linalg::IndexOp::create(b, l, *axis),
              constIndex(b, l, 0));
          better = arith::OrIOp::create(b, l, better, first);
          Value newBest = arith::SelectOp::create(b, l, better, v, best);
          linalg::YieldOp::create(
              b, l,
              ValueRange{fromSignlessScalar(b, l, newBest, blockArgs[1].getType()),
                         arith::SelectOp::create(b, l, better, idx, bestIdx)});
        });
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, generic.getResult(1), yType.getShape()));
    return success();
  }
};

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

template <typename OpTy, SoftmaxKind Kind>
struct SoftmaxPattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = xType.getElementType();
    if (!isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "only float inputs are supported");
    auto axis = normalizeAxis(op.getAxis(), xType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    Location loc = op.getLoc();
    Value x = op.getInput();
    ArrayRef<int64_t> shape = xType.getShape();
    SmallVector<int64_t> axes = {*axis};
    SmallVector<OpFoldResult> sizes = sizesOf(x);
    SmallVector<OpFoldResult> outShape = reducedSizes(sizes, axes);
    Value result;
    if (Kind == SoftmaxKind::Hardmax) {
      // 1 at the first maximum along the axis.
      Value values = createFilledSized(rewriter, loc, outShape,
                                  lowestValue(rewriter, loc, elementType, false));
      // i64, not index: every tensor must have a storable element type.
      Type i64 = rewriter.getI64Type();
      Value indices =
          createFilledSized(rewriter, loc, outShape,
                            constInt(rewriter, loc, i64, 0));
      int64_t rank = shape.size();
      auto [iterators, outMap] =
          reductionLoops(rewriter.getContext(), rank, {*axis});
      auto argmax = linalg::GenericOp::create(
          rewriter, loc, TypeRange{values.getType(), indices.getType()},
          ValueRange{x}, ValueRange{values, indices},
          SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                                 outMap},
          iterators, [&](OpBuilder &b, Location l, ValueRange args) {
            Value pos = linalg::IndexOp::create(b, l, *axis);
            Value idx = arith::IndexCastOp::create(b, l, i64, pos);
            Value better = arith::OrIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, args[0],
                                      args[1]),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, pos,
                                      constIndex(b, l, 0)));
            linalg::YieldOp::create(
                b, l,
                ValueRange{arith::SelectOp::create(b, l, better, args[0], args[1]),
                           arith::SelectOp::create(b, l, better, idx, args[2])});
          });
      result = buildParallelSized(
          rewriter, loc,
          {readReduced(rewriter, loc, argmax.getResult(1), shape, axes)}, sizes,
          elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value pos = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, *axis));
            Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              pos, a[0]);
            return arith::SelectOp::create(b, l, hit,
                                           constScalar(b, l, elementType, 1.0),
                                           constScalar(b, l, elementType, 0.0));
          });
      rewriter.replaceOp(op, result);
      return success();
    }
    Value max = buildReduction(
        rewriter, loc, x, axes, lowestValue(rewriter, loc, elementType, false),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, acc, v);
        });
    // e = exp(x - max)
    Value shifted = buildParallelSized(
        rewriter, loc,
        {identity(rewriter, x), readReduced(rewriter, loc, max, shape, axes)},
        sizes, elementType, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        });
    Value sum = reduceInputs(
        rewriter, loc, {identity(rewriter, shifted)}, sizes, axes,
        constScalar(rewriter, loc, elementType, 0.0),
        [](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, math::ExpOp::create(b, l, a[0]));
        });
    result = buildParallelSized(
        rewriter, loc,
        {identity(rewriter, shifted), readReduced(rewriter, loc, sum, shape, axes)},
        sizes, elementType, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (Kind == SoftmaxKind::LogSoftmax)
            return arith::SubFOp::create(b, l, a[0], math::LogOp::create(b, l, a[1]));
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, a[0]), a[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// What LayerNormalization and RMSNormalization share: the float input, the
/// normalized axes (axis .. rank-1) and the type statistics are computed in
/// (stash_type).
struct TrailingNorm {
  RankedTensorType xType;
  SmallVector<int64_t> axes;
  Type computeType;
};

/// Checks a LayerNormalization / RMSNormalization op and computes its
/// TrailingNorm; the match failure says what is unsupported.
template <typename OpTy>
FailureOr<TrailingNorm> matchTrailingNorm(OpTy op, PatternRewriter &rewriter) {
  if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
    return rewriter.notifyMatchFailure(op, why);
  TrailingNorm norm;
  norm.xType = cast<RankedTensorType>(op.getX().getType());
  Type elementType = norm.xType.getElementType();
  if (!isa<FloatType>(elementType))
    return rewriter.notifyMatchFailure(op, "only float inputs are supported");
  auto axis = normalizeAxis(op.getAxis(), norm.xType.getRank());
  if (!axis)
    return rewriter.notifyMatchFailure(op, "axis is out of range");
  for (int64_t i = *axis; i < norm.xType.getRank(); ++i)
    norm.axes.push_back(i);
  if (std::string why = whyDynamicCount(op.getX(), norm.axes); !why.empty())
    return rewriter.notifyMatchFailure(op, why);
  norm.computeType =
      op.getStashType() == 1 ? statsType(rewriter, elementType) : elementType;
  return norm;
}

struct LayerNormPattern : LoweringPattern<graph::LayerNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::LayerNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    FailureOr<TrailingNorm> norm = matchTrailingNorm(op, rewriter);
    if (failed(norm))
      return failure(); // matchTrailingNorm gave the reason.
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = norm->xType.getShape();
    Type elementType = norm->xType.getElementType();
    Type computeType = norm->computeType;
    ArrayRef<int64_t> axes = norm->axes;
    // f32 rows of 8 or more elements: ONNX Runtime's arithmetic (MLAS's
    // kernel), so that quantized models match it bit for bit; the others
    // (f16/bf16/f64, short rows): the two-pass formula of the ONNX
    // reference.
    double epsilon = op.getEpsilon().convertToDouble();
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= shape[axis];
    bool likeOrt = elementType.isF32() && computeType.isF32() && count >= 8;
    auto [mean, invStd] =
        likeOrt ? mlasMeanAndInvStd(rewriter, loc, op.getX(), axes, epsilon)
                : meanAndInvStd(rewriter, loc, op.getX(), axes, epsilon,
                                computeType);
    SmallVector<LoopOperand> inputs = {
        identity(rewriter, op.getX()),
        readReduced(rewriter, loc, mean, shape, axes),
        readReduced(rewriter, loc, invStd, shape, axes),
        broadcastInto(rewriter, loc, op.getScale(), shape)};
    if (op.getB())
      inputs.push_back(broadcastInto(rewriter, loc, op.getB(), shape));
    Value y = buildParallelSized(
        rewriter, loc, inputs, sizesOf(op.getX()), elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = convertScalar(b, l, a[0], computeType, false, false);
          v = arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, v, a[1]),
                                    a[2]);
          v = convertScalar(b, l, v, elementType, false, false);
          // MLAS: fma((x - mean) * inv_std, scale, bias), or the two
          // products in this order (kept from reassociation).
          if (likeOrt)
            return a.size() > 4
                       ? fusedMulAdd(b, l, v, a[3], a[4])
                       : strictly(b, l, arith::MulFOp::create(b, l, v, a[3]));
          v = arith::MulFOp::create(b, l, v, a[3]);
          if (a.size() > 4)
            v = arith::AddFOp::create(b, l, v, a[4]);
          return v;
        });
    auto finish = [&](Value stat, Value result) -> Value {
      auto type = cast<RankedTensorType>(result.getType());
      Value converted = stat;
      if (type.getElementType() != computeType)
        converted = buildElementwiseSized(
            rewriter, loc, {stat}, *getKnownDimSizes(stat),
            type.getElementType(),
            [&](OpBuilder &b, Location l, ValueRange a) {
              return convertScalar(b, l, a[0], type.getElementType(), false,
                                   false);
            });
      if (type.hasStaticShape())
        return reshapeTo(rewriter, loc, converted, type.getShape());
      // The statistics keep the normalized dims as 1.
      SmallVector<OpFoldResult> statSizes = sizesOf(op.getX());
      for (int64_t axis : axes)
        statSizes[axis] = rewriter.getIndexAttr(1);
      return reshapeToSizes(rewriter, loc, converted, statSizes);
    };
    Value meanOut = finish(mean, op.getMean());
    Value invStdOut = finish(invStd, op.getInvStdDev());
    rewriter.replaceOp(op, {y, meanOut, invStdOut});
    return success();
  }
};

struct RMSNormPattern : LoweringPattern<graph::RMSNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::RMSNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    FailureOr<TrailingNorm> norm = matchTrailingNorm(op, rewriter);
    if (failed(norm))
      return failure(); // matchTrailingNorm gave the reason.
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = norm->xType.getShape();
    Type elementType = norm->xType.getElementType();
    Type computeType = norm->computeType;
    ArrayRef<int64_t> axes = norm->axes;
    Value invRms = meanAndInvStd(rewriter, loc, op.getX(), axes,
                                 op.getEpsilon().convertToDouble(), computeType,
                                 /*rms=*/true)
                       .second;
    Value y = buildParallelSized(
        rewriter, loc,
        {identity(rewriter, op.getX()),
         readReduced(rewriter, loc, invRms, shape, axes),
         broadcastInto(rewriter, loc, op.getScale(), shape)},
        sizesOf(op.getX()), elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = convertScalar(b, l, a[0], computeType, false, false);
          v = arith::MulFOp::create(b, l, v, a[1]);
          v = convertScalar(b, l, v, elementType, false, false);
          return arith::MulFOp::create(b, l, v, a[2]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Inference BatchNormalization: (x - mean) / sqrt(var + eps) * scale + B
/// with the per-channel parameters along dim 1.
struct BatchNormPattern : LoweringPattern<graph::BatchNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::BatchNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (op.getTrainingMode() != 0 || !op.getRunningMean().use_empty() ||
        !op.getRunningVar().use_empty())
      return rewriter.notifyMatchFailure(
          op, "training mode (training_mode=1 or a used "
              "running_mean/running_var output) is not supported");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    Type elementType = xType.getElementType();
    if (!isa<FloatType>(elementType) || xType.getRank() < 2)
      return rewriter.notifyMatchFailure(
          op, "needs a float input of rank 2 or more");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    double epsilon = op.getEpsilon().convertToDouble();
    auto channel = [&](Value v) { return readInto(rewriter, loc, v, shape, {1}); };
    Value y = buildParallel(
        rewriter, loc,
        {identity(rewriter, op.getX()), channel(op.getScale()),
         channel(op.getB()), channel(op.getInputMean()),
         channel(op.getInputVar())},
        shape, elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto conv = [&](Value v) {
            return convertScalar(b, l, v, elementType, false, false);
          };
          Value var = conv(a[4]);
          Value std = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, var,
                                    constScalar(b, l, elementType, epsilon)));
          Value v = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], conv(a[3])), std);
          v = arith::MulFOp::create(b, l, v, conv(a[1]));
          return arith::AddFOp::create(b, l, v, conv(a[2]));
        });
    Value unusedMean = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getRunningMean().getType()).getShape(),
        cast<RankedTensorType>(op.getRunningMean().getType()).getElementType());
    Value unusedVar = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getRunningVar().getType()).getShape(),
        cast<RankedTensorType>(op.getRunningVar().getType()).getElementType());
    rewriter.replaceOp(op, {y, unusedMean, unusedVar});
    return success();
  }
};

/// InstanceNormalization: per (n, c) statistics over the spatial dims.
struct InstanceNormPattern : LoweringPattern<graph::InstanceNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::InstanceNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = xType.getElementType();
    if (!isa<FloatType>(elementType) || xType.getRank() < 3)
      return rewriter.notifyMatchFailure(
          op, "needs a float input of rank 3 or more");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < xType.getRank(); ++i)
      axes.push_back(i);
    Type computeType = statsType(rewriter, elementType);
    auto [mean, invStd] =
        meanAndInvStd(rewriter, loc, op.getInput(), axes,
                      op.getEpsilon().convertToDouble(), computeType);
    Value y = buildParallel(
        rewriter, loc,
        {identity(rewriter, op.getInput()),
         readReduced(rewriter, loc, mean, shape, axes),
         readReduced(rewriter, loc, invStd, shape, axes),
         readInto(rewriter, loc, op.getScale(), shape, {1}),
         readInto(rewriter, loc, op.getB(), shape, {1})},
        shape, elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = convertScalar(b, l, a[0], computeType, false, false);
          v = arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, v, a[1]),
                                    a[2]);
          v = convertScalar(b, l, v, elementType, false, false);
          v = arith::MulFOp::create(b, l, v, a[3]);
          return arith::AddFOp::create(b, l, v, a[4]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// GroupNormalization: statistics per (n, group) over the group's channels
/// and the spatial dims; scale and bias per channel.
struct GroupNormPattern : LoweringPattern<graph::GroupNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::GroupNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    Type elementType = xType.getElementType();
    int64_t groups = op.getNumGroups();
    if (!isa<FloatType>(elementType) || xType.getRank() < 3 || groups <= 0 ||
        xType.getDimSize(1) % groups != 0)
      return rewriter.notifyMatchFailure(
          op, "needs a float input of rank 3 or more and num_groups dividing "
              "the channels");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    int64_t n = shape[0], c = shape[1];
    int64_t spatial = 1;
    for (int64_t d : shape.drop_front(2))
      spatial *= d;
    // [N, G, C/G, spatial]
    SmallVector<int64_t> gShape = {n, groups, c / groups, spatial};
    Value gx = reshapeTo(rewriter, loc, op.getX(), gShape);
    Type computeType = op.getStashType() == 1 ? statsType(rewriter, elementType)
                                              : elementType;
    SmallVector<int64_t> axes = {2, 3};
    auto [mean, invStd] = meanAndInvStd(rewriter, loc, gx, axes,
                                        op.getEpsilon().convertToDouble(),
                                        computeType);
    Value scale = reshapeTo(rewriter, loc, op.getScale(), {groups, c / groups});
    Value bias = reshapeTo(rewriter, loc, op.getBias(), {groups, c / groups});
    Value y = buildParallel(
        rewriter, loc,
        {identity(rewriter, gx), readReduced(rewriter, loc, mean, gShape, axes),
         readReduced(rewriter, loc, invStd, gShape, axes),
         readInto(rewriter, loc, scale, gShape, {1, 2}),
         readInto(rewriter, loc, bias, gShape, {1, 2})},
        gShape, elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = convertScalar(b, l, a[0], computeType, false, false);
          v = arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, v, a[1]),
                                    a[2]);
          v = convertScalar(b, l, v, elementType, false, false);
          v = arith::MulFOp::create(b, l, v, a[3]);
          return arith::AddFOp::create(b, l, v, a[4]);
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, y, shape));
    return success();
  }
};

/// LpNormalization: x / ||x||_p along one axis, p in {1, 2}.
struct LpNormPattern : LoweringPattern<graph::LpNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::LpNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = xType.getElementType();
    int64_t p = op.getP();
    auto axis = normalizeAxis(op.getAxis(), xType.getRank());
    if (!isa<FloatType>(elementType) || !axis || (p != 1 && p != 2))
      return rewriter.notifyMatchFailure(
          op, "needs a float input, an axis in range and p of 1 or 2");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    SmallVector<int64_t> axes = {*axis};
    Value norm = buildReduction(
        rewriter, loc, op.getInput(), axes,
        constScalar(rewriter, loc, elementType, 0.0),
        [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          Value t = p == 1 ? Value(math::AbsFOp::create(b, l, v))
                           : Value(arith::MulFOp::create(b, l, v, v));
          return arith::AddFOp::create(b, l, acc, t);
        });
    Value y = buildParallel(
        rewriter, loc,
        {identity(rewriter, op.getInput()),
         readReduced(rewriter, loc, norm, shape, axes)},
        shape, elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value n = p == 2 ? Value(math::SqrtOp::create(b, l, a[1])) : a[1];
          // A zero vector stays zero (the reference's 0 / 0 = 0).
          Value zero = constScalar(b, l, elementType, 0.0);
          Value isZero =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, n, zero);
          return arith::SelectOp::create(
              b, l, isZero, zero, arith::DivFOp::create(b, l, a[0], n));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<
      ReducePattern<graph::ReduceSumOp, ReduceKind::Sum>,
      ReducePattern<graph::ReduceMeanOp, ReduceKind::Mean>,
      ReducePattern<graph::ReduceMaxOp, ReduceKind::Max>,
      ReducePattern<graph::ReduceMinOp, ReduceKind::Min>,
      ReducePattern<graph::ReduceProdOp, ReduceKind::Prod>,
      ReducePattern<graph::ReduceSumSquareOp, ReduceKind::SumSquare>,
      ReducePattern<graph::ReduceL1Op, ReduceKind::L1>,
      ReducePattern<graph::ReduceL2Op, ReduceKind::L2>,
      ReducePattern<graph::ReduceLogSumOp, ReduceKind::LogSum>,
      ReducePattern<graph::ReduceLogSumExpOp, ReduceKind::LogSumExp>,
      ArgPattern<graph::ArgMaxOp, true>, ArgPattern<graph::ArgMinOp, false>,
      SoftmaxPattern<graph::SoftmaxOp, SoftmaxKind::Softmax>,
      SoftmaxPattern<graph::LogSoftmaxOp, SoftmaxKind::LogSoftmax>,
      SoftmaxPattern<graph::HardmaxOp, SoftmaxKind::Hardmax>, LayerNormPattern,
      RMSNormPattern, BatchNormPattern, InstanceNormPattern, GroupNormPattern,
      LpNormPattern>(patterns.getContext());
}

} // namespace aicc::lowering
