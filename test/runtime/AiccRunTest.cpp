//===- AiccRunTest.cpp - Command-line tests of aicc-run -------------------===//
//
// Runs the real aicc-run binary on modules and .npy files written by the
// test, and checks exit codes and output.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "TestUtil.h"

#include <cstdio>
#include <dlfcn.h>
#include <regex>
#include <sys/wait.h>

using namespace aicc;
using namespace aicc::test;

namespace {

struct Result {
  int exitCode;
  std::string output; // stdout and stderr together.
};

class AiccRunTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(makeTempDir("aicc-run"));
    std::string error;
    ASSERT_TRUE(addModule(4).writeFile(path("add.aicc"), &error)) << error;
    std::vector<float> w = pipelineWeights(5, 3), bias = pipelineBias(3);
    ModuleWriter pipeline = pipelineModule(5, 3, w, bias);
    ASSERT_TRUE(pipeline.writeFile(path("pipeline.aicc"), &error)) << error;
    std::vector<uint8_t> corrupt = addModule(4).finish();
    corrupt[corrupt.size() - 7] ^= 0x20;
    ASSERT_TRUE(writeFileBytes(path("corrupt.aicc"), corrupt));
    ASSERT_TRUE(gpuModule().writeFile(path("cuda.aicc"), &error)) << error;
    GpuModuleOptions sm80Cubin;
    sm80Cubin.cubin = true;
    sm80Cubin.cubinArch = "sm_80";
    ASSERT_TRUE(gpuModule(sm80Cubin).writeFile(path("cuda_sm80.aicc"), &error))
        << error;
    GpuModuleOptions sm90Cubin;
    sm90Cubin.cubin = true;
    ASSERT_TRUE(gpuModule(sm90Cubin).writeFile(path("cuda_sm90.aicc"), &error))
        << error;
    GpuModuleOptions rocm;
    rocm.rocm = true;
    ASSERT_TRUE(gpuModule(rocm).writeFile(path("rocm.aicc"), &error)) << error;
    rocm.hsacoArch = "gfx1100";
    ASSERT_TRUE(gpuModule(rocm).writeFile(path("rocm_gfx1100.aicc"), &error))
        << error;
    GpuModuleOptions tooLarge;
    tooLarge.grid = 100; // 400 floats: beyond every buffer.
    ASSERT_TRUE(gpuModule(tooLarge).writeFile(path("cuda_oob.aicc"), &error))
        << error;

    ASSERT_TRUE(
        dynamicAddModule(64).writeFile(path("dynamic_add.aicc"), &error))
        << error;
    ASSERT_TRUE(
        fakeDecoderModule().writeFile(path("fake_decoder.aicc"), &error))
        << error;
    npy::Array prompt;
    prompt.elementType = AICC_ELEMENT_TYPE_I64;
    prompt.shape = {1, 3};
    int64_t promptIds[3] = {2, 3, 9};
    prompt.data.resize(sizeof(promptIds));
    std::memcpy(prompt.data.data(), promptIds, sizeof(promptIds));
    ASSERT_TRUE(npy::writeFile(path("prompt.npy"), prompt, &error)) << error;

    writeF32("a.npy", {1.5f, 2, -3, 4}, {4});
    writeF32("b.npy", {0.25f, 10, 3, -8}, {4});
    writeF32("c_expected.npy", {1.75f, 12, 0, -4}, {4});
    // (a + b) * {2, 3, 4, 5}, computed here.
    writeF32("c_gpu.npy", {3.5f, 36, 0, -20}, {4});
    writeF32("c_close.npy", {1.75f, 12, 1e-9f, -4.00001f}, {4});
    writeF32("c_wrong.npy", {1.75f, 12, 0.5f, -4}, {4});
    writeF32("a_2x2.npy", {1, 2, 3, 4}, {2, 2});
    writeF32("a_65.npy", std::vector<float>(65, 1.0f), {65});
    npy::Array ints;
    ints.elementType = AICC_ELEMENT_TYPE_I32;
    ints.shape = {4};
    ints.data.assign(16, 0);
    ASSERT_TRUE(npy::writeFile(path("a_i32.npy"), ints, &error)) << error;
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string path(const std::string &name) {
    return *dir_ + "/" + name;
  }

  static void writeF32(const std::string &name, std::vector<float> values,
                       std::vector<int64_t> shape) {
    npy::Array array;
    array.elementType = AICC_ELEMENT_TYPE_F32;
    array.shape = std::move(shape);
    array.data.resize(values.size() * 4);
    std::memcpy(array.data.data(), values.data(), array.data.size());
    std::string error;
    ASSERT_TRUE(npy::writeFile(path(name), array, &error)) << error;
  }

  /// Runs aicc-run with `args` (shell words, paths relative to the temp dir
  /// are spelled with path()).
  static Result run(const std::string &args) { return runWith("", args); }

public:
  /// run() with `environment` ("NAME=value " words) before the command.
  static Result runWith(const std::string &environment,
                        const std::string &args) {
    std::string command =
        environment + "'" + AICC_RUN_PATH + "' " + args + " 2>&1";
    FILE *pipe = popen(command.c_str(), "r");
    Result result{-1, ""};
    if (!pipe)
      return result;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
      result.output.append(buffer, n);
    int status = pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return result;
  }

protected:
  static std::string addInputs() {
    return path("add.aicc") + " --input a=@" + path("a.npy") + " --input b=@" +
           path("b.npy");
  }

  static std::string *dir_;
};

std::string *AiccRunTest::dir_ = nullptr;

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE((haystack).find(needle), std::string::npos)                        \
      << "missing: " << (needle) << "\nin:\n"                                  \
      << (haystack)

TEST_F(AiccRunTest, HelpAndVersion) {
  Result help = run("--help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_CONTAINS(help.output, "usage: aicc-run <module.aicc>");
  EXPECT_CONTAINS(help.output, "--benchmark N");
  Result version = run("--version");
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_CONTAINS(version.output, "aicc-run 0.1.0");
  EXPECT_CONTAINS(version.output, "artifact format 1.5");
  Result devices = run("--list-devices");
  EXPECT_EQ(devices.exitCode, 0);
  EXPECT_CONTAINS(devices.output, "cpu (cpu)");
}

TEST_F(AiccRunTest, Inspect) {
  Result result = run(path("pipeline.aicc") + " --inspect");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "format 1.2, producer 'aicc runtime tests', "
                                 "name 'pipeline', targets: host");
  EXPECT_CONTAINS(result.output, "inputs: 1\n  0 x: f32[5,3] (60 bytes)");
  EXPECT_CONTAINS(result.output, "outputs: 1\n  0 y: f32[5,3] (60 bytes)");
  EXPECT_CONTAINS(result.output, "executables: 1\n  0 'test_kernels': cpu "
                                 "elf-x86_64");
  EXPECT_CONTAINS(result.output, "mul_rows_parallel(3 bindings)");
  EXPECT_CONTAINS(result.output, "memory spaces: 1\n  0 'host' (cpu): arena "
                                 "124 bytes, lower bound 60 bytes");
  EXPECT_CONTAINS(result.output, "schedule: 3 commands (2 dispatches)");
  EXPECT_CONTAINS(result.output, "weights: 2 constants, 72 bytes");
}

TEST_F(AiccRunTest, InspectListsCommandsAndTheirCosts) {
  // Written without costs, like a 1.0 artifact.
  Result result = run(path("pipeline.aicc") + " --inspect");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output,
                  "commands:\n  0 dispatch mul_rows_parallel: cost not "
                  "recorded\n  1 barrier\n  2 dispatch add_bias_relu: cost "
                  "not recorded\n");
}

TEST_F(AiccRunTest, ProfileWithoutRecordedCosts) {
  Result result = run(path("pipeline.aicc") +
                      " --input x=random --profile --peak-gflops 50");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "profile: 10 runs, ");
  EXPECT_CONTAINS(result.output, "fp32 peak 50.0 GFLOP/s (--peak-gflops)");
  // Times are measured; FLOPs and bytes show as unknown; the barrier is
  // not listed.
  EXPECT_TRUE(std::regex_search(
      result.output, std::regex("\\n +[02] +[0-9.]+ +[0-9.]+% +- +- +- +- +-  "
                                "mul_rows_parallel\\n")))
      << result.output;
  EXPECT_TRUE(std::regex_search(
      result.output,
      std::regex("\\n +total +[0-9.]+ +100.0% +- +- +- +- +-  total \\(2 "
                 "dispatches, 0 copies\\)\\n")))
      << result.output;
  EXPECT_EQ(result.output.find("barrier"), std::string::npos);
}

TEST_F(AiccRunTest, ProfileOptionsAreChecked) {
  Result top = run(addInputs() + " --profile-top 0");
  EXPECT_EQ(top.exitCode, 1);
  EXPECT_CONTAINS(top.output, "--profile-top '0': expected a positive integer");
  Result peak = run(addInputs() + " --profile --peak-gflops -3");
  EXPECT_EQ(peak.exitCode, 1);
  EXPECT_CONTAINS(peak.output,
                  "--peak-gflops '-3': expected a positive number");
}

TEST_F(AiccRunTest, RunsAndWritesOutputs) {
  Result result = run(addInputs() + " --output c=@" + path("c.npy"));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  npy::Array c;
  std::string error;
  ASSERT_TRUE(npy::readFile(path("c.npy"), &c, &error)) << error;
  std::vector<float> values(4);
  std::memcpy(values.data(), c.data.data(), 16);
  EXPECT_EQ(values, (std::vector<float>{1.75f, 12, 0, -4}));

  // Positional inputs, and the printed summary when nothing is written.
  result = run(path("add.aicc") + " --input @" + path("a.npy") + " --input @" +
               path("b.npy") + " --threads 2 --device cpu");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "output 0 'c': f32[4] = [1.75, 12, 0, -4]");
}

TEST_F(AiccRunTest, DynamicShapesTakeAnyShapeInRange) {
  // The 4-element files through a module for 1..64 elements.
  std::string inputs = path("dynamic_add.aicc") + " --input a=@" +
                       path("a.npy") + " --input b=@" + path("b.npy");
  Result result = run(inputs + " --output c=@" + path("c_dynamic.npy") +
                      " --expected c=@" + path("c_expected.npy"));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "PASS");
  npy::Array c;
  std::string error;
  ASSERT_TRUE(npy::readFile(path("c_dynamic.npy"), &c, &error)) << error;
  EXPECT_EQ(c.shape, std::vector<int64_t>{4});
  result = run(inputs);
  EXPECT_CONTAINS(result.output, "output 0 'c': f32[4] = [1.75, 12, 0, -4]");
  // Random inputs take --dim (default: the maximum).
  result = run(path("dynamic_add.aicc") +
               " --input a=random --input b=random --dim n=3");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "output 0 'c': f32[3] = ");
  result = run(path("dynamic_add.aicc") + " --input a=random --input b=random");
  EXPECT_CONTAINS(result.output, "output 0 'c': f32[64] = ");
  result = run(path("dynamic_add.aicc") +
               " --input a=random --input b=random --dim n=65");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output, "input 'a' dim 0 (n) is 65, outside 1..64");
  // A file past the upper bound: the runtime's range message.
  result = run(path("dynamic_add.aicc") + " --input a=@" + path("a_65.npy") +
               " --input b=@" + path("a_65.npy"));
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output, "input 'a' dim 0 (n) is 65, outside 1..64");
  result = run(path("dynamic_add.aicc") + " --input a=@" + path("a.npy") +
               " --input b=@" + path("a_2x2.npy"));
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "input 'b': expected shape f32[n<=64], got f32[2,2]");
  result = run(path("dynamic_add.aicc") + " --input a=random --dim m=2");
  EXPECT_CONTAINS(result.output,
                  "--dim m: the module has no symbol 'm' (its symbols: n)");
  result = run(path("dynamic_add.aicc") + " --inspect");
  EXPECT_CONTAINS(result.output, "0 a: f32[n<=64] (256 bytes at most)");
  EXPECT_CONTAINS(result.output, "symbols: 1\n  0 n: 1..64");
}

TEST_F(AiccRunTest, GeneratesWithTheKvCache) {
  Result result = run(path("fake_decoder.aicc") + " --generate 10 --prompt 5");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::string expected = "tokens:";
  for (int64_t token : fakeDecoderTokens({5}, 10))
    expected += " " + std::to_string(token);
  EXPECT_CONTAINS(result.output, expected + "\n");
  EXPECT_CONTAINS(result.output, "prompt: 1 tokens, time to first token ");
  EXPECT_CONTAINS(result.output, "decode: 9 steps, median ");
  EXPECT_CONTAINS(result.output, " tokens/s");
  // The prompt from the token input's file, and explicit cache pairs.
  result = run(path("fake_decoder.aicc") + " --generate 4 --input input_ids=@" +
               path("prompt.npy") +
               " --kv-cache past_key_values.0.key:present.0.key");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  expected = "tokens:";
  for (int64_t token : fakeDecoderTokens({2, 3, 9}, 4))
    expected += " " + std::to_string(token);
  EXPECT_CONTAINS(result.output, expected + "\n");
  // Beyond the cache's range: the tokens so far, then the range error.
  result = run(path("fake_decoder.aicc") + " --generate 40 --prompt 5");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output, "input 'past_key_values.0.key' dim 2 "
                                 "(past_sequence) is 33, outside 0..32");
  result = run(path("fake_decoder.aicc") +
               " --generate 2 --kv-cache past_key_values.0.key:nothing");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output, "generation: the present output of "
                                 "'past_key_values.0.key': no tensor named "
                                 "'nothing'");
  result = run(addInputs() + " --generate 2");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "generation: the token input: no tensor named 'input_ids'");
}

TEST_F(AiccRunTest, RandomInputsAreReproducible) {
  std::string args =
      path("add.aicc") + " --input a=random --input b=random --seed 7";
  Result first = run(args), second = run(args);
  EXPECT_EQ(first.exitCode, 0) << first.output;
  EXPECT_EQ(first.output, second.output);
  Result other =
      run(path("add.aicc") + " --input a=random --input b=random --seed 8");
  EXPECT_NE(first.output, other.output);
}

TEST_F(AiccRunTest, ExpectedOutputs) {
  Result pass = run(addInputs() + " --expected c=@" + path("c_expected.npy"));
  EXPECT_EQ(pass.exitCode, 0) << pass.output;
  EXPECT_CONTAINS(pass.output, "output 'c': max abs error 0, max rel error 0, "
                               "0 of 4 elements out of tolerance");
  EXPECT_CONTAINS(pass.output, "PASS");

  Result close = run(addInputs() + " --expected c=@" + path("c_close.npy") +
                     " --rtol 1e-5 --atol 1e-6");
  EXPECT_EQ(close.exitCode, 0) << close.output;
  Result tooStrict = run(addInputs() + " --expected c=@" + path("c_close.npy") +
                         " --rtol 0 --atol 0");
  EXPECT_EQ(tooStrict.exitCode, 1) << tooStrict.output;

  Result fail = run(addInputs() + " --expected c=@" + path("c_wrong.npy"));
  EXPECT_EQ(fail.exitCode, 1) << fail.output;
  EXPECT_CONTAINS(fail.output, "1 of 4 elements out of tolerance");
  EXPECT_CONTAINS(fail.output, "FAIL");
  EXPECT_CONTAINS(fail.output, "first mismatch at element 2: got 0, expected "
                               "0.5");
  EXPECT_CONTAINS(fail.output, "outputs differ from the expected values");

  Result wrongShape = run(addInputs() + " --expected c=@" + path("a_2x2.npy"));
  EXPECT_EQ(wrongShape.exitCode, 1);
  EXPECT_CONTAINS(wrongShape.output,
                  "expected output 'c': expected shape f32[4], got f32[2,2]");
}

TEST_F(AiccRunTest, WrongInputsAreClearErrors) {
  Result name = run(addInputs() + " --input z=@" + path("a.npy"));
  EXPECT_EQ(name.exitCode, 1);
  EXPECT_CONTAINS(name.output, "--input: the module has no input named 'z'; "
                               "its inputs are: a (f32[4]), b (f32[4])");

  Result shape = run(path("add.aicc") + " --input a=@" + path("a_2x2.npy") +
                     " --input b=@" + path("b.npy"));
  EXPECT_EQ(shape.exitCode, 1);
  EXPECT_CONTAINS(shape.output, "input 'a': expected shape f32[4], got "
                                "f32[2,2] (from " +
                                    path("a_2x2.npy") + ")");

  Result dtype = run(path("add.aicc") + " --input a=@" + path("a_i32.npy") +
                     " --input b=@" + path("b.npy"));
  EXPECT_EQ(dtype.exitCode, 1);
  EXPECT_CONTAINS(dtype.output,
                  "input 'a': expected element type f32, got i32");

  Result missing = run(path("add.aicc") + " --input a=@" + path("a.npy"));
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_CONTAINS(missing.output, "missing input 'b' (f32[4])");

  Result twice = run(addInputs() + " --input a=random");
  EXPECT_EQ(twice.exitCode, 1);
  EXPECT_CONTAINS(twice.output, "input 'a' is given twice");

  Result tooMany = run(addInputs() + " --input random");
  EXPECT_EQ(tooMany.exitCode, 1);
  EXPECT_CONTAINS(tooMany.output, "the module has only 2 inputs");

  Result noFile = run(path("add.aicc") + " --input a=@" + path("nope.npy") +
                      " --input b=random");
  EXPECT_EQ(noFile.exitCode, 1);
  EXPECT_CONTAINS(noFile.output, "nope.npy: cannot open");
}

// Tests that an --input or --expected file that is not a regular .npy file of
// the right size is a clear error with exit code 1, never an abort: /dev/zero
// used to be read until std::bad_alloc.
TEST_F(AiccRunTest, HostileInputFilesAreClearErrors) {
  Result zero = run(path("add.aicc") + " --input a=@/dev/zero --input b=@" +
                    path("b.npy"));
  EXPECT_EQ(zero.exitCode, 1);
  EXPECT_CONTAINS(zero.output, "input 'a': /dev/zero: not a regular file");

  Result urandom = run(addInputs() + " --expected c=@/dev/urandom");
  EXPECT_EQ(urandom.exitCode, 1);
  EXPECT_CONTAINS(urandom.output,
                  "expected output 'c': /dev/urandom: not a regular file");

  Result directory = run(path("add.aicc") + " --input a=@" + *dir_ +
                         " --input b=@" + path("b.npy"));
  EXPECT_EQ(directory.exitCode, 1);
  EXPECT_CONTAINS(directory.output, "input 'a': " + *dir_ + ": is a directory");

  std::vector<uint8_t> bytes = readFileBytes(path("a.npy"));
  ASSERT_GT(bytes.size(), 5u);
  bytes.resize(bytes.size() - 5);
  ASSERT_TRUE(writeFileBytes(path("a_truncated.npy"), bytes));
  Result truncated = run(path("add.aicc") + " --input a=@" +
                         path("a_truncated.npy") + " --input b=@" +
                         path("b.npy"));
  EXPECT_EQ(truncated.exitCode, 1);
  EXPECT_CONTAINS(truncated.output, "truncated data: the array needs 16 bytes, "
                                    "the file has 11");

  // An array larger than the input is refused before its data is read.
  writeF32("a_8.npy", {1, 2, 3, 4, 5, 6, 7, 8}, {8});
  Result large = run(path("add.aicc") + " --input a=@" + path("a_8.npy") +
                     " --input b=@" + path("b.npy"));
  EXPECT_EQ(large.exitCode, 1);
  EXPECT_CONTAINS(large.output, "the array (shape [8]) holds 32 bytes, more "
                                "than the 16 bytes the tensor takes");
}

TEST_F(AiccRunTest, BadModulesAndOptions) {
  Result missing = run(path("missing.aicc") + " --inspect");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_CONTAINS(missing.output, "cannot open");
  Result corrupt = run(path("corrupt.aicc") + " --inspect");
  EXPECT_EQ(corrupt.exitCode, 1);
  EXPECT_CONTAINS(corrupt.output, "checksum mismatch");
  Result option = run(path("add.aicc") + " --frobnicate");
  EXPECT_EQ(option.exitCode, 1);
  EXPECT_CONTAINS(option.output, "unknown option '--frobnicate'");
  Result device = run(addInputs() + " --device gpu");
  EXPECT_EQ(device.exitCode, 1);
  EXPECT_CONTAINS(device.output, "no device named 'gpu'");
  Result threads = run(addInputs() + " --threads lots");
  EXPECT_EQ(threads.exitCode, 1);
  EXPECT_CONTAINS(threads.output, "--threads 'lots'");
  Result noModule = run("");
  EXPECT_EQ(noModule.exitCode, 1);
  EXPECT_CONTAINS(noModule.output, "no module given");
}

TEST_F(AiccRunTest, Benchmark) {
  Result result = run(path("pipeline.aicc") +
                      " --input x=random --benchmark 5 --threads 2");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::string output = result.output;
  while (!output.empty() && output.back() == '\n')
    output.pop_back();
  std::string last = output.substr(output.rfind('\n') + 1);
  EXPECT_TRUE(std::regex_match(
      last,
      std::regex("latency: median [0-9]+\\.[0-9]+ ms, p90 [0-9]+\\.[0-9]+ "
                 "ms, min [0-9]+\\.[0-9]+ ms, [0-9]+\\.[0-9] runs/s")))
      << last;

  Result withCheck = run(addInputs() + " --expected c=@" +
                         path("c_expected.npy") + " --benchmark 3 --warmup 0");
  EXPECT_EQ(withCheck.exitCode, 0) << withCheck.output;
  EXPECT_CONTAINS(withCheck.output, "PASS");
  EXPECT_CONTAINS(withCheck.output, "latency: median");
  Result zero = run(addInputs() + " --benchmark 0");
  EXPECT_EQ(zero.exitCode, 1);
}

/// Environment that makes the CUDA and ROCm drivers find no library.
const char *kNoGpu = "AICC_CUDA_LIBRARY=/nonexistent/libcuda.so.1 "
                     "AICC_HIP_LIBRARY=/nonexistent/libamdhip64.so ";

/// Runs aicc-run with the fake CUDA driver library and its trace.
Result runFakeCuda(const std::string &args) {
  return AiccRunTest::runWith(std::string("AICC_CUDA_LIBRARY='") +
                                  AICC_FAKE_CUDA_SO +
                                  "' AICC_FAKE_CUDA_TRACE=1 ",
                              args);
}

TEST_F(AiccRunTest, ListDevicesSaysWhyGpuDriversFoundNothing) {
  Result result = runWith(kNoGpu, "--list-devices");
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_CONTAINS(result.output, "cpu (cpu): ");
  EXPECT_CONTAINS(result.output,
                  "\ncuda: /nonexistent/libcuda.so.1 not found\n");
  EXPECT_CONTAINS(result.output,
                  "\nrocm: /nonexistent/libamdhip64.so not found\n");
  result = runWith(std::string("AICC_FAKE_CUDA_DEVICES=0 AICC_CUDA_LIBRARY='") +
                       AICC_FAKE_CUDA_SO + "' ",
                   "--list-devices");
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_CONTAINS(result.output,
                  "cuda: cuInit failed: CUDA_ERROR_NO_DEVICE (100: no "
                  "CUDA-capable device is detected)");
}

TEST_F(AiccRunTest, DeviceCudaWithoutGpuFails) {
  Result result = runWith(kNoGpu, addInputs() + " --device=cuda");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "add.aicc: no cuda device: /nonexistent/libcuda.so.1 not "
                  "found (available: cpu, npu, auto)\n");
  result = runWith(kNoGpu, path("cuda.aicc") + " --input a=@" + path("a.npy") +
                               " --input b=@" + path("b.npy"));
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output, "no available device (cpu, npu) can run this "
                                 "module");
}

TEST_F(AiccRunTest, DeviceCudaWithoutGpuFailsInThisEnvironment) {
  // The same without the override, where the machine has no CUDA driver.
  if (void *driver = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    ::dlclose(driver);
    GTEST_SKIP() << "this machine has a CUDA driver";
  }
  Result result = run(addInputs() + " --device=cuda");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "no cuda device: libcuda.so.1 not found (available: cpu");
}

TEST_F(AiccRunTest, RunsOnTheFakeCudaDriver) {
  Result devices = runFakeCuda("--list-devices");
  EXPECT_EQ(devices.exitCode, 0);
  EXPECT_CONTAINS(devices.output, "cuda:0 (cuda): Fake GPU (aicc tests), "
                                  "sm_90, 1.0 GiB, 4 SMs, driver 13.0");
  // Listing creates no context on the GPU.
  EXPECT_EQ(devices.output.find("cuDevicePrimaryCtxRetain"), std::string::npos)
      << devices.output;

  std::string io = " --input a=@" + path("a.npy") + " --input b=@" +
                   path("b.npy") + " --expected c=@" + path("c_gpu.npy") +
                   " --rtol 0 --atol 0";
  // auto picks the GPU; the run copies in, launches, copies out, waits.
  Result result = runFakeCuda(path("cuda.aicc") + io);
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "PASS");
  EXPECT_CONTAINS(result.output,
                  "fake-cuda: cuMemcpyHtoD 16\n" // The constants, at load.
                  "fake-cuda: cuMemcpyHtoDAsync 16\n"
                  "fake-cuda: cuMemcpyHtoDAsync 16\n"
                  "fake-cuda: cuLaunchKernel add grid 1x1x1 block 4x1x1\n"
                  "fake-cuda: cuLaunchKernel mul grid 1x1x1 block 4x1x1\n"
                  "fake-cuda: cuMemcpyDtoHAsync 16\n"
                  "fake-cuda: cuStreamSynchronize -> 0\n");

  // A cubin for another arch falls back to the PTX; one for this GPU wins.
  result = runFakeCuda(path("cuda_sm80.aicc") + io + " --device=cuda");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "fake-cuda: cuModuleLoadData(cubin) -> "
                                 "CUDA_ERROR_NO_BINARY_FOR_GPU\n"
                                 "fake-cuda: cuModuleLoadData(ptx)\n");
  result = runFakeCuda(path("cuda_sm90.aicc") + io + " --device=cuda:0");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "fake-cuda: cuModuleLoadData(cubin)\n");
  EXPECT_EQ(result.output.find("cuModuleLoadData(ptx)"), std::string::npos);
}

TEST_F(AiccRunTest, ProfilesOnTheFakeCudaDriverWithEvents) {
  Result result =
      runFakeCuda(path("cuda.aicc") + " --input a=@" + path("a.npy") +
                  " --input b=@" + path("b.npy") + " --profile --benchmark 3");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "profile: 3 runs, cuda:0 (Fake GPU");
  // The fake stream's clock: 0.25 ms a launch, 0.001 ms a copy.
  std::regex add(R"(\n +2 +0\.2500 .* add\n)");
  std::regex copy(R"(\n +[014] +0\.0010 .* copy\n)");
  EXPECT_TRUE(std::regex_search(result.output, add)) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, copy)) << result.output;
}

TEST_F(AiccRunTest, ReportsGpuFaultsWithTheDriverError) {
  Result result = runFakeCuda(path("cuda_oob.aicc") + " --input a=@" +
                              path("a.npy") + " --input b=@" + path("b.npy"));
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "aicc-run: error: " + path("cuda_oob.aicc") +
                      ": run on device 'cuda:0': cuda: cuStreamSynchronize "
                      "failed: CUDA_ERROR_ILLEGAL_ADDRESS (700: an illegal "
                      "memory access was encountered)");
}

TEST_F(AiccRunTest, RunsOnTheFakeRocmDriver) {
  std::string fake =
      std::string("AICC_HIP_LIBRARY='") + AICC_FAKE_HIP_SO +
      "' AICC_FAKE_CUDA_TRACE=1 AICC_CUDA_LIBRARY=/nonexistent/libcuda.so.1 ";
  Result devices = runWith(fake, "--list-devices");
  EXPECT_EQ(devices.exitCode, 0);
  EXPECT_CONTAINS(devices.output,
                  "rocm:0 (rocm): Fake GPU (aicc tests), 1.0 GiB, HIP 6.0\n");

  std::string io = " --input a=@" + path("a.npy") + " --input b=@" +
                   path("b.npy") + " --expected c=@" + path("c_gpu.npy") +
                   " --rtol 0 --atol 0";
  Result result = runWith(fake, path("rocm.aicc") + io + " --device=rocm");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "PASS");
  EXPECT_CONTAINS(result.output,
                  "fake-cuda: cuLaunchKernel add grid 1x1x1 block 4x1x1\n"
                  "fake-cuda: cuLaunchKernel mul grid 1x1x1 block 4x1x1\n"
                  "fake-cuda: cuMemcpyDtoHAsync 16\n"
                  "fake-cuda: cuStreamSynchronize -> 0\n");

  // Code for another GPU is a clear error naming the HIP call.
  result = runWith(fake, path("rocm_gfx1100.aicc") + io);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_CONTAINS(result.output,
                  "executable 0 ('kernels') cannot be loaded on rocm:0 (Fake "
                  "GPU (aicc tests), 1.0 GiB, HIP 6.0): hsaco: rocm: "
                  "hipModuleLoadData failed: hipErrorNoBinaryForGpu (209: no "
                  "kernel image is available for execution on the device)");
}

/// Runs the test module on a real CUDA GPU; skipped where there is none.
TEST_F(AiccRunTest, RunsOnARealCudaGpu) {
  Result devices = run("--list-devices");
  if (devices.output.find("cuda:0 (cuda)") == std::string::npos)
    GTEST_SKIP() << "no CUDA GPU: " << devices.output;
  Result result = run(path("cuda.aicc") + " --device=cuda --input a=@" +
                      path("a.npy") + " --input b=@" + path("b.npy") +
                      " --expected c=@" + path("c_gpu.npy") +
                      " --rtol 0 --atol 0 --profile --benchmark 5");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_CONTAINS(result.output, "PASS");
  EXPECT_CONTAINS(result.output, "profile: 5 runs, cuda:0");
}

} // namespace
