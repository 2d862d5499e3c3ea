//===- NpuSupport.cpp - What RNPU runs, asked of graph ops ----------------===//

#include "targets/npu/NpuSupport.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"

#include "mlir/IR/Matchers.h"

#include <type_traits>

using namespace mlir;

namespace aicc::npu {

namespace {

/// The constant behind `v`, or null.
ElementsAttr constantOf(Value v) {
  if (!v)
    return {};
  auto constant = v.getDefiningOp<graph::ConstantOp>();
  if (!constant)
    return {};
  return dyn_cast<ElementsAttr>(constant.getValue());
}

std::optional<SmallVector<double>> constantValues(Value v) {
  ElementsAttr attr = constantOf(v);
  if (!attr)
    return std::nullopt;
  return graph::readAsDoubles(attr);
}

bool isSigned8(Type t) {
  auto type = cast<ShapedType>(t).getElementType();
  return type.isSignlessInteger(8) || type.isSignedInteger(8);
}

bool isFloatOp(Operation *op) {
  auto isFloat = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && isa<FloatType>(shaped.getElementType());
  };
  // A quantized op (QLinearSoftmax) has float scales but integer data.
  return llvm::any_of(op->getResultTypes(), isFloat) ||
         (op->getNumResults() == 0 &&
          llvm::any_of(op->getOperandTypes(), isFloat));
}

} // namespace

/// Reads the scales and zero points of a quantized conv or matmul into
/// `p`: per-tensor x and y (`xy` names them; a missing y zero point is 0),
/// per-tensor or per-channel w scales with zero w zero points per channel
/// (else `perChannelWhy`). Returns false with `why`.
static bool readQuantization(QConvParams &p, Value xScale, Value xZeroPoint,
                             Value wScale, Value wZeroPoint, Value yScale,
                             Value yZeroPoint, StringRef xy,
                             StringRef perChannelWhy, std::string &why) {
  auto xs = constantValues(xScale);
  auto xz = constantValues(xZeroPoint);
  auto ws = constantValues(wScale);
  auto wz = constantValues(wZeroPoint);
  auto ys = constantValues(yScale);
  std::optional<SmallVector<double>> yz =
      yZeroPoint ? constantValues(yZeroPoint)
                 : std::optional<SmallVector<double>>(SmallVector<double>{0.0});
  if (!xs || !xz || !ws || !wz || !ys || !yz) {
    why = "scales and zero points must be constants";
    return false;
  }
  if (xs->size() != 1 || xz->size() != 1 || ys->size() != 1 ||
      yz->size() != 1) {
    why = (xy + " must be quantized per tensor").str();
    return false;
  }
  p.xScale = float((*xs)[0]);
  p.yScale = float((*ys)[0]);
  p.xZeroPoint = int32_t((*xz)[0]);
  p.yZeroPoint = int32_t((*yz)[0]);
  for (double s : *ws)
    p.wScale.push_back(float(s));
  if (wz->size() == 1) {
    p.wZeroPoint = int32_t((*wz)[0]);
    return true;
  }
  for (double z : *wz)
    if (z != 0) {
      why = perChannelWhy.str();
      return false;
    }
  return true;
}

/// The bytes of the constant `value` of `numElements` int8 elements (a
/// splat repeated) into `out`; false with `why` (`notConstant`, or
/// `unavailable` when its data cannot be read).
static bool readConstantBytes(Value value, int64_t numElements,
                              std::vector<uint8_t> &out,
                              StringRef notConstant, StringRef unavailable,
                              std::string &why) {
  ElementsAttr data = constantOf(value);
  if (!data) {
    why = notConstant.str();
    return false;
  }
  if (data.isSplat()) {
    out.assign(numElements,
               uint8_t(data.getSplatValue<APInt>().getZExtValue()));
    return true;
  }
  std::optional<ArrayRef<char>> bytes = graph::getElementBytes(data);
  if (!bytes) {
    why = unavailable.str();
    return false;
  }
  out.assign(bytes->begin(), bytes->end());
  return true;
}

std::optional<QConvParams> getQConvParams(Operation *operation,
                                          std::string &why) {
  auto op = dyn_cast<graph::QLinearConvOp>(operation);
  if (!op) {
    why = "not a QLinearConv";
    return std::nullopt;
  }
  auto xType = dyn_cast<RankedTensorType>(op.getX().getType());
  auto wType = dyn_cast<RankedTensorType>(op.getW().getType());
  auto yType = dyn_cast<RankedTensorType>(op.getY().getType());
  if (!xType || !wType || !yType || !xType.hasStaticShape() ||
      !wType.hasStaticShape() || !yType.hasStaticShape()) {
    why = "dynamic shapes (RNPU code is compiled for static shapes)";
    return std::nullopt;
  }
  if (xType.getRank() != 4 || wType.getRank() != 4) {
    why = "only 2-D convolutions (rank-4 NCHW input) are supported";
    return std::nullopt;
  }
  ArrayRef<int64_t> xs0 = xType.getShape(), ws0 = wType.getShape();
  bool depthwise = op.getGroup() != 1 && op.getGroup() == xs0[1] &&
                   ws0[0] == xs0[1] && ws0[1] == 1;
  if (op.getGroup() != 1 && !depthwise) {
    why = "grouped convolution (group = " + std::to_string(op.getGroup()) +
          ", not depthwise) is not implemented yet";
    return std::nullopt;
  }
  if (auto dilations = op.getDilations())
    for (int64_t d : *dilations)
      if (d != 1) {
        why = "dilated convolution is not implemented yet";
        return std::nullopt;
      }
  if (op.getAutoPad() != "NOTSET") {
    why = "auto_pad '" + op.getAutoPad().str() +
          "' is not supported (explicit pads only)";
    return std::nullopt;
  }
  QConvParams p;
  ArrayRef<int64_t> x = xType.getShape(), w = wType.getShape();
  p.n = x[0], p.cin = x[1], p.h = x[2], p.w = x[3];
  p.cout = w[0], p.kh = w[2], p.kw = w[3];
  p.depthwise = depthwise;
  if (!depthwise && w[1] != p.cin) {
    why = "weight input channels differ from x's";
    return std::nullopt;
  }
  if (auto strides = op.getStrides()) {
    p.strideH = (*strides)[0];
    p.strideW = (*strides)[1];
  }
  if (auto pads = op.getPads()) {
    p.padTop = (*pads)[0], p.padLeft = (*pads)[1];
    p.padBottom = (*pads)[2], p.padRight = (*pads)[3];
  }
  p.xSigned = isSigned8(xType);
  p.wSigned = isSigned8(wType);
  p.ySigned = isSigned8(yType);

  if (!readQuantization(p, op.getXScale(), op.getXZeroPoint(), op.getWScale(),
                        op.getWZeroPoint(), op.getYScale(), op.getYZeroPoint(),
                        "x and y",
                        "per-channel non-zero weight zero points are not in "
                        "RNPU ISA 1.0",
                        why) ||
      !readConstantBytes(op.getW(), wType.getNumElements(), p.weights,
                         "weights must be constants",
                         "weight data is not available", why))
    return std::nullopt;
  if (Value b = op.getB()) {
    auto bias = constantValues(b);
    if (!bias || int64_t(bias->size()) != p.cout) {
      why = "bias must be a constant with one value per output channel";
      return std::nullopt;
    }
    for (double v : *bias)
      p.bias.push_back(int32_t(v));
  }
  return p;
}

/// Fills `p`'s scales, zero points and weights from a quantized matmul's
/// operands (QLinearMatMul, QGemm): per-tensor a and y (a missing y zero
/// point is 0), per-tensor or per-column b scales with zero b zero points
/// per column, constant b stored as conv weights [cout = N][cin = K]
/// (B itself when `transB`, else B^T). Returns false with `why`.
static bool readMatMulQuantization(QConvParams &p, Value aScale,
                                   Value aZeroPoint, Value bScale,
                                   Value bZeroPoint, Value yScale,
                                   Value yZeroPoint, Value bValue,
                                   RankedTensorType bType, bool transB,
                                   std::string &why) {
  std::vector<uint8_t> b;
  if (!readQuantization(p, aScale, aZeroPoint, bScale, bZeroPoint, yScale,
                        yZeroPoint, "a and y",
                        "per-column non-zero b zero points are not in RNPU "
                        "ISA 1.0",
                        why) ||
      !readConstantBytes(bValue, bType.getNumElements(), b,
                         "b must be a constant", "b's data is not available",
                         why))
    return false;
  p.weights.resize(b.size());
  for (int64_t k = 0; k < p.cin; ++k)
    for (int64_t n = 0; n < p.cout; ++n)
      p.weights[n * p.cin + k] = transB ? b[n * p.cin + k] : b[k * p.cout + n];
  return true;
}

namespace {

/// QLinearMatMul and QGemm as a 1x1 conv over the rows of A (channels last,
/// n = h = 1, w = rows): static 2-D A and B, then `check` (the op's own
/// conditions, setting `why`), then the quantization parameters and the
/// constant weights (B, transposed when `transB`). `name` names the op in
/// reasons.
template <typename OpTy>
std::optional<QConvParams>
getMatMulLikeParams(OpTy op, const char *name, bool transB, std::string &why,
                    llvm::function_ref<bool(RankedTensorType yType)> check) {
  auto aType = dyn_cast<RankedTensorType>(op.getA().getType());
  auto bType = dyn_cast<RankedTensorType>(op.getB().getType());
  auto yType = dyn_cast<RankedTensorType>(op.getY().getType());
  if (!aType || !bType || !yType || !aType.hasStaticShape() ||
      !bType.hasStaticShape() || !yType.hasStaticShape()) {
    why = "dynamic shapes (RNPU code is compiled for static shapes)";
    return std::nullopt;
  }
  if (aType.getRank() != 2 || bType.getRank() != 2) {
    why = std::string("only 2-D ") + name + " is supported";
    return std::nullopt;
  }
  if (!check(yType))
    return std::nullopt;
  QConvParams p;
  p.channelsLast = true;
  p.n = 1, p.h = 1, p.w = aType.getDimSize(0);
  p.cin = aType.getDimSize(1);
  p.cout = transB ? bType.getDimSize(0) : bType.getDimSize(1);
  p.xSigned = isSigned8(aType);
  p.wSigned = isSigned8(bType);
  p.ySigned = isSigned8(yType);
  if (!readMatMulQuantization(p, op.getAScale(), op.getAZeroPoint(),
                              op.getBScale(), op.getBZeroPoint(),
                              op.getYScale(), op.getYZeroPoint(), op.getB(),
                              bType, transB, why))
    return std::nullopt;
  return p;
}

} // namespace

std::optional<QConvParams> getQMatMulParams(Operation *operation,
                                            std::string &why) {
  auto op = dyn_cast<graph::QLinearMatMulOp>(operation);
  if (!op) {
    why = "not a QLinearMatMul";
    return std::nullopt;
  }
  return getMatMulLikeParams(op, "QLinearMatMul", /*transB=*/false, why,
                             [](RankedTensorType) { return true; });
}

std::optional<QConvParams> getQGemmParams(Operation *operation,
                                          std::string &why) {
  auto op = dyn_cast<graph::QGemmOp>(operation);
  if (!op) {
    why = "not a QGemm";
    return std::nullopt;
  }
  auto p = getMatMulLikeParams(
      op, "QGemm", op.getTransB() != 0, why, [&](RankedTensorType yType) {
        if (!op.getYScale() || isa<FloatType>(yType.getElementType())) {
          why = "a float output (no y_scale) needs a float unit";
          return false;
        }
        if (op.getTransA() != 0 || op.getAlpha().convertToDouble() != 1.0) {
          why = "transA and alpha != 1 are not implemented yet";
          return false;
        }
        return true;
      });
  if (!p)
    return std::nullopt;
  if (Value c = op.getC()) {
    auto bias = constantValues(c);
    if (!bias || int64_t(bias->size()) != p->cout) {
      why = "C must be a constant with one value per output column";
      return std::nullopt;
    }
    for (double v : *bias)
      p->bias.push_back(int32_t(v));
  }
  return p;
}

namespace {

template <typename OpTy>
std::optional<QAddParams> getBinaryParams(OpTy op, std::string &why) {
  constexpr bool isMul = std::is_same_v<OpTy, graph::QLinearMulOp>;
  Value a = op.getA(), b = op.getB();
  Value aScale = op.getAScale(), aZero = op.getAZeroPoint();
  Value bScale = op.getBScale(), bZero = op.getBZeroPoint();
  auto aType = dyn_cast<RankedTensorType>(a.getType());
  auto bType = dyn_cast<RankedTensorType>(b.getType());
  auto cType = dyn_cast<RankedTensorType>(op.getC().getType());
  if (!aType || !bType || !cType || !aType.hasStaticShape() ||
      !bType.hasStaticShape() || !cType.hasStaticShape()) {
    why = "dynamic shapes (RNPU code is compiled for static shapes)";
    return std::nullopt;
  }
  // A product is symmetric: the broadcast operand goes second.
  if (isMul && aType.getShape() != cType.getShape() &&
      bType.getShape() == cType.getShape()) {
    std::swap(a, b), std::swap(aType, bType);
    std::swap(aScale, bScale), std::swap(aZero, bZero);
  }
  if (aType.getShape() != cType.getShape()) {
    why = "a must have the result's shape (only b may broadcast)";
    return std::nullopt;
  }
  if (cType.getRank() < 2) {
    why = "rank < 2 is not implemented yet";
    return std::nullopt;
  }
  QAddParams p;
  p.mul = isMul;
  p.elements = cType.getNumElements();
  if (bType.getShape() != cType.getShape()) {
    // The CPU folds a one-element b of QLinearAdd into its constant term
    // (MLAS's formula), which QADD with a broadcast b does not reproduce.
    if (!isMul && bType.getNumElements() == 1 && p.elements != 1) {
      why = "QLinearAdd of a one-element b (the CPU folds it into the "
            "constant term) is not implemented";
      return std::nullopt;
    }
    std::vector<int64_t> cShape(cType.getShape().begin(),
                                cType.getShape().end());
    std::vector<int64_t> bShape(bType.getShape().begin(),
                                bType.getShape().end());
    if (!broadcastLevels(cShape, bShape, p.dims, p.bStrides)) {
      why = "b broadcasts in more than three alternating levels";
      return std::nullopt;
    }
  }
  auto scalar = [&](Value v, double fallback) -> std::optional<double> {
    if (!v)
      return fallback;
    auto values = constantValues(v);
    if (!values || values->size() != 1)
      return std::nullopt;
    return (*values)[0];
  };
  auto as = scalar(aScale, 1), az = scalar(aZero, 0);
  auto bs = scalar(bScale, 1), bz = scalar(bZero, 0);
  auto cs = scalar(op.getCScale(), 1), cz = scalar(op.getCZeroPoint(), 0);
  if (!as || !az || !bs || !bz || !cs || !cz) {
    why = "scales and zero points must be per-tensor constants";
    return std::nullopt;
  }
  p.aSigned = isSigned8(aType);
  p.bSigned = isSigned8(bType);
  p.cSigned = isSigned8(cType);
  p.aScale = float(*as), p.bScale = float(*bs), p.cScale = float(*cs);
  p.aZeroPoint = int32_t(*az), p.bZeroPoint = int32_t(*bz);
  p.cZeroPoint = int32_t(*cz);
  return p;
}

} // namespace

std::optional<QAddParams> getQAddParams(Operation *operation, std::string &why,
                                        Value *a, Value *b) {
  std::optional<QAddParams> p;
  if (auto add = dyn_cast<graph::QLinearAddOp>(operation)) {
    p = getBinaryParams(add, why);
    if (a)
      *a = add.getA(), *b = add.getB();
  } else if (auto mul = dyn_cast<graph::QLinearMulOp>(operation)) {
    p = getBinaryParams(mul, why);
    if (a) {
      *a = mul.getA(), *b = mul.getB();
      // getBinaryParams puts the operand of the result's shape first.
      if (cast<RankedTensorType>(a->getType()).getShape() !=
          cast<RankedTensorType>(mul.getC().getType()).getShape())
        std::swap(*a, *b);
    }
  } else {
    why = "not a QLinearAdd or QLinearMul";
  }
  return p;
}

std::optional<QMaxPoolMatch> matchQMaxPool(Operation *operation,
                                           std::string &why) {
  auto op = dyn_cast<graph::MaxPoolOp>(operation);
  if (!op) {
    why = "not a MaxPool";
    return std::nullopt;
  }
  QMaxPoolMatch m;
  m.x = op.getX();
  m.y = op.getY();
  if (!op.getIndices().use_empty()) {
    why = "MaxPool's Indices output is not supported";
    return std::nullopt;
  }
  auto is8 = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.getElementType().isInteger(8);
  };
  if (!is8(m.x.getType())) {
    // The QDQ form: DequantizeLinear -> MaxPool -> QuantizeLinear.
    auto dq = m.x.getDefiningOp<graph::DequantizeLinearOp>();
    if (!dq || !m.y.hasOneUse()) {
      why = "floating-point MaxPool (not between a DequantizeLinear and a "
            "QuantizeLinear); RNPU computes in int8";
      return std::nullopt;
    }
    auto q = dyn_cast<graph::QuantizeLinearOp>(*m.y.getUsers().begin());
    if (!q) {
      why = "floating-point MaxPool whose result is not quantized";
      return std::nullopt;
    }
    auto scalar = [](Value v) -> std::optional<double> {
      if (!v)
        return 0.0;
      auto values = constantValues(v);
      if (!values || values->size() != 1)
        return std::nullopt;
      return (*values)[0];
    };
    auto ds = scalar(dq.getXScale()), dz = scalar(dq.getXZeroPoint());
    auto qs = scalar(q.getYScale()), qz = scalar(q.getYZeroPoint());
    if (!is8(dq.getX().getType()) || !is8(q.getY().getType()) ||
        cast<ShapedType>(dq.getX().getType()).getElementType() !=
            cast<ShapedType>(q.getY().getType()).getElementType()) {
      why = "the MaxPool's DequantizeLinear and QuantizeLinear are not of "
            "the same 8-bit type";
      return std::nullopt;
    }
    if (!ds || !dz || !qs || !qz || float(*ds) != float(*qs) ||
        *dz != *qz || !dq.getXScale() || !q.getYScale()) {
      why = "the MaxPool's DequantizeLinear and QuantizeLinear differ in "
            "scale or zero point (or are not per-tensor constants)";
      return std::nullopt;
    }
    m.dequantize = dq;
    m.quantize = q;
    m.x = dq.getX();
    m.y = q.getY();
  }
  auto xType = dyn_cast<RankedTensorType>(m.x.getType());
  auto yType = dyn_cast<RankedTensorType>(m.y.getType());
  if (!xType || !yType || !xType.hasStaticShape() || !yType.hasStaticShape()) {
    why = "dynamic shapes (RNPU code is compiled for static shapes)";
    return std::nullopt;
  }
  if (xType.getRank() != 4 || yType.getRank() != 4 ||
      op.getKernelShape().size() != 2) {
    why = "only 2-D max pools (rank-4 NCHW input) are supported";
    return std::nullopt;
  }
  if (auto dilations = op.getDilations())
    for (int64_t d : *dilations)
      if (d != 1) {
        why = "dilated MaxPool is not implemented";
        return std::nullopt;
      }
  if (op.getAutoPad() != "NOTSET" && op.getAutoPad() != "VALID") {
    why = "auto_pad '" + op.getAutoPad().str() +
          "' is not supported (explicit pads only)";
    return std::nullopt;
  }
  MaxPoolParams &p = m.params;
  ArrayRef<int64_t> x = xType.getShape(), y = yType.getShape();
  p.n = x[0], p.c = x[1], p.h = x[2], p.w = x[3];
  p.oh = y[2], p.ow = y[3];
  p.kh = op.getKernelShape()[0], p.kw = op.getKernelShape()[1];
  if (auto strides = op.getStrides()) {
    p.strideH = (*strides)[0];
    p.strideW = (*strides)[1];
  }
  if (auto pads = op.getPads(); pads && op.getAutoPad() == "NOTSET") {
    p.padTop = (*pads)[0];
    p.padLeft = (*pads)[1];
  }
  p.isSigned = isSigned8(xType);
  if (y[0] != x[0] || y[1] != x[1]) {
    why = "MaxPool result shape differs from its input's in N or C";
    return std::nullopt;
  }
  return m;
}

std::optional<QConvParams> getNpuParams(Operation *op, std::string &why) {
  if (isa<graph::QLinearConvOp>(op))
    return getQConvParams(op, why);
  if (isa<graph::QLinearMatMulOp>(op))
    return getQMatMulParams(op, why);
  if (isa<graph::QGemmOp>(op))
    return getQGemmParams(op, why);
  why = "no RNPU code generator";
  return std::nullopt;
}

std::string whyUnsupported(Operation *op, const rnpu::RnpuConfig &config) {
  if (isa<graph::ConstantOp>(op))
    return "";
  if (isa<graph::QLinearConvOp, graph::QLinearMatMulOp, graph::QGemmOp>(op)) {
    std::string why;
    std::optional<QConvParams> params = getNpuParams(op, why);
    if (!params)
      return why;
    return whyConvUnsupported(*params, config);
  }
  if (isa<graph::QLinearAddOp, graph::QLinearMulOp>(op)) {
    std::string why;
    std::optional<QAddParams> params = getQAddParams(op, why);
    if (!params)
      return why;
    return whyQAddUnsupported(*params, config);
  }
  if (isa<graph::MaxPoolOp>(op)) {
    std::string why;
    std::optional<QMaxPoolMatch> m = matchQMaxPool(op, why);
    if (!m)
      return why;
    return whyMaxPoolUnsupported(m->params, config);
  }
  // The DequantizeLinear / QuantizeLinear around an int8 MaxPool run on
  // RNPU with it (the kernel reads and writes the 8-bit tensors).
  auto runsWithMaxPool = [&](Operation *pool, Operation *self) {
    std::string why;
    std::optional<QMaxPoolMatch> m = matchQMaxPool(pool, why);
    return m && (m->dequantize == self || m->quantize == self) &&
           whyMaxPoolUnsupported(m->params, config).empty();
  };
  if (auto dq = dyn_cast<graph::DequantizeLinearOp>(op))
    if (!dq.getY().use_empty() &&
        llvm::all_of(dq.getY().getUsers(), [&](Operation *user) {
          return isa<graph::MaxPoolOp>(user) && runsWithMaxPool(user, op);
        }))
      return "";
  if (auto q = dyn_cast<graph::QuantizeLinearOp>(op))
    if (auto pool = q.getX().getDefiningOp<graph::MaxPoolOp>())
      if (runsWithMaxPool(pool, op))
        return "";
  if (isa<graph::QLinearAveragePoolOp, graph::QLinearGlobalAveragePoolOp>(op))
    return "RNPU ISA 1.0 can run it, but the npu target has no code "
           "generator for it yet";
  if (isa<graph::QuantizeLinearOp, graph::DequantizeLinearOp>(op))
    return "converts between float and integers; RNPU has no float unit "
           "(a CPU target runs it once --target=npu,avx512 partitions)";
  if (isFloatOp(op))
    return "floating-point op; RNPU computes in int8 (quantize the model, "
           "e.g. aicc quantize)";
  return "not an op RNPU runs";
}

} // namespace aicc::npu
