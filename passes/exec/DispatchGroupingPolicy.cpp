//===- DispatchGroupingPolicy.cpp - The default grouping policy -----------===//

#include "passes/exec/DispatchGroupingPolicy.h"

#include "passes/exec/DispatchUtils.h"

using namespace mlir;

namespace aicc::exec {

DispatchGroupingPolicy::~DispatchGroupingPolicy() = default;

namespace {

class OneOpPerRegionPolicy final : public DispatchGroupingPolicy {
public:
  StringRef getName() const override { return "one-op-per-region"; }

  LogicalResult
  formGroups(Block &body,
             SmallVectorImpl<DispatchGroup> &groups) const override {
    for (Operation &op : body.without_terminator())
      if (needsDispatch(&op))
        groups.push_back({&op});
    return success();
  }
};

} // namespace

std::shared_ptr<const DispatchGroupingPolicy> createOneOpPerRegionPolicy() {
  return std::make_shared<OneOpPerRegionPolicy>();
}

} // namespace aicc::exec
