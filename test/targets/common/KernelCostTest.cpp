//===- KernelCostTest.cpp - FLOP and byte counts of kernels ---------------===//
//
// The expected counts are the textbook formulas (2*M*N*K for a matmul,
// 2*N*F*OH*OW*C*KH*KW for a convolution, one per element and body op for
// elementwise code), written out here independently of the counting code.
//
//===----------------------------------------------------------------------===//

#include "targets/common/KernelCost.h"

#include "dialects/exec/ExecDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

constexpr const char *kKernels = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
#in = affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#wt = affine_map<(n, f, h, w, c, kh, kw) -> (f, c, kh, kw)>
#out = affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>
module {
  func.func @matmul(%a: tensor<8x32xf32>, %b: tensor<32x16xf32>) -> tensor<8x16xf32> {
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<8x16xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
    %m = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
    return %m : tensor<8x16xf32>
  }
  func.func @conv(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %init: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
    %c = linalg.generic {indexing_maps = [#in, #wt, #out],
        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%x, %w : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x8x8xf32>) {
    ^bb0(%i: f32, %k: f32, %o: f32):
      %p = arith.mulf %i, %k : f32
      %s = arith.addf %o, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x8x8x8xf32>
    return %c : tensor<1x8x8x8xf32>
  }
  func.func @sigmoid(%x: tensor<4x5xf16>) -> tensor<4x5xf16> {
    %one = arith.constant 1.0 : f32
    %e = tensor.empty() : tensor<4x5xf16>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<4x5xf16>) outs(%e : tensor<4x5xf16>) {
    ^bb0(%i: f16, %o: f16):
      %w = arith.extf %i : f16 to f32
      %n = arith.negf %w : f32
      %x1 = math.exp %n : f32
      %d = arith.addf %x1, %one : f32
      %q = arith.divf %one, %d : f32
      %t = arith.truncf %q : f32 to f16
      linalg.yield %t : f16
    } -> tensor<4x5xf16>
    return %r : tensor<4x5xf16>
  }
  func.func @copies(%x: tensor<4x6xf32>) -> tensor<6x4xf32> {
    %e = tensor.empty() : tensor<6x4xf32>
    %t = linalg.transpose ins(%x : tensor<4x6xf32>) outs(%e : tensor<6x4xf32>) permutation = [1, 0]
    return %t : tensor<6x4xf32>
  }
  func.func @dynamic(%a: tensor<?x32xf32>, %b: tensor<32x16xf32>, %c: tensor<?x16xf32>) -> tensor<?x16xf32> {
    %m = linalg.matmul ins(%a, %b : tensor<?x32xf32>, tensor<32x16xf32>) outs(%c : tensor<?x16xf32>) -> tensor<?x16xf32>
    return %m : tensor<?x16xf32>
  }
}
)mlir";

class KernelCostTest : public testing::Test {
protected:
  KernelCostTest() {
    context.loadDialect<arith::ArithDialect, func::FuncDialect,
                        linalg::LinalgDialect, math::MathDialect,
                        tensor::TensorDialect>();
    module = parseSourceString<ModuleOp>(kKernels, &context);
  }

  std::optional<uint64_t> flopsOf(StringRef name) {
    auto function = module->lookupSymbol<func::FuncOp>(name);
    EXPECT_TRUE(function) << name.str();
    return function ? aicc::countKernelFlops(function) : std::nullopt;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(KernelCostTest, MatmulCountsTwoMNK) {
  ASSERT_TRUE(module);
  EXPECT_EQ(flopsOf("matmul"), uint64_t(2 * 8 * 16 * 32));
}

TEST_F(KernelCostTest, ConvolutionCountsTwoMacsPerTap) {
  ASSERT_TRUE(module);
  EXPECT_EQ(flopsOf("conv"), uint64_t(2 * 1 * 8 * 8 * 8 * 4 * 3 * 3));
}

TEST_F(KernelCostTest, ElementwiseCountsBodyOpsButNotCasts) {
  ASSERT_TRUE(module);
  // negf, exp, addf, divf per element; extf and truncf are not arithmetic.
  EXPECT_EQ(flopsOf("sigmoid"), uint64_t(4 * 4 * 5));
}

TEST_F(KernelCostTest, DataMovementIsFree) {
  ASSERT_TRUE(module);
  EXPECT_EQ(flopsOf("copies"), uint64_t(0));
}

TEST_F(KernelCostTest, DynamicLoopsAreUnknown) {
  ASSERT_TRUE(module);
  EXPECT_EQ(flopsOf("dynamic"), std::nullopt);
}

TEST_F(KernelCostTest, BytesAreTheOperandSizes) {
  ASSERT_TRUE(module);
  auto conv = module->lookupSymbol<func::FuncOp>("conv");
  ASSERT_TRUE(conv);
  EXPECT_EQ(aicc::countOperandBytes(conv.getArguments()),
            uint64_t((400 + 288 + 512) * 4));
  auto dynamic = module->lookupSymbol<func::FuncOp>("dynamic");
  EXPECT_EQ(aicc::countOperandBytes(dynamic.getArguments()), std::nullopt);
}

} // namespace
