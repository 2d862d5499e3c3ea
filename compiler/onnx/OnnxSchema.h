//===- OnnxSchema.h - Layout of ONNX ops in the graph dialect ---*- C++ -*-===//
//
// The operand, result and attribute layout of every graph-dialect ONNX op,
// generated from the ONNX schemas (dialects/graph/OnnxOpTable.inc) so the
// importer can map any node generically.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_ONNX_ONNXSCHEMA_H
#define AICC_COMPILER_ONNX_ONNXSCHEMA_H

#include "llvm/ADT/StringRef.h"
#include <vector>

namespace aicc::onnx_import {

struct OnnxParam {
  enum Option { Single, Optional, Variadic };
  const char *name;
  Option option;
};

struct OnnxAttr {
  enum Kind { Int, Float, String, Ints, Floats, Strings, Tensor };
  const char *name;
  Kind kind;
  bool required;
};

struct OnnxOpInfo {
  const char *name;
  int sinceVersion;
  std::vector<OnnxParam> inputs;
  std::vector<OnnxParam> outputs;
  std::vector<OnnxAttr> attributes;

  const OnnxAttr *findAttribute(llvm::StringRef attr) const;
};

struct OnnxSkippedOp {
  const char *name;
  const char *reason;
};

/// The op's layout, or null when the dialect has no such op.
const OnnxOpInfo *lookupOnnxOp(llvm::StringRef opType);
/// The domain of ONNX Runtime's contrib ops.
inline constexpr llvm::StringLiteral kContribDomain = "com.microsoft";
/// The layout of a contrib op of `domain` the graph dialect has
/// (GraphContribOps.td: ONNX Runtime's quantized ops), or null.
const OnnxOpInfo *lookupContribOp(llvm::StringRef domain,
                                  llvm::StringRef opType);
/// Why a known ONNX op is not in the dialect, or null.
const char *lookupSkippedOnnxOp(llvm::StringRef opType);
/// The newest default-domain opset the dialect was generated from.
int latestOnnxOpset();

} // namespace aicc::onnx_import

#endif // AICC_COMPILER_ONNX_ONNXSCHEMA_H
