//===- Quantize.h - Post-training int8 quantization -------------*- C++ -*-===//
//
// `aicc quantize` and `aicc --quantize=int8`: calibrates a float ONNX model
// by running it with aicc itself over sample inputs, then rewrites it into a
// standard QDQ model (QuantizeLinear/DequantizeLinear pairs around the
// activations of quantizable ops, int8 weights behind DequantizeLinear,
// int32 biases) that ONNX Runtime and aicc both run. docs/Quantization.md
// describes the calibration data layout, the methods and what is quantized.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_QUANTIZE_QUANTIZE_H
#define AICC_COMPILER_QUANTIZE_QUANTIZE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace aicc {
namespace quantize {

/// How a tensor's range is chosen from the calibration statistics.
enum class CalibrationMethod {
  /// The observed minimum and maximum.
  MinMax,
  /// The `percentile` of |x| (outliers clipped).
  Percentile,
  /// The threshold minimizing the KL divergence between the |x| histogram
  /// and its 128-level quantization (TensorRT's and ORT's "entropy").
  Entropy,
};

/// Parses "minmax", "percentile" or "entropy".
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);

struct QuantizeOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// Percentile of |x| kept by CalibrationMethod::Percentile.
  double percentile = 99.999;
  /// Weights: one scale per output channel (Conv axis 0, MatMul axis 1, Gemm
  /// axis 0 or 1 by transB) instead of one per tensor.
  bool perChannel = false;
  /// Activations as int8 with zero point 0 instead of uint8 (asymmetric).
  bool symmetricActivations = false;
  /// ONNX op types whose float activations are quantized; empty: the
  /// default set (defaultOpTypes()).
  std::vector<std::string> opTypes;
  /// Directory of calibration samples (see loadCalibrationData).
  std::string calibrationDir;
  /// aicc target the calibration model is compiled for (it runs here).
  std::string calibrationTarget = "host";
  /// Progress of a stage ("compiling kernels", "calibrating"): called with
  /// (stage, steps done, steps in all).
  std::function<void(llvm::StringRef, size_t, size_t)> progress;
};

/// The op types quantized by default: what ONNX Runtime's quantize_static
/// quantizes in QDQ form.
const std::vector<std::string> &defaultOpTypes();

/// An array for a graph input.
struct Tensor {
  /// ONNX TensorProto::DataType of the elements.
  int32_t dataType = 0;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

/// One calibration sample: a file per graph input, read when it is used.
struct Sample {
  /// Names the sample in messages (a file, or a file per input).
  std::string source;
  /// (input name, .npy file or .npz archive holding it).
  std::vector<std::pair<std::string, std::string>> files;
  /// The arrays, filled by readSample.
  std::map<std::string, Tensor> inputs;
};

/// Finds the calibration samples for the graph inputs of `model` in `dir`:
///   DIR/*.npy           one file per sample (models with one input);
///   DIR/<input>/*.npy   one folder per input, samples matched by file name;
///   DIR/*.npz           one archive per sample, an array per input name
///                       (np.savez; compressed archives are refused).
/// The layout is checked here, the files' contents by readSample.
llvm::Expected<std::vector<Sample>>
loadCalibrationData(const onnx::ModelProto &model, llvm::StringRef dir);

/// Reads the arrays of `sample`, checking element types and static dims
/// against the model's inputs; errors name the file and the input.
llvm::Error readSample(const onnx::ModelProto &model, Sample &sample);

/// Observed statistics of one tensor.
struct TensorStats {
  double min = 0, max = 0;
  /// Histogram of |x| over [0, max(|min|, |max|)] (percentile, entropy).
  std::vector<uint64_t> histogram;
  bool seen = false;
};

/// Chooses the range [lo, hi] of a tensor from its statistics.
std::pair<double, double> chooseRange(const TensorStats &stats,
                                      const QuantizeOptions &options);

/// What quantizeModel decides before calibrating: the activation tensors to
/// observe and the nodes to quantize.
struct QuantizationPlan {
  /// Float activation tensors that get a QuantizeLinear/DequantizeLinear
  /// pair, in graph order.
  std::vector<std::string> activations;
};

/// Picks the activation tensors of `model` that need a range.
QuantizationPlan planQuantization(const onnx::ModelProto &model,
                                  const QuantizeOptions &options);

/// Runs `model` over `samples` (read one at a time) with aicc (compiled in
/// memory for options.calibrationTarget, with every tensor of `tensors` as an
/// extra output) and returns their statistics. Tensors the compiled model does
/// not produce as f32 are left out of the result.
llvm::Expected<llvm::StringMap<TensorStats>>
calibrate(const onnx::ModelProto &model, std::vector<Sample> &samples,
          const std::vector<std::string> &tensors,
          const QuantizeOptions &options);

/// Rewrites `model` in place into QDQ form with the given activation ranges
/// (tensors without a range stay float).
llvm::Error
insertQDQ(onnx::ModelProto &model,
          const std::map<std::string, std::pair<double, double>> &ranges,
          const QuantizeOptions &options);

/// Everything: plan, load the calibration data, calibrate, rewrite.
llvm::Error quantizeModel(onnx::ModelProto &model,
                          const QuantizeOptions &options);

/// Reads a binary ONNX model, or ONNX text syntax for a .onnxtxt file.
llvm::Error readModel(llvm::StringRef path, onnx::ModelProto &model);

/// Writes `model` as binary ONNX, or as ONNX text syntax when `path` ends in
/// .onnxtxt (for tests and reading).
llvm::Error writeModel(llvm::StringRef path, const onnx::ModelProto &model);

} // namespace quantize
} // namespace aicc

#endif // AICC_COMPILER_QUANTIZE_QUANTIZE_H
