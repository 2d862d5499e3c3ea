//===- OnnxImporter.h - ONNX protobuf to graph dialect ----------*- C++ -*-===//
//
// Imports an ONNX model into a module holding one func.func @main whose
// body is graph-dialect ops, one per ONNX node (fewer after constant
// folding of shape computations), each at loc("<node name>").
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_ONNX_ONNXIMPORTER_H
#define AICC_COMPILER_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace aicc {

struct ImportOptions {
  /// Static shapes for graph inputs with symbolic or unknown dims
  /// (--input-shape=<name>:<d0>x<d1>...).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Values of symbolic dims (ONNX dim_param), applied to every graph input
  /// that uses the symbol (--dim=<symbol>=<N>).
  llvm::StringMap<int64_t> dimValues;
  /// Ranges [lo, hi] of symbolic dims that stay dynamic
  /// (--dim=<symbol>=<LO>..<HI>): the graph inputs using the symbol keep a
  /// `?` there, and the function records the symbols (docs/Pipeline.md,
  /// "Dynamic shapes").
  llvm::StringMap<std::pair<int64_t, int64_t>> dimRanges;
  /// Values for graph inputs that determine shapes (a Reshape's shape, a
  /// Slice's starts...): such inputs become constants and leave the
  /// signature (--input-value=<name>=@file.npy or =v0,v1,...).
  llvm::StringMap<std::string> inputValues;
  /// Directory that external-data paths are relative to.
  std::string baseDir;
  /// Initializers with more elements than this become dense_resource blobs.
  int64_t inlineConstantLimit = 1024;
};

/// Parses `--input-shape` values ("name:1x3x224x224"; "name:" for a scalar).
mlir::LogicalResult parseInputShape(llvm::StringRef spec,
                                    ImportOptions &options,
                                    std::string &error);

/// Parses `--dim` values: "past_sequence=9" specializes the symbol,
/// "past_sequence=0..1024" keeps it dynamic within the inclusive range
/// (LO..LO is the same as =LO).
mlir::LogicalResult parseDimValue(llvm::StringRef spec, ImportOptions &options,
                                  std::string &error);

/// Parses `--input-value` values ("name=@file.npy" or "name=1,2,3").
mlir::LogicalResult parseInputValue(llvm::StringRef spec,
                                    ImportOptions &options,
                                    std::string &error);

/// Reads an ONNX file: binary protobuf, or ONNX text syntax when the file
/// name ends in .onnxtxt. Errors are emitted on the context.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 ImportOptions options);

/// Imports a parsed model. Every unsupported op and every error is reported
/// (not only the first) before returning null.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext &context, const onnx::ModelProto &model,
                const ImportOptions &options);

} // namespace aicc

#endif // AICC_COMPILER_ONNX_ONNXIMPORTER_H
