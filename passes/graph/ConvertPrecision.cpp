//===- ConvertPrecision.cpp - bf16/fp16 operands for Conv, MatMul, Gemm ---===//
//
// `aicc --precision=bf16|fp16` for float models. The compute-heavy ops with
// constant weights (Conv with group 1, MatMul and Gemm with a constant 2-D
// B) get lower-precision operands while their results, biases and fused
// epilogues stay f32:
//
// - bf16: the weights become a bf16 constant (rounded to nearest even at
//   compile time) read through `Cast(to f32)`, and the activation is
//   rounded the same way (`Cast(to bf16)`, `Cast(to f32)`). The products of
//   two bf16 values are exact in f32, so the graph states the numerics of a
//   bf16 dot product with f32 accumulation in plain ONNX ops, on every
//   target; the avx512 target's aicc-avx512-low-precision-kernels turns the
//   pattern into vdpbf16ps kernels that read the bf16 tensors directly.
// - fp16: the weights become an f16 constant read through `Cast(to f32)`
//   (half the storage); activations and math stay f32.
//
// - int8w (weight-only int8, for decode's memory-bound GEMVs): MatMuls
//   with a constant 2-D B [K, N] get B as int8 with one f32 scale per
//   column (symmetric, scale = max |B[:, n]| / 127, rounded to nearest):
//   `MatMul(x, Cast(q to f32))` followed by `Mul` with the scales [N].
//   Activations and math stay f32; only the weights' bytes shrink (4x).
//   The avx512 target reads q in the matmul's body (sitofp per element).
//
// A Gemm with transB = 1 has its weights transposed here ([K, N]) so every
// matrix product reaches the lowering in the same form. Each converted op
// carries `aicc.precision` ("bf16", "fp16" or "int8w").
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/Precision.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"
#include "passes/graph/ConstantData.h"
#include "llvm/ADT/APFloat.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace aicc::graph {
#define GEN_PASS_DEF_CONVERTPRECISIONPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

/// Narrow weights with more elements than this are dense_resource blobs.
constexpr int64_t kInlineNarrowLimit = 64;

/// ONNX TensorProto data types used by Cast's `to`.
constexpr int64_t kOnnxFloat = 1, kOnnxFloat16 = 10, kOnnxBFloat16 = 16;

/// The largest magnitude of a symmetric int8 weight.
constexpr float kInt8Max = 127.0f;

/// f32 -> bf16 bits, rounded to nearest even (NaN stays a quiet NaN).
uint16_t toBF16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t)((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

/// f32 -> IEEE half bits, rounded to nearest even (overflow gives inf).
uint16_t toF16Bits(float value) {
  llvm::APFloat f(value);
  bool losesInfo;
  f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return (uint16_t)f.bitcastToAPInt().getZExtValue();
}

/// The f32 data of a static graph.constant, or nullopt.
std::optional<ArrayRef<float>> constantF32(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!constant || !type || !type.hasStaticShape() ||
      !type.getElementType().isF32())
    return std::nullopt;
  std::optional<ArrayRef<char>> bytes = getElementBytes(constant.getValue());
  if (!bytes || (int64_t)bytes->size() != type.getNumElements() * 4)
    return std::nullopt;
  return ArrayRef<float>(reinterpret_cast<const float *>(bytes->data()),
                         type.getNumElements());
}

Value createCast(OpBuilder &b, Location loc, Value input, Type elementType,
                 int64_t to) {
  auto type = cast<RankedTensorType>(input.getType()).clone(elementType);
  return CastOp::create(b, loc, TypeRange{type}, ValueRange{input},
                        ArrayRef<NamedAttribute>{
                            b.getNamedAttr("to", b.getI64IntegerAttr(to))})
      .getResult();
}

class Converter {
public:
  Converter(bool bf16) : bf16(bf16) {}

  /// The weights `values` (row-major `shape`, optionally transposed from a
  /// 2-D [N, K]) as a bf16/f16 constant cast to f32.
  Value weights(OpBuilder &b, Location loc, Value original,
                ArrayRef<float> values, ArrayRef<int64_t> shape,
                bool transpose2d) {
    SmallVector<int64_t> newShape(shape);
    if (transpose2d)
      std::swap(newShape[0], newShape[1]);
    std::vector<uint16_t> bits(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      size_t from = i;
      if (transpose2d) // i indexes [K, N]; the source is [N, K]
        from = (i % newShape[1]) * newShape[0] + i / newShape[1];
      bits[i] = bf16 ? toBF16Bits(values[from]) : toF16Bits(values[from]);
    }
    Type elem = bf16 ? (Type)BFloat16Type::get(b.getContext())
                     : (Type)Float16Type::get(b.getContext());
    auto type = RankedTensorType::get(newShape, elem);
    auto constant = original.getDefiningOp<ConstantOp>();
    StringRef key = getResourceKey(constant.getValue());
    std::string name =
        (key.empty() ? "weights" : key.str()) + (bf16 ? ".bf16" : ".f16");
    // A dense_resource unless tiny: the graph folders fold a Cast of small
    // dense constants, which would undo the narrow storage.
    ElementsAttr attr =
        makeElements(type,
                     ArrayRef<char>(reinterpret_cast<const char *>(bits.data()),
                                    bits.size() * 2),
                     type.getNumElements() > kInlineNarrowLimit, name);
    Value narrow = ConstantOp::create(b, constant.getLoc(), attr);
    return createCast(b, loc, narrow, b.getF32Type(), kOnnxFloat);
  }

  /// The activation rounded to bf16 (fp16: unchanged).
  Value activation(OpBuilder &b, Location loc, Value x) {
    if (!bf16)
      return x;
    Value narrow =
        createCast(b, loc, x, BFloat16Type::get(b.getContext()), kOnnxBFloat16);
    return createCast(b, loc, narrow, b.getF32Type(), kOnnxFloat);
  }

  void mark(Operation *op) {
    op->setAttr("aicc.precision",
                StringAttr::get(op->getContext(), bf16 ? "bf16" : "fp16"));
  }

private:
  bool bf16;
};

/// int8w: `values` ([K, N] row-major, or [N, K] when `transpose2d`) as an
/// int8 constant [K, N] read through Cast to f32, and the per-column scales
/// [N] (f32 constant) the product is multiplied by. A column of zeros gets
/// scale 1.
std::pair<Value, Value> int8Weights(OpBuilder &b, Location loc, Value original,
                                    ArrayRef<float> values,
                                    ArrayRef<int64_t> shape, bool transpose2d) {
  int64_t k = transpose2d ? shape[1] : shape[0];
  int64_t n = transpose2d ? shape[0] : shape[1];
  auto at = [&](int64_t row, int64_t col) {
    return transpose2d ? values[col * k + row] : values[row * n + col];
  };
  std::vector<float> scales(n, 0.0f);
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col)
      scales[col] = std::max(scales[col], std::fabs(at(row, col)));
  for (float &scale : scales)
    scale = scale > 0 && std::isfinite(scale) ? scale / kInt8Max : 1.0f;
  std::vector<int8_t> q(k * n);
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col) {
      float v = std::nearbyint(at(row, col) / scales[col]);
      q[row * n + col] = (int8_t)std::clamp(v, -kInt8Max, kInt8Max);
    }
  auto constant = original.getDefiningOp<ConstantOp>();
  StringRef key = getResourceKey(constant.getValue());
  std::string name = key.empty() ? "weights" : key.str();
  auto qType = RankedTensorType::get({k, n}, b.getIntegerType(8));
  Value narrow = ConstantOp::create(
      b, constant.getLoc(),
      makeElements(qType,
                   ArrayRef<char>(reinterpret_cast<const char *>(q.data()),
                                  q.size()),
                   qType.getNumElements() > kInlineNarrowLimit,
                   name + ".int8"));
  auto sType = RankedTensorType::get({n}, b.getF32Type());
  Value scale = ConstantOp::create(
      b, constant.getLoc(),
      makeElements(sType,
                   ArrayRef<char>(reinterpret_cast<const char *>(scales.data()),
                                  scales.size() * 4),
                   n > kInlineNarrowLimit, name + ".scale"));
  return {createCast(b, loc, narrow, b.getF32Type(), kOnnxFloat), scale};
}

bool isF32Tensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType().isF32();
}

struct ConvertPrecisionPass
    : impl::ConvertPrecisionPassBase<ConvertPrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!isLowerPrecision(precision)) {
      getOperation().emitError()
          << "aicc-graph-convert-precision: unknown precision '" << precision
          << "' (bf16, fp16 or int8w)";
      return signalPassFailure();
    }
    bool int8w = precision == "int8w";
    Converter converter(precision == "bf16");
    OpBuilder b(&getContext());
    getOperation().walk([&](Operation *op) {
      if (op->hasAttr("aicc.precision"))
        return;
      if (auto conv = dyn_cast<ConvOp>(op); conv && !int8w) {
        auto w = constantF32(conv.getW());
        auto wType = cast<RankedTensorType>(conv.getW().getType());
        if (!w || conv.getGroup() != 1 || wType.getRank() != 4 ||
            !isF32Tensor(conv.getX()) || !isF32Tensor(conv.getY()))
          return;
        b.setInsertionPoint(op);
        Value weights = converter.weights(b, op->getLoc(), conv.getW(), *w,
                                          wType.getShape(), false);
        Value x = converter.activation(b, op->getLoc(), conv.getX());
        op->setOperand(0, x);
        op->setOperand(1, weights);
        converter.mark(op);
        ++numConverted;
        return;
      }
      Value a, bValue;
      bool transB = false;
      if (auto matmul = dyn_cast<MatMulOp>(op)) {
        a = matmul.getA();
        bValue = matmul.getB();
      } else if (auto gemm = dyn_cast<GemmOp>(op); gemm && !int8w) {
        if (gemm.getTransA() != 0)
          return;
        a = gemm.getA();
        bValue = gemm.getB();
        transB = gemm.getTransB() != 0;
      } else {
        return;
      }
      auto w = constantF32(bValue);
      auto bType = cast<RankedTensorType>(bValue.getType());
      if (!w || bType.getRank() != 2 || !isF32Tensor(a) ||
          !isF32Tensor(op->getResult(0)))
        return;
      b.setInsertionPoint(op);
      if (int8w) {
        // MatMul(x, Cast(q)) * scales: the Mul takes the MatMul's place
        // for its users.
        auto [weights, scale] = int8Weights(b, op->getLoc(), bValue, *w,
                                            bType.getShape(), false);
        op->setOperand(1, weights);
        op->setAttr("aicc.precision", b.getStringAttr("int8w"));
        Value product = op->getResult(0);
        b.setInsertionPointAfter(op);
        Value scaled =
            MulOp::create(b, op->getLoc(), TypeRange{product.getType()},
                          ValueRange{product, scale},
                          ArrayRef<NamedAttribute>{})
                .getResult();
        product.replaceAllUsesExcept(scaled, scaled.getDefiningOp());
        ++numConverted;
        return;
      }
      Value weights = converter.weights(b, op->getLoc(), bValue, *w,
                                        bType.getShape(), transB);
      Value x = converter.activation(b, op->getLoc(), a);
      op->setOperand(0, x);
      op->setOperand(1, weights);
      if (transB)
        op->setAttr("transB", b.getI64IntegerAttr(0));
      converter.mark(op);
      ++numConverted;
    });
    // Weights now unused (a constant shared with a non-converted op stays).
    getOperation().walk([](ConstantOp constant) {
      if (constant->use_empty())
        constant->erase();
    });
  }
};

} // namespace
} // namespace aicc::graph
