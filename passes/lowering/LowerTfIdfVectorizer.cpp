//===- LowerTfIdfVectorizer.cpp - TfIdfVectorizer to linalg --------------===//
//
// graph.TfIdfVectorizer over integer input rows (C or B x C) with the
// n-gram pool in pool_int64s. The pool is expanded at compile time into one
// n-gram per output column o (ngram_indexes maps the n-grams, in pool order,
// to columns; a column no n-gram maps to stays 0). As in ONNX's reference
// (and ONNX Runtime), an n-gram of length n in [min_gram_length,
// max_gram_length] occurs at start p with skip distance s when
// X[p + k*s] = gram[k] for k < n, all inside the row; unigrams count with
// s = 1 only, longer n-grams with every s in 1..max_skip_count+1. When the
// pool lists an n-gram twice, its later entry gets the counts.
//
// The counts are one linalg.generic over rows x columns x skips x starts
// (the last two reductions) comparing the row against constant tables of
// the columns' n-grams, then the weighting: TF the count, IDF
// weights[o] (1 without weights) when the count is positive, TFIDF
// weights[o] * count (the count without weights).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <map>

using namespace mlir;

namespace aicc::lowering {
namespace {

struct TfIdfVectorizerPattern : LoweringPattern<graph::TfIdfVectorizerOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::TfIdfVectorizerOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    std::optional<ArrayRef<int64_t>> pool = op.getPoolInt64s();
    if (!pool)
      return rewriter.notifyMatchFailure(
          op, "only pool_int64s is supported (string pools are not)");
    StringRef mode = op.getMode();
    if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
      return rewriter.notifyMatchFailure(op, "mode must be TF, IDF or TFIDF");
    int64_t minGram = op.getMinGramLength();
    int64_t maxGram = op.getMaxGramLength();
    int64_t maxSkip = op.getMaxSkipCount();
    if (minGram < 1 || maxGram < minGram || maxSkip < 0)
      return rewriter.notifyMatchFailure(
          op, "needs 1 <= min_gram_length <= max_gram_length and "
              "max_skip_count >= 0");
    ArrayRef<int64_t> counts = op.getNgramCounts();
    ArrayRef<int64_t> indexes = op.getNgramIndexes();
    int64_t width = yType.getShape().back();
    std::optional<ArrayRef<float>> weights = op.getWeights();
    if (weights && !weights->empty() && (int64_t)weights->size() < width)
      return rewriter.notifyMatchFailure(op, "fewer weights than outputs");

    // The n-grams of the pool in order (n-gram id i is entry i), with the
    // column each one counts into; only lengths in [minGram, maxGram] count.
    std::map<SmallVector<int64_t>, int64_t> lastId;
    SmallVector<SmallVector<int64_t>> grams;
    int64_t total = pool->size();
    for (size_t i = 0; i < counts.size(); ++i) {
      int64_t n = i + 1;
      int64_t begin = counts[i];
      int64_t end = i + 1 < counts.size() ? counts[i + 1] : total;
      if (begin < 0 || end > total || begin > end)
        return rewriter.notifyMatchFailure(op, "malformed ngram_counts");
      for (int64_t p = begin; p + n <= end; p += n) {
        SmallVector<int64_t> gram(pool->begin() + p, pool->begin() + p + n);
        if (n >= minGram && n <= maxGram)
          lastId[gram] = grams.size();
        grams.push_back(gram);
      }
    }
    if ((int64_t)indexes.size() < (int64_t)grams.size())
      return rewriter.notifyMatchFailure(op,
                                         "fewer ngram_indexes than n-grams");
    // Per column: its n-gram (padded with 0) and length (0: none).
    int64_t gramWidth = std::max<int64_t>(maxGram, 1);
    SmallVector<int64_t> table(width * gramWidth, 0), lengths(width, 0);
    for (auto &[gram, id] : lastId) {
      int64_t column = indexes[id];
      if (column < 0 || column >= width)
        return rewriter.notifyMatchFailure(op, "ngram_indexes out of range");
      if (lengths[column] != 0)
        return rewriter.notifyMatchFailure(
            op, "two n-grams mapped to one output column are not supported");
      lengths[column] = gram.size();
      llvm::copy(gram, table.begin() + column * gramWidth);
    }

    Location loc = op.getLoc();
    Value x = op.getX();
    int64_t rows = xType.getRank() == 2 ? xType.getDimSize(0) : 1;
    int64_t rowSize = xType.getShape().back();
    if (xType.getRank() == 1)
      x = reshapeTo(rewriter, loc, x, {1, rowSize});
    Type i64 = rewriter.getI64Type();
    auto i64Constant = [&](ArrayRef<int64_t> shape, ArrayRef<int64_t> values) {
      auto type = RankedTensorType::get(shape, i64);
      return graph::ConstantOp::create(rewriter, loc,
                                       DenseElementsAttr::get(type, values))
          .getResult();
    };
    Value gramTable = i64Constant({width, gramWidth}, table);
    Value lengthTable = i64Constant({width}, lengths);
    int64_t numSkips = maxSkip + 1;
    SmallVector<int64_t> skipValues;
    for (int64_t s = 1; s <= numSkips; ++s)
      skipValues.push_back(s);
    Value skips = i64Constant({numSkips}, skipValues);

    // counts[b, o] = sum over (s, p) of the match of column o's n-gram.
    Type f32 = rewriter.getF32Type();
    Value init = createFilled(rewriter, loc, {rows, width},
                              constScalar(rewriter, loc, f32, 0.0));
    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(4, 0, {d(2)}, ctx), AffineMap::get(4, 0, {d(0), d(3)}, ctx),
        AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction, utils::IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{skips, x}, ValueRange{init},
        maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto ci = [&](int64_t v) { return constInt(b, l, i64, v); };
          auto toIndex = [&](Value v) -> Value {
            return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
          };
          auto toI64 = [&](Value v) -> Value {
            v = toSignlessScalar(b, l, v);
            return v.getType() == i64
                       ? v
                       : (Value)arith::ExtSIOp::create(b, l, i64, v);
          };
          Value s = args[0];
          Value bi = linalg::IndexOp::create(b, l, 0);
          Value o = linalg::IndexOp::create(b, l, 1);
          Value p = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, 3));
          Value n = tensor::ExtractOp::create(b, l, lengthTable, ValueRange{o});
          // A column with an n-gram; unigrams only with skip 1; the last
          // item inside the row.
          Value match = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt,
                                              n, ci(0));
          Value unigram =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, n, ci(1));
          Value skipOne =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, s, ci(1));
          match = arith::AndIOp::create(
              b, l, match,
              arith::OrIOp::create(
                  b, l, skipOne,
                  arith::XOrIOp::create(b, l, unigram,
                                        constInt(b, l, b.getI1Type(), 1))));
          Value lastPos = arith::AddIOp::create(
              b, l, p,
              arith::MulIOp::create(
                  b, l, arith::SubIOp::create(b, l, n, ci(1)), s));
          match = arith::AndIOp::create(
              b, l, match,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, lastPos,
                                    ci(rowSize)));
          for (int64_t k = 0; k < gramWidth; ++k) {
            Value pos = arith::AddIOp::create(
                b, l, p, arith::MulIOp::create(b, l, s, ci(k)));
            pos = arith::MinSIOp::create(b, l, pos, ci(rowSize - 1));
            Value item = k == 0 ? args[1]
                                : (Value)tensor::ExtractOp::create(
                                      b, l, x, ValueRange{bi, toIndex(pos)});
            Value expected = tensor::ExtractOp::create(
                b, l, gramTable, ValueRange{o, constIndex(b, l, k)});
            Value same = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                               toI64(item), expected);
            Value unused = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle,
                                                 n, ci(k));
            match = arith::AndIOp::create(
                b, l, match, arith::OrIOp::create(b, l, same, unused));
          }
          Value one = arith::UIToFPOp::create(b, l, f32, match);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::AddFOp::create(
                                      b, l, args[2], one)});
        });
    Value countsValue = generic.getResult(0);

    bool hasWeights = weights && !weights->empty();
    Value weightTable;
    if (hasWeights) {
      auto type = RankedTensorType::get({width}, f32);
      weightTable = graph::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(type, weights->take_front(width)));
    }
    Value result = countsValue;
    if (mode != "TF") {
      SmallVector<Value> inputs = {countsValue};
      if (hasWeights)
        inputs.push_back(weightTable);
      result = buildElementwise(
          rewriter, loc, inputs, {rows, width}, f32,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value w = hasWeights ? a[1] : constScalar(b, l, f32, 1.0);
            if (mode == "TFIDF")
              return hasWeights ? (Value)arith::MulFOp::create(b, l, w, a[0])
                                : a[0];
            Value positive = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OGT, a[0],
                constScalar(b, l, f32, 0.0));
            return arith::SelectOp::create(b, l, positive, w,
                                           constScalar(b, l, f32, 0.0));
          });
    }
    if (yType.getRank() == 1)
      result = reshapeTo(rewriter, loc, result, {width});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateTfIdfVectorizerPatterns(RewritePatternSet &patterns) {
  patterns.add<TfIdfVectorizerPattern>(patterns.getContext());
}

} // namespace aicc::lowering
