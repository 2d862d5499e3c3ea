//===- Registration.h - Dialects and passes aicc registers ------*- C++ -*-===//
#ifndef AICC_COMPILER_REGISTRATION_H
#define AICC_COMPILER_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace aicc {
/// Every dialect aicc's pipelines produce or consume.
void registerAllDialects(mlir::DialectRegistry &registry);
/// aicc's passes and pipelines plus the upstream ones they build on.
void registerAllPasses();
/// The version string printed by --version.
const char *getVersionString();
} // namespace aicc

#endif // AICC_COMPILER_REGISTRATION_H
