//===- ShapeRulesQuant.cpp - Result types of the quantized contrib ops ----===//
//
// inferReturnTypes for ONNX Runtime's com.microsoft quantized ops
// (GraphContribOps.td): QLinearAdd/Mul (broadcast), the unary QLinear ops,
// QLinearConcat, the QLinear pools (channels_last aware), QGemm,
// DynamicQuantizeMatMul and MatMulIntegerToFloat (NumPy matmul shapes).
//
// Conventions are those of ShapeInference.h; shared helpers are in
// ShapeRulesNNHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "dialects/graph/ShapeRulesNNHelpers.h"

using namespace mlir;

namespace aicc::graph {
using namespace nn_rules;

namespace {

using Types = SmallVectorImpl<Type>;

LogicalResult pushType(Types &types, const OptShape &shape, Type elem) {
  types.push_back(tensorOf(shape, elem));
  return success();
}

/// NumPy matmul shape of a and b (either may be unranked).
FailureOr<OptShape> quantMatmulShape(Loc loc, StringRef op, Value av,
                                     Value bv) {
  OptShape as = shapeOf(av), bs = shapeOf(bv);
  if (!as || !bs)
    return OptShape();
  FailureOr<Shape> out = matmulShape(loc, *as, *bs, op);
  if (failed(out))
    return failure();
  return OptShape(*out);
}

} // namespace

// Result types may be refined (static where the rule gives dynamic dims).
bool QLinearAddOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearMulOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearSigmoidOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearLeakyReluOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearConcatOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearAveragePoolOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearGlobalAveragePoolOp::isCompatibleReturnTypes(TypeRange l,
                                                         TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QLinearSoftmaxOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool QGemmOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool DynamicQuantizeMatMulOp::isCompatibleReturnTypes(TypeRange l,
                                                      TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}
bool MatMulIntegerToFloatOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleReturnTypes(l, r);
}

LogicalResult QLinearAddOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                             Adaptor adaptor, Types &types) {
  return inferBroadcast(ctx, loc, {adaptor.getA(), adaptor.getB()}, types);
}

LogicalResult QLinearMulOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                             Adaptor adaptor, Types &types) {
  return inferBroadcast(ctx, loc, {adaptor.getA(), adaptor.getB()}, types);
}

LogicalResult QLinearSigmoidOp::inferReturnTypes(MLIRContext *, Loc,
                                                 Adaptor adaptor,
                                                 Types &types) {
  return pushType(types, shapeOf(adaptor.getX()), elemOf(adaptor.getX()));
}

LogicalResult QLinearLeakyReluOp::inferReturnTypes(MLIRContext *, Loc,
                                                   Adaptor adaptor,
                                                   Types &types) {
  return pushType(types, shapeOf(adaptor.getX()), elemOf(adaptor.getX()));
}

LogicalResult QLinearSoftmaxOp::inferReturnTypes(MLIRContext *, Loc,
                                                 Adaptor adaptor,
                                                 Types &types) {
  return pushType(types, shapeOf(adaptor.getX()),
                  elemOf(adaptor.getYZeroPoint()));
}

LogicalResult QLinearConcatOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                Adaptor adaptor, Types &types) {
  StringRef op = "QLinearConcat";
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || inputs.size() % 3 != 0) {
    (void)emitOptionalError(loc, op,
                            ": inputs must be (tensor, scale, zero point) "
                            "triples, got ",
                            inputs.size(), " inputs after Y_zero_point");
    return failure();
  }
  Type elem = elemOf(adaptor.getYZeroPoint());
  OptShape out;
  int64_t axis = 0;
  for (size_t i = 0; i < inputs.size(); i += 3) {
    OptShape s = shapeOf(inputs[i]);
    if (!s)
      return pushType(types, OptShape(), elem);
    if (!out) {
      auto a = normalizeAxis(loc, adaptor.getAxis(), s->size());
      if (failed(a))
        return failure();
      axis = *a;
      out = s;
      continue;
    }
    if (s->size() != out->size()) {
      (void)emitOptionalError(loc, op, ": inputs have different ranks");
      return failure();
    }
    for (size_t d = 0; d < s->size(); ++d) {
      if ((int64_t)d == axis) {
        (*out)[d] = addDims((*out)[d], (*s)[d]);
        continue;
      }
      auto merged = mergeDim(loc, op, (*out)[d], "dim", (*s)[d], "dim");
      if (failed(merged))
        return failure();
      (*out)[d] = *merged;
    }
  }
  return pushType(types, out, elem);
}

LogicalResult QLinearAveragePoolOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                     Adaptor adaptor,
                                                     Types &types) {
  StringRef op = "QLinearAveragePool";
  Type elem = elemOf(adaptor.getX());
  OptShape xs = shapeOf(adaptor.getX());
  if (!adaptor.getProperties().kernel_shape)
    return missingAttr(loc, op, "kernel_shape");
  if (failed(checkMinRank(loc, op, "X", xs, 3)))
    return failure();
  if (!xs)
    return pushType(types, xs, elem);
  bool channelsLast = intAttr(adaptor.getChannelsLastAttr(), 0) != 0;
  size_t n = xs->size() - 2;
  // The spatial dims: 2.. (NCHW) or 1..rank-2 (NHWC).
  Shape spatialIn(xs->begin() + (channelsLast ? 1 : 2),
                  xs->begin() + (channelsLast ? 1 + n : 2 + n));
  Window win;
  if (failed(readWindow(loc, op, n, arrayAttr(adaptor.getStridesAttr()),
                        std::nullopt, arrayAttr(adaptor.getPadsAttr()),
                        strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
                        intAttr(adaptor.getCeilModeAttr(), 0) != 0, win)))
    return failure();
  auto kernel = readKernel(
      loc, op, n, adaptor.getProperties().kernel_shape.asArrayRef(), {});
  if (failed(kernel))
    return failure();
  win.kernel = *kernel;
  auto spatial = windowOutput(loc, op, spatialIn, win);
  if (failed(spatial))
    return failure();
  Shape out = {(*xs)[0]};
  if (!channelsLast)
    out.push_back((*xs)[1]);
  out.append(spatial->begin(), spatial->end());
  if (channelsLast)
    out.push_back(xs->back());
  return pushType(types, OptShape(out), elem);
}

LogicalResult QLinearGlobalAveragePoolOp::inferReturnTypes(MLIRContext *,
                                                           Loc loc,
                                                           Adaptor adaptor,
                                                           Types &types) {
  StringRef op = "QLinearGlobalAveragePool";
  OptShape xs = shapeOf(adaptor.getX());
  if (failed(checkMinRank(loc, op, "X", xs, 3)))
    return failure();
  bool channelsLast = intAttr(adaptor.getChannelsLastAttr(), 0) != 0;
  if (xs) {
    size_t first = channelsLast ? 1 : 2,
           last = channelsLast ? xs->size() - 1 : xs->size();
    for (size_t i = first; i < last; ++i)
      (*xs)[i] = 1;
  }
  return pushType(types, xs, elemOf(adaptor.getX()));
}

LogicalResult QGemmOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                        Adaptor adaptor, Types &types) {
  StringRef op = "QGemm";
  Type elem = Float32Type::get(ctx);
  if (adaptor.getYZeroPoint())
    elem = elemOf(adaptor.getYZeroPoint());
  else if (adaptor.getYScale())
    elem = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  OptShape as = shapeOf(adaptor.getA()), bs = shapeOf(adaptor.getB());
  if (failed(checkRank(loc, op, "A", as, 2)) ||
      failed(checkRank(loc, op, "B", bs, 2)))
    return failure();
  if (!as || !bs)
    return pushType(types, OptShape(Shape{kDyn, kDyn}), elem);
  bool transA = intAttr(adaptor.getTransAAttr(), 0) != 0;
  bool transB = intAttr(adaptor.getTransBAttr(), 0) != 0;
  int64_t m = (*as)[transA ? 1 : 0], ka = (*as)[transA ? 0 : 1];
  int64_t kb = (*bs)[transB ? 1 : 0], n = (*bs)[transB ? 0 : 1];
  if (failed(mergeDim(loc, op, ka, "K of A", kb, "K of B")))
    return failure();
  return pushType(types, OptShape(Shape{m, n}), elem);
}

LogicalResult DynamicQuantizeMatMulOp::inferReturnTypes(MLIRContext *ctx,
                                                        Loc loc,
                                                        Adaptor adaptor,
                                                        Types &types) {
  auto out = quantMatmulShape(loc, "DynamicQuantizeMatMul", adaptor.getA(),
                              adaptor.getB());
  if (failed(out))
    return failure();
  return pushType(types, *out, Float32Type::get(ctx));
}

LogicalResult MatMulIntegerToFloatOp::inferReturnTypes(MLIRContext *ctx,
                                                       Loc loc, Adaptor adaptor,
                                                       Types &types) {
  auto out = quantMatmulShape(loc, "MatMulIntegerToFloat", adaptor.getA(),
                              adaptor.getB());
  if (failed(out))
    return failure();
  return pushType(types, *out, Float32Type::get(ctx));
}

} // namespace aicc::graph
