//===- DynamicKernelTest.cpp - avx512 kernels over dynamic shapes ---------===//
//
// Kernels of the dynamic-shapes contract (docs/Pipeline.md "Dynamic
// shapes"): tensors with `?` dims carrying aicc.dynamic_dims, trailing index
// arguments as push constants. Each is compiled once with the avx512 target,
// loaded with dlopen and run for several extents (0, 1, 7, 512) through
// aicc's kernel ABI, compared with plain C++ loops. Every buffer ends right
// before an inaccessible page, so a read or write past a buffer's run-time
// size faults.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/Avx512Target.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "aicc/kernel_abi.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <mutex>
#include <random>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

using namespace mlir;

namespace {

int serialParallelFor(const aicc_kernel_env *env, aicc_task_fn fn, int min,
                      int extent, uint8_t *closure) {
  for (int i = min; i < min + extent; ++i)
    if (int rc = fn(const_cast<aicc_kernel_env *>(env), i, closure))
      return rc;
  return 0;
}

/// Tasks on 4 threads (tasks of a nested parallel_for run inline), so that
/// tasks writing overlapping outputs would show.
thread_local bool inTask = false;
int threadedParallelFor(const aicc_kernel_env *env, aicc_task_fn fn, int min,
                        int extent, uint8_t *closure) {
  std::atomic<int> next(min), result(0);
  auto worker = [&] {
    bool outer = inTask;
    inTask = true;
    for (int i; (i = next++) < min + extent;)
      if (int rc = fn(const_cast<aicc_kernel_env *>(env), i, closure))
        result = rc;
    inTask = outer;
  };
  if (inTask) {
    worker();
    return result;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back(worker);
  worker();
  for (std::thread &t : threads)
    t.join();
  return result;
}
void *alignedAlloc(const aicc_kernel_env *, size_t bytes) {
  return aligned_alloc(64, (bytes + 63) / 64 * 64);
}
void freeMem(const aicc_kernel_env *, void *p) { free(p); }
std::mutex errorMutex;
std::string lastError;
void reportError(const aicc_kernel_env *, const char *msg) {
  std::lock_guard<std::mutex> lock(errorMutex);
  if (lastError.empty())
    lastError = msg;
}

aicc_kernel_env makeEnv() {
  aicc_kernel_env env{};
  env.abi_version = AICC_KERNEL_ABI_VERSION;
  env.num_threads = 4;
  env.parallel_for = threadedParallelFor;
  env.alloc = alignedAlloc;
  env.free = freeMem;
  env.report_error = reportError;
  return env;
}

/// `n` floats that end right before a PROT_NONE page.
class GuardedFloats {
public:
  explicit GuardedFloats(size_t n) : n(n) {
    size_t page = sysconf(_SC_PAGESIZE);
    size_t bytes = n * sizeof(float);
    size_t dataPages = (bytes + page - 1) / page;
    mapped = (dataPages + 1) * page;
    base = (uint8_t *)mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(base, MAP_FAILED);
    mprotect(base + dataPages * page, page, PROT_NONE);
    ptr = (float *)(base + dataPages * page - bytes);
  }
  ~GuardedFloats() { munmap(base, mapped); }
  GuardedFloats(const GuardedFloats &) = delete;
  GuardedFloats &operator=(const GuardedFloats &) = delete;

  float *data() { return ptr; }
  float &operator[](size_t i) { return ptr[i]; }
  size_t size() const { return n; }
  void fillRandom(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (size_t i = 0; i < n; ++i)
      ptr[i] = dist(rng);
  }
  void fill(float v) { std::fill(ptr, ptr + n, v); }

private:
  size_t n, mapped = 0;
  uint8_t *base = nullptr;
  float *ptr = nullptr;
};

class DynamicKernelTest : public ::testing::Test {
protected:
  DynamicKernelTest() {
    context.loadDialect<func::FuncDialect, linalg::LinalgDialect,
                        tensor::TensorDialect, arith::ArithDialect,
                        math::MathDialect, affine::AffineDialect>();
  }
  ~DynamicKernelTest() override {
    if (handle)
      dlclose(handle);
    if (!path.empty())
      unlink(path.c_str());
  }

  /// Compiles every func of `source` and loads the library.
  bool compile(const char *source, int optLevel = 2) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return false;
    SmallVector<func::FuncOp> kernels(module->getOps<func::FuncOp>());
    aicc::avx512::Avx512Options options;
    options.optLevel = optLevel;
    auto lib = aicc::avx512::buildKernelLibrary(kernels, module->getLoc(),
                                                options);
    if (failed(lib))
      return false;
    char tmp[] = "/tmp/aicc-dyn-kernel-test-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
      return false;
    bool written = write(fd, lib->elf.data(), lib->elf.size()) ==
                   (ssize_t)lib->elf.size();
    close(fd);
    path = tmp;
    handle = written ? dlopen(tmp, RTLD_NOW | RTLD_LOCAL) : nullptr;
    return handle != nullptr;
  }

  /// Runs entry point `name`; returns its status.
  int32_t call(const char *name, std::vector<void *> bindings,
               std::vector<int64_t> push) {
    auto fn = reinterpret_cast<aicc_kernel_fn>(dlsym(handle, name));
    EXPECT_NE(fn, nullptr) << name;
    if (!fn)
      return -1;
    aicc_kernel_env env = makeEnv();
    if (serial) {
      env.num_threads = 1;
      env.parallel_for = serialParallelFor;
    }
    lastError.clear();
    return fn(&env, bindings.data(), push.empty() ? nullptr : push.data());
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  void *handle = nullptr;
  std::string path;
  /// Run tasks one after the other on the calling thread.
  bool serial = false;
};

const int64_t kExtents[] = {0, 1, 7, 512};

TEST_F(DynamicKernelTest, ElementwiseAddOverDynamicSequence) {
  ASSERT_TRUE(compile(R"mlir(
    func.func @add(%x: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                   %y: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                   %n: index)
        -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %e = tensor.empty(%n) : tensor<1x?x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%x, %y : tensor<1x?x64xf32>, tensor<1x?x64xf32>) outs(%e : tensor<1x?x64xf32>) {
        ^bb0(%a: f32, %b: f32, %o: f32):
          %s = arith.addf %a, %b : f32
          linalg.yield %s : f32
      } -> tensor<1x?x64xf32>
      return %r : tensor<1x?x64xf32>
    }
    func.func @add1(%x: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %y: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %n: index)
        -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %e = tensor.empty(%n) : tensor<?xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
          ins(%x, %y : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
        ^bb0(%a: f32, %b: f32, %o: f32):
          %s = arith.addf %a, %b : f32
          linalg.yield %s : f32
      } -> tensor<?xf32>
      return %r : tensor<?xf32>
    })mlir"));
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(512),
                    int64_t(5000)}) {
    GuardedFloats x(n), y(n), out(n);
    x.fillRandom(1);
    y.fillRandom(2);
    ASSERT_EQ(call("add1", {x.data(), y.data(), out.data()}, {n}), 0)
        << lastError;
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(out[i], x[i] + y[i]) << "n=" << n << " i=" << i;
  }
  for (int64_t n : kExtents) {
    GuardedFloats x(n * 64), y(n * 64), out(n * 64);
    x.fillRandom(1);
    y.fillRandom(2);
    out.fill(-7);
    ASSERT_EQ(call("add", {x.data(), y.data(), out.data()}, {n}), 0)
        << lastError;
    for (int64_t i = 0; i < n * 64; ++i)
      ASSERT_EQ(out[i], x[i] + y[i]) << "n=" << n << " i=" << i;
  }
}

TEST_F(DynamicKernelTest, MatmulWithDynamicRowsAndBiasEpilogue) {
  // @mm: a plain matmul; @mm_bias: matmul + bias + ReLU, the fused
  // epilogue schedule.
  ASSERT_TRUE(compile(R"mlir(
    func.func @mm(%a: tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                  %b: tensor<64x64xf32>, %n: index)
        -> (tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<?x64xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
      %m = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
      return %m : tensor<?x64xf32>
    }
    func.func @mm_bias(%a: tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                       %b: tensor<64x64xf32>, %bias: tensor<64xf32>, %n: index)
        -> (tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<?x64xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
      %m = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
          ins(%m, %bias : tensor<?x64xf32>, tensor<64xf32>) outs(%e : tensor<?x64xf32>) {
        ^bb0(%x: f32, %y: f32, %o: f32):
          %s = arith.addf %x, %y : f32
          %z = arith.maximumf %s, %zero : f32
          linalg.yield %z : f32
      } -> tensor<?x64xf32>
      return %r : tensor<?x64xf32>
    })mlir"));
  GuardedFloats b(64 * 64), bias(64);
  b.fillRandom(3);
  bias.fillRandom(4);
  for (int64_t n : kExtents) {
    GuardedFloats a(n * 64), out(n * 64), outBias(n * 64);
    a.fillRandom(5);
    out.fill(-7);
    outBias.fill(-7);
    ASSERT_EQ(call("mm", {a.data(), b.data(), out.data()}, {n}), 0)
        << lastError;
    ASSERT_EQ(call("mm_bias", {a.data(), b.data(), bias.data(),
                               outBias.data()},
                   {n}),
              0)
        << lastError;
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 64; ++j) {
        float ref = 0;
        for (int k = 0; k < 64; ++k)
          ref += a[i * 64 + k] * b[k * 64 + j];
        ASSERT_NEAR(out[i * 64 + j], ref, 1e-4) << "n=" << n;
        ASSERT_NEAR(outBias[i * 64 + j], std::max(ref + bias[j], 0.f), 1e-4)
            << "n=" << n;
      }
  }
}

TEST_F(DynamicKernelTest, AttentionScoresWithTwoDynamicDims) {
  // q [2, ?q, 16] x k [2, ?kv, 16]^T -> [2, ?q, ?kv] (both tile dims of
  // the reduction dynamic; k read transposed).
  ASSERT_TRUE(compile(R"mlir(
    func.func @scores(%q: tensor<2x?x16xf32> {aicc.dynamic_dims = array<i64: 0>},
                      %k: tensor<2x?x16xf32> {aicc.dynamic_dims = array<i64: 1>},
                      %nq: index, %nkv: index)
        -> (tensor<2x?x?xf32> {aicc.dynamic_dims = array<i64: 0, 1>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%nq, %nkv) : tensor<2x?x?xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, i, j, d) -> (b, i, d)>, affine_map<(b, i, j, d) -> (b, j, d)>, affine_map<(b, i, j, d) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
          ins(%q, %k : tensor<2x?x16xf32>, tensor<2x?x16xf32>) outs(%f : tensor<2x?x?xf32>) {
        ^bb0(%a: f32, %c: f32, %acc: f32):
          %m = arith.mulf %a, %c : f32
          %s = arith.addf %acc, %m : f32
          linalg.yield %s : f32
      } -> tensor<2x?x?xf32>
      return %r : tensor<2x?x?xf32>
    })mlir"));
  for (int64_t nq : {int64_t(0), int64_t(1), int64_t(7), int64_t(40)})
    for (int64_t nkv : {int64_t(1), int64_t(7), int64_t(512)}) {
      GuardedFloats q(2 * nq * 16), k(2 * nkv * 16), out(2 * nq * nkv);
      q.fillRandom(17);
      k.fillRandom(18);
      ASSERT_EQ(call("scores", {q.data(), k.data(), out.data()}, {nq, nkv}),
                0)
          << lastError;
      for (int b = 0; b < 2; ++b)
        for (int64_t i = 0; i < nq; ++i)
          for (int64_t j = 0; j < nkv; ++j) {
            float ref = 0;
            for (int d = 0; d < 16; ++d)
              ref += q[(b * nq + i) * 16 + d] * k[(b * nkv + j) * 16 + d];
            ASSERT_NEAR(out[(b * nq + i) * nkv + j], ref, 1e-4)
                << "nq=" << nq << " nkv=" << nkv;
          }
    }
}

TEST_F(DynamicKernelTest, TransformerLayerPieces) {
  // @ln: layer norm over 64 of a [1, ?, 64] tensor (reductions into a
  // dynamic [1, ?] output, then an epilogue). @heads: [1, ?, 2, 8] ->
  // [1, 2, ?, 8] (a transpose of the dynamic dim). @pv: probabilities
  // [2, ?q, ?kv] x values [2, ?kv, 8] (a reduction over a dynamic dim).
  ASSERT_TRUE(compile(R"mlir(
    func.func @ln(%x: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                  %n: index)
        -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %inv = arith.constant 0.015625 : f32
      %eps = arith.constant 1.0e-5 : f32
      %e2 = tensor.empty(%n) : tensor<1x?xf32>
      %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x?xf32>) -> tensor<1x?xf32>
      %sum = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s)>], iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%x : tensor<1x?x64xf32>) outs(%f2 : tensor<1x?xf32>) {
        ^bb0(%a: f32, %acc: f32):
          %r = arith.addf %a, %acc : f32
          linalg.yield %r : f32
      } -> tensor<1x?xf32>
      %sq = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s)>, affine_map<(b, s, c) -> (b, s)>], iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%x, %sum : tensor<1x?x64xf32>, tensor<1x?xf32>) outs(%f2 : tensor<1x?xf32>) {
        ^bb0(%a: f32, %s: f32, %acc: f32):
          %m = arith.mulf %s, %inv : f32
          %d = arith.subf %a, %m : f32
          %d2 = arith.mulf %d, %d : f32
          %r = arith.addf %d2, %acc : f32
          linalg.yield %r : f32
      } -> tensor<1x?xf32>
      %e = tensor.empty(%n) : tensor<1x?x64xf32>
      %y = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s)>, affine_map<(b, s, c) -> (b, s)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%x, %sum, %sq : tensor<1x?x64xf32>, tensor<1x?xf32>, tensor<1x?xf32>) outs(%e : tensor<1x?x64xf32>) {
        ^bb0(%a: f32, %s: f32, %v: f32, %o: f32):
          %m = arith.mulf %s, %inv : f32
          %var = arith.mulf %v, %inv : f32
          %ve = arith.addf %var, %eps : f32
          %rs = math.rsqrt %ve : f32
          %d = arith.subf %a, %m : f32
          %r = arith.mulf %d, %rs : f32
          linalg.yield %r : f32
      } -> tensor<1x?x64xf32>
      return %y : tensor<1x?x64xf32>
    }
    func.func @heads(%x: tensor<1x?x2x8xf32> {aicc.dynamic_dims = array<i64: 0>},
                     %n: index)
        -> (tensor<1x2x?x8xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %e = tensor.empty(%n) : tensor<1x2x?x8xf32>
      %t = linalg.transpose ins(%x : tensor<1x?x2x8xf32>) outs(%e : tensor<1x2x?x8xf32>) permutation = [0, 2, 1, 3]
      return %t : tensor<1x2x?x8xf32>
    }
    func.func @pv(%p: tensor<2x?x?xf32> {aicc.dynamic_dims = array<i64: 0, 1>},
                  %v: tensor<2x?x8xf32> {aicc.dynamic_dims = array<i64: 1>},
                  %nq: index, %nkv: index)
        -> (tensor<2x?x8xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%nq) : tensor<2x?x8xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
      %r = linalg.batch_matmul ins(%p, %v : tensor<2x?x?xf32>, tensor<2x?x8xf32>) outs(%f : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
      return %r : tensor<2x?x8xf32>
    })mlir"));
  for (int64_t n : kExtents) {
    GuardedFloats x(n * 64), y(n * 64);
    x.fillRandom(21);
    ASSERT_EQ(call("ln", {x.data(), y.data()}, {n}), 0) << lastError;
    for (int64_t s = 0; s < n; ++s) {
      double mean = 0, var = 0;
      for (int c = 0; c < 64; ++c)
        mean += x[s * 64 + c] / 64.0;
      for (int c = 0; c < 64; ++c)
        var += (x[s * 64 + c] - mean) * (x[s * 64 + c] - mean) / 64.0;
      for (int c = 0; c < 64; ++c)
        ASSERT_NEAR(y[s * 64 + c], (x[s * 64 + c] - mean) / std::sqrt(var + 1e-5),
                    1e-3)
            << "n=" << n;
    }
    GuardedFloats h(n * 16), t(n * 16);
    h.fillRandom(22);
    ASSERT_EQ(call("heads", {h.data(), t.data()}, {n}), 0) << lastError;
    for (int hd = 0; hd < 2; ++hd)
      for (int64_t s = 0; s < n; ++s)
        for (int c = 0; c < 8; ++c)
          ASSERT_EQ(t[(hd * n + s) * 8 + c], h[(s * 2 + hd) * 8 + c])
              << "n=" << n;
  }
  for (int64_t nq : {int64_t(0), int64_t(1), int64_t(7)})
    for (int64_t nkv : {int64_t(0), int64_t(1), int64_t(7), int64_t(512)}) {
      GuardedFloats p(2 * nq * nkv), v(2 * nkv * 8), out(2 * nq * 8);
      p.fillRandom(23);
      v.fillRandom(24);
      out.fill(-7);
      ASSERT_EQ(call("pv", {p.data(), v.data(), out.data()}, {nq, nkv}), 0)
          << lastError;
      for (int b = 0; b < 2; ++b)
        for (int64_t i = 0; i < nq; ++i)
          for (int c = 0; c < 8; ++c) {
            float ref = 0;
            for (int64_t j = 0; j < nkv; ++j)
              ref += p[(b * nq + i) * nkv + j] * v[(b * nkv + j) * 8 + c];
            ASSERT_NEAR(out[(b * nq + i) * 8 + c], ref, 1e-4)
                << "nq=" << nq << " nkv=" << nkv;
          }
    }
}

TEST_F(DynamicKernelTest, SoftmaxOverTheDynamicDim) {
  // Softmax of each row of a 4 x ? tensor: max and sum reduce over the
  // dynamic dim.
  ASSERT_TRUE(compile(R"mlir(
    func.func @softmax(%x: tensor<4x?xf32> {aicc.dynamic_dims = array<i64: 0>},
                       %n: index)
        -> (tensor<4x?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %ninf = arith.constant 0xFF800000 : f32
      %zero = arith.constant 0.0 : f32
      %e4 = tensor.empty() : tensor<4xf32>
      %m0 = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
      %m = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<4x?xf32>) outs(%m0 : tensor<4xf32>) {
        ^bb0(%a: f32, %acc: f32):
          %r = arith.maxnumf %a, %acc : f32
          linalg.yield %r : f32
      } -> tensor<4xf32>
      %s0 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
      %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
          ins(%x, %m : tensor<4x?xf32>, tensor<4xf32>) outs(%s0 : tensor<4xf32>) {
        ^bb0(%a: f32, %mx: f32, %acc: f32):
          %d = arith.subf %a, %mx : f32
          %ex = math.exp %d : f32
          %r = arith.addf %ex, %acc : f32
          linalg.yield %r : f32
      } -> tensor<4xf32>
      %e = tensor.empty(%n) : tensor<4x?xf32>
      %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
          ins(%x, %m, %s : tensor<4x?xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4x?xf32>) {
        ^bb0(%a: f32, %mx: f32, %sum: f32, %o: f32):
          %d = arith.subf %a, %mx : f32
          %ex = math.exp %d : f32
          %r = arith.divf %ex, %sum : f32
          linalg.yield %r : f32
      } -> tensor<4x?xf32>
      return %y : tensor<4x?xf32>
    })mlir"));
  for (int64_t n : kExtents) {
    GuardedFloats x(4 * n), out(4 * n);
    x.fillRandom(6);
    out.fill(-7);
    ASSERT_EQ(call("softmax", {x.data(), out.data()}, {n}), 0) << lastError;
    for (int i = 0; i < 4; ++i) {
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < n; ++j)
        mx = std::max(mx, (double)x[i * n + j]);
      for (int64_t j = 0; j < n; ++j)
        sum += std::exp(x[i * n + j] - mx);
      for (int64_t j = 0; j < n; ++j)
        ASSERT_NEAR(out[i * n + j], std::exp(x[i * n + j] - mx) / sum, 1e-5)
            << "n=" << n;
    }
  }
}

TEST_F(DynamicKernelTest, RowSumsOverDynamicRows) {
  // A reduction whose only output dim is dynamic (the rows of a [?, 37]
  // tensor), then a mean over them (a reduction over the dynamic dim into
  // a scalar).
  ASSERT_TRUE(compile(R"mlir(
    func.func @rows(%x: tensor<?x37xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %n: index)
        -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}, tensor<f32>) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<?xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
      %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<?x37xf32>) outs(%f : tensor<?xf32>) {
        ^bb0(%a: f32, %acc: f32):
          %r = arith.addf %a, %acc : f32
          linalg.yield %r : f32
      } -> tensor<?xf32>
      %e0 = tensor.empty() : tensor<f32>
      %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
      %t = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
          ins(%s : tensor<?xf32>) outs(%f0 : tensor<f32>) {
        ^bb0(%a: f32, %acc: f32):
          %r = arith.addf %a, %acc : f32
          linalg.yield %r : f32
      } -> tensor<f32>
      return %s, %t : tensor<?xf32>, tensor<f32>
    })mlir"));
  for (int64_t n : kExtents) {
    GuardedFloats x(n * 37), sums(n), total(1);
    x.fillRandom(20);
    ASSERT_EQ(call("rows", {x.data(), sums.data(), total.data()}, {n}), 0)
        << lastError;
    double all = 0;
    for (int64_t i = 0; i < n; ++i) {
      double ref = 0;
      for (int j = 0; j < 37; ++j)
        ref += x[i * 37 + j];
      all += ref;
      ASSERT_NEAR(sums[i], ref, 1e-4) << "n=" << n;
    }
    ASSERT_NEAR(total[0], all, 1e-3) << "n=" << n;
  }
}

TEST_F(DynamicKernelTest, ConcatOfTwoDynamicSegments) {
  ASSERT_TRUE(compile(R"mlir(
    func.func @cat(%x: tensor<2x?x8xf32> {aicc.dynamic_dims = array<i64: 0>},
                   %y: tensor<2x?x8xf32> {aicc.dynamic_dims = array<i64: 1>},
                   %a: index, %b: index, %s: index)
        -> (tensor<2x?x8xf32> {aicc.dynamic_dims = array<i64: 2>}) {
      %r = tensor.concat dim(1) %x, %y : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
      return %r : tensor<2x?x8xf32>
    })mlir"));
  for (int64_t a : kExtents)
    for (int64_t b : {int64_t(0), int64_t(1), int64_t(9)}) {
      GuardedFloats x(2 * a * 8), y(2 * b * 8), out(2 * (a + b) * 8);
      x.fillRandom(7);
      y.fillRandom(8);
      out.fill(-7);
      ASSERT_EQ(call("cat", {x.data(), y.data(), out.data()}, {a, b, a + b}),
                0)
          << lastError;
      for (int i = 0; i < 2; ++i)
        for (int64_t j = 0; j < a + b; ++j)
          for (int c = 0; c < 8; ++c) {
            float ref = j < a ? x[(i * a + j) * 8 + c]
                              : y[(i * b + (j - a)) * 8 + c];
            ASSERT_EQ(out[(i * (a + b) + j) * 8 + c], ref)
                << "a=" << a << " b=" << b;
          }
    }
}

TEST_F(DynamicKernelTest, SlicesPadReshapeAndIndex) {
  // @last: the last row of a [1, ?, 16] tensor (extract_slice at offset
  // n - 1 from affine.apply), collapsed to [16]... as [1, 16].
  // @pad: [?, 4] padded with `p` rows of 5.0 at the end, then each element
  // plus 2 * its row index (linalg.index) + p (affine.apply in the body).
  // @window: rows [o, o + l) of a [?, 4] tensor inserted into a zero
  // [?, 4] tensor at the same place, collapsed to [? * 4] and expanded back.
  ASSERT_TRUE(compile(R"mlir(
    func.func @last(%x: tensor<1x?x16xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %n: index) -> tensor<1x16xf32> {
      %o = affine.apply affine_map<()[s0] -> (s0 - 1)>()[%n]
      %s = tensor.extract_slice %x[0, %o, 0] [1, 1, 16] [1, 1, 1] : tensor<1x?x16xf32> to tensor<1x16xf32>
      return %s : tensor<1x16xf32>
    }
    func.func @pad(%x: tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>},
                   %n: index, %p: index, %m: index)
        -> (tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 2>}) {
      %c = arith.constant 5.0 : f32
      %padded = tensor.pad %x low[0, 0] high[%p, 0] {
      ^bb0(%i: index, %j: index):
        tensor.yield %c : f32
      } : tensor<?x4xf32> to tensor<?x4xf32>
      %e = tensor.empty(%m) : tensor<?x4xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
          ins(%padded : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
        ^bb0(%a: f32, %o: f32):
          %i = linalg.index 0 : index
          %ip = affine.apply affine_map<(d0)[s0] -> (d0 * 2 + s0)>(%i)[%p]
          %ii = arith.index_cast %ip : index to i32
          %f = arith.sitofp %ii : i32 to f32
          %s = arith.addf %a, %f : f32
          linalg.yield %s : f32
      } -> tensor<?x4xf32>
      return %r : tensor<?x4xf32>
    }
    func.func @window(%x: tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>},
                      %n: index, %o: index, %l: index)
        -> (tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %s = tensor.extract_slice %x[%o, 0] [%l, 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
      %e = tensor.empty(%n) : tensor<?x4xf32>
      %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
      %i = tensor.insert_slice %s into %z[%o, 0] [%l, 4] [1, 1] : tensor<?x4xf32> into tensor<?x4xf32>
      %flat = tensor.collapse_shape %i [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
      %back = tensor.expand_shape %flat [[0, 1]] output_shape [%n, 4] : tensor<?xf32> into tensor<?x4xf32>
      return %back : tensor<?x4xf32>
    })mlir"));
  for (int64_t n : kExtents) {
    if (n > 0) {
      GuardedFloats x(n * 16), out(16);
      x.fillRandom(9);
      ASSERT_EQ(call("last", {x.data(), out.data()}, {n}), 0) << lastError;
      for (int c = 0; c < 16; ++c)
        ASSERT_EQ(out[c], x[(n - 1) * 16 + c]) << "n=" << n;
    }
    {
      int64_t p = 3, m = n + p;
      GuardedFloats x(n * 4), out(m * 4);
      x.fillRandom(10);
      ASSERT_EQ(call("pad", {x.data(), out.data()}, {n, p, m}), 0)
          << lastError;
      for (int64_t i = 0; i < m; ++i)
        for (int j = 0; j < 4; ++j)
          ASSERT_EQ(out[i * 4 + j], (i < n ? x[i * 4 + j] : 5.f) + (2 * i + p))
              << "n=" << n;
    }
    {
      int64_t o = n / 3, l = n - n / 3 - n / 4;
      GuardedFloats x(n * 4), out(n * 4);
      x.fillRandom(11);
      out.fill(-7);
      ASSERT_EQ(call("window", {x.data(), out.data()}, {n, o, l}), 0)
          << lastError;
      for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < 4; ++j)
          ASSERT_EQ(out[i * 4 + j], i >= o && i < o + l ? x[i * 4 + j] : 0.f)
              << "n=" << n << " i=" << i;
    }
  }
}

TEST_F(DynamicKernelTest, CheckedGatherOverDynamicIdsAndTable) {
  // @embed: rows of a static table for a dynamic number of ids; @lookup:
  // elements of a dynamic table. Ids out of range fail the kernel (the
  // run-time status over a dynamic extent).
  ASSERT_TRUE(compile(R"mlir(
    func.func @embed(%table: tensor<100x8xf32>,
                     %ids: tensor<1x?xi64> {aicc.dynamic_dims = array<i64: 0>},
                     %n: index)
        -> (tensor<1x?x8xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %e = tensor.empty(%n) : tensor<1x?x8xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%ids : tensor<1x?xi64>) outs(%e : tensor<1x?x8xf32>) {
        ^bb0(%id: i64, %o: f32):
          %c = linalg.index 2 : index
          %i = arith.index_cast %id : i64 to index
          %v = tensor.extract %table[%i, %c] {aicc.checked_index} : tensor<100x8xf32>
          linalg.yield %v : f32
      } -> tensor<1x?x8xf32>
      return %r : tensor<1x?x8xf32>
    }
    func.func @lookup(%table: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>},
                      %ids: tensor<5xi64>, %n: index) -> tensor<5xf32> {
      %e = tensor.empty() : tensor<5xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
          ins(%ids : tensor<5xi64>) outs(%e : tensor<5xf32>) {
        ^bb0(%id: i64, %o: f32):
          %i = arith.index_cast %id : i64 to index
          %v = tensor.extract %table[%i] {aicc.checked_index} : tensor<?xf32>
          linalg.yield %v : f32
      } -> tensor<5xf32>
      return %r : tensor<5xf32>
    })mlir"));
  GuardedFloats table(100 * 8);
  table.fillRandom(13);
  for (int64_t n : kExtents) {
    std::vector<int64_t> ids(n);
    for (int64_t s = 0; s < n; ++s)
      ids[s] = (s * 37) % 100;
    GuardedFloats out(n * 8);
    ASSERT_EQ(call("embed", {table.data(), ids.data(), out.data()}, {n}), 0)
        << lastError;
    for (int64_t s = 0; s < n; ++s)
      for (int c = 0; c < 8; ++c)
        ASSERT_EQ(out[s * 8 + c], table[ids[s] * 8 + c]) << "n=" << n;
    if (n > 0) {
      ids[n - 1] = 100;
      EXPECT_NE(call("embed", {table.data(), ids.data(), out.data()}, {n}),
                0)
          << "n=" << n;
      EXPECT_NE(lastError.find("index out of range"), std::string::npos)
          << lastError;
    }
  }
  for (int64_t n : {int64_t(1), int64_t(7), int64_t(512)}) {
    GuardedFloats t(n), out(5);
    t.fillRandom(14);
    std::vector<int64_t> ids = {0, n - 1, n / 2, n / 3, 0};
    ASSERT_EQ(call("lookup", {t.data(), ids.data(), out.data()}, {n}), 0)
        << lastError;
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(out[i], t[ids[i]]) << "n=" << n;
    ids[2] = n;
    EXPECT_NE(call("lookup", {t.data(), ids.data(), out.data()}, {n}), 0);
  }
}

TEST_F(DynamicKernelTest, NaiveScheduleRunsDynamicKernels) {
  // -O0: everything at root, serial.
  ASSERT_TRUE(compile(R"mlir(
    func.func @mm(%a: tensor<?x16xf32> {aicc.dynamic_dims = array<i64: 0>},
                  %b: tensor<16x24xf32>, %n: index)
        -> (tensor<?x24xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<?x24xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x24xf32>) -> tensor<?x24xf32>
      %m = linalg.matmul ins(%a, %b : tensor<?x16xf32>, tensor<16x24xf32>) outs(%f : tensor<?x24xf32>) -> tensor<?x24xf32>
      return %m : tensor<?x24xf32>
    })mlir",
                      /*optLevel=*/0));
  GuardedFloats b(16 * 24);
  b.fillRandom(15);
  for (int64_t n : kExtents) {
    GuardedFloats a(n * 16), out(n * 24);
    a.fillRandom(16);
    ASSERT_EQ(call("mm", {a.data(), b.data(), out.data()}, {n}), 0)
        << lastError;
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 24; ++j) {
        float ref = 0;
        for (int k = 0; k < 16; ++k)
          ref += a[i * 16 + k] * b[k * 24 + j];
        ASSERT_NEAR(out[i * 24 + j], ref, 1e-4) << "n=" << n;
      }
  }
}

TEST_F(DynamicKernelTest, DynamicDimWithoutPushConstantIsACompileError) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return success();
  });
  EXPECT_FALSE(compile(R"mlir(
    func.func @k(%x: tensor<?x4xf32>, %n: index)
        -> (tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      return %x : tensor<?x4xf32>
    }
    func.func @k2(%x: tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 1>},
                  %n: index)
        -> (tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      return %x : tensor<?x4xf32>
    })mlir"));
  EXPECT_NE(diagnostics.find("kernel argument 0 has dynamic dims but no "
                             "aicc.dynamic_dims attribute"),
            std::string::npos)
      << diagnostics;
  EXPECT_NE(diagnostics.find("kernel argument 0: aicc.dynamic_dims names "
                             "push constant 1, the kernel has 1"),
            std::string::npos)
      << diagnostics;
}

TEST_F(DynamicKernelTest, KernelsAsDispatchFormationOutlinesThem) {
  // The kernels aicc-form-dispatches outlines from contract-A linalg
  // (test/passes/exec/aicc-form-dispatches-dynamic.mlir): named ops, one
  // push constant shared by two arguments, a concat whose result extent is
  // another push constant (2 s), a slice at offset s of a 2 s tensor.
  ASSERT_TRUE(compile(R"mlir(
    func.func @k0_Add_0(%arg0: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %arg1: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %0 = tensor.empty(%arg1) : tensor<1x?x64xf32>
      %1 = linalg.add ins(%arg0, %arg0 : tensor<1x?x64xf32>, tensor<1x?x64xf32>) outs(%0 : tensor<1x?x64xf32>) -> tensor<1x?x64xf32>
      return %1 : tensor<1x?x64xf32>
    }
    func.func @k2_Concat_2(%arg0: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %arg1: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %arg2: index, %arg3: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 1>}) {
      %concat = tensor.concat dim(1) %arg0, %arg1 : (tensor<1x?x64xf32>, tensor<1x?x64xf32>) -> tensor<1x?x64xf32>
      return %concat : tensor<1x?x64xf32>
    }
    func.func @k3_Slice_3(%arg0: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 1>}, %arg1: index, %arg2: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %extracted_slice = tensor.extract_slice %arg0[0, %arg1, 0] [1, %arg1, 64] [1, 1, 1] : tensor<1x?x64xf32> to tensor<1x?x64xf32>
      return %extracted_slice : tensor<1x?x64xf32>
    }
    func.func @k4_Exp(%arg0: tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %arg1: index) -> (tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %0 = tensor.empty(%arg1) : tensor<?x64xf32>
      %1 = linalg.exp ins(%arg0 : tensor<?x64xf32>) outs(%0 : tensor<?x64xf32>) -> tensor<?x64xf32>
      return %1 : tensor<?x64xf32>
    })mlir"));
  for (int64_t s : kExtents) {
    GuardedFloats x(s * 64), a(s * 64), cat(2 * s * 64), t(s * 64),
        e(s * 64);
    x.fillRandom(19);
    ASSERT_EQ(call("k0_Add_0", {x.data(), a.data()}, {s}), 0) << lastError;
    ASSERT_EQ(call("k2_Concat_2", {x.data(), a.data(), cat.data()},
                   {s, 2 * s}),
              0)
        << lastError;
    ASSERT_EQ(call("k3_Slice_3", {cat.data(), t.data()}, {s, 2 * s}), 0)
        << lastError;
    ASSERT_EQ(call("k4_Exp", {x.data(), e.data()}, {s}), 0) << lastError;
    for (int64_t i = 0; i < s * 64; ++i) {
      ASSERT_EQ(a[i], x[i] + x[i]) << "s=" << s;
      ASSERT_EQ(cat[i], x[i]) << "s=" << s;
      ASSERT_EQ(cat[s * 64 + i], a[i]) << "s=" << s;
      ASSERT_EQ(t[i], a[i]) << "s=" << s;
      ASSERT_NEAR(e[i], std::exp(x[i]), 1e-6 * std::exp(x[i])) << "s=" << s;
    }
  }
}

TEST_F(DynamicKernelTest, BadPushConstantsAreErrorsNotCrashes) {
  ASSERT_TRUE(compile(R"mlir(
    func.func @neg(%x: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>},
                   %n: index)
        -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %e = tensor.empty(%n) : tensor<1x?x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%x : tensor<1x?x64xf32>) outs(%e : tensor<1x?x64xf32>) {
        ^bb0(%a: f32, %o: f32):
          %s = arith.negf %a : f32
          linalg.yield %s : f32
      } -> tensor<1x?x64xf32>
      return %r : tensor<1x?x64xf32>
    })mlir"));
  GuardedFloats x(64), out(64);
  EXPECT_NE(call("neg", {x.data(), out.data()}, {-1}), 0);
  EXPECT_EQ(lastError, "kernel 'neg': buffer 0 has a negative extent (push "
                       "constant 0)");
  // 2^31 - 1 rows of 64 elements: more than Halide addresses.
  EXPECT_NE(call("neg", {x.data(), out.data()}, {INT32_MAX}), 0);
  EXPECT_EQ(lastError,
            "kernel 'neg': buffer 0 has more than 2^31 - 1 elements");
  EXPECT_NE(call("neg", {x.data(), out.data()}, {int64_t(1) << 40}), 0);
  EXPECT_NE(lastError.find("outside -2147483647..2147483647"),
            std::string::npos);
  // A NULL binding of a non-empty buffer.
  EXPECT_NE(call("neg", {nullptr, out.data()}, {1}), 0);
  EXPECT_EQ(lastError, "kernel 'neg': buffer 0 is bound to NULL");
  // No push constants at all.
  EXPECT_NE(call("neg", {x.data(), out.data()}, {}), 0);
  EXPECT_NE(lastError.find("no push constants"), std::string::npos);
  // And a good call still works.
  x.fillRandom(12);
  ASSERT_EQ(call("neg", {x.data(), out.data()}, {1}), 0) << lastError;
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(out[i], -x[i]);
}

} // namespace

namespace {

TEST_F(DynamicKernelTest, GemvStepOfDynamicRowsWithRaggedColumns) {
  // A decoder's weight matmul with a bias epilogue, [1, ?, 40] x [40, 100]:
  // one row (a decode step) runs the schedule's GEMV specialization, other
  // row counts the general tile; 100 columns end in a partial vector and a
  // partial tile.
  ASSERT_TRUE(compile(R"mlir(
    func.func @gemv(%a: tensor<1x?x40xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %b: tensor<40x100xf32>, %bias: tensor<100xf32>, %n: index)
        -> (tensor<1x?x100xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<1x?x100xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x100xf32>) -> tensor<1x?x100xf32>
      %m = linalg.generic {indexing_maps = [affine_map<(b, i, j, k) -> (b, i, k)>, affine_map<(b, i, j, k) -> (k, j)>, affine_map<(b, i, j, k) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
          ins(%a, %b : tensor<1x?x40xf32>, tensor<40x100xf32>) outs(%f : tensor<1x?x100xf32>) {
        ^bb0(%x: f32, %w: f32, %acc: f32):
          %p = arith.mulf %x, %w : f32
          %s = arith.addf %acc, %p : f32
          linalg.yield %s : f32
      } -> tensor<1x?x100xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%m, %bias : tensor<1x?x100xf32>, tensor<100xf32>) outs(%e : tensor<1x?x100xf32>) {
        ^bb0(%x: f32, %y: f32, %o: f32):
          %s = arith.addf %x, %y : f32
          linalg.yield %s : f32
      } -> tensor<1x?x100xf32>
      return %r : tensor<1x?x100xf32>
    })mlir"));
  GuardedFloats b(40 * 100), bias(100);
  b.fillRandom(6);
  bias.fillRandom(7);
  for (int64_t n : {int64_t(2), int64_t(7), int64_t(512), int64_t(1)}) {
    GuardedFloats a(n * 40), out(n * 100);
    a.fillRandom(8);
    out.fill(-7);
    ASSERT_EQ(call("gemv", {a.data(), b.data(), bias.data(), out.data()}, {n}),
              0)
        << lastError;
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 100; ++j) {
        float ref = bias[j];
        for (int k = 0; k < 40; ++k)
          ref += a[i * 40 + k] * b[k * 100 + j];
        ASSERT_NEAR(out[i * 100 + j], ref, 1e-4) << "n=" << n << " j=" << j;
      }
  }
}

TEST_F(DynamicKernelTest, GemvStepWithReductionStreams) {
  // A decoder's weight matmuls with K = 512, long enough for the schedule
  // to walk the reduction as 4 streams of 128 steps side by side: fp32
  // weights with a bias epilogue, and int8 weights read through sitofp (the
  // --precision=int8w form). One row is the GEMV specialization, other row
  // counts the general tile; 100 columns end in a partial vector and tile.
  ASSERT_TRUE(compile(R"mlir(
    func.func @gemv(%a: tensor<1x?x512xf32> {aicc.dynamic_dims = array<i64: 0>},
                    %b: tensor<512x100xf32>, %bias: tensor<100xf32>, %n: index)
        -> (tensor<1x?x100xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<1x?x100xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x100xf32>) -> tensor<1x?x100xf32>
      %m = linalg.generic {indexing_maps = [affine_map<(b, i, j, k) -> (b, i, k)>, affine_map<(b, i, j, k) -> (k, j)>, affine_map<(b, i, j, k) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
          ins(%a, %b : tensor<1x?x512xf32>, tensor<512x100xf32>) outs(%f : tensor<1x?x100xf32>) {
        ^bb0(%x: f32, %w: f32, %acc: f32):
          %p = arith.mulf %x, %w : f32
          %s = arith.addf %acc, %p : f32
          linalg.yield %s : f32
      } -> tensor<1x?x100xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%m, %bias : tensor<1x?x100xf32>, tensor<100xf32>) outs(%e : tensor<1x?x100xf32>) {
        ^bb0(%x: f32, %y: f32, %o: f32):
          %s = arith.addf %x, %y : f32
          linalg.yield %s : f32
      } -> tensor<1x?x100xf32>
      return %r : tensor<1x?x100xf32>
    }
    func.func @gemv_i8(%a: tensor<1x?x512xf32> {aicc.dynamic_dims = array<i64: 0>},
                       %b: tensor<512x100xi8>, %n: index)
        -> (tensor<1x?x100xf32> {aicc.dynamic_dims = array<i64: 0>}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty(%n) : tensor<1x?x100xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x100xf32>) -> tensor<1x?x100xf32>
      %m = linalg.generic {indexing_maps = [affine_map<(b, i, j, k) -> (b, i, k)>, affine_map<(b, i, j, k) -> (k, j)>, affine_map<(b, i, j, k) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
          ins(%a, %b : tensor<1x?x512xf32>, tensor<512x100xi8>) outs(%f : tensor<1x?x100xf32>) {
        ^bb0(%x: f32, %q: i8, %acc: f32):
          %w = arith.sitofp %q : i8 to f32
          %p = arith.mulf %x, %w : f32
          %s = arith.addf %acc, %p : f32
          linalg.yield %s : f32
      } -> tensor<1x?x100xf32>
      return %m : tensor<1x?x100xf32>
    })mlir"));
  GuardedFloats b(512 * 100), bias(100), qStorage(512 * 100 / 4);
  b.fillRandom(9);
  bias.fillRandom(10);
  auto *q = reinterpret_cast<int8_t *>(qStorage.data());
  std::mt19937 rng(11);
  for (int i = 0; i < 512 * 100; ++i)
    q[i] = (int8_t)((int)(rng() % 255) - 127);
  for (int64_t n : {int64_t(1), int64_t(0), int64_t(3), int64_t(65)}) {
    GuardedFloats a(n * 512), out(n * 100), outQ(n * 100);
    a.fillRandom(12);
    out.fill(-7);
    outQ.fill(-7);
    ASSERT_EQ(call("gemv", {a.data(), b.data(), bias.data(), out.data()}, {n}),
              0)
        << lastError;
    ASSERT_EQ(call("gemv_i8", {a.data(), q, outQ.data()}, {n}), 0)
        << lastError;
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 100; ++j) {
        double ref = bias[j], refQ = 0;
        for (int k = 0; k < 512; ++k) {
          ref += (double)a[i * 512 + k] * b[k * 100 + j];
          refQ += (double)a[i * 512 + k] * q[k * 100 + j];
        }
        ASSERT_NEAR(out[i * 100 + j], ref, 1e-3) << "n=" << n << " j=" << j;
        ASSERT_NEAR(outQ[i * 100 + j], refQ, 1e-2) << "n=" << n << " j=" << j;
      }
  }
}

/// Not a test: single-threaded timings of a dynamic `?x768 * 768x768`
/// matmul against static ones of the same shapes (run with
/// --gtest_also_run_disabled_tests).
TEST_F(DynamicKernelTest, DISABLED_MatmulTimingAgainstStatic) {
  auto kernel = [](const std::string &name, const std::string &rows,
                   bool dynamic) {
    std::string t = "tensor<" + rows + "x768xf32>";
    std::string attr =
        dynamic ? " {aicc.dynamic_dims = array<i64: 0>}" : std::string();
    return "func.func @" + name + "(%a: " + t + attr +
           ", %b: tensor<768x768xf32>" + (dynamic ? ", %n: index" : "") +
           ") -> (" + t + attr + ") {\n" +
           "  %zero = arith.constant 0.0 : f32\n" + "  %e = tensor.empty(" +
           (dynamic ? "%n" : "") + ") : " + t + "\n" +
           "  %f = linalg.fill ins(%zero : f32) outs(%e : " + t + ") -> " + t +
           "\n" + "  %m = linalg.matmul ins(%a, %b : " + t +
           ", tensor<768x768xf32>) outs(%f : " + t + ") -> " + t + "\n" +
           "  return %m : " + t + "\n}\n";
  };
  std::string source = kernel("dyn", "?", true) + kernel("s1", "1", false) +
                       kernel("s128", "128", false);
  ASSERT_TRUE(compile(source.c_str()));
  serial = true;
  GuardedFloats b(768 * 768);
  b.fillRandom(1);
  for (int64_t n : {1, 128}) {
    GuardedFloats a(n * 768), out(n * 768);
    a.fillRandom(2);
    auto time = [&](const char *name, std::vector<int64_t> push) {
      int reps = n == 1 ? 2000 : 50;
      for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call(name, {a.data(), b.data(), out.data()}, push), 0);
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < reps; ++i)
        call(name, {a.data(), b.data(), out.data()}, push);
      std::chrono::duration<double, std::micro> d =
          std::chrono::steady_clock::now() - start;
      return d.count() / reps;
    };
    double dyn = time("dyn", {n});
    double stat = time(n == 1 ? "s1" : "s128", {});
    printf("n=%lld: dynamic %.1f us, static %.1f us\n", (long long)n, dyn,
           stat);
  }
}

} // namespace
