//===- QuantizeMain.h - aicc quantize and aicc --quantize=int8 --*- C++ -*-===//
#ifndef AICC_TOOLS_AICC_QUANTIZEMAIN_H
#define AICC_TOOLS_AICC_QUANTIZEMAIN_H

namespace aicc {
/// Runs `aicc quantize ...`; argv[0] is "quantize". Returns the exit code.
int runQuantizeMain(int argc, char **argv);
/// Whether the command line asks the driver to quantize first
/// (--quantize=..., --calibration-data).
bool hasQuantizeOption(int argc, char **argv);
/// Quantizes the model of an `aicc model.onnx --quantize=int8 ...` command
/// line into a temporary QDQ model and runs the driver on it.
int runQuantizedCompile(int argc, char **argv);
} // namespace aicc

#endif // AICC_TOOLS_AICC_QUANTIZEMAIN_H
