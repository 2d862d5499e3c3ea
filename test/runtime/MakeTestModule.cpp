//===- MakeTestModule.cpp - Writes a sample module for trying aicc-run ----===//
//
//   aicc-make-test-module DIR [ROWS COLS]
//   aicc-make-test-module --dynamic DIR
//
// Writes DIR/pipeline.aicc (y = relu(x * w + bias) over f32[ROWS, COLS], two
// dispatches, weights in place, an arena intermediate; the kernels of
// kernels/test_kernels.c), DIR/x.npy (an input) and DIR/y.npy (the result
// computed here, independently of the runtime), so that e.g.
//
//   aicc-run DIR/pipeline.aicc --inspect
//   aicc-run DIR/pipeline.aicc --input x=@DIR/x.npy --expected y=@DIR/y.npy \
//            --benchmark 100
//
// can be tried without the compiler. With --dynamic it writes two format 1.3
// modules instead: DIR/dynamic_add.aicc (c = a + b, f32[n], n in 1..64) and
// DIR/fake_decoder.aicc (a stand-in decoder with a KV cache for
// `aicc-run --generate`; test/runtime/TestUtil.h), and a format 1.4 one,
// DIR/value_add.aicc (c = a + b over the first n[0] elements, a value
// symbol, through a runtime-allocated buffer).
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "TestUtil.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace aicc;
using namespace aicc::test;

static bool writeArray(const std::string &path, const std::vector<float> &data,
                       int64_t rows, int64_t cols) {
  npy::Array array;
  array.elementType = AICC_ELEMENT_TYPE_F32;
  array.shape = {rows, cols};
  array.data.resize(data.size() * 4);
  std::memcpy(array.data.data(), data.data(), array.data.size());
  std::string error;
  if (!npy::writeFile(path, array, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  if (argc == 3 && std::string(argv[1]) == "--dynamic") {
    std::string dir = argv[2], error;
    if (!dynamicAddModule(64).writeFile(dir + "/dynamic_add.aicc", &error) ||
        !fakeDecoderModule().writeFile(dir + "/fake_decoder.aicc", &error) ||
        !valueAddModule().writeFile(dir + "/value_add.aicc", &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    std::printf("wrote %s/dynamic_add.aicc, %s/fake_decoder.aicc, "
                "%s/value_add.aicc\n",
                dir.c_str(), dir.c_str(), dir.c_str());
    return 0;
  }
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s DIR [ROWS COLS]\n", argv[0]);
    return 1;
  }
  std::string dir = argv[1];
  int64_t rows = argc == 4 ? std::atoll(argv[2]) : 256;
  int64_t cols = argc == 4 ? std::atoll(argv[3]) : 1024;
  if (rows <= 0 || cols <= 0) {
    std::fprintf(stderr, "error: ROWS and COLS must be positive\n");
    return 1;
  }
  std::vector<float> w = pipelineWeights(rows, cols), bias = pipelineBias(cols);
  std::vector<float> x(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * 0.125f;
  std::string error;
  if (!pipelineModule(rows, cols, w, bias)
           .writeFile(dir + "/pipeline.aicc", &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  if (!writeArray(dir + "/x.npy", x, rows, cols) ||
      !writeArray(dir + "/y.npy", pipelineReference(rows, cols, x, w, bias),
                  rows, cols))
    return 1;
  std::printf("wrote %s/pipeline.aicc, %s/x.npy, %s/y.npy\n", dir.c_str(),
              dir.c_str(), dir.c_str());
  return 0;
}
