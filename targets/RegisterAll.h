//===- RegisterAll.h - Every target aicc is built with ----------*- C++ -*-===//
#ifndef AICC_TARGETS_REGISTERALL_H
#define AICC_TARGETS_REGISTERALL_H

namespace aicc {
/// Registers every target (and its passes) once; later calls do nothing.
void registerAllTargets();
} // namespace aicc

#endif // AICC_TARGETS_REGISTERALL_H
