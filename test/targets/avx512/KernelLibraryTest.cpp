//===- KernelLibraryTest.cpp - avx512 kernels compiled, loaded and run ----===//
//
// Compiles small linalg kernels with the avx512 target, loads the shared
// object with dlopen and calls the entry points through aicc's kernel ABI,
// comparing with plain C++ loops.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/Avx512Target.h"
#include "targets/avx512/VectorLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "aicc/kernel_abi.h"

#include <cmath>
#include <dlfcn.h>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

using namespace mlir;

namespace {

int serialParallelFor(const aicc_kernel_env *env, aicc_task_fn fn, int min,
                      int extent, uint8_t *closure) {
  for (int i = min; i < min + extent; ++i)
    if (int rc = fn((void *)env, i, closure))
      return rc;
  return 0;
}
void *alignedAlloc(const aicc_kernel_env *, size_t bytes) {
  return aligned_alloc(64, (bytes + 63) / 64 * 64);
}
void freeMem(const aicc_kernel_env *, void *p) { free(p); }
std::string lastError;
void reportError(const aicc_kernel_env *, const char *msg) { lastError = msg; }

aicc_kernel_env makeEnv() {
  aicc_kernel_env env{};
  env.abi_version = AICC_KERNEL_ABI_VERSION;
  env.num_threads = 1;
  env.parallel_for = serialParallelFor;
  env.alloc = alignedAlloc;
  env.free = freeMem;
  env.report_error = reportError;
  return env;
}

/// A loaded kernel library; unloads on destruction.
struct Library {
  void *handle = nullptr;
  std::string path;
  ~Library() {
    if (handle)
      dlclose(handle);
    if (!path.empty())
      unlink(path.c_str());
  }
  aicc_kernel_fn entry(const std::string &name) {
    return reinterpret_cast<aicc_kernel_fn>(dlsym(handle, name.c_str()));
  }
};

class KernelLibraryTest : public ::testing::Test {
protected:
  KernelLibraryTest() {
    context.loadDialect<func::FuncDialect, linalg::LinalgDialect,
                        tensor::TensorDialect, arith::ArithDialect,
                        math::MathDialect>();
  }

  /// Compiles every func of `source` and loads the library.
  std::unique_ptr<Library> compile(const char *source) {
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    SmallVector<func::FuncOp> kernels(module->getOps<func::FuncOp>());
    aicc::avx512::Avx512Options options;
    auto lib = aicc::avx512::buildKernelLibrary(kernels, module->getLoc(),
                                                options);
    EXPECT_TRUE(succeeded(lib));
    if (failed(lib))
      return nullptr;
    auto loaded = std::make_unique<Library>();
    char path[] = "/tmp/aicc-kernel-test-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, lib->elf.data(), lib->elf.size()),
              (ssize_t)lib->elf.size());
    close(fd);
    loaded->path = path;
    loaded->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(loaded->handle, nullptr) << dlerror();
    numUnique = lib->uniqueKernels;
    return loaded;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  size_t numUnique = 0;
};

std::vector<float> randomVector(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

TEST_F(KernelLibraryTest, MatmulWithFillMatchesReference) {
  auto lib = compile(R"mlir(
    func.func @mm(%a: tensor<37x64xf32>, %b: tensor<64x45xf32>) -> tensor<37x45xf32> {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<37x45xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<37x45xf32>) -> tensor<37x45xf32>
      %m = linalg.matmul ins(%a, %b : tensor<37x64xf32>, tensor<64x45xf32>) outs(%f : tensor<37x45xf32>) -> tensor<37x45xf32>
      return %m : tensor<37x45xf32>
    })mlir");
  ASSERT_TRUE(lib);
  auto a = randomVector(37 * 64, 1), b = randomVector(64 * 45, 2);
  std::vector<float> c(37 * 45, -7.f);
  void *bindings[] = {a.data(), b.data(), c.data()};
  aicc_kernel_env env = makeEnv();
  ASSERT_EQ(lib->entry("mm")(&env, bindings, nullptr), 0) << lastError;
  for (int i = 0; i < 37; ++i)
    for (int j = 0; j < 45; ++j) {
      float ref = 0;
      for (int k = 0; k < 64; ++k)
        ref += a[i * 64 + k] * b[k * 45 + j];
      ASSERT_NEAR(c[i * 45 + j], ref, 1e-4) << i << "," << j;
    }
}

TEST_F(KernelLibraryTest, ElementwiseBroadcastAndDedup) {
  // Two identical kernels under different names share one pipeline.
  const char *body = R"mlir(
      %e = tensor.empty() : tensor<4x33xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
          ins(%x, %y : tensor<4x33xf32>, tensor<33xf32>) outs(%e : tensor<4x33xf32>) {
        ^bb0(%a: f32, %b: f32, %o: f32):
          %s = arith.addf %a, %b : f32
          %t = math.tanh %s : f32
          %z = arith.constant 0.0 : f32
          %m = arith.maximumf %t, %z : f32
          linalg.yield %m : f32
      } -> tensor<4x33xf32>
      return %r : tensor<4x33xf32>
    })mlir";
  std::string source =
      std::string("func.func @k1(%x: tensor<4x33xf32>, %y: tensor<33xf32>) -> "
                  "tensor<4x33xf32> {") +
      body +
      "\nfunc.func @k2(%x: tensor<4x33xf32>, %y: tensor<33xf32>) -> "
      "tensor<4x33xf32> {" +
      body;
  auto lib = compile(source.c_str());
  ASSERT_TRUE(lib);
  EXPECT_EQ(numUnique, 1u);
  auto x = randomVector(4 * 33, 3), y = randomVector(33, 4);
  for (const char *name : {"k1", "k2"}) {
    std::vector<float> out(4 * 33);
    void *bindings[] = {x.data(), y.data(), out.data()};
    aicc_kernel_env env = makeEnv();
    ASSERT_EQ(lib->entry(name)(&env, bindings, nullptr), 0) << lastError;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 33; ++j)
        ASSERT_NEAR(out[i * 33 + j],
                    std::max(std::tanh(x[i * 33 + j] + y[j]), 0.f), 1e-5);
  }
}

TEST_F(KernelLibraryTest, PadGatherAndIntegerDivision) {
  auto lib = compile(R"mlir(
    func.func @pad(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
      %c = arith.constant 9.0 : f32
      %p = tensor.pad %x low[1, 1] high[1, 1] {
      ^bb0(%i: index, %j: index):
        tensor.yield %c : f32
      } : tensor<2x3xf32> to tensor<4x5xf32>
      return %p : tensor<4x5xf32>
    }
    func.func @gather(%t: tensor<5xf32>, %idx: tensor<3xi64>) -> tensor<3xf32> {
      %e = tensor.empty() : tensor<3xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
          ins(%idx : tensor<3xi64>) outs(%e : tensor<3xf32>) {
        ^bb0(%i: i64, %o: f32):
          %ii = arith.index_cast %i : i64 to index
          %v = tensor.extract %t[%ii] : tensor<5xf32>
          linalg.yield %v : f32
      } -> tensor<3xf32>
      return %r : tensor<3xf32>
    }
    func.func @div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
      %e = tensor.empty() : tensor<4xi32>
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
          ins(%a, %b : tensor<4xi32>, tensor<4xi32>) outs(%e : tensor<4xi32>) {
        ^bb0(%x: i32, %y: i32, %o: i32):
          %q = arith.divsi %x, %y : i32
          linalg.yield %q : i32
      } -> tensor<4xi32>
      return %r : tensor<4xi32>
    })mlir");
  ASSERT_TRUE(lib);
  aicc_kernel_env env = makeEnv();
  {
    std::vector<float> x = {1, 2, 3, 4, 5, 6}, out(20);
    void *bindings[] = {x.data(), out.data()};
    ASSERT_EQ(lib->entry("pad")(&env, bindings, nullptr), 0);
    std::vector<float> ref = {9, 9, 9, 9, 9, 9, 1, 2, 3, 9,
                              9, 4, 5, 6, 9, 9, 9, 9, 9, 9};
    EXPECT_EQ(out, ref);
  }
  {
    std::vector<float> t = {10, 11, 12, 13, 14}, out(3);
    std::vector<int64_t> idx = {4, 0, 2};
    void *bindings[] = {t.data(), idx.data(), out.data()};
    ASSERT_EQ(lib->entry("gather")(&env, bindings, nullptr), 0);
    EXPECT_EQ(out, (std::vector<float>{14, 10, 12}));
  }
  {
    std::vector<int32_t> a = {7, -7, 7, -7}, b = {2, 2, -2, -2}, out(4);
    void *bindings[] = {a.data(), b.data(), out.data()};
    ASSERT_EQ(lib->entry("div")(&env, bindings, nullptr), 0);
    // arith.divsi truncates toward zero.
    EXPECT_EQ(out, (std::vector<int32_t>{3, -3, -3, 3}));
  }
}

TEST_F(KernelLibraryTest, ConcatTakesEachSegmentFromItsInput) {
  auto lib = compile(R"mlir(
    func.func @cat(%a: tensor<2x1xf32>, %b: tensor<2x2xf32>, %c: tensor<2x1xf32>) -> tensor<2x4xf32> {
      %r = tensor.concat dim(1) %a, %b, %c : (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
      return %r : tensor<2x4xf32>
    })mlir");
  ASSERT_TRUE(lib);
  std::vector<float> a = {1, 5}, b = {2, 3, 6, 7}, c = {4, 8}, out(8);
  void *bindings[] = {a.data(), b.data(), c.data(), out.data()};
  aicc_kernel_env env = makeEnv();
  ASSERT_EQ(lib->entry("cat")(&env, bindings, nullptr), 0) << lastError;
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
}

// A 1x1 conv on a 7x7 map, as a kernel sees it: the weights are an
// argument laid out by PackWeights in panels of 48 output channels. The
// schedule must choose the tile PackWeights packed for (vectors along the
// output channels, the panel width), not vectors of 7 lanes along the row
// it would choose for activations it cannot pack.
TEST_F(KernelLibraryTest, PackedWeightPanelsKeepTheirRegisterTile) {
  module = parseSourceString<ModuleOp>(R"mlir(
    #x = affine_map<(n, co, h, w, ci) -> (n, ci, h, w)>
    #wp = affine_map<(n, co, h, w, ci) -> (co floordiv 48, ci, co mod 48)>
    #w = affine_map<(n, co, h, w, ci) -> (co, ci)>
    #y = affine_map<(n, co, h, w, ci) -> (n, co, h, w)>
    func.func @conv(%x: tensor<1x64x7x7xf32>, %wp: tensor<2x64x48xf32>,
                    %w: tensor<96x64xf32>, %init: tensor<1x96x7x7xf32>)
        -> (tensor<1x96x7x7xf32>, tensor<1x96x7x7xf32>) {
      %packed = linalg.generic {indexing_maps = [#x, #wp, #y],
          iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
          ins(%x, %wp : tensor<1x64x7x7xf32>, tensor<2x64x48xf32>) outs(%init : tensor<1x96x7x7xf32>) {
      ^bb0(%a: f32, %b: f32, %acc: f32):
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %m : f32
        linalg.yield %s : f32
      } -> tensor<1x96x7x7xf32>
      %plain = linalg.generic {indexing_maps = [#x, #w, #y],
          iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
          ins(%x, %w : tensor<1x64x7x7xf32>, tensor<96x64xf32>) outs(%init : tensor<1x96x7x7xf32>) {
      ^bb0(%a: f32, %b: f32, %acc: f32):
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %m : f32
        linalg.yield %s : f32
      } -> tensor<1x96x7x7xf32>
      return %packed, %plain : tensor<1x96x7x7xf32>, tensor<1x96x7x7xf32>
    })mlir",
                                       &context);
  ASSERT_TRUE(module);
  SmallVector<linalg::GenericOp> ops;
  module->walk([&](linalg::GenericOp op) { ops.push_back(op); });
  ASSERT_EQ(ops.size(), 2u);
  // Output dims innermost first: w, h, co, n.
  std::optional<aicc::avx512::RegisterTile> packed =
      aicc::avx512::registerTileFor(ops[0]);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->vectorDim, 2);
  EXPECT_TRUE(packed->vectorize);
  EXPECT_EQ(packed->width({7, 7, 96, 1}), 48);
  // Unpacked weights that are no constant: masked vectors along the row.
  std::optional<aicc::avx512::RegisterTile> plain =
      aicc::avx512::registerTileFor(ops[1]);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->vectorDim, 0);
}

// Vectors along output channels store each accumulator as a scatter across
// output planes: worth it for the 3x3 stride-2 conv on a 28x28 output
// (small planes, long reduction), not for ResNet's 7x7 stride-2 stem on a
// 112x112 output, whose scatter lanes lie 49 KiB apart.
TEST(RegisterTileTest, ScatterAcrossLargePlanesLosesToRows) {
  aicc::avx512::TileProblem stem;
  stem.extents = {112, 112, 64, 1};
  stem.broadcast = 2;
  stem.reductionSize = 3 * 7 * 7;
  stem.innerStep = 2;
  stem.broadcastInputsConstant = true;
  EXPECT_EQ(aicc::avx512::chooseRegisterTile(stem).vectorDim, 0);
  aicc::avx512::TileProblem strided = stem;
  strided.extents = {28, 28, 128, 1};
  strided.reductionSize = 128 * 3 * 3;
  EXPECT_EQ(aicc::avx512::chooseRegisterTile(strided).vectorDim, 2);
}

} // namespace
