//===- SerializerTest.cpp - .aicc serializer, checked by the runtime ------===//
//
// Serializes hand-written planned exec modules and checks the result with
// the runtime itself: the loader must accept the file, the signature, plan
// and schedule must read back as written, the weights' bytes must be in
// place, and (with a small C kernel library standing in for compiled code)
// a session must compute the expected values.
//
//===----------------------------------------------------------------------===//

#include "targets/common/Serializer.h"

#include "passes/exec/Passes.h"

#include "aicc/runtime.h"
#include "aicc/schemas/aicc_generated.h"
#include "dialects/exec/ExecDialect.h"
#include "dialects/exec/ExecOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace mlir;

namespace {

// y = (x + w) + b through two dispatches of one entry point (the kernels
// were "deduplicated" into add4), the intermediate in the arena and read
// through a reshaping view; z = x is a copy. w is a dense_resource weight,
// b a splat.
constexpr const char *kModule = R"mlir(
module @tiny {
  exec.executable @kernels {
    func.func @k0_add(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
      return %a : tensor<2x2xf32>
    }
    func.func @k1_add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
      return %a : tensor<4xf32>
    }
  }
  exec.schedule @main(%x: memref<2x2xf32> {graph.name = "x"},
                      %y: memref<4xf32> {graph.name = "y"},
                      %z: memref<2x2xf32> {graph.name = "z"})
      attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>,
                  lower_bound = array<i64: 64>} {
    %w = exec.constant "w" dense_resource<w> : tensor<4xf32> -> memref<4xf32>
    %wv = exec.view %w[0] : memref<4xf32> to memref<2x2xf32>
    %b = exec.constant "b" dense<0.5> : tensor<4xf32> -> memref<4xf32>
    %t = exec.alloc {offset = 0 : i64} : memref<2x2xf32>
    exec.dispatch @kernels::@k0_add ins(%x, %wv : memref<2x2xf32>, memref<2x2xf32>) outs(%t : memref<2x2xf32>)
    %tv = exec.view %t[0] : memref<2x2xf32> to memref<4xf32>
    exec.dispatch @kernels::@k1_add ins(%tv, %b : memref<4xf32>, memref<4xf32>) outs(%y : memref<4xf32>)
    exec.copy %x, %z : memref<2x2xf32>, memref<2x2xf32>
    exec.return
  }
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
)mlir";

class SerializerTest : public testing::Test {
protected:
  SerializerTest() {
    context.loadDialect<aicc::exec::ExecDialect, func::FuncDialect,
                        affine::AffineDialect, arith::ArithDialect>();
  }

  OwningOpRef<ModuleOp> parse(const char *source) {
    return parseSourceString<ModuleOp>(source, &context);
  }

  static std::vector<uint8_t> readKernels() {
    std::ifstream file(AICC_SERIALIZER_KERNELS_SO, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
  }

  static aicc::ExecutableBinary kernelsBinary() {
    aicc::ExecutableBinary binary;
    binary.device = aicc::fb::DeviceKind::Cpu;
    binary.format = "elf-x86_64";
    binary.data = readKernels();
    binary.entryPoints = {{"k0_add", "add4"}, {"k1_add", "add4"}};
    return binary;
  }

  /// Serializes `source` with `binary` and returns the error message (the
  /// serialization must fail).
  std::string serializeError(const char *source,
                             const aicc::ExecutableBinary &binary) {
    OwningOpRef<ModuleOp> module = parse(source);
    EXPECT_TRUE(module);
    if (!module)
      return "";
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
      message = diagnostic.str();
      return success();
    });
    std::vector<uint8_t> file;
    EXPECT_TRUE(failed(aicc::serializeModule(*module, binary, file)));
    return message;
  }

  MLIRContext context;
};

/// Fails the test with the status message if `status` is an error.
void expectOk(aicc_status_t status) {
  if (status) {
    ADD_FAILURE() << aicc_status_message(status);
    aicc_status_free(status);
  }
}

TEST_F(SerializerTest, WritesWhatTheRuntimeLoadsAndRuns) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  aicc::ExecutableBinary binary = kernelsBinary();
  ASSERT_FALSE(binary.data.empty());
  std::vector<uint8_t> file;
  aicc::SerializeOptions options;
  options.producer = "aicc test";
  options.targets = {"avx512"};
  ASSERT_TRUE(succeeded(aicc::serializeModule(*module, binary, file, options)));

  // The tables, read back directly.
  const aicc::fb::AiccModule *root =
      aicc::fb::GetSizePrefixedAiccModule(file.data());
  // A static module is a 1.2 artifact without any dynamic-shape field.
  EXPECT_EQ(root->version_minor(), 2u);
  EXPECT_FALSE(root->symbols());
  EXPECT_FALSE(root->assumptions());
  EXPECT_FALSE(root->signature()->inputs()->Get(0)->dims());
  ASSERT_EQ(root->constants()->size(), 2u);
  const aicc::fb::Constant *w = root->constants()->Get(0);
  EXPECT_EQ(w->name()->str(), "w");
  EXPECT_EQ(w->offset() % 64, 0u);
  const aicc::fb::Segment *segment = root->segments()->Get(w->segment());
  float weights[4];
  std::memcpy(weights, file.data() + segment->offset() + w->offset(), 16);
  EXPECT_EQ(weights[0], 1.0f);
  EXPECT_EQ(weights[3], 4.0f);
  const aicc::fb::Constant *b = root->constants()->Get(1);
  EXPECT_EQ(b->size(), 16u);
  EXPECT_EQ(b->offset() % 64, 0u);
  ASSERT_EQ(root->executables()->size(), 1u);
  ASSERT_EQ(root->executables()->Get(0)->entry_points()->size(), 1u);
  // Every dispatch records its cost: these kernels compute nothing, and bind
  // three 16-byte buffers each.
  const aicc::fb::Dispatch *first = root->commands()->Get(0)->op_as_Dispatch();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->flops(), flatbuffers::Optional<uint64_t>(0));
  EXPECT_EQ(first->bytes(), flatbuffers::Optional<uint64_t>(48));

  // The loader verifies everything before anything runs.
  aicc_runtime_t *runtime = nullptr;
  expectOk(aicc_runtime_create(&runtime));
  aicc_module_t *loaded = nullptr;
  expectOk(aicc_module_load_memory(runtime, file.data(), file.size(),
                                   AICC_MEMORY_COPY, "tiny", &loaded));
  ASSERT_TRUE(loaded);
  aicc_module_properties_t props;
  expectOk(aicc_module_properties(loaded, &props));
  EXPECT_STREQ(props.name, "tiny");
  EXPECT_STREQ(props.producer, "aicc test");
  EXPECT_STREQ(props.targets, "avx512");
  EXPECT_EQ(props.executable_count, 1u);
  EXPECT_EQ(props.constant_count, 2u);
  EXPECT_EQ(props.constant_bytes, 32u);
  EXPECT_EQ(props.memory_space_count, 1u);
  EXPECT_EQ(props.command_count, 3u);
  EXPECT_EQ(props.dispatch_count, 2u);
  ASSERT_EQ(aicc_module_input_count(loaded), 1u);
  ASSERT_EQ(aicc_module_output_count(loaded), 2u);
  aicc_tensor_info_t info;
  expectOk(aicc_module_output_info(loaded, 1, &info));
  EXPECT_STREQ(info.name, "z");
  EXPECT_EQ(info.rank, 2u);
  aicc_memory_space_info_t space;
  expectOk(aicc_module_memory_space_info(loaded, 0, &space));
  EXPECT_EQ(space.arena_size, 64u);
  EXPECT_EQ(space.lower_bound, 64u);
  const char *entry = nullptr;
  uint32_t bindings = 0;
  expectOk(aicc_module_entry_point_info(loaded, 0, 0, &entry, &bindings));
  EXPECT_STREQ(entry, "add4");
  EXPECT_EQ(bindings, 3u);

  // And runs: y = x + w + 0.5, z = x.
  aicc_session_t *session = nullptr;
  expectOk(aicc_session_create(loaded, nullptr, &session));
  ASSERT_TRUE(session);
  float x[4] = {10, 20, 30, 40}, y[4] = {0}, z[4] = {0};
  int64_t dims2[2] = {2, 2}, dims1[1] = {4};
  aicc_tensor_view_t input = {x, AICC_ELEMENT_TYPE_F32, 2, dims2, sizeof x};
  aicc_tensor_view_t outputs[2] = {
      {y, AICC_ELEMENT_TYPE_F32, 1, dims1, sizeof y},
      {z, AICC_ELEMENT_TYPE_F32, 2, dims2, sizeof z}};
  expectOk(aicc_session_run(session, &input, 1, outputs, 2));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(y[i], x[i] + float(i + 1) + 0.5f) << "y[" << i << "]";
    EXPECT_EQ(z[i], x[i]) << "z[" << i << "]";
  }
  aicc_session_destroy(session);
  aicc_module_release(loaded);
  aicc_runtime_release(runtime);
}

// A GPU target's binary: each entry point carries its block size, each
// dispatch its kernel's grid, and the arena is the device's memory space.
TEST_F(SerializerTest, WritesGpuLaunchConfigurations) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  aicc::ExecutableBinary binary;
  binary.device = aicc::fb::DeviceKind::Cuda;
  binary.format = "ptx";
  binary.data = {'.', 'p', 't', 'x', 0};
  binary.entryPoints = {{"k0_add", "k0_add"}, {"k1_add", "k1_add"}};
  binary.workgroupSizes = {{"k0_add", {64, 1, 1}}, {"k1_add", {4}}};
  binary.workgroupCounts = {{"k0_add", {2, 1, 1}}, {"k1_add", {1, 3, 1}}};
  std::vector<uint8_t> file;
  ASSERT_TRUE(succeeded(aicc::serializeModule(*module, binary, file)));
  const aicc::fb::AiccModule *root =
      aicc::fb::GetSizePrefixedAiccModule(file.data());
  const aicc::fb::Executable *executable = root->executables()->Get(0);
  EXPECT_EQ(executable->device(), aicc::fb::DeviceKind::Cuda);
  EXPECT_EQ(executable->format()->str(), "ptx");
  ASSERT_EQ(executable->entry_points()->size(), 2u);
  auto dims = [](const flatbuffers::Vector<uint32_t> *vector) {
    return vector ? std::vector<uint32_t>(vector->begin(), vector->end())
                  : std::vector<uint32_t>();
  };
  EXPECT_EQ(dims(executable->entry_points()->Get(0)->workgroup_size()),
            (std::vector<uint32_t>{64, 1, 1}));
  EXPECT_EQ(dims(executable->entry_points()->Get(1)->workgroup_size()),
            (std::vector<uint32_t>{4}));
  const aicc::fb::Dispatch *first = root->commands()->Get(0)->op_as_Dispatch();
  const aicc::fb::Dispatch *second =
      root->commands()->Get(1)->op_as_Dispatch();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(dims(first->workgroup_count()),
            (std::vector<uint32_t>{2, 1, 1}));
  EXPECT_EQ(dims(second->workgroup_count()),
            (std::vector<uint32_t>{1, 3, 1}));
  const aicc::fb::MemorySpace *space = root->memory_plan()->spaces()->Get(0);
  EXPECT_EQ(space->device(), aicc::fb::DeviceKind::Cuda);
  EXPECT_EQ(space->name()->str(), "cuda");
}

TEST_F(SerializerTest, RejectsUnplannedSchedules) {
  std::string message = serializeError(R"mlir(
    exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {num_inputs = 1 : i64} {
      exec.copy %x, %y : memref<4xf32>, memref<4xf32>
      exec.return
    }
  )mlir", kernelsBinary());
  EXPECT_NE(message.find("is not memory planned"), std::string::npos)
      << message;
}

TEST_F(SerializerTest, RejectsExecutablesWithoutFormat) {
  aicc::ExecutableBinary binary = kernelsBinary();
  binary.format.clear();
  std::string message = serializeError(R"mlir(
    exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {num_inputs = 1 : i64, arena_size = array<i64: 0>,
                    lower_bound = array<i64: 0>} {
      exec.copy %x, %y : memref<4xf32>, memref<4xf32>
      exec.return
    }
  )mlir", binary);
  EXPECT_NE(message.find("gave its executable no format"), std::string::npos)
      << message;
}

TEST_F(SerializerTest, RejectsMissingResourceBlobs) {
  std::string message = serializeError(R"mlir(
    exec.schedule @main(%y: memref<4xf32>)
        attributes {num_inputs = 0 : i64, arena_size = array<i64: 0>,
                    lower_bound = array<i64: 0>} {
      %w = exec.constant dense_resource<missing> : tensor<4xf32> -> memref<4xf32>
      exec.copy %w, %y : memref<4xf32>, memref<4xf32>
      exec.return
    }
  )mlir", kernelsBinary());
  EXPECT_NE(message.find("resource blob is missing"), std::string::npos)
      << message;
}

// Dynamic shapes (issue 12): inputs x (1 x sequence x 4) and past
// (1 x past_sequence x 4) are concatenated into an arena buffer of
// past_sequence + sequence rows, planned by its upper bound (1536 x 16
// bytes), then copied to output y; a second dispatch gets a derived extent
// (min(sequence, 100)); z is a copy of x.
constexpr const char *kDynamicModule = R"mlir(
module @dyn {
  exec.executable @kernels {
    func.func @k0_cat(%a: tensor<1x?x4xf32> {aicc.dynamic_dims = array<i64: 0>},
                      %b: tensor<1x?x4xf32> {aicc.dynamic_dims = array<i64: 1>},
                      %n0: index, %n1: index, %n2: index)
        -> (tensor<1x?x4xf32> {aicc.dynamic_dims = array<i64: 2>}) {
      return %a : tensor<1x?x4xf32>
    }
  }
  exec.schedule @main(%x: memref<1x?x4xf32> {graph.name = "x", aicc.shape = affine_map<()[s0, s1] -> (1, s1, 4)>},
                      %p: memref<1x?x4xf32> {graph.name = "past", aicc.shape = affine_map<()[s0, s1] -> (1, s0, 4)>},
                      %y: memref<1x?x4xf32> {graph.name = "y"},
                      %z: memref<1x?x4xf32> {graph.name = "z"})
      attributes {num_inputs = 2 : i64, arena_size = array<i64: 24576>,
                  lower_bound = array<i64: 24576>,
                  aicc.symbols = {past_sequence = array<i64: 0, 1024>, sequence = array<i64: 1, 512>},
                  aicc.assumptions = [affine_map<()[s0, s1] -> (s0 + s1, 1024)>],
                  aicc.assumption_ops = ["node 'Add_3' (Add)"]} {
    %ps = exec.symbol {index = 0 : i64}
    %s = exec.symbol {index = 1 : i64}
    %t = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%ps, %s]
    %m = affine.min affine_map<()[s0] -> (s0, 100)>()[%s]
    %a = exec.alloc(%t) {offset = 0 : i64, upper_bound_bytes = 24576 : i64} : memref<1x?x4xf32>
    exec.dispatch @kernels::@k0_cat ins(%p, %x : memref<1x?x4xf32>, memref<1x?x4xf32>) outs(%a : memref<1x?x4xf32>) push(%ps, %s, %t : index, index, index)
    exec.dispatch @kernels::@k0_cat ins(%p, %x : memref<1x?x4xf32>, memref<1x?x4xf32>) outs(%a : memref<1x?x4xf32>) push(%ps, %m, %t : index, index, index)
    exec.copy %a, %y : memref<1x?x4xf32>, memref<1x?x4xf32>
    exec.copy %x, %z : memref<1x?x4xf32>, memref<1x?x4xf32>
    exec.return dims(%t, %s : index, index)
  }
}
)mlir";

std::vector<int64_t> code(const aicc::fb::IntExpr *expr) {
  if (!expr || !expr->code())
    return {};
  return std::vector<int64_t>(expr->code()->begin(), expr->code()->end());
}

TEST_F(SerializerTest, WritesDynamicShapes) {
  OwningOpRef<ModuleOp> module = parse(kDynamicModule);
  ASSERT_TRUE(module);
  aicc::ExecutableBinary binary = kernelsBinary();
  binary.entryPoints = {{"k0_cat", "cat"}};
  std::vector<uint8_t> file;
  ASSERT_TRUE(succeeded(aicc::serializeModule(*module, binary, file)));
  // The FlatBuffer alone (segments follow it), as the runtime verifies it.
  uint32_t prefix;
  std::memcpy(&prefix, file.data(), 4);
  flatbuffers::Verifier verifier(file.data(), size_t(prefix) + 4);
  ASSERT_TRUE(aicc::fb::VerifySizePrefixedAiccModuleBuffer(verifier));
  const aicc::fb::AiccModule *root =
      aicc::fb::GetSizePrefixedAiccModule(file.data());
  EXPECT_EQ(root->version_major(), 1u);
  EXPECT_EQ(root->version_minor(), 3u);

  // Opcodes of contract C.
  const int64_t CONST = 0, SYM = 1, ADD = 2, MUL = 4, MIN = 8;
  ASSERT_TRUE(root->symbols());
  ASSERT_EQ(root->symbols()->size(), 2u);
  EXPECT_EQ(root->symbols()->Get(0)->name()->str(), "past_sequence");
  EXPECT_EQ(root->symbols()->Get(0)->min(), 0);
  EXPECT_EQ(root->symbols()->Get(0)->max(), 1024);
  EXPECT_EQ(root->symbols()->Get(1)->name()->str(), "sequence");
  EXPECT_EQ(root->symbols()->Get(1)->min(), 1);
  EXPECT_EQ(root->symbols()->Get(1)->max(), 512);
  ASSERT_TRUE(root->assumptions());
  ASSERT_EQ(root->assumptions()->size(), 1u);
  const aicc::fb::Assumption *assumption = root->assumptions()->Get(0);
  EXPECT_EQ(code(assumption->lhs()),
            (std::vector<int64_t>{SYM, 0, SYM, 1, ADD}));
  EXPECT_EQ(code(assumption->rhs()), (std::vector<int64_t>{CONST, 1024}));
  EXPECT_EQ(assumption->what()->str(), "node 'Add_3' (Add)");

  // Inputs: CONST or SYM per dim, the upper bounds as the shape.
  const aicc::fb::TensorDesc *x = root->signature()->inputs()->Get(0);
  EXPECT_EQ(std::vector<int64_t>(x->shape()->begin(), x->shape()->end()),
            (std::vector<int64_t>{1, 512, 4}));
  ASSERT_TRUE(x->dims());
  ASSERT_EQ(x->dims()->size(), 3u);
  EXPECT_EQ(code(x->dims()->Get(0)), (std::vector<int64_t>{CONST, 1}));
  EXPECT_EQ(code(x->dims()->Get(1)), (std::vector<int64_t>{SYM, 1}));
  EXPECT_EQ(code(x->dims()->Get(2)), (std::vector<int64_t>{CONST, 4}));
  const aicc::fb::TensorDesc *past = root->signature()->inputs()->Get(1);
  EXPECT_EQ(code(past->dims()->Get(1)), (std::vector<int64_t>{SYM, 0}));
  // Outputs: the expressions of exec.return's dims.
  const aicc::fb::TensorDesc *y = root->signature()->outputs()->Get(0);
  EXPECT_EQ(std::vector<int64_t>(y->shape()->begin(), y->shape()->end()),
            (std::vector<int64_t>{1, 1536, 4}));
  EXPECT_EQ(code(y->dims()->Get(1)),
            (std::vector<int64_t>{SYM, 0, SYM, 1, ADD}));
  const aicc::fb::TensorDesc *z = root->signature()->outputs()->Get(1);
  EXPECT_EQ(code(z->dims()->Get(1)), (std::vector<int64_t>{SYM, 1}));

  // The entry point takes 3 bindings and 3 push constants.
  const aicc::fb::EntryPoint *entry =
      root->executables()->Get(0)->entry_points()->Get(0);
  EXPECT_EQ(entry->binding_count(), 3u);
  EXPECT_EQ(entry->push_constant_count(), 3u);
  // Dispatches: push constants as expressions (min folds with MIN).
  const aicc::fb::Dispatch *first = root->commands()->Get(0)->op_as_Dispatch();
  const aicc::fb::Dispatch *second =
      root->commands()->Get(1)->op_as_Dispatch();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->push_constants());
  ASSERT_TRUE(first->push_constant_exprs());
  ASSERT_EQ(first->push_constant_exprs()->size(), 3u);
  EXPECT_EQ(code(first->push_constant_exprs()->Get(0)),
            (std::vector<int64_t>{SYM, 0}));
  EXPECT_EQ(code(first->push_constant_exprs()->Get(2)),
            (std::vector<int64_t>{SYM, 0, SYM, 1, ADD}));
  EXPECT_EQ(code(second->push_constant_exprs()->Get(1)),
            (std::vector<int64_t>{SYM, 1, CONST, 100, MIN}));
  // The arena buffer is sized by its upper bound; the copies copy the
  // bytes of this run.
  const aicc::fb::Buffer *arena =
      root->memory_plan()->buffers()->Get(first->bindings()->Get(2));
  EXPECT_EQ(arena->kind(), aicc::fb::BufferKind::Arena);
  EXPECT_EQ(arena->size(), 24576u);
  const aicc::fb::Copy *copy = root->commands()->Get(2)->op_as_Copy();
  ASSERT_TRUE(copy);
  EXPECT_EQ(code(copy->bytes()),
            (std::vector<int64_t>{CONST, 4, CONST, 1, MUL, SYM, 0, SYM, 1,
                                  ADD, MUL, CONST, 4, MUL}));
  const aicc::fb::Copy *copyX = root->commands()->Get(3)->op_as_Copy();
  ASSERT_TRUE(copyX);
  EXPECT_EQ(code(copyX->bytes()),
            (std::vector<int64_t>{CONST, 4, CONST, 1, MUL, SYM, 1, MUL,
                                  CONST, 4, MUL}));
  EXPECT_EQ(root->memory_plan()->buffers()->Get(copyX->source())->size(),
            512u * 16u);

  // The memory report names the upper bounds it planned for.
  std::string report;
  llvm::raw_string_ostream os(report);
  aicc::exec::printMemoryReport(*module, os);
  EXPECT_NE(report.find("planned for the upper bounds: past_sequence=1024, "
                        "sequence=512"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("arena        24576 B"), std::string::npos) << report;
}

TEST_F(SerializerTest, RejectsPushConstantsNotFromSymbols) {
  std::string message = serializeError(R"mlir(
    exec.executable @kernels {
      func.func @k0_add(%a: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index)
          -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
        return %a : tensor<?xf32>
      }
    }
    exec.schedule @main(%x: memref<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>}, %y: memref<?xf32>)
        attributes {num_inputs = 1 : i64, arena_size = array<i64: 0>,
                    lower_bound = array<i64: 0>,
                    aicc.symbols = {n = array<i64: 1, 8>}} {
      %s = exec.symbol {index = 0 : i64}
      %c = arith.constant 2 : index
      %bad = arith.muli %s, %c : index
      exec.dispatch @kernels::@k0_add ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) push(%bad : index)
      exec.return dims(%s : index)
    }
  )mlir", kernelsBinary());
  EXPECT_NE(message.find("push constant 0 is not computed from the symbols"),
            std::string::npos)
      << message;
}

// Value-dependent shapes (artifact 1.4): value symbols follow the dim
// symbols with their programs and `what`; a runtime-allocated buffer and a
// view of it at byte 8 are Arena buffers of allocation 0 with size
// expressions and no arena bytes; the runtime loads the file.
TEST_F(SerializerTest, WritesValueSymbolsAndRuntimeBuffers) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
    exec.executable @kernels {
      func.func @k0_add(%a: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index)
          -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
        return %a : tensor<?xf32>
      }
    }
    exec.schedule @main(%x: memref<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>, graph.name = "x"},
                        %count: memref<1xi64> {graph.name = "count"},
                        %y: memref<?xf32> {graph.name = "y"})
        attributes {num_inputs = 2 : i64, arena_size = array<i64: 0>,
                    lower_bound = array<i64: 0>,
                    aicc.symbols = {n = array<i64: 1, 8>},
                    aicc.value_symbols = [{name = "node 'c' dim 0", range = array<i64: 2, 2147483647>,
                                           def = array<i64: 11, 1, 0>,
                                           what = "node 'c' (ConstantOfShape) output dim 0 from input 'count'"}]} {
      %n = exec.symbol {index = 0 : i64}
      %v = exec.symbol {index = 1 : i64}
      %m = affine.apply affine_map<()[s0] -> (s0 - 2)>()[%v]
      %t = exec.alloc(%v) {runtime_allocated} : memref<?xf32>
      exec.dispatch @kernels::@k0_add ins(%x : memref<?xf32>) outs(%t : memref<?xf32>) push(%v : index)
      %tv = exec.view %t[8] (%m) : memref<?xf32> to memref<?xf32>
      exec.dispatch @kernels::@k0_add ins(%tv : memref<?xf32>) outs(%y : memref<?xf32>) push(%m : index)
      exec.return dims(%m : index)
    }
  )mlir");
  ASSERT_TRUE(module);
  std::vector<uint8_t> file;
  ASSERT_TRUE(succeeded(aicc::serializeModule(*module, kernelsBinary(), file)));
  const aicc::fb::AiccModule *root =
      aicc::fb::GetSizePrefixedAiccModule(file.data());
  EXPECT_EQ(root->version_minor(), 4u);
  ASSERT_TRUE(root->symbols());
  ASSERT_EQ(root->symbols()->size(), 2u);
  EXPECT_FALSE(root->symbols()->Get(0)->def());
  const aicc::fb::Symbol *value = root->symbols()->Get(1);
  EXPECT_EQ(value->name()->str(), "node 'c' dim 0");
  EXPECT_EQ(value->min(), 2);
  EXPECT_EQ(value->max(), 2147483647);
  ASSERT_TRUE(value->def());
  EXPECT_EQ(code(value->def()), (std::vector<int64_t>{11, 1, 0}));
  EXPECT_EQ(value->what()->str(),
            "node 'c' (ConstantOfShape) output dim 0 from input 'count'");
  const int64_t CONST = 0, SYM = 1, ADD = 2, MUL = 4;
  const aicc::fb::Dispatch *first = root->commands()->Get(0)->op_as_Dispatch();
  const aicc::fb::Dispatch *second =
      root->commands()->Get(1)->op_as_Dispatch();
  ASSERT_TRUE(first && second);
  const aicc::fb::Buffer *t =
      root->memory_plan()->buffers()->Get(first->bindings()->Get(1));
  const aicc::fb::Buffer *tv =
      root->memory_plan()->buffers()->Get(second->bindings()->Get(0));
  EXPECT_EQ(t->kind(), aicc::fb::BufferKind::Arena);
  EXPECT_EQ(t->ref(), 0u);
  EXPECT_EQ(t->offset(), 0u);
  EXPECT_EQ(t->size(), 0u);
  ASSERT_TRUE(t->size_expr());
  EXPECT_EQ(code(t->size_expr()),
            (std::vector<int64_t>{CONST, 4, SYM, 1, MUL}));
  EXPECT_EQ(tv->ref(), 0u);
  EXPECT_EQ(tv->offset(), 8u);
  ASSERT_TRUE(tv->size_expr());
  EXPECT_EQ(code(tv->size_expr()),
            (std::vector<int64_t>{CONST, 4, SYM, 1, CONST, -2, ADD, MUL}));
  EXPECT_EQ(code(second->push_constant_exprs()->Get(0)),
            (std::vector<int64_t>{SYM, 1, CONST, -2, ADD}));
  // Other buffers have no size expression.
  EXPECT_FALSE(root->memory_plan()
                   ->buffers()
                   ->Get(first->bindings()->Get(0))
                   ->size_expr());

  aicc_runtime_t *runtime = nullptr;
  expectOk(aicc_runtime_create(&runtime));
  aicc_module_t *loaded = nullptr;
  expectOk(aicc_module_load_memory(runtime, file.data(), file.size(),
                                   AICC_MEMORY_COPY, "value", &loaded));
  EXPECT_TRUE(loaded);
  aicc_module_release(loaded);
  aicc_runtime_release(runtime);

  // The memory report lists the runtime-allocated buffer by its bytes.
  std::string report;
  llvm::raw_string_ostream os(report);
  aicc::exec::printMemoryReport(*module, os);
  EXPECT_NE(report.find("runtime-allocated: 1 buffers (bytes per run)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("memref<?xf32>: 4 * node 'c' dim 0 B"),
            std::string::npos)
      << report;
}

// The driver's --report=memory reads the same planned schedule; it lives in
// passes/exec but is checked here, next to the other consumer of plans.
TEST_F(SerializerTest, MemoryReport) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
    exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {num_inputs = 1 : i64, arena_size = array<i64: 256>,
                    lower_bound = array<i64: 192>} {
      %a = exec.alloc {offset = 0 : i64} : memref<4xf32>
      %b = exec.alloc {offset = 64 : i64} : memref<40xf32>
      exec.return
    }
  )mlir");
  ASSERT_TRUE(module);
  std::string report;
  llvm::raw_string_ostream os(report);
  aicc::exec::printMemoryReport(*module, os);
  EXPECT_NE(report.find("space 0: 2 buffers"), std::string::npos) << report;
  EXPECT_NE(report.find("arena        256 B"), std::string::npos) << report;
  EXPECT_NE(report.find("lower bound  192 B  (arena/bound 1.333)"),
            std::string::npos)
      << report;
  // 64 + 192 (160 rounded up to 64).
  EXPECT_NE(report.find("no sharing   256 B"), std::string::npos) << report;
}

} // namespace
