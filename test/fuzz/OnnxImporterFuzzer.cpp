//===- OnnxImporterFuzzer.cpp - libFuzzer harness for the ONNX importer ---===//
//
// Model bytes (binary protobuf) -> importOnnxModel -> the graph pipeline
// (control-flow inlining, type refinement, constant folding, the static
// shape check), as `aicc --emit=graph` runs them. Any model must end in a
// module or in diagnostics, never a crash, a sanitizer report or unbounded
// memory. External data resolves against a directory that does not exist,
// so no file is read.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines.h"
#include "compiler/onnx/OnnxImporter.h"
#include "dialects/graph/GraphDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "onnx/onnx_pb.h"
#include <google/protobuf/io/coded_stream.h>

#include <climits>
#include <cstdint>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(data, static_cast<int>(size));
  stream.SetTotalBytesLimit(INT_MAX);
  if (size > INT_MAX || !model.ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage())
    return 0;

  // A fresh context per input: uniqued types and attributes would otherwise
  // accumulate over millions of inputs.
  DialectRegistry registry;
  registry.insert<aicc::graph::GraphDialect, func::FuncDialect>();
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  context.printStackTraceOnDiagnostic(false);
  // Diagnostics are the expected outcome; format them (that code runs for
  // users too) but print nothing.
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    (void)diag.str();
    return success();
  });

  aicc::ImportOptions options;
  options.baseDir = "/nonexistent/aicc-fuzz";
  OwningOpRef<ModuleOp> module = aicc::importOnnxModel(context, model, options);
  if (!module)
    return 0;
  PassManager pm(&context);
  aicc::buildGraphPipeline(pm);
  (void)pm.run(*module);
  return 0;
}
