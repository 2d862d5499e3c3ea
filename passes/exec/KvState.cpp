//===- KvState.cpp - --kv-cache state arguments become persistent state --===//
//
// aicc-graph-kv-cache-in-place leaves, per cache pair, an input
// `aicc.kv_state:<past>:<present>` (the cache, [1, T_max, H, D]) and an
// output `aicc.kv_write:<past>:<present>` (the step's new rows
// [1, S, H, D]) in the signature. Here, after dispatch formation and before
// memory planning, the input becomes a state buffer (`exec.alloc` with
// `aicc.state`, which the planner skips and the serializer makes a state
// pool that the session keeps across runs) and the output an arena buffer
// copied into the state at row P (the past length, dim 2 of the past
// input's `aicc.shape`): the only bytes of the cache a step moves.
//
// Paged layout (the state argument has `aicc.kv_block`): the block table
// input `aicc.kv_table:<past>:<present>` becomes a state buffer too
// (`aicc.kv_table`), which the runtime fills; the copy's offset stays the
// logical P * row_bytes, which the runtime maps through the table.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"

namespace aicc::exec {
#define GEN_PASS_DEF_KVSTATE
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc::exec;

namespace {

struct KvStatePass : public aicc::exec::impl::KvStateBase<KvStatePass> {
  void runOnOperation() override {
    for (ScheduleOp schedule : getOperation().getOps<ScheduleOp>())
      if (failed(runOnSchedule(schedule)))
        return signalPassFailure();
  }

  LogicalResult runOnSchedule(ScheduleOp schedule) {
    Block &body = schedule.getBody().front();
    unsigned numInputs = schedule.getNumInputs();
    auto nameOf = [&](unsigned i) -> StringRef {
      auto name = schedule.getArgAttrOfType<StringAttr>(i, "graph.name");
      return name ? name.getValue() : StringRef();
    };
    llvm::StringMap<unsigned> inputs, states, writes, tables;
    for (unsigned i = 0; i < body.getNumArguments(); ++i) {
      StringRef name = nameOf(i);
      if (name.consume_front("aicc.kv_state:")) {
        if (i >= numInputs)
          return schedule.emitOpError("kv state '") << name << "' is an output";
        states[name] = i;
      } else if (name.consume_front("aicc.kv_table:")) {
        if (i >= numInputs)
          return schedule.emitOpError("kv table '") << name << "' is an output";
        tables[name] = i;
      } else if (name.consume_front("aicc.kv_write:")) {
        if (i < numInputs)
          return schedule.emitOpError("kv write '") << name << "' is an input";
        writes[name] = i;
      } else if (i < numInputs) {
        inputs[name] = i;
      }
    }
    if (states.empty() && writes.empty())
      return success();

    auto returnOp = cast<ReturnOp>(body.getTerminator());
    // Output dims of exec.return, per output argument.
    DenseMap<unsigned, SmallVector<Value>> outputDims;
    {
      unsigned position = 0;
      for (BlockArgument output : schedule.getOutputBuffers()) {
        unsigned n = cast<MemRefType>(output.getType()).getNumDynamicDims();
        outputDims[output.getArgNumber()] = llvm::to_vector(
            returnOp.getOutputDims().slice(position, n));
        position += n;
      }
    }
    auto symbols = schedule->getAttrOfType<DictionaryAttr>("aicc.symbols");
    unsigned numSymbols = symbols ? symbols.size() : 0;

    llvm::BitVector erase(body.getNumArguments());
    OpBuilder b(schedule.getContext());
    for (auto &entry : states) {
      StringRef key = entry.getKey();
      unsigned stateIndex = entry.getValue();
      auto [pastName, presentName] = key.split(':');
      auto write = writes.find(key);
      auto past = inputs.find(pastName);
      if (write == writes.end() || past == inputs.end())
        return schedule.emitOpError("kv state '")
               << key << "' has no matching write output or past input";
      BlockArgument stateArg = body.getArgument(stateIndex);
      BlockArgument writeArg = body.getArgument(write->getValue());
      auto stateType = cast<MemRefType>(stateArg.getType());
      auto writeType = cast<MemRefType>(writeArg.getType());
      if (!stateType.hasStaticShape() || stateType.getRank() != 4 ||
          writeType.getRank() != 4)
        return schedule.emitOpError("kv state '")
               << key << "': expected a static [1, T, H, D] state";
      auto pastShape =
          schedule.getArgAttrOfType<AffineMapAttr>(past->getValue(),
                                                   "aicc.shape");
      if (!pastShape || pastShape.getValue().getNumResults() != 4)
        return schedule.emitOpError("kv state '")
               << key << "': past input '" << pastName
               << "' has no symbolic shape (aicc.shape)";

      // The state buffer, first in the schedule.
      b.setInsertionPointToStart(&body);
      auto state = AllocOp::create(b, stateArg.getLoc(), stateType,
                                   /*space=*/static_cast<int64_t>(0),
                                   IntegerAttr());
      state->setAttr("aicc.state", b.getStringAttr(presentName));
      state->setAttr("aicc.kv_past", b.getStringAttr(pastName));
      stateArg.replaceAllUsesWith(state.getResult());

      // Paged: the block table, a state buffer of its own that the runtime
      // fills before each run (logical block -> physical block).
      int64_t block = 0;
      if (auto attr = schedule.getArgAttrOfType<IntegerAttr>(stateIndex,
                                                             "aicc.kv_block"))
        block = attr.getInt();
      auto table = tables.find(key);
      if ((block > 0) != (table != tables.end()))
        return schedule.emitOpError("kv state '")
               << key << "': a paged state (aicc.kv_block) needs exactly one "
               << "block table (aicc.kv_table)";
      if (block > 0) {
        BlockArgument tableArg = body.getArgument(table->getValue());
        auto tableType = dyn_cast<MemRefType>(tableArg.getType());
        if (!tableType || !tableType.hasStaticShape() ||
            tableType.getRank() != 1 ||
            !tableType.getElementType().isInteger(32) ||
            stateType.getDimSize(1) != tableType.getDimSize(0) * block)
          return schedule.emitOpError("kv table '")
                 << key << "': expected i32 [T_max / block] for block "
                 << block;
        auto tableAlloc =
            AllocOp::create(b, tableArg.getLoc(), tableType,
                            /*space=*/static_cast<int64_t>(0), IntegerAttr());
        tableAlloc->setAttr("aicc.state", b.getStringAttr(presentName));
        tableAlloc->setAttr("aicc.kv_table", b.getStringAttr(presentName));
        tableArg.replaceAllUsesWith(tableAlloc.getResult());
        state->setAttr("aicc.kv_block", b.getI64IntegerAttr(block));
        erase.set(table->getValue());
      }

      // The new rows: an arena buffer, then a copy into the state.
      SmallVector<Value> dims = outputDims.lookup(write->getValue());
      Operation *firstUser = nullptr, *lastUser = nullptr;
      for (Operation *user : writeArg.getUsers()) {
        if (!firstUser || user->isBeforeInBlock(firstUser))
          firstUser = user;
      }
      if (!firstUser)
        return schedule.emitOpError("kv write '") << key << "' is never written";
      for (Value dim : dims)
        if (Operation *def = dim.getDefiningOp();
            def && !def->isBeforeInBlock(firstUser))
          return schedule.emitOpError("kv write '")
                 << key << "': its extent is computed after its first writer";
      b.setInsertionPoint(firstUser);
      auto rows = AllocOp::create(b, writeArg.getLoc(), writeType,
                                  ValueRange(dims),
                                  b.getI64IntegerAttr(0),
                                  /*offset=*/IntegerAttr(),
                                  /*upper_bound_bytes=*/IntegerAttr(),
                                  /*runtime_allocated=*/UnitAttr());
      writeArg.replaceAllUsesWith(rows.getResult());
      SmallVector<Value> worklist = {rows.getResult()};
      while (!worklist.empty()) {
        Value value = worklist.pop_back_val();
        for (Operation *user : value.getUsers()) {
          if (auto view = dyn_cast<ViewOp>(user))
            worklist.push_back(view.getResult());
          if (!lastUser || lastUser->isBeforeInBlock(user))
            lastUser = user;
        }
      }
      b.setInsertionPointAfter(lastUser);
      auto target =
          ViewOp::create(b, writeArg.getLoc(), writeType, state.getResult(),
                         ValueRange(dims), b.getI64IntegerAttr(0));
      auto copy = CopyOp::create(b, writeArg.getLoc(), rows.getResult(),
                                 target.getResult());
      int64_t rowBytes = stateType.getDimSize(2) * stateType.getDimSize(3) *
                         (stateType.getElementTypeBitWidth() / 8);
      AffineExpr offset = pastShape.getValue().getResult(2) * rowBytes;
      copy->setAttr("aicc.target_offset",
                    AffineMapAttr::get(AffineMap::get(0, numSymbols, offset)));
      for (Operation *user : state->getUsers())
        if (user != target.getOperation() &&
            user->isBeforeInBlock(copy.getOperation()))
          return user->emitOpError("reads the KV cache '")
                 << presentName << "' before the step's new rows are written";
      erase.set(stateIndex);
      erase.set(write->getValue());
    }
    if (writes.size() != states.size())
      return schedule.emitOpError("kv write outputs without a state input");
    for (auto &entry : tables)
      if (!states.count(entry.getKey()))
        return schedule.emitOpError("kv table '")
               << entry.getKey() << "' without a state input";

    // Drop the dims of the removed outputs from exec.return.
    SmallVector<Value> keptDims;
    for (BlockArgument output : schedule.getOutputBuffers())
      if (!erase.test(output.getArgNumber()))
        llvm::append_range(keptDims, outputDims.lookup(output.getArgNumber()));
    b.setInsertionPoint(returnOp);
    ReturnOp::create(b, returnOp.getLoc(), ValueRange(keptDims));
    returnOp.erase();

    unsigned removedInputs = 0;
    for (unsigned i = 0; i < numInputs; ++i)
      removedInputs += erase.test(i);
    if (failed(schedule.eraseArguments(erase)))
      return schedule.emitOpError("cannot remove the kv arguments");
    schedule.setNumInputs(numInputs - removedInputs);
    return success();
  }
};

} // namespace
