//===- DispatchGroupingPolicyTest.cpp - The grouping policy seam ----------===//
//
// aicc-form-dispatch-regions with policies other than the default one, as
// the fusion work will plug them in: a group of several ops becomes one
// region with a FusedLoc of its ops' locations and the results used outside
// it, and policies that break the contract get an error, not a crash.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/DispatchGroupingPolicy.h"
#include "passes/exec/DispatchUtils.h"
#include "passes/exec/Passes.h"

#include "dialects/exec/ExecDialect.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace mlir;
using namespace aicc::exec;

namespace {

/// A policy given by a function, for tests.
class LambdaPolicy final : public DispatchGroupingPolicy {
public:
  using Fn = std::function<void(Block &, SmallVectorImpl<DispatchGroup> &)>;
  explicit LambdaPolicy(Fn fn) : fn_(std::move(fn)) {}
  StringRef getName() const override { return "test"; }
  LogicalResult
  formGroups(Block &body,
             SmallVectorImpl<DispatchGroup> &groups) const override {
    fn_(body, groups);
    return success();
  }

private:
  Fn fn_;
};

/// exp -> neg -> abs, the neg result also returned.
constexpr const char *kChain = R"mlir(
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Exp_0")
  %b = linalg.negf ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Neg_1")
  %c = linalg.abs ins(%b : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Abs_2")
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}
)mlir";

class DispatchGroupingPolicyTest : public ::testing::Test {
protected:
  DispatchGroupingPolicyTest() {
    DialectRegistry registry;
    registry.insert<ExecDialect, func::FuncDialect, linalg::LinalgDialect,
                    tensor::TensorDialect, arith::ArithDialect>();
    context_.appendDialectRegistry(registry);
    context_.loadAllAvailableDialects();
  }

  /// Runs aicc-form-dispatch-regions with `policy` on `source`; the
  /// diagnostics go to `diagnostics_`.
  LogicalResult run(StringRef source, LambdaPolicy::Fn policy,
                    bool outline = false) {
    module_ = parseSourceString<ModuleOp>(source, &context_);
    EXPECT_TRUE(module_);
    if (!module_)
      return failure();
    ScopedDiagnosticHandler handler(&context_, [&](Diagnostic &diagnostic) {
      diagnostics_ += diagnostic.str() + "\n";
      return success();
    });
    PassManager pm(&context_);
    auto lambdaPolicy = std::make_shared<LambdaPolicy>(std::move(policy));
    if (outline)
      addDispatchFormationPasses(pm, lambdaPolicy);
    else
      pm.addPass(createFormDispatchRegions(lambdaPolicy));
    return pm.run(*module_);
  }

  Block &getBody() {
    return module_->lookupSymbol<func::FuncOp>("main").getBody().front();
  }

  MLIRContext context_;
  OwningOpRef<ModuleOp> module_;
  std::string diagnostics_;
};

/// All ops that need a kernel in one group.
void groupAll(Block &body, SmallVectorImpl<DispatchGroup> &groups) {
  DispatchGroup group;
  for (Operation &op : body.without_terminator())
    if (needsDispatch(&op))
      group.push_back(&op);
  groups.push_back(group);
}

TEST_F(DispatchGroupingPolicyTest, GroupOfSeveralOpsIsOneRegion) {
  ASSERT_TRUE(succeeded(run(kChain, groupAll))) << diagnostics_;
  auto regions = llvm::to_vector(getBody().getOps<DispatchRegionOp>());
  ASSERT_EQ(regions.size(), 1u);
  DispatchRegionOp region = regions[0];
  // Three ops inside, then the yield.
  EXPECT_EQ(region.getBodyBlock().getOperations().size(), 4u);

  // The region's location fuses the ops' locations, in order.
  auto fused = dyn_cast<FusedLoc>(region->getLoc());
  ASSERT_TRUE(fused);
  ASSERT_EQ(fused.getLocations().size(), 3u);
  EXPECT_EQ(aicc::graph::getNodeName(fused.getLocations()[0]), "Exp_0");
  EXPECT_EQ(aicc::graph::getNodeName(fused.getLocations()[1]), "Neg_1");
  EXPECT_EQ(aicc::graph::getNodeName(fused.getLocations()[2]), "Abs_2");

  // Results: neg and abs (returned); exp stays inside.
  ASSERT_EQ(region->getNumResults(), 2u);
  auto yielded = region.getYield().getValues();
  EXPECT_EQ(aicc::graph::getNodeName(yielded[0].getDefiningOp()->getLoc()), "Neg_1");
  EXPECT_EQ(aicc::graph::getNodeName(yielded[1].getDefiningOp()->getLoc()), "Abs_2");
  auto returnOp = cast<func::ReturnOp>(getBody().getTerminator());
  EXPECT_EQ(returnOp.getOperand(0), region->getResult(0));
  EXPECT_EQ(returnOp.getOperand(1), region->getResult(1));
}

TEST_F(DispatchGroupingPolicyTest, GroupOfSeveralOpsIsOneKernel) {
  ASSERT_TRUE(succeeded(run(kChain, groupAll, /*outline=*/true)))
      << diagnostics_;
  auto executable = module_->lookupSymbol<ExecutableOp>("kernels");
  ASSERT_TRUE(executable);
  auto kernels =
      llvm::to_vector(executable.getBodyBlock().getOps<func::FuncOp>());
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].getSymName(), "k0_Exp_0");
  EXPECT_EQ(kernels[0].getNumArguments(), 1u);
  EXPECT_EQ(kernels[0].getNumResults(), 2u);
  auto schedule = module_->lookupSymbol<ScheduleOp>("main");
  ASSERT_TRUE(schedule);
  auto dispatches = llvm::to_vector(schedule.getBody().getOps<DispatchOp>());
  ASSERT_EQ(dispatches.size(), 1u);
  EXPECT_TRUE(isa<FusedLoc>(dispatches[0]->getLoc()));
  // Both results are written straight into the output buffers.
  EXPECT_EQ(dispatches[0].getOuts()[0], schedule.getOutputBuffers()[0]);
  EXPECT_EQ(dispatches[0].getOuts()[1], schedule.getOutputBuffers()[1]);
}

TEST_F(DispatchGroupingPolicyTest, GroupsInAnyOrderFollowTheBlock) {
  // {abs}, {exp, neg} given backwards: regions are built in block order.
  ASSERT_TRUE(succeeded(run(kChain, [](Block &body, auto &groups) {
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      if (needsDispatch(&op))
        ops.push_back(&op);
    groups.push_back({ops[2]});
    groups.push_back({ops[1], ops[0]});
  }))) << diagnostics_;
  auto regions = llvm::to_vector(getBody().getOps<DispatchRegionOp>());
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_TRUE(isa<FusedLoc>(regions[0]->getLoc()));
  EXPECT_EQ(aicc::graph::getNodeName(regions[1]->getLoc()), "Abs_2");
  // The second region reads the first one's result.
  EXPECT_EQ(regions[0]->getNumResults(), 1u);
}

TEST_F(DispatchGroupingPolicyTest, OpLeftOutIsAnError) {
  EXPECT_TRUE(failed(run(kChain, [](Block &body, auto &groups) {
    for (Operation &op : body.without_terminator())
      if (needsDispatch(&op) && aicc::graph::getNodeName(op.getLoc()) != "Neg_1")
        groups.push_back({&op});
  })));
  EXPECT_NE(diagnostics_.find("needs a kernel, but grouping policy 'test' "
                              "put it in no dispatch group"),
            std::string::npos)
      << diagnostics_;
}

TEST_F(DispatchGroupingPolicyTest, OpInTwoGroupsIsAnError) {
  EXPECT_TRUE(failed(run(kChain, [](Block &body, auto &groups) {
    groupAll(body, groups);
    groupAll(body, groups);
  })));
  EXPECT_NE(diagnostics_.find("is in two dispatch groups"), std::string::npos)
      << diagnostics_;
}

TEST_F(DispatchGroupingPolicyTest, ResultUsedBeforeTheGroupEndsIsAnError) {
  // {exp, abs} with neg, outside, between them reading exp.
  EXPECT_TRUE(failed(run(kChain, [](Block &body, auto &groups) {
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      if (needsDispatch(&op))
        ops.push_back(&op);
    groups.push_back({ops[0], ops[2]});
    groups.push_back({ops[1]});
  })));
  EXPECT_NE(diagnostics_.find("uses a result of a dispatch group before the "
                              "group's last op"),
            std::string::npos)
      << diagnostics_;
}

} // namespace
