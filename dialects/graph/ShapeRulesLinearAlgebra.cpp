//===- ShapeRulesLinearAlgebra.cpp - Result types of Einsum, Det ----------===//
//
// inferReturnTypes for Einsum (with a parser of the equation) and Det,
// following the ONNX specification of the newest opset.
//
// Conventions are those of ShapeInference.h; shared helpers are in
// ShapeRulesNNHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "dialects/graph/ShapeRulesNNHelpers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;

namespace aicc::graph {
using namespace nn_rules;

namespace {

/// One term of an einsum equation: labels before and after an optional
/// ellipsis.
struct EinsumTerm {
  SmallVector<char> before, after;
  bool ellipsis = false;
  size_t numLabels() const { return before.size() + after.size(); }
};

bool parseEinsumTerm(StringRef text, EinsumTerm &term) {
  size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (llvm::isAlpha(c)) {
      (term.ellipsis ? term.after : term.before).push_back(c);
      ++pos;
      continue;
    }
    if (text.substr(pos).starts_with("...") && !term.ellipsis) {
      term.ellipsis = true;
      pos += 3;
      continue;
    }
    return false;
  }
  return true;
}

FailureOr<OptShape> inferEinsumShape(Loc loc, StringRef equation,
                                     ValueRange inputs) {
  StringRef op = "Einsum";
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  StringRef lhs = eq, rhs;
  bool explicitOutput = false;
  size_t arrow = lhs.find("->");
  if (arrow != StringRef::npos) {
    rhs = lhs.substr(arrow + 2);
    lhs = lhs.substr(0, arrow);
    explicitOutput = true;
  }
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (termTexts.size() != inputs.size())
    return emitOptionalError(loc, op, ": equation '", equation, "' has ",
                             termTexts.size(), " input terms but there are ",
                             inputs.size(), " inputs");

  auto malformed = [&](StringRef term) {
    return emitOptionalError(loc, op, ": malformed term '", term,
                             "' in equation '", equation, "'");
  };
  std::map<char, int64_t> labelDims;
  std::map<char, int> labelCounts;
  SmallVector<SmallVector<int64_t>> ellipsisShapes;
  bool anyEllipsis = false, ellipsisUnknown = false;
  // Labelled dims broadcast like NumPy's einsum: a size-1 dim yields.
  auto mergeLabel = [&](char label, int64_t d, size_t input) -> LogicalResult {
    auto [it, inserted] = labelDims.try_emplace(label, d);
    if (inserted)
      return success();
    int64_t &cur = it->second;
    if (cur == 1 || (isDyn(cur) && !isDyn(d) && d != 1))
      cur = d;
    else if (!isDyn(d) && d != 1 && !isDyn(cur) && cur != d)
      return emitOptionalError(loc, op, ": label '", StringRef(&label, 1),
                               "' has size ", d, " in input ", input,
                               " but size ", cur, " elsewhere");
    return success();
  };

  for (auto [i, text] : llvm::enumerate(termTexts)) {
    EinsumTerm term;
    if (!parseEinsumTerm(text, term))
      return malformed(text);
    for (char c : term.before)
      ++labelCounts[c];
    for (char c : term.after)
      ++labelCounts[c];
    anyEllipsis |= term.ellipsis;
    OptShape s = shapeOf(inputs[i]);
    if (!s) {
      if (term.ellipsis)
        ellipsisUnknown = true;
      for (char c : term.before)
        (void)labelDims.try_emplace(c, kDyn);
      for (char c : term.after)
        (void)labelDims.try_emplace(c, kDyn);
      continue;
    }
    int64_t rank = s->size(), labels = term.numLabels();
    if ((!term.ellipsis && rank != labels) || rank < labels)
      return emitOptionalError(loc, op, ": term '", text, "' has ", labels,
                               " labels but input ", i, " has rank ", rank);
    int64_t ellipsisRank = rank - labels;
    for (auto [j, c] : llvm::enumerate(term.before))
      if (failed(mergeLabel(c, (*s)[j], i)))
        return failure();
    for (auto [j, c] : llvm::enumerate(term.after))
      if (failed(mergeLabel(c, (*s)[term.before.size() + ellipsisRank + j], i)))
        return failure();
    if (term.ellipsis)
      ellipsisShapes.push_back(SmallVector<int64_t>(
          ArrayRef<int64_t>(*s).slice(term.before.size(), ellipsisRank)));
  }

  SmallVector<int64_t> ellipsisShape;
  if (!ellipsisShapes.empty()) {
    auto b = broadcastShapes(loc, ellipsisShapes);
    if (failed(b))
      return failure();
    ellipsisShape = *b;
  }

  Shape out;
  if (explicitOutput) {
    EinsumTerm term;
    if (!parseEinsumTerm(rhs, term))
      return malformed(rhs);
    if (term.ellipsis && ellipsisUnknown)
      return OptShape();
    llvm::SmallDenseSet<char> seen;
    auto addLabel = [&](char c) -> LogicalResult {
      if (!labelDims.count(c) || !seen.insert(c).second)
        return emitOptionalError(
            loc, op, ": output label '", StringRef(&c, 1),
            "' must appear in the inputs and only once in the output");
      out.push_back(labelDims[c]);
      return success();
    };
    for (char c : term.before)
      if (failed(addLabel(c)))
        return failure();
    if (term.ellipsis)
      out.append(ellipsisShape.begin(), ellipsisShape.end());
    for (char c : term.after)
      if (failed(addLabel(c)))
        return failure();
    return OptShape(out);
  }
  // Implicit form: broadcast dims, then labels seen once in ASCII order.
  if (anyEllipsis) {
    if (ellipsisUnknown)
      return OptShape();
    out.append(ellipsisShape.begin(), ellipsisShape.end());
  }
  for (auto [label, count] : labelCounts)
    if (count == 1)
      out.push_back(labelDims[label]);
  return OptShape(out);
}

} // namespace

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         EinsumOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringAttr equation = adaptor.getProperties().equation;
  if (!equation)
    return missingAttr(location, "Einsum", "equation");
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "Einsum: expected at least one input");
  auto shape = inferEinsumShape(location, equation.getValue(), inputs);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(inputs[0])));
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      DetOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "Det";
  Value x = adaptor.getX();
  OptShape s = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", s, 2)))
    return failure();
  if (s) {
    int64_t r = s->size();
    if (failed(mergeDim(location, op, (*s)[r - 2],
                        ("dim " + Twine(r - 2) + " of X").str(), (*s)[r - 1],
                        ("dim " + Twine(r - 1) + " of X").str())))
      return failure();
    s->resize(r - 2);
  }
  types.push_back(tensorOf(s, elemOf(x)));
  return success();
}

} // namespace aicc::graph
