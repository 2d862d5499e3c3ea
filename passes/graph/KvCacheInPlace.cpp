//===- KvCacheInPlace.cpp - KV-cache pairs become persistent state -------===//
//
// A decoder exported "with past" takes its KV cache as inputs and returns
// Concat(past, new) as outputs, so every decode step copies the whole cache
// in, concatenates it (a second copy) and copies it out. This pass rewrites
// each past/present pair whose present is Concat(past, new, axis=2) so that
// the cache is a state tensor of [1, T_max, H, D] (token-major: the first
// past + sequence tokens are a dense prefix that a plain view reads), the
// step writes only the new rows and attention reads the prefix in place.
//
// It is a graph pass, not an exec one, because the pattern is a fact of the
// ONNX graph (a Concat of an input, returned as an output); after the
// lowering the Concat is split over kernels and the pairing is gone. What
// it produces (a Slice of an argument, an extra output) flows through the
// standard lowering, dispatch formation and symbolic shape machinery; the
// exec pass aicc-exec-kv-state then only turns the two new signature
// arguments into one persistent state buffer and the write into a copy.
//
// Paged layout (--kv-cache-layout=paged:block=B; the driver sets
// `aicc.kv_block = B` on the module): the state is a pool of
// ceil(T_max / B) whole blocks of B rows, `[1, NB * B, H, D]` with
// `aicc.kv_block = B` on the argument, and a block table argument
// `aicc.kv_table:<past>:<present>` (`[NB]` i32, logical block -> physical
// block, filled by the runtime) comes with it. The Slice of the state stays
// as a placeholder for the logical prefix, which
// aicc-fold-kv-cache-transpose turns into reads through the table (and
// fails on any read it cannot).
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/SymbolicShapes.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>

namespace aicc::graph {
#define GEN_PASS_DEF_KVCACHEINPLACEPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

struct KvCacheInPlacePass
    : impl::KvCacheInPlacePassBase<KvCacheInPlacePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty())
      return;
    auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    llvm::StringMap<unsigned> argIndex, resultIndex;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto name = func.getArgAttrOfType<StringAttr>(i, "graph.name"))
        argIndex[name.getValue()] = i;
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      if (auto name = func.getResultAttrOfType<StringAttr>(i, "graph.name"))
        resultIndex[name.getValue()] = i;

    SmallVector<std::pair<std::string, std::string>> names;
    if (pairs.empty() || pairs == "auto") {
      for (unsigned i = 0; i < func.getNumArguments(); ++i) {
        auto name = func.getArgAttrOfType<StringAttr>(i, "graph.name");
        if (!name)
          continue;
        StringRef text = name.getValue();
        std::string present;
        if (text.consume_front("past_key_values.") || text.consume_front("past."))
          present = ("present." + text).str();
        else
          continue;
        if (resultIndex.count(present))
          names.push_back({name.getValue().str(), present});
      }
    } else {
      SmallVector<StringRef> items;
      StringRef(pairs).split(items, ',', -1, /*KeepEmpty=*/false);
      for (StringRef item : items) {
        auto [past, present] = item.split(':');
        if (past.empty() || present.empty()) {
          func.emitError("--kv-cache: '") << item << "' is not PAST:PRESENT";
          return signalPassFailure();
        }
        if (!argIndex.count(past)) {
          func.emitError("--kv-cache: pair '")
              << item << "': no input named '" << past << "'";
          return signalPassFailure();
        }
        if (!resultIndex.count(present)) {
          func.emitError("--kv-cache: pair '")
              << item << "': no output named '" << present << "'";
          return signalPassFailure();
        }
        names.push_back({past.str(), present.str()});
      }
    }
    if (names.empty()) {
      func.emitWarning("--kv-cache=auto: no past_key_values.N.* (or past.N.*) "
                       "input has a present.N.* output; the cache stays in "
                       "the signature (name the pairs: --kv-cache=PAST:"
                       "PRESENT,...)");
      return;
    }

    // --kv-cache-layout=paged:block=N: the driver marks the module.
    int64_t block = 0;
    if (auto module = func->getParentOfType<ModuleOp>())
      if (auto attr = module->getAttrOfType<IntegerAttr>("aicc.kv_block"))
        block = attr.getInt();
    if (block < 0) {
      func.emitError("--kv-cache-layout: aicc.kv_block must be positive");
      return signalPassFailure();
    }

    SymbolicShapeAnalysis analysis(func);
    OpBuilder b(func.getContext());
    for (const auto &[pastName, presentName] : names) {
      unsigned pastIndex = argIndex.lookup(pastName);
      unsigned result = resultIndex.lookup(presentName);
      Value past = func.getArgument(pastIndex);
      Value present = returnOp.getOperand(result);
      auto fail = [&](const Twine &why) {
        func.emitError("--kv-cache: pair '")
            << pastName << ":" << presentName << "': " << why;
        signalPassFailure();
      };
      auto concat = present.getDefiningOp<ConcatOp>();
      if (!concat || concat->getNumOperands() != 2 ||
          concat->getOperand(0) != past)
        return fail("the output is not Concat(past, new)");
      auto type = dyn_cast<RankedTensorType>(past.getType());
      auto newType =
          dyn_cast<RankedTensorType>(concat->getOperand(1).getType());
      int64_t axis = static_cast<int64_t>(concat.getAxis());
      if (type && axis < 0)
        axis += type.getRank();
      if (!type || !newType || type.getRank() != 4 || axis != 2 ||
          type.getDimSize(0) != 1 || type.isDynamicDim(1) ||
          type.isDynamicDim(3) || newType.getDimSize(1) != type.getDimSize(1) ||
          newType.getDimSize(3) != type.getDimSize(3))
        return fail("expected [1, heads, length, head_dim] tensors "
                    "concatenated along axis 2");
      std::optional<SmallVector<int64_t>> bounds =
          analysis.getUpperBounds(present);
      if (!bounds || bounds->size() != 4 || (*bounds)[2] <= 0)
        return fail("the present length has no upper bound (give its "
                    "symbols a range with --dim)");
      int64_t heads = type.getDimSize(1), headDim = type.getDimSize(3);
      int64_t maxLength = (*bounds)[2];
      // Paged: whole blocks of `block` rows (the pool; the table maps the
      // sequence's logical blocks to them).
      int64_t numBlocks = 0;
      if (block > 0) {
        numBlocks = (maxLength + block - 1) / block;
        if (numBlocks > INT32_MAX / block)
          return fail("too many blocks for a 32-bit block table");
        maxLength = numBlocks * block;
      }
      Type element = type.getElementType();
      Location loc = concat.getLoc();

      // The new rows, token-major [1, S, H, D].
      b.setInsertionPoint(concat);
      Value fresh = concat->getOperand(1);
      Value rows;
      auto i64s = [&](ArrayRef<int64_t> values) -> Value {
        auto t = RankedTensorType::get({(int64_t)values.size()},
                                       b.getIntegerType(64));
        return ConstantOp::create(b, loc, DenseElementsAttr::get(t, values));
      };
      SmallVector<int64_t> swap = {0, 2, 1, 3};
      auto rowsType = RankedTensorType::get(
          {1, newType.getDimSize(2), heads, headDim}, element);
      if (auto transpose = fresh.getDefiningOp<TransposeOp>();
          transpose && transpose.getPerm() &&
          llvm::equal(*transpose.getPerm(), swap))
        rows = transpose.getData();
      else
        rows = TransposeOp::create(b, loc, rowsType, fresh,
                                   b.getDenseI64ArrayAttr(swap));

      // The state argument, last input.
      unsigned stateIndex = func.getNumArguments();
      auto stateType =
          RankedTensorType::get({1, maxLength, heads, headDim}, element);
      NamedAttrList attrs;
      attrs.append("graph.name",
                   b.getStringAttr("aicc.kv_state:" + pastName + ":" + presentName));
      if (failed(func.insertArgument(stateIndex, stateType,
                                     attrs.getDictionary(func.getContext()),
                                     past.getLoc())))
        return fail("cannot add the state argument");
      Value state = func.getArgument(stateIndex);
      if (block > 0) {
        func.setArgAttr(stateIndex, "aicc.kv_block",
                        b.getI64IntegerAttr(block));
        NamedAttrList tableAttrs;
        tableAttrs.append(
            "graph.name",
            b.getStringAttr("aicc.kv_table:" + pastName + ":" + presentName));
        auto tableType =
            RankedTensorType::get({numBlocks}, b.getIntegerType(32));
        if (failed(func.insertArgument(
                stateIndex + 1, tableType,
                tableAttrs.getDictionary(func.getContext()), past.getLoc())))
          return fail("cannot add the block table argument");
      }

      // T = P + S from the shapes; the cache is state[:, 0:T].
      auto oneI64 = RankedTensorType::get({1}, b.getIntegerType(64));
      Value pastLength = ShapeOp::create(b, loc, oneI64, past,
                                         b.getI64IntegerAttr(3),
                                         b.getI64IntegerAttr(2));
      Value newLength = ShapeOp::create(b, loc, oneI64, rows,
                                        b.getI64IntegerAttr(2),
                                        b.getI64IntegerAttr(1));
      Value total = AddOp::create(b, loc, pastLength, newLength);
      auto prefixType = RankedTensorType::get(
          {1, ShapedType::kDynamic, heads, headDim}, element);
      Value prefix = SliceOp::create(b, loc, prefixType, state, i64s({0}),
                                     total, i64s({1}), Value());
      Value cache = TransposeOp::create(b, loc, concat.getType(), prefix,
                                        b.getDenseI64ArrayAttr(swap));
      concat.getResult().replaceUsesWithIf(cache, [&](OpOperand &use) {
        return use.getOwner() != returnOp.getOperation();
      });

      // The present output becomes the new rows.
      returnOp->setOperand(result, rows);
      func.setResultAttr(result, "graph.name",
                         b.getStringAttr("aicc.kv_write:" + pastName + ":" + presentName));
      if (concat->use_empty())
        concat->erase();
      ++numPairs;
    }
    SmallVector<Type> results(returnOp->getOperandTypes());
    func.setType(FunctionType::get(func.getContext(),
                                   func.getArgumentTypes(), results));
  }
};

} // namespace
} // namespace aicc::graph
