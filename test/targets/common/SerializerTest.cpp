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
    context.loadDialect<aicc::exec::ExecDialect, func::FuncDialect>();
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
