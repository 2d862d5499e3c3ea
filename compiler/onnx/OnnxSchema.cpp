//===- OnnxSchema.cpp - Layout of ONNX ops in the graph dialect ----------===//

#include "compiler/onnx/OnnxSchema.h"
#include "llvm/ADT/StringMap.h"

namespace aicc::onnx_import {

#include "dialects/graph/OnnxOpTable.inc"
#include "dialects/graph/ContribOpTable.inc"

const OnnxAttr *OnnxOpInfo::findAttribute(llvm::StringRef attr) const {
  for (const OnnxAttr &a : attributes)
    if (attr == a.name)
      return &a;
  return nullptr;
}

const OnnxOpInfo *lookupOnnxOp(llvm::StringRef opType) {
  static const llvm::StringMap<const OnnxOpInfo *> index = [] {
    llvm::StringMap<const OnnxOpInfo *> m;
    for (const OnnxOpInfo &op : kOnnxOps)
      m[op.name] = &op;
    return m;
  }();
  auto it = index.find(opType);
  return it == index.end() ? nullptr : it->second;
}

const OnnxOpInfo *lookupContribOp(llvm::StringRef domain,
                                  llvm::StringRef opType) {
  if (domain != kContribDomain)
    return nullptr;
  for (const OnnxOpInfo &op : kContribOps)
    if (opType == op.name)
      return &op;
  return nullptr;
}

const char *lookupSkippedOnnxOp(llvm::StringRef opType) {
  for (const OnnxSkippedOp &op : kOnnxSkippedOps)
    if (opType == op.name)
      return op.reason;
  return nullptr;
}

int latestOnnxOpset() { return kOnnxOpsetVersion; }

} // namespace aicc::onnx_import
