//===- ExpandEinsum.cpp - Einsum into Transpose/Reshape/MatMul/ReduceSum -===//
//
// An Einsum with static shapes is rewritten into ops the lowering handles.
// The equation's labels become dimension ids (an ellipsis becomes ids of its
// own, right-aligned across the inputs as NumPy broadcasts them). Per input,
// a repeated label takes the diagonal (graph.Where with a constant identity
// mask, then graph.ReduceSum over the second axis) and a label no other
// input or the output has is summed away. The inputs are then contracted
// left to right, two at a time: labels of both inputs that are still needed
// are batch dims, the other shared labels are contracted, so each pair is a
// graph.Transpose + graph.Reshape of both sides to [batch..., M, K] and
// [batch..., K, N], one batched graph.MatMul (which broadcasts size-1 batch
// dims) and a graph.Reshape back; a last graph.Transpose orders the output.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/GraphOpBuilder.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Debug.h"
#include <map>

#define DEBUG_TYPE "aicc-graph-expand-einsum"

using namespace mlir;

namespace aicc::graph {

#define GEN_PASS_DEF_EXPANDEINSUMPASS
#include "passes/graph/Passes.h.inc"

namespace {

/// Dimension ids: a letter's character code, or kEllipsisBase + k for the
/// k-th dimension of the broadcast ellipsis.
constexpr int kEllipsisBase = 256;

/// One operand in the middle of the expansion: its value and the label of
/// each of its dimensions.
struct Term {
  Value value;
  SmallVector<int> ids;

  ArrayRef<int64_t> shape() const {
    return cast<RankedTensorType>(value.getType()).getShape();
  }
  int64_t size(int id) const {
    return shape()[llvm::find(ids, id) - ids.begin()];
  }
  bool has(int id) const { return llvm::is_contained(ids, id); }
};

/// A parsed equation: the labels of each input and of the output.
struct Equation {
  SmallVector<SmallVector<int>> inputs;
  SmallVector<int> output;
};

/// Parses `text` for inputs of the given ranks, or returns an error message.
FailureOr<Equation> parseEquation(StringRef text, ArrayRef<int64_t> ranks,
                                  std::string &error) {
  std::string compact;
  for (char c : text)
    if (!isspace((unsigned char)c))
      compact.push_back(c);
  StringRef eq(compact);
  auto [lhs, rhs] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ranks.size()) {
    error = "has " + std::to_string(terms.size()) + " input terms for " +
            std::to_string(ranks.size()) + " inputs";
    return failure();
  }
  // Letters and the number of ellipsis dims of each term.
  SmallVector<std::pair<std::string, int64_t>> parsed;
  int64_t ellipsisRank = 0;
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    size_t dots = term.find("...");
    std::string letters = term.str();
    bool hasEllipsis = dots != StringRef::npos;
    if (hasEllipsis)
      letters.erase(dots, 3);
    for (char c : letters)
      if (!isalpha((unsigned char)c)) {
        error = "has an invalid label '" + std::string(1, c) + "'";
        return failure();
      }
    int64_t e = rank - (int64_t)letters.size();
    if (e < 0 || (!hasEllipsis && e != 0)) {
      error = "term '" + term.str() + "' does not match an input of rank " +
              std::to_string(rank);
      return failure();
    }
    ellipsisRank = std::max(ellipsisRank, e);
    parsed.push_back({term.str(), e});
  }
  Equation result;
  std::map<int, int> counts;
  auto expand = [&](StringRef term, int64_t e, SmallVector<int> &ids) {
    for (size_t i = 0; i < term.size();) {
      if (term.substr(i).starts_with("...")) {
        for (int64_t k = 0; k < e; ++k)
          ids.push_back(kEllipsisBase + (ellipsisRank - e) + k);
        i += 3;
        continue;
      }
      ids.push_back((unsigned char)term[i]);
      ++i;
    }
  };
  for (auto &[term, e] : parsed) {
    SmallVector<int> ids;
    expand(term, e, ids);
    for (int id : ids)
      ++counts[id];
    result.inputs.push_back(std::move(ids));
  }
  if (explicitOutput) {
    if (rhs.contains("...") || ellipsisRank == 0) {
      expand(rhs, ellipsisRank, result.output);
    } else {
      // The ellipsis dims are summed when the output leaves them out.
      expand(rhs, 0, result.output);
    }
    for (int id : result.output)
      if (!counts.count(id)) {
        error = "output label '" + std::string(1, (char)id) +
                "' is not in any input";
        return failure();
      }
    if (llvm::SmallDenseSet<int>(result.output.begin(), result.output.end())
            .size() != result.output.size()) {
      error = "repeats a label in the output";
      return failure();
    }
  } else {
    // Implicit output: the ellipsis, then the labels used once, sorted.
    for (int64_t k = 0; k < ellipsisRank; ++k)
      result.output.push_back(kEllipsisBase + k);
    for (auto [id, count] : counts)
      if (id < kEllipsisBase && count == 1)
        result.output.push_back(id);
  }
  return result;
}

class EinsumExpander : public GraphOpBuilder {
public:
  using GraphOpBuilder::GraphOpBuilder;

  /// `t` with its dims in the order `ids`.
  void permute(Term &t, ArrayRef<int> ids) {
    if (t.ids == ids)
      return;
    SmallVector<int64_t> perm, shape;
    for (int id : ids) {
      int64_t pos = llvm::find(t.ids, id) - t.ids.begin();
      perm.push_back(pos);
      shape.push_back(t.shape()[pos]);
    }
    t.value = TransposeOp::create(b, loc, tensorType(shape), t.value,
                                  b.getDenseI64ArrayAttr(perm));
    t.ids.assign(ids.begin(), ids.end());
  }

  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (cast<RankedTensorType>(v.getType()).getShape() == shape)
      return v;
    return ReshapeOp::create(b, loc, tensorType(shape), v, i64s(shape),
                             b.getI64IntegerAttr(0));
  }

  /// Sums `t` over the dims labelled `ids`.
  void sum(Term &t, ArrayRef<int> ids) {
    if (ids.empty())
      return;
    SmallVector<int64_t> axes, shape;
    SmallVector<int> kept;
    for (auto [pos, id] : llvm::enumerate(t.ids)) {
      if (llvm::is_contained(ids, id)) {
        axes.push_back(pos);
      } else {
        kept.push_back(id);
        shape.push_back(t.shape()[pos]);
      }
    }
    t.value = ReduceSumOp::create(b, loc, tensorType(shape), t.value, i64s(axes),
                                  b.getI64IntegerAttr(0),
                                  b.getI64IntegerAttr(0));
    t.ids = kept;
  }

  /// Keeps the diagonal of the dims at `p` < `q` (same label, same size)
  /// and drops dim `q`.
  void diagonal(Term &t, int64_t p, int64_t q) {
    ArrayRef<int64_t> shape = t.shape();
    int64_t n = shape[p];
    SmallVector<int64_t> maskShape(shape.size(), 1);
    maskShape[p] = maskShape[q] = n;
    SmallVector<bool> mask(n * n);
    for (int64_t i = 0; i < n; ++i)
      mask[i * n + i] = true;
    auto maskType = RankedTensorType::get(maskShape, b.getI1Type());
    Value maskValue =
        ConstantOp::create(b, loc, DenseElementsAttr::get(maskType, mask));
    // Where rather than a product with the identity, so that an infinity
    // or NaN off the diagonal does not reach the sum.
    Attribute zeroAttr = isa<FloatType>(elementType)
                             ? Attribute(FloatAttr::get(elementType, 0.0))
                             : Attribute(IntegerAttr::get(elementType, 0));
    Value zero = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, elementType),
                               zeroAttr));
    t.value = WhereOp::create(b, loc, maskValue, t.value, zero);
    SmallVector<int64_t> axes = {q};
    SmallVector<int64_t> outShape(shape);
    outShape.erase(outShape.begin() + q);
    t.value = ReduceSumOp::create(b, loc, tensorType(outShape), t.value, i64s(axes),
                                  b.getI64IntegerAttr(0),
                                  b.getI64IntegerAttr(0));
    t.ids.erase(t.ids.begin() + q);
  }

  /// Contracts `a` and `c` into one term that keeps the labels `keep`
  /// says are still needed.
  FailureOr<Term> contract(Term a, Term c, function_ref<bool(int)> keep,
                           std::string &error) {
    SmallVector<int> batch, contracted, aOnly, cOnly, sumA, sumC;
    for (int id : a.ids) {
      if (c.has(id))
        (keep(id) ? batch : contracted).push_back(id);
      else
        (keep(id) ? aOnly : sumA).push_back(id);
    }
    for (int id : c.ids)
      if (!a.has(id))
        (keep(id) ? cOnly : sumC).push_back(id);
    sum(a, sumA);
    sum(c, sumC);
    int64_t m = 1, n = 1, k = 1;
    SmallVector<int64_t> batchA, batchC, batchOut, outShape;
    for (int id : batch) {
      batchA.push_back(a.size(id));
      batchC.push_back(c.size(id));
      if (a.size(id) != c.size(id) && a.size(id) != 1 && c.size(id) != 1) {
        error = "dimension sizes " + std::to_string(a.size(id)) + " and " +
                std::to_string(c.size(id)) + " of one label do not broadcast";
        return failure();
      }
      batchOut.push_back(std::max(a.size(id), c.size(id)));
    }
    for (int id : contracted) {
      if (a.size(id) != c.size(id)) {
        error = "contracted dimension sizes " + std::to_string(a.size(id)) +
                " and " + std::to_string(c.size(id)) + " differ";
        return failure();
      }
      k *= a.size(id);
    }
    outShape = batchOut;
    for (int id : aOnly) {
      m *= a.size(id);
      outShape.push_back(a.size(id));
    }
    for (int id : cOnly) {
      n *= c.size(id);
      outShape.push_back(c.size(id));
    }
    SmallVector<int> orderA(batch), orderC(batch);
    llvm::append_range(orderA, aOnly);
    llvm::append_range(orderA, contracted);
    llvm::append_range(orderC, contracted);
    llvm::append_range(orderC, cOnly);
    permute(a, orderA);
    permute(c, orderC);
    SmallVector<int64_t> shapeA(batchA), shapeC(batchC), shapeMN(batchOut);
    shapeA.append({m, k});
    shapeC.append({k, n});
    shapeMN.append({m, n});
    Value lhs = reshape(a.value, shapeA);
    Value rhs = reshape(c.value, shapeC);
    Value product = MatMulOp::create(b, loc, tensorType(shapeMN), lhs, rhs);
    Term result;
    result.value = reshape(product, outShape);
    result.ids = batch;
    llvm::append_range(result.ids, aOnly);
    llvm::append_range(result.ids, cOnly);
    return result;
  }
};

LogicalResult expandEinsum(EinsumOp op) {
  auto fail = [&](const Twine &message) {
    op->emitError() << "Einsum: equation '" << op.getEquation() << "' "
                    << message;
    return failure();
  };
  auto resultType = cast<RankedTensorType>(op.getType());
  SmallVector<int64_t> ranks;
  for (Value v : op.getInputs())
    ranks.push_back(cast<RankedTensorType>(v.getType()).getRank());
  std::string error;
  FailureOr<Equation> eq = parseEquation(op.getEquation(), ranks, error);
  if (failed(eq))
    return fail(error);

  OpBuilder b(op);
  EinsumExpander ex(b, op.getLoc(), resultType.getElementType());
  SmallVector<Term> terms;
  for (auto [v, ids] : llvm::zip(op.getInputs(), eq->inputs))
    terms.push_back({v, ids});

  // A label needed after input `i`: in the output or in a later input.
  auto neededAfter = [&](size_t i, int id) {
    if (llvm::is_contained(eq->output, id))
      return true;
    for (size_t j = i + 1; j < terms.size(); ++j)
      if (terms[j].has(id))
        return true;
    return false;
  };
  for (size_t i = 0; i < terms.size(); ++i) {
    Term &t = terms[i];
    // Diagonals first: a label repeated within one input.
    for (size_t p = 0; p < t.ids.size(); ++p)
      for (size_t q = p + 1; q < t.ids.size();) {
        if (t.ids[p] != t.ids[q]) {
          ++q;
          continue;
        }
        if (t.shape()[p] != t.shape()[q])
          return fail("repeats a label over dimensions of different sizes");
        ex.diagonal(t, p, q);
      }
    // Labels only this input has and the output does not.
    SmallVector<int> alone;
    for (int id : t.ids) {
      bool elsewhere = llvm::is_contained(eq->output, id);
      for (size_t j = 0; j < terms.size(); ++j)
        if (j != i && terms[j].has(id))
          elsewhere = true;
      if (!elsewhere)
        alone.push_back(id);
    }
    ex.sum(t, alone);
  }
  Term acc = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) {
    FailureOr<Term> next = ex.contract(
        acc, terms[i], [&](int id) { return neededAfter(i, id); }, error);
    if (failed(next))
      return fail(error);
    acc = *next;
  }
  SmallVector<int> extra;
  for (int id : acc.ids)
    if (!llvm::is_contained(eq->output, id))
      extra.push_back(id);
  ex.sum(acc, extra);
  ex.permute(acc, eq->output);
  if (acc.value.getType() != resultType) {
    // A label of size 1 broadcast against a larger one in the output.
    std::string message;
    llvm::raw_string_ostream os(message);
    os << "gives " << acc.value.getType() << " where the node's type is "
       << resultType;
    return fail(message);
  }
  if (acc.value == op.getInputs()[0])
    acc.value = IdentityOp::create(b, op.getLoc(), acc.value);
  op.replaceAllUsesWith(acc.value);
  op.erase();
  return success();
}

struct ExpandEinsumPass : impl::ExpandEinsumPassBase<ExpandEinsumPass> {
  void runOnOperation() override {
    SmallVector<EinsumOp> ops;
    getOperation().walk([&](EinsumOp op) { ops.push_back(op); });
    bool failedAny = false;
    for (EinsumOp op : ops) {
      // Dynamic shapes are left to aicc-graph-check-static-shapes, which
      // names the dims to fix.
      auto isStatic = [](Type t) {
        auto ranked = dyn_cast<RankedTensorType>(t);
        return ranked && ranked.hasStaticShape();
      };
      if (!llvm::all_of(op->getOperandTypes(), isStatic) ||
          !isStatic(op.getType()))
        continue;
      if (failed(expandEinsum(op))) {
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
