//===- ValueSymbolsTest.cpp - Format 1.4: value symbols, runtime buffers --===//
//
// Hand-built 1.4 artifacts (the writer plus the C test kernels, no compiler):
// value symbols computed from input values by each new IntExpr opcode
// (LOAD, FMULFLOOR, FRANGE, EQ, LT, SELECT), their load-time checks (input
// index, element index, element type, order), run-time errors (divide by a
// loaded zero, overflow, a value outside the symbol's range, NaN, a Range
// delta of 0, missing data) that carry the symbol's `what`, and
// runtime-allocated buffers (Buffer.size_expr) with the session's limit.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "src/IntExpr.h"

#include <cmath>
#include <cstring>

using namespace aicc;
using namespace aicc::test;

namespace {

constexpr const char *kWhat = kValueAddWhat;

/// Runs valueAddModule with n = `n`; returns the status text, the output
/// and its reported shape.
std::string runValueAdd(LoadedSession &loaded, int64_t n,
                        std::vector<float> *out = nullptr,
                        std::vector<int64_t> *shape = nullptr) {
  std::vector<int64_t> nData{n};
  std::vector<float> a(64), b(64), c(64, -1.0f);
  for (size_t i = 0; i < 64; ++i) {
    a[i] = static_cast<float>(i);
    b[i] = 100.0f * static_cast<float>(i);
  }
  std::vector<int64_t> one{1}, bound{64};
  aicc_tensor_view_t inputs[3] = {viewOf(nData, AICC_ELEMENT_TYPE_I64, one),
                                  viewOf(a, AICC_ELEMENT_TYPE_F32, bound),
                                  viewOf(b, AICC_ELEMENT_TYPE_F32, bound)};
  aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, bound);
  std::string text =
      runOneOutput(loaded.session.session, inputs, 3, &output, shape);
  if (out)
    *out = c;
  return text;
}

TEST(ValueSymbols, RunsWithShapesFromInputValues) {
  LoadedSession loaded(valueAddModule());
  ASSERT_EQ(loaded.error, "OK");
  ASSERT_EQ(aicc_module_symbol_count(loaded.module.module), 1u);
  // Growing and shrinking: the runtime buffer is reallocated as needed.
  for (int64_t n : {1, 5, 64, 3, 0}) {
    std::vector<float> c;
    std::vector<int64_t> shape;
    ASSERT_EQ(runValueAdd(loaded, n, &c, &shape), "OK") << n;
    EXPECT_EQ(shape, std::vector<int64_t>{n});
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(c[i], 101.0f * static_cast<float>(i)) << n << " " << i;
    // Exactly n elements were copied.
    if (n < 64)
      EXPECT_EQ(c[n], -1.0f) << n;
  }
}

TEST(ValueSymbols, ViewsShareOneRuntimeAllocation) {
  // t = a + b over v elements in allocation 0; c = t[1, v) read through a
  // second buffer of the same allocation at byte offset 4.
  ValueAddParts parts = valueAddParts(1, 63, "v");
  ModuleWriter &writer = parts.writer;
  uint32_t v = parts.v, exe = parts.exe, a = parts.a, b = parts.b,
           c = parts.c;
  writer.setOutputDims(0, {{kSym, v, kConst, 1, kSub}});
  uint32_t t = writer.addBuffer({fb::BufferKind::Arena, 0, 0, 0, 0});
  writer.setBufferSizeExpr(t, {kConst, 4, kSym, v, kMul});
  uint32_t tail = writer.addBuffer({fb::BufferKind::Arena, 0, 0, 4, 0});
  writer.setBufferSizeExpr(tail,
                           {kConst, 4, kSym, v, kConst, 1, kSub, kMul});
  uint32_t dispatch = writer.addDispatch(exe, entryIndex("add_f32"), {a, b, t});
  writer.setDispatchPushConstantExprs(dispatch, {{kSym, v}});
  uint32_t copy = writer.addCopy(tail, c);
  writer.setCopyBytes(copy, {kConst, 4, kSym, v, kConst, 1, kSub, kMul});
  LoadedSession loaded(writer);
  ASSERT_EQ(loaded.error, "OK");
  for (int64_t n : {1, 7, 64, 2}) {
    std::vector<int64_t> nData{n};
    std::vector<float> x(64), y(64), z(63, -1.0f);
    for (size_t i = 0; i < 64; ++i) {
      x[i] = static_cast<float>(i);
      y[i] = 10.0f * static_cast<float>(i);
    }
    std::vector<int64_t> one{1}, bound{64}, out{63};
    aicc_tensor_view_t inputs[3] = {viewOf(nData, AICC_ELEMENT_TYPE_I64, one),
                                    viewOf(x, AICC_ELEMENT_TYPE_F32, bound),
                                    viewOf(y, AICC_ELEMENT_TYPE_F32, bound)};
    aicc_tensor_view_t output = viewOf(z, AICC_ELEMENT_TYPE_F32, out);
    AICC_ASSERT_OK(
        aicc_session_run(loaded.session.session, inputs, 3, &output, 1));
    for (int64_t i = 0; i + 1 < n; ++i)
      ASSERT_EQ(z[i], 11.0f * static_cast<float>(i + 1)) << n << " " << i;
    if (n - 1 < 63)
      EXPECT_EQ(z[n - 1], -1.0f) << n;
  }
}

TEST(ValueSymbols, ReportsValuesOutsideTheRangeWithWhat) {
  LoadedSession loaded(valueAddModule(1));
  ASSERT_EQ(loaded.error, "OK");
  std::string text = runValueAdd(loaded, -7);
  EXPECT_EQ(text.find("INVALID_ARGUMENT"), 0u) << text;
  EXPECT_NE(text.find(std::string(kWhat) + " is -7, outside 1..64"),
            std::string::npos)
      << text;
  text = runValueAdd(loaded, 65);
  EXPECT_NE(text.find(std::string(kWhat) + " is 65, outside 1..64"),
            std::string::npos)
      << text;
  // The session still runs afterwards.
  EXPECT_EQ(runValueAdd(loaded, 2), "OK");
}

TEST(ValueSymbols, RuntimeAllocationOverTheLimitFailsCleanly) {
  // 64 elements need 256 bytes; the limit is 128.
  LoadedSession loaded(valueAddModule(), 128);
  ASSERT_EQ(loaded.error, "OK");
  EXPECT_EQ(runValueAdd(loaded, 32), "OK");
  std::string text = runValueAdd(loaded, 64);
  EXPECT_EQ(text.find("OUT_OF_MEMORY"), 0u) << text;
  EXPECT_NE(text.find("need 256 bytes in this run, more than the limit of "
                      "128 bytes"),
            std::string::npos)
      << text;
  EXPECT_EQ(runValueAdd(loaded, 16), "OK");
}

TEST(ValueSymbols, InferShapesNeedsTheValues) {
  LoadedSession loaded(valueAddModule());
  ASSERT_EQ(loaded.error, "OK");
  std::vector<int64_t> one{1}, bound{64};
  aicc_tensor_view_t inputs[3] = {
      {nullptr, AICC_ELEMENT_TYPE_I64, 1, one.data(), 0},
      {nullptr, AICC_ELEMENT_TYPE_F32, 1, bound.data(), 0},
      {nullptr, AICC_ELEMENT_TYPE_F32, 1, bound.data(), 0}};
  std::string text =
      statusText(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  EXPECT_NE(text.find(std::string(kWhat) + ": needs the values of input 'n'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("output shapes depend on input values"),
            std::string::npos)
      << text;
  // With the data of 'n' only, the shapes follow.
  std::vector<int64_t> n{9};
  inputs[0] = viewOf(n, AICC_ELEMENT_TYPE_I64, one);
  AICC_ASSERT_OK(aicc_session_infer_shapes(loaded.session.session, inputs, 3));
  int64_t dims[1] = {0};
  size_t rank = 0;
  AICC_ASSERT_OK(
      aicc_session_output_shape(loaded.session.session, 0, dims, 1, &rank));
  EXPECT_EQ(dims[0], 9);
}

/// Inputs of the opcode modules.
struct OpInputs {
  std::vector<int64_t> ints{3, -2, 0, INT64_MAX};
  std::vector<float> floats{2.5f, NAN};
  std::vector<float> start{1.0f}, limit{10.0f}, delta{4.0f};
  std::vector<int32_t> small{7, -9};
  std::vector<uint8_t> flags{1, 0};
};

/// A module whose output 'y' has one dim, value symbol `def` in
/// [lo, hi]; no commands.
ModuleWriter opModule(std::vector<int64_t> def, int64_t lo = -1000,
                      int64_t hi = 1000) {
  ModuleWriter writer;
  writer.setVersion(1, 4);
  writer.setName("ops");
  writer.addInput("ints", fb::ElementType::I64, {4});
  writer.addInput("floats", fb::ElementType::F32, {2});
  writer.addInput("start", fb::ElementType::F32, {});
  writer.addInput("limit", fb::ElementType::F32, {});
  writer.addInput("delta", fb::ElementType::F32, {});
  writer.addInput("small", fb::ElementType::I32, {2});
  writer.addInput("flags", fb::ElementType::Bool, {2});
  writer.addOutput("y", fb::ElementType::F32, {1000});
  uint32_t v = writer.addValueSymbol("v", lo, hi, std::move(def), "value v");
  // Dims must be sizes: y has max(v, 0) elements.
  writer.setOutputDims(0, {{kSym, v, kConst, 0, kMax}});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  return writer;
}

/// Evaluates `def` over OpInputs with aicc_session_infer_shapes: the text
/// of the status, and the value (clamped at 0 by the output dim) in *out.
std::string evalOp(std::vector<int64_t> def, int64_t *out,
                   OpInputs data = OpInputs()) {
  LoadedSession loaded(opModule(std::move(def)));
  if (loaded.error != "OK")
    return loaded.error;
  std::vector<int64_t> four{4}, two{2}, scalar;
  aicc_tensor_view_t inputs[7] = {
      viewOf(data.ints, AICC_ELEMENT_TYPE_I64, four),
      viewOf(data.floats, AICC_ELEMENT_TYPE_F32, two),
      viewOf(data.start, AICC_ELEMENT_TYPE_F32, scalar),
      viewOf(data.limit, AICC_ELEMENT_TYPE_F32, scalar),
      viewOf(data.delta, AICC_ELEMENT_TYPE_F32, scalar),
      viewOf(data.small, AICC_ELEMENT_TYPE_I32, two),
      viewOf(data.flags, AICC_ELEMENT_TYPE_BOOL, two)};
  std::string text =
      statusText(aicc_session_infer_shapes(loaded.session.session, inputs, 7));
  if (text != "OK")
    return text;
  int64_t dims[1] = {-1};
  size_t rank = 0;
  text = statusText(
      aicc_session_output_shape(loaded.session.session, 0, dims, 1, &rank));
  *out = dims[0];
  return text;
}

TEST(ValueSymbols, EachOpcodeComputesItsValue) {
  int64_t value = -1;
  // LOAD of i64, i32 and bool elements.
  ASSERT_EQ(evalOp({kLoad, 0, 0}, &value), "OK");
  EXPECT_EQ(value, 3);
  ASSERT_EQ(evalOp({kLoad, 5, 0}, &value), "OK");
  EXPECT_EQ(value, 7);
  ASSERT_EQ(evalOp({kLoad, 5, 1, kNeg}, &value), "OK");
  EXPECT_EQ(value, 9);
  ASSERT_EQ(evalOp({kLoad, 6, 0, kConst, 5, kMul}, &value), "OK");
  EXPECT_EQ(value, 5);
  // FMULFLOOR: floor(7 * 2.5) = 17.
  ASSERT_EQ(evalOp({kConst, 7, kFMulFloor, 1, 0}, &value), "OK");
  EXPECT_EQ(value, 17);
  // FRANGE: ceil((10 - 1) / 4) = 3; an empty range is 0.
  ASSERT_EQ(evalOp({kFRange, 2, 3, 4}, &value), "OK");
  EXPECT_EQ(value, 3);
  OpInputs backwards;
  backwards.delta = {-1.0f};
  ASSERT_EQ(evalOp({kFRange, 2, 3, 4}, &value, backwards), "OK");
  EXPECT_EQ(value, 0);
  // EQ, LT.
  ASSERT_EQ(evalOp({kLoad, 0, 0, kConst, 3, kEq}, &value), "OK");
  EXPECT_EQ(value, 1);
  ASSERT_EQ(evalOp({kLoad, 0, 0, kConst, 4, kEq}, &value), "OK");
  EXPECT_EQ(value, 0);
  ASSERT_EQ(evalOp({kLoad, 0, 1, kConst, 0, kLt}, &value), "OK");
  EXPECT_EQ(value, 1);
  ASSERT_EQ(evalOp({kConst, 0, kLoad, 0, 1, kLt}, &value), "OK");
  EXPECT_EQ(value, 0);
  // SELECT: a negative entry counts from the end (ONNX's -1 style).
  std::vector<int64_t> normalize = {kLoad, 0, 1, kConst, 0, kLt,
                                    kLoad, 0, 1, kConst, 10, kAdd,
                                    kLoad, 0, 1, kSelect};
  ASSERT_EQ(evalOp(normalize, &value), "OK");
  EXPECT_EQ(value, 8);
  std::vector<int64_t> keep = {kLoad, 0, 0, kConst, 0, kLt, kConst, 99,
                               kLoad, 0, 0, kSelect};
  ASSERT_EQ(evalOp(keep, &value), "OK");
  EXPECT_EQ(value, 3);
}

TEST(ValueSymbols, RunTimeErrorsCarryWhat) {
  int64_t value = 0;
  // Divide by a loaded zero.
  std::string text = evalOp({kConst, 10, kLoad, 0, 2, kFloorDiv}, &value);
  EXPECT_NE(text.find("value v: floordiv by 0 (<= 0)"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("INVALID_ARGUMENT"), 0u) << text;
  text = evalOp({kConst, 10, kLoad, 0, 1, kMod}, &value);
  EXPECT_NE(text.find("value v: mod by -2 (<= 0)"), std::string::npos) << text;
  // Overflow.
  text = evalOp({kLoad, 0, 3, kConst, 2, kMul}, &value);
  EXPECT_NE(text.find("value v: 9223372036854775807 * 2 overflows int64"),
            std::string::npos)
      << text;
  text = evalOp({kLoad, 0, 3, kConst, 1, kAdd}, &value);
  EXPECT_NE(text.find("overflows int64"), std::string::npos) << text;
  // Outside the symbol's range.
  text = evalOp({kLoad, 0, 0, kConst, 1000, kMul}, &value);
  EXPECT_NE(text.find("value v is 3000, outside -1000..1000"),
            std::string::npos)
      << text;
  // NaN scale.
  text = evalOp({kConst, 7, kFMulFloor, 1, 1}, &value);
  EXPECT_NE(text.find("value v: floor(7 * nan) with element 1 of input "
                      "'floats' is nan, not an int64"),
            std::string::npos)
      << text;
  // A Range delta of 0.
  OpInputs zero;
  zero.delta = {0.0f};
  text = evalOp({kFRange, 2, 3, 4}, &value, zero);
  EXPECT_NE(text.find("value v: the Range delta is 0"), std::string::npos)
      << text;
  // An infinite Range.
  OpInputs infinite;
  infinite.limit = {INFINITY};
  text = evalOp({kFRange, 2, 3, 4}, &value, infinite);
  EXPECT_NE(text.find("value v: the Range length"), std::string::npos) << text;
}

TEST(ValueSymbols, LoadTimeChecksOfTheNewOpcodes) {
  int64_t value = 0;
  std::string text = evalOp({kLoad, 9, 0}, &value);
  EXPECT_NE(text.find("symbol 0 ('v') definition: malformed integer "
                      "expression: element 0: LOAD reads input 9, but the "
                      "module has 7"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("INVALID_MODULE"), 0u) << text;
  text = evalOp({kLoad, 0, 4}, &value);
  EXPECT_NE(text.find("LOAD reads element 4 of input 0, which has 4 elements"),
            std::string::npos)
      << text;
  text = evalOp({kLoad, 0, -1}, &value);
  EXPECT_NE(text.find("LOAD reads element -1 of input 0"), std::string::npos)
      << text;
  text = evalOp({kLoad, 1, 0}, &value);
  EXPECT_NE(text.find("LOAD reads input 1 of element type f32; it needs an "
                      "integer or bool input"),
            std::string::npos)
      << text;
  text = evalOp({kConst, 2, kFMulFloor, 0, 0}, &value);
  EXPECT_NE(text.find("FMULFLOOR reads input 0 of element type i64; it needs "
                      "a floating-point input"),
            std::string::npos)
      << text;
  text = evalOp({kFMulFloor, 1, 0}, &value);
  EXPECT_NE(text.find("FMULFLOOR on an empty stack"), std::string::npos)
      << text;
  text = evalOp({kFRange, 2, 3}, &value);
  EXPECT_NE(text.find("FRANGE lacks its operands"), std::string::npos) << text;
  text = evalOp({kLoad, 0, 0, kLoad, 0, 1, kSelect}, &value);
  EXPECT_NE(text.find("SELECT needs three operands"), std::string::npos)
      << text;
  text = evalOp({17}, &value);
  EXPECT_NE(text.find("unknown opcode 17"), std::string::npos) << text;
  // A definition may use only the symbols before it.
  text = evalOp({kSym, 0}, &value);
  EXPECT_NE(text.find("symbol 0 does not exist (the module has 0)"),
            std::string::npos)
      << text;
}

TEST(ValueSymbols, LoadsOnlyInDefinitionsAndDimsOnlyFromDimSymbols) {
  // An output dim may not read inputs.
  ModuleWriter writer = opModule({kLoad, 0, 0});
  writer.setOutputDims(0, {{kLoad, 0, 0, kConst, 0, kMax}});
  RuntimeHandle runtime;
  ModuleHandle module;
  std::string text = statusText(
      loadModule(runtime.runtime, writer.finish(), &module.module));
  EXPECT_NE(text.find("LOAD reads an input, which only a value symbol's "
                      "definition may"),
            std::string::npos)
      << text;
  // An input dim must be bound from the shape, not a value.
  ModuleWriter bound = valueAddModule();
  bound.setInputDims(1, {{kSym, 0}});
  ModuleHandle second;
  text = statusText(
      loadModule(runtime.runtime, bound.finish(), &second.module));
  EXPECT_NE(text.find("input 1 ('a') dim 0: symbol 0 ('v') is a value symbol"),
            std::string::npos)
      << text;
  // LOAD of an input with dynamic dims is out of bounds by construction.
  ModuleWriter dynamic;
  dynamic.setVersion(1, 4);
  dynamic.addSymbol("n", 1, 8);
  dynamic.addInput("x", fb::ElementType::I64, {8});
  dynamic.setInputDims(0, {{kSym, 0}});
  dynamic.addValueSymbol("v", 0, 8, {kLoad, 0, 0}, "");
  ModuleHandle third;
  text = statusText(
      loadModule(runtime.runtime, dynamic.finish(), &third.module));
  EXPECT_NE(text.find("LOAD reads element 0 of input 0, which has 0 elements"),
            std::string::npos)
      << text;
}

TEST(ValueSymbols, RuntimeBuffersAreCheckedAtLoad) {
  RuntimeHandle runtime;
  // Only an arena buffer can be runtime-allocated.
  ModuleWriter writer = valueAddModule();
  writer.setBufferSizeExpr(0, {kConst, 4});
  ModuleHandle module;
  std::string text = statusText(
      loadModule(runtime.runtime, writer.finish(), &module.module));
  EXPECT_NE(text.find("buffer 0: only an arena buffer can be "
                      "runtime-allocated"),
            std::string::npos)
      << text;
  // A copy of a runtime buffer needs its size.
  ModuleWriter noBytes;
  noBytes.setVersion(1, 4);
  noBytes.addInput("n", fb::ElementType::I64, {1});
  noBytes.addOutput("c", fb::ElementType::F32, {64});
  uint32_t v = noBytes.addValueSymbol("v", 0, 64, {kLoad, 0, 0}, "");
  noBytes.setOutputDims(0, {{kSym, v}});
  noBytes.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  uint32_t c = noBytes.addOutputBuffer(0);
  uint32_t t = noBytes.addBuffer({fb::BufferKind::Arena, 0, 0, 0, 0});
  noBytes.setBufferSizeExpr(t, {kConst, 4, kSym, v, kMul});
  noBytes.addCopy(t, c);
  ModuleHandle second;
  text = statusText(
      loadModule(runtime.runtime, noBytes.finish(), &second.module));
  EXPECT_NE(text.find("command 0: a copy of a runtime-allocated buffer needs "
                      "its size expression"),
            std::string::npos)
      << text;
}

/// evalIntExpr on one input whose element 1 holds `value` (sizeof(T) bytes)
/// at an odd address (the interpreter reads elements unaligned).
template <typename T>
std::string evalOnElement(std::vector<int64_t> code, aicc_element_type_t type,
                          T value, int64_t *out) {
  std::vector<uint8_t> storage(1 + 2 * sizeof(T), 0xee);
  std::memcpy(storage.data() + 1 + sizeof(T), &value, sizeof(T));
  IntExprInput input;
  input.type = type;
  input.count = 2;
  input.data = storage.data() + 1;
  std::string error;
  if (!evalIntExpr(code.data(), uint32_t(code.size()), nullptr, 0, &input, 1,
                   out, &error))
    return error;
  return "OK";
}

TEST(ValueSymbols, LoadReadsEveryIntegerElementType) {
  // LOAD input 0, element 1: each integer type, sign-extended or not.
  const std::vector<int64_t> load = {kLoad, 0, 1};
  int64_t v = 0;
  EXPECT_EQ(evalOnElement<int8_t>(load, AICC_ELEMENT_TYPE_I8, -100, &v), "OK");
  EXPECT_EQ(v, -100);
  EXPECT_EQ(evalOnElement<uint8_t>(load, AICC_ELEMENT_TYPE_U8, 200, &v), "OK");
  EXPECT_EQ(v, 200);
  EXPECT_EQ(evalOnElement<uint8_t>(load, AICC_ELEMENT_TYPE_BOOL, 7, &v), "OK");
  EXPECT_EQ(v, 1);
  EXPECT_EQ(evalOnElement<int16_t>(load, AICC_ELEMENT_TYPE_I16, -30000, &v),
            "OK");
  EXPECT_EQ(v, -30000);
  EXPECT_EQ(evalOnElement<uint16_t>(load, AICC_ELEMENT_TYPE_U16, 60000, &v),
            "OK");
  EXPECT_EQ(v, 60000);
  EXPECT_EQ(
      evalOnElement<int32_t>(load, AICC_ELEMENT_TYPE_I32, -2000000000, &v),
      "OK");
  EXPECT_EQ(v, -2000000000);
  EXPECT_EQ(
      evalOnElement<uint32_t>(load, AICC_ELEMENT_TYPE_U32, 4000000000u, &v),
      "OK");
  EXPECT_EQ(v, 4000000000);
  EXPECT_EQ(
      evalOnElement<int64_t>(load, AICC_ELEMENT_TYPE_I64, -5000000000000, &v),
      "OK");
  EXPECT_EQ(v, -5000000000000);
  EXPECT_EQ(evalOnElement<uint64_t>(load, AICC_ELEMENT_TYPE_U64,
                                    uint64_t(INT64_MAX), &v),
            "OK");
  EXPECT_EQ(v, INT64_MAX);
  // A u64 above INT64_MAX is outside int64.
  std::string error = evalOnElement<uint64_t>(load, AICC_ELEMENT_TYPE_U64,
                                              uint64_t(INT64_MAX) + 1, &v);
  EXPECT_NE(error.find("is outside int64"), std::string::npos) << error;
}

TEST(ValueSymbols, FMulFloorReadsEveryFloatElementType) {
  // floor(10 * element 1) for 2.5 (and -0.25) in each float type.
  const std::vector<int64_t> code = {kConst, 10, kFMulFloor, 0, 1};
  int64_t v = 0;
  EXPECT_EQ(evalOnElement<float>(code, AICC_ELEMENT_TYPE_F32, 2.5f, &v), "OK");
  EXPECT_EQ(v, 25);
  EXPECT_EQ(evalOnElement<double>(code, AICC_ELEMENT_TYPE_F64, -0.25, &v),
            "OK");
  EXPECT_EQ(v, -3);
  // IEEE half 2.5 is 0x4100; bfloat16 2.5 is 0x4020.
  EXPECT_EQ(evalOnElement<uint16_t>(code, AICC_ELEMENT_TYPE_F16, 0x4100, &v),
            "OK");
  EXPECT_EQ(v, 25);
  EXPECT_EQ(evalOnElement<uint16_t>(code, AICC_ELEMENT_TYPE_BF16, 0x4020, &v),
            "OK");
  EXPECT_EQ(v, 25);
}

TEST(ValueSymbols, OlderFormatsAndStaticModulesAreUnchanged) {
  // A 1.3 module loads as before and a static one has no 1.4 fields.
  LoadedSession dynamic(dynamicAddModule(64));
  EXPECT_EQ(dynamic.error, "OK");
  LoadedSession loaded(addModule(4));
  ASSERT_EQ(loaded.error, "OK");
  aicc_module_properties_t properties;
  AICC_ASSERT_OK(aicc_module_properties(loaded.module.module, &properties));
  EXPECT_EQ(properties.version_minor, 2u);
}

} // namespace
