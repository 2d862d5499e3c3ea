//===- ThreadSafetyTest.cpp - Sessions of one module on many threads ------===//
//
// A module is immutable after load, so several threads may create sessions
// from it (the first one loads the code, the others share it) and run them
// at the same time, each with its own arena and thread pool.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <atomic>
#include <random>
#include <thread>

using namespace aicc;
using namespace aicc::test;

namespace {

TEST(ThreadSafetyTest, ConcurrentSessionsOfOneModule) {
  const int64_t rows = 23, cols = 31;
  const int kThreads = 6, kRuns = 40;
  std::vector<float> w = pipelineWeights(rows, cols), bias = pipelineBias(cols);
  RuntimeHandle rt;
  ModuleHandle module;
  AICC_ASSERT_OK(loadModule(rt.runtime,
                            pipelineModule(rows, cols, w, bias).finish(),
                            &module.module));

  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load())
        std::this_thread::yield();
      aicc_session_options_t options;
      aicc_session_options_init(&options);
      options.num_threads = 1 + t % 3; // Mix pool sizes.
      aicc_session_t *session = nullptr;
      aicc_status_t status =
          aicc_session_create(module.module, &options, &session);
      if (status) {
        ADD_FAILURE() << aicc_status_message(status);
        aicc_status_free(status);
        ++failures;
        return;
      }
      std::mt19937 rng(1000 + t);
      std::uniform_real_distribution<float> dist(-2, 2);
      std::vector<int64_t> dims = {rows, cols};
      for (int run = 0; run < kRuns; ++run) {
        std::vector<float> x(rows * cols), y(rows * cols);
        for (float &v : x)
          v = dist(rng);
        aicc_tensor_view_t in = viewOf(x, AICC_ELEMENT_TYPE_F32, dims);
        aicc_tensor_view_t out = viewOf(y, AICC_ELEMENT_TYPE_F32, dims);
        status = aicc_session_run(session, &in, 1, &out, 1);
        if (status || y != pipelineReference(rows, cols, x, w, bias)) {
          if (status)
            ADD_FAILURE() << aicc_status_message(status);
          aicc_status_free(status);
          ++failures;
          break;
        }
      }
      aicc_session_destroy(session);
    });
  }
  go.store(true);
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadSafetyTest, ModulesLoadedConcurrently) {
  RuntimeHandle rt;
  std::vector<uint8_t> file = addModule(16).finish();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        ModuleHandle module;
        SessionHandle session;
        if (statusText(loadModule(rt.runtime, file, &module.module)) != "OK" ||
            statusText(aicc_session_create(module.module, nullptr,
                                           &session.session)) != "OK")
          ++failures;
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
