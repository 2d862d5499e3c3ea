//===- StageHostBuffers.cpp - Caller buffers through the device arena -----===//
//
// A GPU dispatch binds device memory only, while the caller's inputs and
// outputs are host memory (the artifact contract of docs/Pipeline.md,
// section 5). Each used schedule argument gets a buffer in the device arena;
// inputs are copied in right before their first use, outputs copied out
// right after their last.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/IR/Builders.h"

namespace aicc::exec {
#define GEN_PASS_DEF_STAGEHOSTBUFFERS
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc::exec;

namespace {

/// The commands of `body` (its direct ops) that use `value` or a view of it.
SmallVector<Operation *> getCommandUsers(Value value, Block &body) {
  SmallVector<Operation *> users;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (Operation *user : current.getUsers()) {
      if (auto view = dyn_cast<ViewOp>(user)) {
        worklist.push_back(view.getResult());
        continue;
      }
      if (Operation *command = body.findAncestorOpInBlock(*user))
        users.push_back(command);
    }
  }
  return users;
}

struct StageHostBuffersPass
    : public aicc::exec::impl::StageHostBuffersBase<StageHostBuffersPass> {
  using StageHostBuffersBase::StageHostBuffersBase;

  void runOnOperation() override {
    getOperation().walk([&](ScheduleOp schedule) { stage(schedule); });
  }

  void stage(ScheduleOp schedule) {
    Block &body = schedule.getBody().front();
    unsigned numInputs = schedule.getNumInputs();
    for (BlockArgument argument : schedule.getArguments()) {
      SmallVector<Operation *> users = getCommandUsers(argument, body);
      if (users.empty())
        continue;
      bool isInput = argument.getArgNumber() < numInputs;
      OpBuilder builder = OpBuilder::atBlockBegin(&body);
      auto alloc = AllocOp::create(builder, schedule.getLoc(),
                                   argument.getType(),
                                   builder.getI64IntegerAttr(space),
                                   /*offset=*/IntegerAttr());
      argument.replaceAllUsesExcept(alloc.getResult(), alloc);
      Operation *first = users.front(), *last = users.front();
      for (Operation *user : users) {
        if (user->isBeforeInBlock(first))
          first = user;
        if (last->isBeforeInBlock(user))
          last = user;
      }
      if (isInput) {
        builder.setInsertionPoint(first);
        CopyOp::create(builder, first->getLoc(), argument, alloc.getResult());
      } else {
        builder.setInsertionPointAfter(last);
        CopyOp::create(builder, last->getLoc(), alloc.getResult(), argument);
      }
    }
  }
};

} // namespace
