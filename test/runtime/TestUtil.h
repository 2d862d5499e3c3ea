//===- TestUtil.h - Shared helpers of the runtime tests --------*- C++ -*-===//
//
// Builders for the small modules the tests run (all using the kernels of
// kernels/test_kernels.c, compiled by the system C compiler at build time),
// RAII wrappers for the C API objects, and file helpers.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TEST_RUNTIME_TESTUTIL_H
#define AICC_TEST_RUNTIME_TESTUTIL_H

#include "aicc/ModuleWriter.h"
#include "aicc/runtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace aicc {
namespace test {

/// Bytes of a file; empty (and a test failure) if it cannot be read.
std::vector<uint8_t> readFileBytes(const std::string &path);
bool writeFileBytes(const std::string &path, const std::vector<uint8_t> &bytes);

/// The kernel library the tests embed.
const std::vector<uint8_t> &testKernels();
/// The same library built to claim a different kernel ABI version.
const std::vector<uint8_t> &badAbiKernels();

/// A fresh directory under the build tree's temp dir, removed by the caller
/// (or left for inspection when a test fails).
std::string makeTempDir(const char *tag);

/// Every entry point of test_kernels.c with its binding/push counts.
ExecutableDesc testKernelsExecutable(uint32_t segment);
/// Index of an entry point in testKernelsExecutable().
uint32_t entryIndex(const char *name);

/// c = b + (a + w) through an arena, a copy to a state pool and a barrier
/// (dispatch, copy, barrier, dispatch): every kind of buffer and command.
/// Inputs a, b f32[4]; output c f32[4]; constant w (16 bytes); arena of 64
/// bytes; state pool of 16 bytes. The two dispatches' command indices go to
/// `first` and `second` when given.
ModuleWriter everyCommandModule(uint32_t *first = nullptr,
                                uint32_t *second = nullptr);

/// c = a + b over f32[n]: inputs "a", "b", output "c". One dispatch.
ModuleWriter addModule(int64_t n);

/// The reference pipeline: y = relu(x * w + bias) over f32[rows, cols] with
/// `w` (rows*cols) and `bias` (cols) as constants, `x * w` in an arena
/// buffer computed with parallel_for, then a second dispatch.
ModuleWriter pipelineModule(int64_t rows, int64_t cols,
                            const std::vector<float> &w,
                            const std::vector<float> &bias);
/// Deterministic test data for pipelineModule.
std::vector<float> pipelineWeights(int64_t rows, int64_t cols);
std::vector<float> pipelineBias(int64_t cols);
/// Reference result computed independently of the runtime.
std::vector<float> pipelineReference(int64_t rows, int64_t cols,
                                     const std::vector<float> &x,
                                     const std::vector<float> &w,
                                     const std::vector<float> &bias);

/// c = (a + b) * w over f32[4], w = {2, 3, 4, 5}, laid out like a module
/// compiled for CUDA (docs/Artifact.md, "GPU modules"): executable "kernels"
/// (format "ptx": kernels/add_mul.ptx, entry points add and mul with 3
/// bindings and block size 4)
/// dispatched on device-arena and constant buffers only; inputs copied into
/// the arena first, the result copied out last (commands: copy, copy, add,
/// mul, copy). `w` sits 64 bytes into its segment next to a constant no
/// buffer uses. Kernel semantics: over grid.x * block.x floats.
/// IntExpr opcodes (aicc.fbs), for building format 1.3 modules.
enum : int64_t {
  kConst = 0,
  kSym = 1,
  kAdd = 2,
  kSub = 3,
  kMul = 4,
  kFloorDiv = 5,
  kCeilDiv = 6,
  kMod = 7,
  kMin = 8,
  kMax = 9,
  kNeg = 10,
  // Format 1.4.
  kLoad = 11,
  kFMulFloor = 12,
  kFRange = 13,
  kEq = 14,
  kLt = 15,
  kSelect = 16,
};

/// Format 1.3: c = a + b over f32 tensors of dynamic length n in [1, max]
/// (symbol 0 "n"; the add_f32 kernel gets n as a push constant expression).
ModuleWriter dynamicAddModule(int64_t max);

/// Format 1.4: c[0, v) = a[0, v) + b[0, v) for inputs n: i64[1], a, b:
/// f32[64], where the value symbol v = n[0] in [lo, 64] (its `what` is
/// kValueAddWhat); the sum goes through a runtime-allocated buffer of 4 * v
/// bytes that is copied to c.
constexpr const char *kValueAddWhat =
    "node 'r' (Reshape) output dim 1 from input 'n'";
ModuleWriter valueAddModule(int64_t lo = 0);

/// What valueAddModule and its variants share: inputs n: i64[1], a, b:
/// f32[64], output c: f32[`outBound`] (its dims over v left to the caller),
/// the value symbol v = n[0] in [lo, 64] named by `what`, the test kernels'
/// executable `exe` and the buffers `a`, `b`, `c` of the inputs and output.
struct ValueAddParts {
  ModuleWriter writer;
  uint32_t v = 0, exe = 0, a = 0, b = 0, c = 0;
};
ValueAddParts valueAddParts(int64_t lo, int64_t outBound, const char *what);

/// Format 1.3: a stand-in decoder with a KV cache (the fake_decoder test
/// kernel): inputs input_ids i64 [1, sequence], attention_mask i64 [1,
/// total_sequence] (assumed = past_sequence + sequence), past_key_values.0.key
/// f32 [1, 1, past_sequence, 2]; outputs logits f32 [1, sequence, 16],
/// present.0.key [1, 1, past_sequence + sequence, 2]. Greedy decoding from a
/// prompt yields fakeDecoderTokens(prompt, n).
constexpr int64_t kFakeMaxPast = 32, kFakeMaxSequence = 8, kFakeVocabulary = 16;
ModuleWriter fakeDecoderModule();
std::vector<int64_t> fakeDecoderTokens(std::vector<int64_t> prompt,
                                       size_t count);

struct GpuModuleOptions {
  /// Add a second executable with the same entry points in format "cubin"
  /// whose bytes are "\x7fELF fake cubin <cubinArch>".
  bool cubin = false;
  const char *cubinArch = "sm_90";
  /// Let the add dispatch bind input a directly (invalid on a GPU).
  bool bindInput = false;
  /// Grid (x) of the add dispatch.
  uint32_t grid = 1;
  /// Build for ROCm instead: device Rocm, one executable in format "hsaco"
  /// whose bytes are "\x7fELF fake hsaco <hsacoArch>" (no PTX, no cubin).
  bool rocm = false;
  const char *hsacoArch = "gfx90a";
};
ModuleWriter gpuModule(const GpuModuleOptions &options = {});

/// Owning handles.
struct RuntimeHandle {
  aicc_runtime_t *runtime = nullptr;
  RuntimeHandle();
  ~RuntimeHandle() { aicc_runtime_release(runtime); }
};
struct ModuleHandle {
  aicc_module_t *module = nullptr;
  ~ModuleHandle() { aicc_module_release(module); }
};
struct SessionHandle {
  aicc_session_t *session = nullptr;
  ~SessionHandle() { aicc_session_destroy(session); }
};

/// Loads `bytes` (copied); returns the status (owned by the caller).
aicc_status_t loadModule(aicc_runtime_t *runtime,
                         const std::vector<uint8_t> &bytes,
                         aicc_module_t **out);

/// Takes ownership of `status`; returns "OK" or "CODE: message".
std::string statusText(aicc_status_t status);

/// A module loaded from `writer`'s bytes and one session on it, with the
/// default session options but max_runtime_alloc_bytes =
/// `maxRuntimeAllocBytes` (0: the default limit). `error` is "OK", or the
/// status text of the load or session creation that failed.
struct LoadedSession {
  RuntimeHandle runtime;
  ModuleHandle module;
  SessionHandle session;
  std::string error;

  explicit LoadedSession(const ModuleWriter &writer,
                         uint64_t maxRuntimeAllocBytes = 0);
};

/// Runs `session` on `inputs` into the one output `output`; returns the
/// status text. When `shape` is given, it receives output 0's reported
/// shape (four -1s when the session cannot report it).
std::string runOneOutput(aicc_session_t *session,
                         const aicc_tensor_view_t *inputs, size_t inputCount,
                         aicc_tensor_view_t *output,
                         std::vector<int64_t> *shape = nullptr);

/// A view of a vector's memory.
template <typename T>
aicc_tensor_view_t viewOf(std::vector<T> &data, aicc_element_type_t type,
                          const std::vector<int64_t> &dims) {
  return {data.data(), type, dims.size(), dims.data(), data.size() * sizeof(T)};
}

} // namespace test
} // namespace aicc

/// Asserts success, printing the status message otherwise.
#define AICC_ASSERT_OK(expr)                                                   \
  do {                                                                         \
    std::string aiccText_ = ::aicc::test::statusText(expr);                    \
    ASSERT_EQ(aiccText_, "OK");                                                \
  } while (0)

#endif // AICC_TEST_RUNTIME_TESTUTIL_H
