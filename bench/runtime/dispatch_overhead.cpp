//===- dispatch_overhead.cpp - Runtime cost of one dispatch ---------------===//
//
// Builds a module whose schedule is N dispatches of an empty kernel, each
// binding an input, an arena buffer and an output and passing one push
// constant (like a typical fused elementwise kernel), runs it many times on
// one thread and reports the median time per dispatch. A module with no
// dispatches gives the fixed per-run cost (argument checks), which is
// subtracted.
//
//   aicc-bench-dispatch-overhead [dispatches=1000] [runs=2000]
//
//===----------------------------------------------------------------------===//

#include "aicc/ModuleWriter.h"
#include "aicc/runtime.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace aicc;

namespace {

std::vector<uint8_t> readKernel() {
  std::vector<uint8_t> bytes;
  FILE *file = std::fopen(AICC_BENCH_KERNEL_SO, "rb");
  if (!file) {
    std::fprintf(stderr, "cannot open %s\n", AICC_BENCH_KERNEL_SO);
    std::exit(1);
  }
  int c;
  while ((c = std::fgetc(file)) != EOF)
    bytes.push_back(static_cast<uint8_t>(c));
  std::fclose(file);
  return bytes;
}

std::vector<uint8_t> buildModule(const std::vector<uint8_t> &kernel,
                                 int dispatches) {
  ModuleWriter writer;
  writer.setName("dispatch-overhead");
  writer.addInput("x", fb::ElementType::F32, {16});
  writer.addOutput("y", fb::ElementType::F32, {16});
  uint32_t code = writer.addSegment(kernel.data(), kernel.size());
  writer.addExecutable({"bench",
                        fb::DeviceKind::Cpu,
                        "elf-x86_64",
                        code,
                        {{"empty_kernel", 3, 1, {}}},
                        {}});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 64, 64);
  uint32_t x = writer.addInputBuffer(0);
  uint32_t tmp = writer.addArenaBuffer(0, 0, 64);
  uint32_t y = writer.addOutputBuffer(0);
  for (int i = 0; i < dispatches; ++i)
    writer.addDispatch(0, 0, {x, tmp, y}, {i});
  return writer.finish();
}

void check(aicc_status_t status) {
  if (status) {
    std::fprintf(stderr, "error: %s\n", aicc_status_message(status));
    std::exit(1);
  }
}

/// Median wall time of one run, in nanoseconds.
double medianRunNs(aicc_runtime_t *runtime, const std::vector<uint8_t> &file,
                   int runs) {
  aicc_module_t *module = nullptr;
  check(aicc_module_load_memory(runtime, file.data(), file.size(),
                                AICC_MEMORY_COPY, "bench", &module));
  aicc_session_options_t options;
  aicc_session_options_init(&options);
  options.num_threads = 1;
  aicc_session_t *session = nullptr;
  check(aicc_session_create(module, &options, &session));

  alignas(64) float x[16] = {}, y[16] = {};
  int64_t dims[1] = {16};
  aicc_tensor_view_t in = {x, AICC_ELEMENT_TYPE_F32, 1, dims, sizeof(x)};
  aicc_tensor_view_t out = {y, AICC_ELEMENT_TYPE_F32, 1, dims, sizeof(y)};
  for (int i = 0; i < 50; ++i)
    check(aicc_session_run(session, &in, 1, &out, 1));
  std::vector<double> times;
  times.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    aicc_status_t status = aicc_session_run(session, &in, 1, &out, 1);
    auto end = std::chrono::steady_clock::now();
    check(status);
    times.push_back(
        std::chrono::duration<double, std::nano>(end - start).count());
  }
  aicc_session_destroy(session);
  aicc_module_release(module);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  int dispatches = argc > 1 ? std::atoi(argv[1]) : 1000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 2000;
  if (dispatches <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: %s [dispatches > 0] [runs > 0]\n", argv[0]);
    return 1;
  }
  aicc_runtime_t *runtime = nullptr;
  check(aicc_runtime_create(&runtime));
  std::vector<uint8_t> kernel = readKernel();
  double empty = medianRunNs(runtime, buildModule(kernel, 0), runs);
  double full = medianRunNs(runtime, buildModule(kernel, dispatches), runs);
  aicc_runtime_release(runtime);

  std::printf("runs: %d, dispatches per run: %d (3 bindings, 1 push constant, "
              "1 thread)\n",
              runs, dispatches);
  std::printf("median run: %.0f ns with dispatches, %.0f ns without\n", full,
              empty);
  std::printf("dispatch overhead: %.1f ns per dispatch\n",
              (full - empty) / dispatches);
  return 0;
}
