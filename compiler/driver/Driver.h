//===- Driver.h - The aicc command-line driver ------------------*- C++ -*-===//
#ifndef AICC_COMPILER_DRIVER_DRIVER_H
#define AICC_COMPILER_DRIVER_DRIVER_H

namespace aicc {
/// Runs `aicc` with its command line; returns the process exit code.
int runAiccMain(int argc, char **argv);
} // namespace aicc

#endif // AICC_COMPILER_DRIVER_DRIVER_H
