//===- DynamicShapesTest.cpp - Format 1.3 modules with dynamic shapes -----===//
//
// Hand-built 1.3 artifacts (the writer plus the C test kernels, no compiler):
// symbol binding from input shapes, range/consistency/assumption errors,
// push constants, copy sizes and output shapes evaluated per run, malformed
// IntExpr programs rejected at load, and the generation loop over a fake
// decoder with a KV cache.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace aicc;
using namespace aicc::test;

namespace {

std::string loadError(const ModuleWriter &writer) {
  RuntimeHandle runtime;
  ModuleHandle module;
  return statusText(
      loadModule(runtime.runtime, writer.finish(), &module.module));
}

/// Runs dynamic_add on vectors of `n` and `m` elements; returns the status
/// text and the output (and its reported shape).
std::string runAdd(LoadedSession &loaded, int64_t n, int64_t m,
                   std::vector<float> *out = nullptr,
                   std::vector<int64_t> *shape = nullptr) {
  std::vector<float> a(static_cast<size_t>(std::max<int64_t>(n, 0))),
      b(static_cast<size_t>(std::max<int64_t>(m, 0)));
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<float>(i);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = 100.0f * static_cast<float>(i);
  // The output view has the upper bound's size and shape.
  std::vector<float> c(64, -1.0f);
  std::vector<int64_t> aDims{n}, bDims{m}, cDims{64};
  aicc_tensor_view_t inputs[2] = {viewOf(a, AICC_ELEMENT_TYPE_F32, aDims),
                                  viewOf(b, AICC_ELEMENT_TYPE_F32, bDims)};
  aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, cDims);
  std::string text =
      runOneOutput(loaded.session.session, inputs, 2, &output, shape);
  if (out)
    *out = c;
  return text;
}

TEST(DynamicShapes, RunsEveryLengthInRange) {
  LoadedSession loaded(dynamicAddModule(64));
  ASSERT_EQ(loaded.error, "OK");
  EXPECT_EQ(aicc_module_is_dynamic(loaded.module.module), 1);
  ASSERT_EQ(aicc_module_symbol_count(loaded.module.module), 1u);
  aicc_symbol_info_t symbol;
  AICC_ASSERT_OK(aicc_module_symbol_info(loaded.module.module, 0, &symbol));
  EXPECT_STREQ(symbol.name, "n");
  EXPECT_EQ(symbol.min, 1);
  EXPECT_EQ(symbol.max, 64);
  int64_t dimSymbol = -5;
  AICC_ASSERT_OK(
      aicc_module_input_dim_symbol(loaded.module.module, 1, 0, &dimSymbol));
  EXPECT_EQ(dimSymbol, 0);
  for (int64_t n : {1, 5, 17, 64}) {
    std::vector<float> c;
    std::vector<int64_t> shape;
    ASSERT_EQ(runAdd(loaded, n, n, &c, &shape), "OK") << n;
    EXPECT_EQ(shape, std::vector<int64_t>{n});
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(c[i], 101.0f * static_cast<float>(i)) << n << " " << i;
    // The kernel wrote exactly n elements: the push constant was n.
    if (n < 64)
      EXPECT_EQ(c[n], -1.0f) << n;
  }
}

TEST(DynamicShapes, StaticModulesKeepExactShapes) {
  LoadedSession loaded(addModule(4));
  ASSERT_EQ(loaded.error, "OK");
  EXPECT_EQ(aicc_module_is_dynamic(loaded.module.module), 0);
  EXPECT_EQ(aicc_module_symbol_count(loaded.module.module), 0u);
  int64_t symbol = 0;
  AICC_ASSERT_OK(
      aicc_module_input_dim_symbol(loaded.module.module, 0, 0, &symbol));
  EXPECT_EQ(symbol, -1);
  std::vector<float> a(4, 1.0f), b(4, 2.0f), c(4);
  std::vector<int64_t> four{4}, three{3};
  aicc_tensor_view_t inputs[2] = {viewOf(a, AICC_ELEMENT_TYPE_F32, four),
                                  viewOf(b, AICC_ELEMENT_TYPE_F32, four)};
  aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, four);
  AICC_ASSERT_OK(
      aicc_session_run(loaded.session.session, inputs, 2, &output, 1));
  int64_t dims[1] = {0};
  size_t rank = 0;
  AICC_ASSERT_OK(aicc_session_output_shape(loaded.session.session, 0, dims, 1,
                                           &rank));
  EXPECT_EQ(rank, 1u);
  EXPECT_EQ(dims[0], 4);
  // A static output's shape is still compared exactly.
  output = viewOf(c, AICC_ELEMENT_TYPE_F32, three);
  std::string text = statusText(
      aicc_session_run(loaded.session.session, inputs, 2, &output, 1));
  EXPECT_NE(text.find("output 0 ('c'): expected f32[4], got f32[3]"),
            std::string::npos)
      << text;
}

TEST(DynamicShapes, RejectsLengthsOutsideTheRange) {
  LoadedSession loaded(dynamicAddModule(64));
  ASSERT_EQ(loaded.error, "OK");
  std::string text = runAdd(loaded, 65, 65);
  EXPECT_NE(text.find("input 'a' dim 0 (n) is 65, outside 1..64"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("INVALID_ARGUMENT"), 0u) << text;
  text = runAdd(loaded, 0, 0);
  EXPECT_NE(text.find("input 'a' dim 0 (n) is 0, outside 1..64"),
            std::string::npos)
      << text;
  // The session still works afterwards.
  EXPECT_EQ(runAdd(loaded, 3, 3), "OK");
}

TEST(DynamicShapes, RejectsInconsistentDims) {
  LoadedSession loaded(dynamicAddModule(64));
  ASSERT_EQ(loaded.error, "OK");
  std::string text = runAdd(loaded, 3, 4);
  EXPECT_NE(text.find("input 'b' dim 0 (n) is 4, but input 'a' dim 0 set n "
                      "to 3 (range 1..64)"),
            std::string::npos)
      << text;
}

TEST(DynamicShapes, RejectsWrongRankAndSmallViews) {
  LoadedSession loaded(dynamicAddModule(64));
  ASSERT_EQ(loaded.error, "OK");
  std::vector<float> a(4), b(4), c(64);
  std::vector<int64_t> matrix{2, 2}, four{4}, bound{64};
  aicc_tensor_view_t inputs[2] = {viewOf(a, AICC_ELEMENT_TYPE_F32, matrix),
                                  viewOf(b, AICC_ELEMENT_TYPE_F32, four)};
  aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, bound);
  std::string text = statusText(
      aicc_session_run(loaded.session.session, inputs, 2, &output, 1));
  EXPECT_NE(text.find("input 0 ('a'): expected f32[n<=64], got f32[2,2]"),
            std::string::npos)
      << text;
  // An output view too small for the actual output.
  inputs[0] = viewOf(a, AICC_ELEMENT_TYPE_F32, four);
  output.byte_size = 12;
  text = statusText(
      aicc_session_run(loaded.session.session, inputs, 2, &output, 1));
  EXPECT_NE(text.find("output 0 ('c'): the view holds 12 bytes, the tensor "
                      "needs 16"),
            std::string::npos)
      << text;
}

TEST(DynamicShapes, InferShapesBeforeRunning) {
  LoadedSession loaded(fakeDecoderModule());
  ASSERT_EQ(loaded.error, "OK");
  int64_t dims[4] = {0, 0, 0, 0};
  size_t rank = 0;
  // Before anything: the upper bounds.
  AICC_ASSERT_OK(
      aicc_session_output_shape(loaded.session.session, 1, dims, 4, &rank));
  EXPECT_EQ(rank, 4u);
  EXPECT_EQ(dims[2], kFakeMaxPast + kFakeMaxSequence);
  std::vector<int64_t> idsDims{1, 3}, maskDims{1, 8}, pastDims{1, 1, 5, 2};
  aicc_tensor_view_t inputs[3] = {
      {nullptr, AICC_ELEMENT_TYPE_I64, 2, idsDims.data(), 0},
      {nullptr, AICC_ELEMENT_TYPE_I64, 2, maskDims.data(), 0},
      {nullptr, AICC_ELEMENT_TYPE_F32, 4, pastDims.data(), 0}};
  // Only shapes are read.
  AICC_ASSERT_OK(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  AICC_ASSERT_OK(
      aicc_session_output_shape(loaded.session.session, 1, dims, 4, &rank));
  EXPECT_EQ(dims[2], 8);
  std::vector<int64_t> ids(3), mask(8);
  std::vector<float> past(10);
  pastDims[2] = 4;
  maskDims[1] = 7;
  inputs[0] = viewOf(ids, AICC_ELEMENT_TYPE_I64, idsDims);
  inputs[1] = viewOf(mask, AICC_ELEMENT_TYPE_I64, maskDims);
  inputs[2] = viewOf(past, AICC_ELEMENT_TYPE_F32, pastDims);
  AICC_ASSERT_OK(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  AICC_ASSERT_OK(
      aicc_session_output_shape(loaded.session.session, 0, dims, 4, &rank));
  EXPECT_EQ(std::vector<int64_t>(dims, dims + rank),
            (std::vector<int64_t>{1, 3, kFakeVocabulary}));
  AICC_ASSERT_OK(
      aicc_session_output_shape(loaded.session.session, 1, dims, 4, &rank));
  EXPECT_EQ(std::vector<int64_t>(dims, dims + rank),
            (std::vector<int64_t>{1, 1, 7, 2}));
  std::string text = statusText(
      aicc_session_output_shape(loaded.session.session, 1, dims, 2, &rank));
  EXPECT_NE(text.find("rank 4, more than the capacity 2"), std::string::npos)
      << text;
  int64_t symbol = 0;
  AICC_ASSERT_OK(
      aicc_module_output_dim_symbol(loaded.module.module, 1, 2, &symbol));
  EXPECT_EQ(symbol, -2);
  AICC_ASSERT_OK(
      aicc_module_output_dim_symbol(loaded.module.module, 1, 3, &symbol));
  EXPECT_EQ(symbol, -1);
}

TEST(DynamicShapes, ChecksTheCompilersAssumptions) {
  LoadedSession loaded(fakeDecoderModule());
  ASSERT_EQ(loaded.error, "OK");
  // attention_mask must be past + sequence = 8 long; 7 breaks the
  // assumption.
  std::vector<int64_t> ids(3), mask(7);
  std::vector<float> past(10);
  std::vector<int64_t> idsDims{1, 3}, maskDims{1, 7}, pastDims{1, 1, 5, 2};
  aicc_tensor_view_t inputs[3] = {
      viewOf(ids, AICC_ELEMENT_TYPE_I64, idsDims),
      viewOf(mask, AICC_ELEMENT_TYPE_I64, maskDims),
      viewOf(past, AICC_ELEMENT_TYPE_F32, pastDims)};
  std::string text =
      statusText(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  EXPECT_NE(text.find("break an assumption of the compiler at node "
                      "'mask_concat' (Concat): total_sequence (= 7) must "
                      "equal past_sequence + sequence (= 8) (past_sequence = "
                      "5, sequence = 3, total_sequence = 7)"),
            std::string::npos)
      << text;
  // A static dim that differs.
  std::vector<int64_t> wide{2, 3};
  inputs[0] = viewOf(ids, AICC_ELEMENT_TYPE_I64, wide);
  text =
      statusText(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  EXPECT_NE(text.find("input 'input_ids' dim 0 is 2, expected 1"),
            std::string::npos)
      << text;
}

/// A module that copies x (f32[n, 4], n in 1..16) to y with a per-run copy
/// size of n * 16 bytes.
ModuleWriter dynamicCopyModule(std::vector<int64_t> bytes) {
  ModuleWriter writer;
  writer.setVersion(1, 3);
  writer.addSymbol("n", 1, 16);
  writer.addInput("x", fb::ElementType::F32, {16, 4});
  writer.setInputDims(0, {{kSym, 0}, {kConst, 4}});
  writer.addOutput("y", fb::ElementType::F32, {16, 4});
  writer.setOutputDims(0, {{kSym, 0}, {kConst, 4}});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 256, 256);
  uint32_t x = writer.addInputBuffer(0);
  uint32_t arena = writer.addArenaBuffer(0, 0, 256);
  uint32_t y = writer.addOutputBuffer(0);
  writer.setCopyBytes(writer.addCopy(x, arena), bytes);
  writer.setCopyBytes(writer.addCopy(arena, y), bytes);
  return writer;
}

TEST(DynamicShapes, CopiesTheActualBytes) {
  LoadedSession loaded(dynamicCopyModule({kSym, 0, kConst, 16, kMul}));
  ASSERT_EQ(loaded.error, "OK");
  for (int64_t n : {1, 3, 16}) {
    std::vector<float> x(static_cast<size_t>(n * 4)), y(64, -1.0f);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<float>(i + 1);
    std::vector<int64_t> xDims{n, 4}, yDims{n, 4};
    aicc_tensor_view_t input = viewOf(x, AICC_ELEMENT_TYPE_F32, xDims);
    aicc_tensor_view_t output = viewOf(y, AICC_ELEMENT_TYPE_F32, yDims);
    AICC_ASSERT_OK(
        aicc_session_run(loaded.session.session, &input, 1, &output, 1));
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(y[i], x[i]) << n;
    if (n < 16)
      EXPECT_EQ(y[x.size()], -1.0f);
  }
}

TEST(DynamicShapes, StaticCopiesOfCallerTensorsMustFitTheViews) {
  // Without Copy.bytes the copy moves the upper bound (256 bytes), more
  // than the caller's 3-row input holds: an error, not an overread.
  ModuleWriter writer = dynamicCopyModule({kSym, 0, kConst, 16, kMul});
  ModuleWriter staticCopy;
  staticCopy.setVersion(1, 3);
  staticCopy.addSymbol("n", 1, 16);
  staticCopy.addInput("x", fb::ElementType::F32, {16, 4});
  staticCopy.setInputDims(0, {{kSym, 0}, {kConst, 4}});
  staticCopy.addOutput("y", fb::ElementType::F32, {16, 4});
  staticCopy.setOutputDims(0, {{kSym, 0}, {kConst, 4}});
  staticCopy.addCopy(staticCopy.addInputBuffer(0),
                     staticCopy.addOutputBuffer(0));
  LoadedSession loaded(staticCopy);
  ASSERT_EQ(loaded.error, "OK");
  std::vector<float> x(12), y(64);
  std::vector<int64_t> xDims{3, 4};
  aicc_tensor_view_t input = viewOf(x, AICC_ELEMENT_TYPE_F32, xDims);
  aicc_tensor_view_t output = viewOf(y, AICC_ELEMENT_TYPE_F32, xDims);
  std::string text = statusText(
      aicc_session_run(loaded.session.session, &input, 1, &output, 1));
  EXPECT_NE(text.find("command 0 copies 256 bytes at offset 0 of input 'x', "
                      "whose view holds 48 bytes"),
            std::string::npos)
      << text;
}

struct BadExpr {
  const char *what;
  std::vector<int64_t> code;
  const char *message;
};

TEST(DynamicShapes, RejectsMalformedExpressionsAtLoad) {
  const BadExpr cases[] = {
      {"empty", {}, "the integer expression is empty"},
      {"unknown opcode", {kSym, 0, 17}, "element 2: unknown opcode 17"},
      {"load outside a definition",
       {kSym, 0, 11, 0, 0, kAdd},
       "element 2: LOAD reads an input, which only a value symbol's "
       "definition may"},
      {"missing operand",
       {kSym, 0, kConst},
       "element 2: CONST lacks its operand"},
      {"underflow", {kSym, 0, kAdd}, "'+' needs two operands"},
      {"two results", {kSym, 0, kConst, 1}, "leaves 2 values on the stack"},
      {"bad symbol", {kSym, 3}, "symbol 3 does not exist (the module has 1)"},
      {"negative symbol", {kSym, -1}, "symbol -1 does not exist"},
      {"floordiv by zero",
       {kSym, 0, kConst, 0, kFloorDiv},
       "floordiv by a value that can be 0 (<= 0)"},
      {"mod by negative",
       {kSym, 0, kConst, -2, kMod},
       "mod by a value that can be -2 (<= 0)"},
      {"ceildiv by a symbol that can be 0",
       {kConst, 8, kSym, 0, kConst, 1, kSub, kCeilDiv},
       "ceildiv by a value that can be 0 (<= 0)"},
      {"overflow",
       {kSym, 0, kConst, int64_t(1) << 61, kMul},
       "'*' may overflow int64 over the symbols' ranges"},
      {"neg overflow", {kConst, INT64_MIN, kNeg}, "NEG may overflow int64"},
  };
  for (const BadExpr &bad : cases) {
    ModuleWriter writer = dynamicAddModule(64);
    uint32_t dispatch = 0; // The only command.
    writer.setDispatchPushConstantExprs(dispatch, {bad.code});
    std::string text = loadError(writer);
    EXPECT_NE(text.find("command 0: push constant 0: "), std::string::npos)
        << bad.what << ": " << text;
    EXPECT_NE(text.find(bad.message), std::string::npos)
        << bad.what << ": " << text;
    EXPECT_EQ(text.find("INVALID_MODULE"), 0u) << bad.what << ": " << text;
  }
}

TEST(DynamicShapes, RejectsInconsistentSignaturesAtLoad) {
  // Each case changes dynamic_add(64) and names the message it must give.
  struct BadSignature {
    std::function<void(ModuleWriter &)> change;
    const char *message;
  };
  const BadSignature cases[] = {
      // Output bound below what the expression can reach: 2n is up to 128.
      {[](ModuleWriter &w) {
         w.setOutputDims(0, {{kSym, 0, kConst, 2, kMul}});
       },
       "output 0 ('c') dim 0: 'n * 2' can be 128, above the upper bound 64 in "
       "its shape"},
      {[](ModuleWriter &w) {
         w.setInputDims(1, {{kSym, 0, kConst, 1, kAdd}});
       },
       "input 1 ('b') dim 0: an input dim must be a constant or a symbol, not "
       "'n + 1'"},
      {[](ModuleWriter &w) { w.setInputDims(0, {{kSym, 0}, {kConst, 1}}); },
       "input 0 ('a') has 2 dim expressions for rank 1"},
      {[](ModuleWriter &w) {
         w.addInput("negative", fb::ElementType::F32, {0});
         w.setInputDims(2, {{kConst, -1}});
       },
       "input 2 ('negative') dim 0: the constant dim -1 is negative"},
      {[](ModuleWriter &w) { w.addSymbol("unused", 1, 4); },
       "symbol 1 ('unused') is no input's dim, so nothing binds it"},
      {[](ModuleWriter &w) { w.addSymbol("backwards", 5, 4); },
       "symbol 1 ('backwards'): range 5..4 is not a non-empty range of "
       "sizes"},
      // A symbol's maximum above the input's bound.
      {[](ModuleWriter &w) {
         w.addInput("wide", fb::ElementType::F32, {8});
         w.setInputDims(2, {{kSym, 0}});
       },
       "input 2 ('wide') dim 0: 'n' can be 64, above the upper bound 8"},
      // Push constant expressions must match the entry point's count.
      {[](ModuleWriter &w) {
         w.setDispatchPushConstantExprs(0, {{kSym, 0}, {kSym, 0}});
       },
       "passes 2 push constant expressions, the entry point takes 1"},
  };
  for (const BadSignature &bad : cases) {
    ModuleWriter writer = dynamicAddModule(64);
    bad.change(writer);
    std::string text = loadError(writer);
    EXPECT_NE(text.find(bad.message), std::string::npos) << text;
  }
  {
    // A copy that can move more than its buffers hold.
    std::string text =
        loadError(dynamicCopyModule({kSym, 0, kConst, 32, kMul}));
    EXPECT_NE(text.find("command 0: the copy can move 512 bytes, more than "
                        "buffer 0 holds (256)"),
              std::string::npos)
        << text;
  }
  {
    ModuleWriter writer = fakeDecoderModule();
    writer.addAssumption({kSym, 0}, {kSym, 9}, "node 'x' (Add)");
    std::string text = loadError(writer);
    EXPECT_NE(text.find("assumption 1 rhs: malformed integer expression: "
                        "element 1: symbol 9 does not exist"),
              std::string::npos)
        << text;
  }
}

TEST(Generation, GreedyDecodingFeedsTheCacheBack) {
  LoadedSession loaded(fakeDecoderModule());
  ASSERT_EQ(loaded.error, "OK");
  aicc_generator_t *generator = nullptr;
  AICC_ASSERT_OK(
      aicc_generator_create(loaded.session.session, nullptr, &generator));
  auto argmax = [](const float *logits, size_t count) {
    return static_cast<int64_t>(std::max_element(logits, logits + count) -
                                logits);
  };
  for (std::vector<int64_t> prompt :
       {std::vector<int64_t>{5}, std::vector<int64_t>{2, 3, 9}}) {
    AICC_ASSERT_OK(aicc_generator_reset(generator));
    const float *logits = nullptr;
    size_t vocabulary = 0;
    AICC_ASSERT_OK(aicc_generator_prefill(generator, prompt.data(),
                                          prompt.size(), &logits, &vocabulary));
    ASSERT_EQ(vocabulary, static_cast<size_t>(kFakeVocabulary));
    std::vector<int64_t> tokens{argmax(logits, vocabulary)};
    for (int i = 0; i < 9; ++i) {
      AICC_ASSERT_OK(
          aicc_generator_step(generator, tokens.back(), &logits, &vocabulary));
      tokens.push_back(argmax(logits, vocabulary));
    }
    EXPECT_EQ(tokens, fakeDecoderTokens(prompt, 10));
    EXPECT_EQ(aicc_generator_length(generator), prompt.size() + 9);
  }
  // Past the cache's range: the runtime's range error.
  AICC_ASSERT_OK(aicc_generator_reset(generator));
  std::vector<int64_t> prompt(8, 1);
  const float *logits = nullptr;
  size_t vocabulary = 0;
  for (int i = 0; i < 4; ++i)
    AICC_ASSERT_OK(aicc_generator_prefill(generator, prompt.data(), 8, &logits,
                                          &vocabulary));
  // Past 32 (the maximum) + 1.
  AICC_ASSERT_OK(aicc_generator_step(generator, 1, &logits, &vocabulary));
  std::string text =
      statusText(aicc_generator_step(generator, 1, &logits, &vocabulary));
  EXPECT_NE(text.find("input 'past_key_values.0.key' dim 2 (past_sequence) is "
                      "33, outside 0..32"),
            std::string::npos)
      << text;
  aicc_generator_destroy(generator);
}

TEST(Generation, ExplainsModulesThatDoNotFit) {
  LoadedSession loaded(dynamicAddModule(64));
  ASSERT_EQ(loaded.error, "OK");
  aicc_generator_t *generator = nullptr;
  std::string text = statusText(
      aicc_generator_create(loaded.session.session, nullptr, &generator));
  EXPECT_NE(text.find("generation: the token input: no tensor named "
                      "'input_ids'"),
            std::string::npos)
      << text;
}

} // namespace
