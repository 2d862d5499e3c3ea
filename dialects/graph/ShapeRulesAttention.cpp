//===- ShapeRulesAttention.cpp - Result types of attention ops ------------===//
//
// inferReturnTypes for Attention, LinearAttention, RotaryEmbedding, SwiGLU
// and TensorScatter (the KV-cache update), following the ONNX
// specification of the newest opset. Attention's present_key and
// present_value results always exist.
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

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            AttentionOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef op = "Attention";
  Value q = adaptor.getQ(), k = adaptor.getK(), v = adaptor.getV();
  OptShape qs = shapeOf(q), ks = shapeOf(k), vs = shapeOf(v);
  if (failed(checkRankEither(location, op, "Q", qs, 3, 4)) ||
      failed(checkRankEither(location, op, "K", ks, 3, 4)) ||
      failed(checkRankEither(location, op, "V", vs, 3, 4)) ||
      failed(checkSameRank(location, op, "K", ks, "Q", qs)) ||
      failed(checkSameRank(location, op, "V", vs, "Q", qs)) ||
      failed(checkSameRank(location, op, "V", vs, "K", ks)))
    return failure();
  Value pastKey = adaptor.getPastKey(), pastValue = adaptor.getPastValue();
  if (!pastKey != !pastValue)
    return emitOptionalError(
        location, op, ": past_key and past_value must be given together");
  if (pastKey && adaptor.getNonpadKvSeqlen())
    return emitOptionalError(
        location, op,
        ": nonpad_kv_seqlen cannot be combined with past_key and past_value");
  OptShape pks = shapeOf(pastKey), pvs = shapeOf(pastValue);
  if (failed(checkRank(location, op, "past_key", pks, 4)) ||
      failed(checkRank(location, op, "past_value", pvs, 4)))
    return failure();

  std::optional<int64_t> rank;
  for (const OptShape &s : {qs, ks, vs})
    if (s)
      rank = s->size();
  int64_t batch = kDyn, qHeads = kDyn, kvHeads = kDyn, qSeq = kDyn,
          kvSeq = kDyn, headSize = kDyn, vHeadSize = kDyn;
  auto merge = [&](int64_t &into, int64_t a, StringRef aWhat, int64_t b,
                   StringRef bWhat) {
    auto d = mergeDim(location, op, a, aWhat, b, bWhat);
    if (succeeded(d))
      into = *d;
    return succeeded(d);
  };
  auto divide = [&](int64_t &into, int64_t value, StringRef what, int64_t heads,
                    StringRef headsWhat) {
    auto d = divideDim(location, op, value, what, heads, headsWhat);
    if (succeeded(d))
      into = *d;
    return succeeded(d);
  };
  if (rank == 3) {
    IntegerAttr qAttr = adaptor.getQNumHeadsAttr(),
                kvAttr = adaptor.getKvNumHeadsAttr();
    if (!qAttr || !kvAttr)
      return emitOptionalError(
          location, op,
          ": q_num_heads and kv_num_heads are required for 3-D inputs");
    qHeads = qAttr.getValue().getSExtValue();
    kvHeads = kvAttr.getValue().getSExtValue();
    if (failed(checkPositive(location, op, "q_num_heads", qHeads)) ||
        failed(checkPositive(location, op, "kv_num_heads", kvHeads)))
      return failure();
    int64_t qHeadSize = kDyn, kHeadSize = kDyn;
    if (!merge(batch, dimAt(qs, 0), "dim 0 of Q", dimAt(ks, 0), "dim 0 of K") ||
        !merge(batch, batch, "batch size", dimAt(vs, 0), "dim 0 of V") ||
        !merge(kvSeq, dimAt(ks, 1), "dim 1 of K", dimAt(vs, 1), "dim 1 of V") ||
        !divide(qHeadSize, dimAt(qs, 2), "dim 2 of Q", qHeads, "q_num_heads") ||
        !divide(kHeadSize, dimAt(ks, 2), "dim 2 of K", kvHeads,
                "kv_num_heads") ||
        !merge(headSize, qHeadSize, "head size of Q", kHeadSize,
               "head size of K") ||
        !divide(vHeadSize, dimAt(vs, 2), "dim 2 of V", kvHeads, "kv_num_heads"))
      return failure();
    qSeq = dimAt(qs, 1);
  } else if (rank == 4) {
    if (!merge(batch, dimAt(qs, 0), "dim 0 of Q", dimAt(ks, 0), "dim 0 of K") ||
        !merge(batch, batch, "batch size", dimAt(vs, 0), "dim 0 of V") ||
        !merge(kvHeads, dimAt(ks, 1), "dim 1 of K", dimAt(vs, 1),
               "dim 1 of V") ||
        !merge(kvSeq, dimAt(ks, 2), "dim 2 of K", dimAt(vs, 2), "dim 2 of V") ||
        !merge(headSize, dimAt(qs, 3), "dim 3 of Q", dimAt(ks, 3),
               "dim 3 of K"))
      return failure();
    qHeads = dimAt(qs, 1);
    qSeq = dimAt(qs, 2);
    vHeadSize = dimAt(vs, 3);
  }
  if (failed(divideDim(location, op, qHeads, "the number of query heads",
                       kvHeads, "the number of key/value heads")))
    return failure();

  int64_t pastSeq = 0;
  if (pastKey) {
    if (!merge(pastSeq, dimAt(pks, 2), "dim 2 of past_key", dimAt(pvs, 2),
               "dim 2 of past_value") ||
        !merge(batch, batch, "batch size", dimAt(pks, 0),
               "dim 0 of past_key") ||
        !merge(kvHeads, kvHeads, "the number of key/value heads", dimAt(pks, 1),
               "dim 1 of past_key") ||
        !merge(headSize, headSize, "head size", dimAt(pks, 3),
               "dim 3 of past_key") ||
        !merge(vHeadSize, vHeadSize, "value head size", dimAt(pvs, 3),
               "dim 3 of past_value"))
      return failure();
  }
  int64_t totalSeq = addDims(pastSeq, kvSeq);

  OptShape y;
  if (rank == 3)
    y = Shape{batch, qSeq, mulDims(qHeads, vHeadSize)};
  else if (rank == 4)
    y = Shape{batch, qHeads, qSeq, vHeadSize};
  types.push_back(tensorOf(y, elemOf(q)));
  types.push_back(
      RankedTensorType::get({batch, kvHeads, totalSeq, headSize}, elemOf(k)));
  types.push_back(
      RankedTensorType::get({batch, kvHeads, totalSeq, vHeadSize}, elemOf(v)));
  types.push_back(
      RankedTensorType::get({batch, qHeads, qSeq, totalSeq}, elemOf(q)));
  return success();
}

LogicalResult LinearAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    LinearAttentionOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "LinearAttention";
  IntegerAttr qAttr = adaptor.getProperties().q_num_heads;
  IntegerAttr kvAttr = adaptor.getProperties().kv_num_heads;
  if (!qAttr)
    return missingAttr(location, op, "q_num_heads");
  if (!kvAttr)
    return missingAttr(location, op, "kv_num_heads");
  int64_t qHeads = qAttr.getValue().getSExtValue();
  int64_t kvHeads = kvAttr.getValue().getSExtValue();
  if (failed(checkPositive(location, op, "q_num_heads", qHeads)) ||
      failed(checkPositive(location, op, "kv_num_heads", kvHeads)) ||
      failed(divideDim(location, op, qHeads, "q_num_heads", kvHeads,
                       "kv_num_heads")))
    return failure();
  StringRef rule = strAttr(adaptor.getUpdateRuleAttr(), "gated_delta");
  if (failed(checkOneOf(location, op, "update_rule", rule,
                        {"linear", "gated", "delta", "gated_delta"})))
    return failure();
  if (rule.starts_with("gated") && !adaptor.getDecay())
    return emitOptionalError(location, op, ": update_rule '", rule,
                             "' requires the decay operand");
  if (rule.ends_with("delta") && !adaptor.getBeta())
    return emitOptionalError(location, op, ": update_rule '", rule,
                             "' requires the beta operand");

  Value query = adaptor.getQuery();
  OptShape qs = shapeOf(query), ks = shapeOf(adaptor.getKey()),
           vs = shapeOf(adaptor.getValue()),
           ps = shapeOf(adaptor.getPastState());
  if (failed(checkRank(location, op, "query", qs, 3)) ||
      failed(checkRank(location, op, "key", ks, 3)) ||
      failed(checkRank(location, op, "value", vs, 3)) ||
      failed(checkRank(location, op, "past_state", ps, 4)))
    return failure();
  auto batch = mergeDim(location, op, dimAt(qs, 0), "dim 0 of query",
                        dimAt(ks, 0), "dim 0 of key");
  auto seq = mergeDim(location, op, dimAt(qs, 1), "dim 1 of query",
                      dimAt(ks, 1), "dim 1 of key");
  if (failed(batch) || failed(seq))
    return failure();
  batch = mergeDim(location, op, *batch, "batch size", dimAt(vs, 0),
                   "dim 0 of value");
  seq = mergeDim(location, op, *seq, "sequence length", dimAt(vs, 1),
                 "dim 1 of value");
  if (failed(batch) || failed(seq))
    return failure();
  auto dk = divideDim(location, op, dimAt(ks, 2), "dim 2 of key", kvHeads,
                      "kv_num_heads");
  auto dkq = divideDim(location, op, dimAt(qs, 2), "dim 2 of query", qHeads,
                       "q_num_heads");
  auto dv = divideDim(location, op, dimAt(vs, 2), "dim 2 of value", kvHeads,
                      "kv_num_heads");
  if (failed(dk) || failed(dkq) || failed(dv))
    return failure();
  dk = mergeDim(location, op, *dk, "key head size", *dkq, "query head size");
  if (failed(dk))
    return failure();
  Shape state = {*batch, kvHeads, *dk, *dv};
  auto merged = mergeShapes(location, op, OptShape(state), "present_state", ps,
                            "past_state");
  if (failed(merged))
    return failure();
  Type stateElem =
      adaptor.getPastState() ? elemOf(adaptor.getPastState()) : elemOf(query);
  types.push_back(RankedTensorType::get({*batch, *seq, mulDims(qHeads, *dv)},
                                        elemOf(query)));
  types.push_back(RankedTensorType::get(**merged, stateElem));
  return success();
}

LogicalResult RotaryEmbeddingOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    RotaryEmbeddingOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "RotaryEmbedding";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkRankEither(location, op, "X", xs, 3, 4)))
    return failure();
  if (xs && xs->size() == 3) {
    IntegerAttr heads = adaptor.getNumHeadsAttr();
    if (!heads)
      return emitOptionalError(location, op,
                               ": num_heads is required for a 3-D X");
    if (failed(checkPositive(location, op, "num_heads",
                             heads.getValue().getSExtValue())) ||
        failed(divideDim(location, op, (*xs)[2], "dim 2 of X",
                         heads.getValue().getSExtValue(), "num_heads")))
      return failure();
  }
  types.push_back(x.getType());
  return success();
}

LogicalResult SwiGLUOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         SwiGLUOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto shape = mergeShapes(location, "SwiGLU", shapeOf(adaptor.getA()), "A",
                           shapeOf(adaptor.getB()), "B");
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getA())));
  return success();
}

LogicalResult TensorScatterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    TensorScatterOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "TensorScatter";
  Value past = adaptor.getPastCache();
  if (failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "linear"),
                        {"linear", "circular"})))
    return failure();
  OptShape ps = shapeOf(past), us = shapeOf(adaptor.getUpdate());
  if (failed(checkSameRank(location, op, "update", us, "past_cache", ps)))
    return failure();
  OptShape out = ps ? ps : us;
  if (out) {
    int64_t rank = out->size();
    auto axis = normalizeAxis(location, intAttr(adaptor.getAxisAttr(), -2),
                              rank, "axis");
    if (failed(axis))
      return failure();
    if (*axis == 0)
      return emitOptionalError(location, op,
                               ": axis must not be the batch dim 0");
    for (int64_t i = 0; i < rank; ++i) {
      int64_t p = dimAt(ps, i), u = dimAt(us, i);
      if (i == *axis) {
        (*out)[i] = p;
        if (!isDyn(p) && !isDyn(u) && u > p)
          return emitOptionalError(location, op, ": update has ", u,
                                   " entries along axis ", i,
                                   " but past_cache only ", p);
        continue;
      }
      auto d = mergeDim(location, op, p,
                        ("dim " + Twine(i) + " of past_cache").str(), u,
                        ("dim " + Twine(i) + " of update").str());
      if (failed(d))
        return failure();
      (*out)[i] = *d;
    }
  }
  types.push_back(tensorOf(out, elemOf(past)));
  return success();
}

} // namespace aicc::graph
