//===- ExpandRecurrent.cpp - RNN, GRU and LSTM into per-step graph ops ---===//
//
// With static shapes a recurrent node is a fixed sequence of small matrix
// products, so it is unrolled into graph ops the lowering already handles:
// per direction, the input projection of every time step at once
// (MatMul of X [S, N, I] by W^T [I, G*H] plus the biases), then per time step
// the recurrent product MatMul(H, R^T), the gate slices, their activations
// and the state update, following the equations of the ONNX specification
// (gate order iofc for LSTM, zrh for GRU). Y is the Concat of the steps'
// hidden states; Y_h and Y_c the last ones.
//
// Per-direction weights that are constants are cut out of W, R, B and P
// here (a direction's block is contiguous), so aicc-graph-fold-constants
// folds their Transpose once; other weights are sliced by graph ops.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/GraphOpBuilder.h"

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"
#include "passes/graph/ConstantData.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Debug.h"
#include <functional>

#define DEBUG_TYPE "aicc-graph-expand-recurrent"

using namespace mlir;

namespace aicc::graph {

#define GEN_PASS_DEF_EXPANDRECURRENTPASS
#include "passes/graph/Passes.h.inc"

namespace {

/// More unrolled steps than this (sequence length x directions) is an error
/// rather than a graph that takes minutes to compile.
constexpr int64_t kMaxUnrolledSteps = 4096;

/// The most values one graph.Concat of the steps' states joins.
constexpr size_t kMaxConcatOperands = 8;

/// One activation function of the `activations` attribute with its alpha and
/// beta (the defaults of the ONNX operators' table when not given).
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

/// Builds the graph ops of one recurrent node at its location.
class RecurrentBuilder : public GraphOpBuilder {
public:
  using GraphOpBuilder::GraphOpBuilder;

  /// A splat of `value` with `shape` (a scalar for an empty shape).
  Value splat(ArrayRef<int64_t> shape, double value) {
    auto type = tensorType(shape);
    return ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type, FloatAttr::get(elementType, value)));
  }

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  /// v[start:end] along `axis`.
  Value slice(Value v, int64_t axis, int64_t start, int64_t end) {
    SmallVector<int64_t> shape(shapeOf(v));
    if (start == 0 && end == shape[axis])
      return v;
    shape[axis] = end - start;
    return SliceOp::create(b, loc, tensorType(shape), v, i64s({start}),
                           i64s({end}), i64s({axis}), Value());
  }

  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    return ReshapeOp::create(b, loc, tensorType(shape), v, i64s(shape),
                             b.getI64IntegerAttr(0));
  }

  /// Rows [begin, end) of direction `d` of a [D, rows, ...] tensor, as a
  /// [end - begin, ...] tensor. A constant is cut here (the block is
  /// contiguous); anything else gets a Slice and a Reshape.
  Value block(Value v, int64_t d, int64_t begin, int64_t end) {
    ArrayRef<int64_t> shape = shapeOf(v);
    SmallVector<int64_t> outShape(shape.drop_front());
    outShape[0] = end - begin;
    RankedTensorType outType = tensorType(outShape);
    if (auto constant = v.getDefiningOp<ConstantOp>()) {
      ElementsAttr value = constant.getValue();
      std::optional<unsigned> elemBytes = elementStorageBytes(elementType);
      std::optional<ArrayRef<char>> bytes = getElementBytes(value);
      if (elemBytes && bytes) {
        int64_t rowElems = 1;
        for (int64_t s : shape.drop_front(2))
          rowElems *= s;
        int64_t first = (d * shape[1] + begin) * rowElems;
        int64_t count = (end - begin) * rowElems;
        ArrayRef<char> part =
            bytes->slice(first * *elemBytes, count * *elemBytes);
        StringRef key = getResourceKey(value);
        ElementsAttr attr = makeElements(
            outType, part, count > kInlineElementLimit,
            key.empty() ? StringRef("recurrent_weight") : key);
        if (attr)
          return ConstantOp::create(b, loc, attr);
      }
    }
    Value rows = slice(slice(v, 0, d, d + 1), 1, begin, end);
    return reshape(rows, outShape);
  }

  Value transpose2d(Value v) {
    ArrayRef<int64_t> s = shapeOf(v);
    return TransposeOp::create(b, loc, tensorType({s[1], s[0]}), v,
                               b.getDenseI64ArrayAttr({1, 0}));
  }

  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value matmul(Value x, Value y) { return MatMulOp::create(b, loc, x, y); }

  Value activate(const Activation &f, Value x) {
    StringRef name = f.name;
    if (name == "Sigmoid")
      return SigmoidOp::create(b, loc, x);
    if (name == "Tanh")
      return TanhOp::create(b, loc, x);
    if (name == "Relu")
      return ReluOp::create(b, loc, x);
    if (name == "LeakyRelu")
      return LeakyReluOp::create(b, loc, x, APFloat(f.alpha));
    if (name == "ThresholdedRelu")
      return ThresholdedReluOp::create(b, loc, x, APFloat(f.alpha));
    if (name == "HardSigmoid")
      return HardSigmoidOp::create(b, loc, x, APFloat(f.alpha),
                                   APFloat(f.beta));
    if (name == "Elu")
      return EluOp::create(b, loc, x, APFloat(f.alpha));
    if (name == "Softsign")
      return SoftsignOp::create(b, loc, x);
    if (name == "Softplus")
      return SoftplusOp::create(b, loc, x);
    if (name == "Affine")
      return add(mul(x, splat({}, f.alpha)), splat({}, f.beta));
    assert(name == "ScaledTanh" && "activation checked by parseActivations");
    return mul(TanhOp::create(b, loc, mul(x, splat({}, f.beta))),
               splat({}, f.alpha));
  }

  /// Clips a gate's pre-activation to [-clip, clip] when `clip` is set.
  Value clipped(Value x, std::optional<float> clip) {
    if (!clip)
      return x;
    return ClipOp::create(b, loc, x, splat({}, -*clip), splat({}, *clip));
  }
};

/// The activations of a node, `perDirection` per direction, filled with the
/// operator's defaults; alpha and beta are taken in order by the functions
/// that have them, as ONNX Runtime does.
FailureOr<SmallVector<Activation>>
parseActivations(Operation *op, std::optional<ArrayAttr> names,
                 std::optional<ArrayRef<float>> alphas,
                 std::optional<ArrayRef<float>> betas,
                 ArrayRef<StringRef> defaults, int64_t numDirections) {
  SmallVector<Activation> result;
  size_t perDirection = defaults.size();
  if (names && !names->empty()) {
    if (names->size() != perDirection * numDirections &&
        names->size() != perDirection) {
      op->emitError() << getOnnxOpType(op) << ": attribute 'activations' has "
                      << names->size() << " functions; expected "
                      << perDirection * numDirections;
      return failure();
    }
    for (Attribute a : *names)
      result.push_back({cast<StringAttr>(a).getValue().str()});
  } else {
    for (int64_t d = 0; d < numDirections; ++d)
      for (StringRef name : defaults)
        result.push_back({name.str()});
  }
  while (result.size() < perDirection * numDirections)
    result.push_back(result[result.size() - perDirection]);
  size_t nextAlpha = 0, nextBeta = 0;
  for (Activation &f : result) {
    // ONNX names are case-sensitive, ONNX Runtime accepts any case.
    std::string lower = StringRef(f.name).lower();
    f.name = llvm::StringSwitch<std::string>(lower)
                 .Case("sigmoid", "Sigmoid")
                 .Case("tanh", "Tanh")
                 .Case("relu", "Relu")
                 .Case("leakyrelu", "LeakyRelu")
                 .Case("thresholdedrelu", "ThresholdedRelu")
                 .Case("hardsigmoid", "HardSigmoid")
                 .Case("elu", "Elu")
                 .Case("softsign", "Softsign")
                 .Case("softplus", "Softplus")
                 .Case("affine", "Affine")
                 .Case("scaledtanh", "ScaledTanh")
                 .Default("");
    if (f.name.empty()) {
      op->emitError() << getOnnxOpType(op)
                      << ": attribute 'activations': unknown function '"
                      << lower << "'";
      return failure();
    }
    auto defaultAlpha = llvm::StringSwitch<std::optional<float>>(f.name)
                            .Case("LeakyRelu", 0.01f)
                            .Case("ThresholdedRelu", 1.0f)
                            .Case("HardSigmoid", 0.2f)
                            .Case("Elu", 1.0f)
                            .Case("Affine", 1.0f)
                            .Case("ScaledTanh", 1.0f)
                            .Default(std::nullopt);
    auto defaultBeta = llvm::StringSwitch<std::optional<float>>(f.name)
                           .Case("HardSigmoid", 0.5f)
                           .Case("Affine", 0.0f)
                           .Case("ScaledTanh", 1.0f)
                           .Default(std::nullopt);
    if (defaultAlpha) {
      f.alpha = *defaultAlpha;
      if (alphas && nextAlpha < alphas->size())
        f.alpha = (*alphas)[nextAlpha++];
    }
    if (defaultBeta) {
      f.beta = *defaultBeta;
      if (betas && nextBeta < betas->size())
        f.beta = (*betas)[nextBeta++];
    }
  }
  return result;
}

/// What the three recurrent ops share, read from any of them.
struct RecurrentNode {
  enum Kind { Rnn, Gru, Lstm } kind;
  Operation *op;
  Value x, w, r, bias, sequenceLens, initialH, initialC, peepholes;
  StringRef direction;
  int64_t layout;
  std::optional<float> clip;
  bool linearBeforeReset = false;
  bool inputForget = false;
  SmallVector<Activation> activations;
  Value y, yH, yC;

  int64_t numGates() const {
    return kind == Lstm ? 4 : kind == Gru ? 3 : 1;
  }
};

InFlightDiagnostic nodeError(Operation *op) {
  InFlightDiagnostic diag = op->emitError();
  diag << getOnnxOpType(op) << ": ";
  return diag;
}

/// Whether every operand and result of `op` has a static shape: others are
/// left to aicc-graph-check-static-shapes, which names the dims to fix.
bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// Checks what the expansion supports; errors name the attribute or input.
LogicalResult checkSupported(RecurrentNode &n, int64_t &seqLength,
                             int64_t &batch, int64_t &hidden) {
  auto xType = dyn_cast<RankedTensorType>(n.x.getType());
  auto rType = dyn_cast<RankedTensorType>(n.r.getType());
  auto yhType = dyn_cast<RankedTensorType>(n.yH.getType());
  if (!xType || xType.getRank() != 3 || !rType || rType.getRank() != 3 ||
      !yhType)
    return nodeError(n.op) << "needs ranked X and R of rank 3";
  if (n.layout != 0 && n.layout != 1)
    return nodeError(n.op) << "attribute 'layout' must be 0 or 1";
  seqLength = xType.getDimSize(n.layout == 0 ? 0 : 1);
  batch = xType.getDimSize(n.layout == 0 ? 1 : 0);
  hidden = rType.getDimSize(2);
  int64_t numDirections = n.direction == "bidirectional" ? 2 : 1;
  if (seqLength * numDirections > kMaxUnrolledSteps)
    return nodeError(n.op) << "sequence length " << seqLength << " x "
                           << numDirections << " direction(s) is more than "
                           << kMaxUnrolledSteps << " unrolled steps";
  if (seqLength < 1)
    return nodeError(n.op) << "needs a sequence length of at least 1";
  if (n.sequenceLens) {
    auto lensType = dyn_cast<RankedTensorType>(n.sequenceLens.getType());
    if (!lensType || lensType.getShape() != ArrayRef<int64_t>{batch})
      return nodeError(n.op) << "input 'sequence_lens' must have shape ["
                             << batch << "]";
    // Every sequence running the full length changes nothing.
    std::optional<SmallVector<int64_t>> lens = getConstantInts(n.sequenceLens);
    if (lens && llvm::all_of(*lens, [&](int64_t l) { return l == seqLength; }))
      n.sequenceLens = Value();
  }
  return success();
}

LogicalResult expand(RecurrentNode &n) {
  int64_t seqLength, batch, hidden;
  if (failed(checkSupported(n, seqLength, batch, hidden)))
    return failure();
  Operation *op = n.op;
  OpBuilder b(op);
  Type elementType = cast<ShapedType>(n.x.getType()).getElementType();
  RecurrentBuilder rb(b, op->getLoc(), elementType);
  int64_t numDirections = n.direction == "bidirectional" ? 2 : 1;
  int64_t gates = n.numGates();
  int64_t perDirection = n.activations.size() / numDirections;

  // Time-major input [S, N, I].
  Value x = n.x;
  if (n.layout == 1) {
    ArrayRef<int64_t> s = RecurrentBuilder::shapeOf(x);
    x = TransposeOp::create(b, rb.loc, rb.tensorType({s[1], s[0], s[2]}), x,
                            b.getDenseI64ArrayAttr({1, 0, 2}));
  }

  // Per step t, the hidden states of each direction: [N, H].
  SmallVector<SmallVector<Value>> stepsH(numDirections,
                                         SmallVector<Value>(seqLength));
  SmallVector<Value> lastH, lastC;
  // With sequence_lens, a step t >= len[n] keeps the state of entry n and
  // writes zeros to Y: a forward pass then ends at len[n] - 1 and a reverse
  // pass starts there, from the initial state.
  Value lens;
  if (n.sequenceLens)
    lens = ReshapeOp::create(
        b, rb.loc, RankedTensorType::get({batch, 1}, b.getI32Type()),
        n.sequenceLens, rb.i64s({batch, 1}), b.getI64IntegerAttr(0));
  auto stepMask = [&](int64_t t) -> Value {
    auto type = RankedTensorType::get({}, b.getI32Type());
    Value tv = ConstantOp::create(
        b, rb.loc, DenseElementsAttr::get(type, (int32_t)t));
    return LessOp::create(b, rb.loc, tv, lens); // [N, 1]
  };
  for (int64_t d = 0; d < numDirections; ++d) {
    bool reverse = n.direction == "reverse" || d == 1;
    ArrayRef<Activation> fns =
        ArrayRef<Activation>(n.activations).slice(d * perDirection,
                                                  perDirection);
    Value wT = rb.transpose2d(rb.block(n.w, d, 0, gates * hidden));
    // The input projection of all steps at once, with the biases that do
    // not depend on the step: Wb + Rb, except GRU's Rb_h with
    // linear_before_reset, which is added inside the reset product.
    Value projected = rb.matmul(x, wT); // [S, N, G*H]
    Value recurrentHBias;
    if (n.bias) {
      Value wb = rb.block(n.bias, d, 0, gates * hidden);
      Value rbias = rb.block(n.bias, d, gates * hidden, 2 * gates * hidden);
      if (n.kind == RecurrentNode::Gru && n.linearBeforeReset) {
        recurrentHBias = rb.block(n.bias, d, 5 * hidden, 6 * hidden);
        Value zeros = rb.splat({hidden}, 0.0);
        Value zr = rb.block(n.bias, d, 3 * hidden, 5 * hidden);
        rbias = ConcatOp::create(b, rb.loc, rb.tensorType({gates * hidden}),
                                 ValueRange{zr, zeros},
                                 b.getI64IntegerAttr(0));
      }
      projected = rb.add(projected, rb.add(wb, rbias));
    }

    // R^T per gate group: GRU multiplies the reset hidden state by R_h
    // separately unless linear_before_reset.
    Value rT, rzrT, rhT;
    if (n.kind == RecurrentNode::Gru && !n.linearBeforeReset) {
      rzrT = rb.transpose2d(rb.block(n.r, d, 0, 2 * hidden));
      rhT = rb.transpose2d(rb.block(n.r, d, 2 * hidden, 3 * hidden));
    } else {
      rT = rb.transpose2d(rb.block(n.r, d, 0, gates * hidden));
    }
    Value pi, po, pf;
    if (n.peepholes) {
      pi = rb.block(n.peepholes, d, 0, hidden);
      po = rb.block(n.peepholes, d, hidden, 2 * hidden);
      pf = rb.block(n.peepholes, d, 2 * hidden, 3 * hidden);
    }

    Value h = n.initialH ? rb.block(n.initialH, d, 0, batch)
                         : rb.splat({batch, hidden}, 0.0);
    Value c;
    if (n.kind == RecurrentNode::Lstm)
      c = n.initialC ? rb.block(n.initialC, d, 0, batch)
                     : rb.splat({batch, hidden}, 0.0);

    for (int64_t step = 0; step < seqLength; ++step) {
      int64_t t = reverse ? seqLength - 1 - step : step;
      Value hPrev = h, cPrev = c;
      Value xt = rb.reshape(rb.slice(projected, 0, t, t + 1),
                            {batch, gates * hidden});
      auto gate = [&](Value v, int64_t k) {
        return rb.slice(v, 1, k * hidden, (k + 1) * hidden);
      };
      switch (n.kind) {
      case RecurrentNode::Rnn: {
        Value pre = rb.add(xt, rb.matmul(h, rT));
        h = rb.activate(fns[0], rb.clipped(pre, n.clip));
        break;
      }
      case RecurrentNode::Gru: {
        Value z, r, hTilde;
        if (n.linearBeforeReset) {
          Value hr = rb.matmul(h, rT); // [N, 3H]
          z = rb.add(gate(xt, 0), gate(hr, 0));
          r = rb.add(gate(xt, 1), gate(hr, 1));
          z = rb.activate(fns[0], rb.clipped(z, n.clip));
          r = rb.activate(fns[0], rb.clipped(r, n.clip));
          Value hh = gate(hr, 2);
          if (recurrentHBias)
            hh = rb.add(hh, recurrentHBias);
          hTilde = rb.add(gate(xt, 2), rb.mul(r, hh));
        } else {
          Value hr = rb.matmul(h, rzrT); // [N, 2H]
          z = rb.add(gate(xt, 0), gate(hr, 0));
          r = rb.add(gate(xt, 1), gate(hr, 1));
          z = rb.activate(fns[0], rb.clipped(z, n.clip));
          r = rb.activate(fns[0], rb.clipped(r, n.clip));
          hTilde = rb.add(gate(xt, 2), rb.matmul(rb.mul(r, h), rhT));
        }
        hTilde = rb.activate(fns[1], rb.clipped(hTilde, n.clip));
        // H = (1 - z) * h~ + z * H = h~ + z * (H - h~)
        h = rb.add(hTilde, rb.mul(z, rb.sub(h, hTilde)));
        break;
      }
      case RecurrentNode::Lstm: {
        Value pre = rb.add(xt, rb.matmul(h, rT)); // [N, 4H], gates iofc
        Value gi = gate(pre, 0), go = gate(pre, 1), gf = gate(pre, 2),
              gc = gate(pre, 3);
        if (pi) {
          gi = rb.add(gi, rb.mul(pi, c));
          gf = rb.add(gf, rb.mul(pf, c));
        }
        Value i = rb.activate(fns[0], rb.clipped(gi, n.clip));
        // input_forget couples the gates: f = 1 - i.
        Value f = n.inputForget
                      ? rb.sub(rb.splat({}, 1.0), i)
                      : rb.activate(fns[0], rb.clipped(gf, n.clip));
        Value cTilde = rb.activate(fns[1], rb.clipped(gc, n.clip));
        c = rb.add(rb.mul(f, c), rb.mul(i, cTilde));
        if (po)
          go = rb.add(go, rb.mul(po, c));
        Value o = rb.activate(fns[0], rb.clipped(go, n.clip));
        h = rb.mul(o, rb.activate(fns[2], c));
        break;
      }
      }
      stepsH[d][t] = h;
      if (lens) {
        Value mask = stepMask(t);
        stepsH[d][t] =
            WhereOp::create(b, rb.loc, mask, h, rb.splat({batch, hidden}, 0.0));
        h = WhereOp::create(b, rb.loc, mask, h, hPrev);
        if (c)
          c = WhereOp::create(b, rb.loc, mask, c, cPrev);
      }
    }
    lastH.push_back(rb.reshape(h, {1, batch, hidden}));
    if (c)
      lastC.push_back(rb.reshape(c, {1, batch, hidden}));
  }

  // A Concat of at most kMaxConcatOperands values, in a tree for more: a
  // kernel has a bounded number of buffers (64 on avx512), and a Concat of
  // every step of a long sequence, with its fused producers, exceeds it.
  std::function<Value(ValueRange, int64_t)> concat =
      [&](ValueRange parts, int64_t axis) -> Value {
    if (parts.size() == 1)
      return parts[0];
    if (parts.size() > kMaxConcatOperands) {
      SmallVector<Value> groups;
      for (size_t i = 0; i < parts.size(); i += kMaxConcatOperands)
        groups.push_back(concat(
            parts.slice(i, std::min(kMaxConcatOperands, parts.size() - i)),
            axis));
      return concat(groups, axis);
    }
    SmallVector<int64_t> shape(RecurrentBuilder::shapeOf(parts[0]));
    shape[axis] = 0;
    for (Value p : parts)
      shape[axis] += RecurrentBuilder::shapeOf(p)[axis];
    return ConcatOp::create(b, rb.loc, rb.tensorType(shape), parts,
                            b.getI64IntegerAttr(axis));
  };
  // States [D, N, H]; layout 1: [N, D, H].
  auto states = [&](ArrayRef<Value> last) {
    Value v = concat(last, 0);
    if (n.layout == 1)
      v = TransposeOp::create(b, rb.loc,
                              rb.tensorType({batch, numDirections, hidden}), v,
                              b.getDenseI64ArrayAttr({1, 0, 2}));
    return v;
  };
  if (!n.y.use_empty()) {
    // Y [S, D, N, H]; layout 1: [N, S, D, H].
    SmallVector<Value> steps;
    for (int64_t t = 0; t < seqLength; ++t) {
      SmallVector<Value> dirs;
      for (int64_t d = 0; d < numDirections; ++d)
        dirs.push_back(rb.reshape(stepsH[d][t], {1, 1, batch, hidden}));
      steps.push_back(concat(dirs, 1));
    }
    Value y = concat(steps, 0);
    if (n.layout == 1)
      y = TransposeOp::create(
          b, rb.loc, rb.tensorType({batch, seqLength, numDirections, hidden}),
          y, b.getDenseI64ArrayAttr({2, 0, 1, 3}));
    if (y.getType() != n.y.getType())
      return nodeError(op) << "output Y has type " << n.y.getType()
                           << "; expected " << y.getType();
    n.y.replaceAllUsesWith(y);
  }
  if (!n.yH.use_empty())
    n.yH.replaceAllUsesWith(states(lastH));
  if (n.yC && !n.yC.use_empty())
    n.yC.replaceAllUsesWith(states(lastC));
  op->erase();
  return success();
}

/// Reads an RNN, GRU or LSTM op into a RecurrentNode.
template <typename OpTy>
FailureOr<RecurrentNode> readNode(OpTy op, RecurrentNode::Kind kind,
                                  ArrayRef<StringRef> defaultActivations) {
  RecurrentNode n;
  n.kind = kind;
  n.op = op;
  n.x = op.getX();
  n.w = op.getW();
  n.r = op.getR();
  n.bias = op.getB();
  n.sequenceLens = op.getSequenceLens();
  n.initialH = op.getInitialH();
  n.direction = op.getDirection();
  n.layout = op.getLayout();
  if (std::optional<APFloat> clip = op.getClip())
    n.clip = clip->convertToFloat();
  n.y = op->getResult(0);
  n.yH = op->getResult(1);
  if (n.direction != "forward" && n.direction != "reverse" &&
      n.direction != "bidirectional") {
    nodeError(op) << "attribute 'direction' must be forward, reverse or "
                     "bidirectional, not '"
                  << n.direction << "'";
    return failure();
  }
  int64_t numDirections = n.direction == "bidirectional" ? 2 : 1;
  FailureOr<SmallVector<Activation>> fns = parseActivations(
      op, op.getActivations(), op.getActivationAlpha(),
      op.getActivationBeta(), defaultActivations, numDirections);
  if (failed(fns))
    return failure();
  n.activations = std::move(*fns);
  return n;
}

struct ExpandRecurrentPass
    : impl::ExpandRecurrentPassBase<ExpandRecurrentPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<RNNOp, GRUOp, LSTMOp>(op))
        ops.push_back(op);
    });
    bool failedAny = false;
    for (Operation *op : ops) {
      if (!hasStaticShapes(op))
        continue;
      FailureOr<RecurrentNode> node = failure();
      if (auto rnn = dyn_cast<RNNOp>(op)) {
        node = readNode(rnn, RecurrentNode::Rnn, {"Tanh"});
      } else if (auto gru = dyn_cast<GRUOp>(op)) {
        node = readNode(gru, RecurrentNode::Gru, {"Sigmoid", "Tanh"});
        if (succeeded(node))
          node->linearBeforeReset = gru.getLinearBeforeReset() != 0;
      } else {
        auto lstm = cast<LSTMOp>(op);
        node = readNode(lstm, RecurrentNode::Lstm, {"Sigmoid", "Tanh", "Tanh"});
        if (succeeded(node)) {
          node->initialC = lstm.getInitialC();
          node->peepholes = lstm.getP();
          node->yC = lstm.getYC();
          node->inputForget = lstm.getInputForget() != 0;
        }
      }
      if (failed(node) || failed(expand(*node))) {
        failedAny = true;
        continue;
      }
      ++numExpanded;
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
} // namespace aicc::graph
