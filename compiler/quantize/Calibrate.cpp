//===- Calibrate.cpp - Calibration data, runs and range selection ---------===//
//
// Calibration compiles a variant of the model whose outputs are the tensors
// to observe, in memory, with aicc's own pipeline for the calibration target
// (default "host": this CPU), loads it with the runtime's C API in this
// process and runs it over every sample. One compile per distinct set of
// input shapes (the last batch is often smaller).
//
// MinMax needs one pass. Percentile and entropy need the range first, so
// they make a second pass that fills a 2048-bin histogram of |x| over
// [0, max|x|] (ONNX Runtime's and TensorRT's histogram calibrators do the
// same with |x|).
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "aicc/runtime.h"
#include "compiler/Pipelines.h"
#include "compiler/Registration.h"
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/quantize/Quantize.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "onnx/onnx_pb.h"
#include "passes/lowering/Passes.h"
#include "targets/RegisterAll.h"
#include "targets/common/Serializer.h"
#include "targets/common/Target.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <cstring>

using llvm::StringRef;

namespace aicc {
namespace quantize {

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static constexpr size_t kHistogramBins = 2048;

//===----------------------------------------------------------------------===//
// Calibration data
//===----------------------------------------------------------------------===//

namespace {

int32_t onnxTypeOf(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F32:
    return onnx::TensorProto::FLOAT;
  case AICC_ELEMENT_TYPE_F64:
    return onnx::TensorProto::DOUBLE;
  case AICC_ELEMENT_TYPE_F16:
    return onnx::TensorProto::FLOAT16;
  case AICC_ELEMENT_TYPE_I8:
    return onnx::TensorProto::INT8;
  case AICC_ELEMENT_TYPE_I16:
    return onnx::TensorProto::INT16;
  case AICC_ELEMENT_TYPE_I32:
    return onnx::TensorProto::INT32;
  case AICC_ELEMENT_TYPE_I64:
    return onnx::TensorProto::INT64;
  case AICC_ELEMENT_TYPE_U8:
    return onnx::TensorProto::UINT8;
  case AICC_ELEMENT_TYPE_U16:
    return onnx::TensorProto::UINT16;
  case AICC_ELEMENT_TYPE_U32:
    return onnx::TensorProto::UINT32;
  case AICC_ELEMENT_TYPE_U64:
    return onnx::TensorProto::UINT64;
  case AICC_ELEMENT_TYPE_BOOL:
    return onnx::TensorProto::BOOL;
  default:
    return 0;
  }
}

aicc_element_type_t aiccTypeOf(int32_t type) {
  for (int t = AICC_ELEMENT_TYPE_F32; t <= AICC_ELEMENT_TYPE_BOOL; ++t)
    if (onnxTypeOf(aicc_element_type_t(t)) == type)
      return aicc_element_type_t(t);
  return AICC_ELEMENT_TYPE_UNKNOWN;
}

std::string typeName(int32_t onnxType) {
  aicc_element_type_t t = aiccTypeOf(onnxType);
  return t == AICC_ELEMENT_TYPE_UNKNOWN ? "type " + std::to_string(onnxType)
                                        : aicc_element_type_name(t);
}

std::string shapeString(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "a scalar";
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

struct ModelInput {
  std::string name;
  int32_t dataType;
  /// Static dims; -1 for a symbolic or unknown one. Empty with !hasShape.
  std::vector<int64_t> dims;
  std::string dimsText;
  bool hasShape;
};

std::vector<ModelInput> modelInputs(const onnx::ModelProto &model) {
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &t : model.graph().initializer())
    initializers.insert(t.name());
  std::vector<ModelInput> inputs;
  for (const onnx::ValueInfoProto &v : model.graph().input()) {
    if (initializers.contains(v.name()))
      continue;
    ModelInput in{v.name(), 0, {}, "", false};
    if (v.type().has_tensor_type()) {
      in.dataType = v.type().tensor_type().elem_type();
      if (v.type().tensor_type().has_shape()) {
        in.hasShape = true;
        for (const auto &d : v.type().tensor_type().shape().dim()) {
          in.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
          in.dimsText += (in.dimsText.empty() ? "" : "x") +
                         (d.has_dim_value()   ? std::to_string(d.dim_value())
                          : d.has_dim_param() ? d.dim_param()
                                              : std::string("?"));
        }
        if (in.dims.empty())
          in.dimsText = "a scalar";
      }
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

llvm::Error checkArray(const ModelInput &input, const npy::Array &array,
                       const std::string &source, Tensor &out) {
  int32_t type = onnxTypeOf(array.elementType);
  if (input.dataType && type != input.dataType)
    return makeError("calibration file '" + source + "' holds " +
                     aicc_element_type_name(array.elementType) +
                     " but input '" + input.name + "' is " +
                     typeName(input.dataType) +
                     (input.dataType == onnx::TensorProto::FLOAT
                          ? " (save it with .astype(np.float32))"
                          : ""));
  bool fits = !input.hasShape || input.dims.size() == array.shape.size();
  for (size_t i = 0; fits && input.hasShape && i < input.dims.size(); ++i)
    fits = input.dims[i] < 0 || input.dims[i] == array.shape[i];
  if (!fits)
    return makeError("calibration file '" + source + "' has shape " +
                     shapeString(array.shape) + " but input '" + input.name +
                     "' is " + input.dimsText);
  out.dataType = type;
  out.shape = array.shape;
  out.data = array.data;
  return llvm::Error::success();
}

/// Sorted regular files of `dir` whose names end in `ext`, and the names of
/// its subdirectories.
llvm::Error listDirectory(StringRef dir, std::vector<std::string> &files,
                          std::vector<std::string> &subdirs) {
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(it->path(), status))
      continue;
    std::string name = llvm::sys::path::filename(it->path()).str();
    if (name.empty() || name[0] == '.')
      continue;
    if (llvm::sys::fs::is_directory(status))
      subdirs.push_back(name);
    else if (llvm::sys::fs::is_regular_file(status))
      files.push_back(name);
  }
  if (ec)
    return makeError("cannot read calibration data folder '" + dir +
                     "': " + ec.message());
  llvm::sort(files);
  llvm::sort(subdirs);
  return llvm::Error::success();
}

uint32_t read32(const uint8_t *p) {
  return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
}
uint16_t read16(const uint8_t *p) { return p[0] | p[1] << 8; }
uint64_t read64(const uint8_t *p) {
  return read32(p) | uint64_t(read32(p + 4)) << 32;
}

/// The members of an uncompressed zip archive (np.savez): name -> bytes.
llvm::Error readNpz(const std::string &path,
                    std::map<std::string, npy::Array> &arrays) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return makeError("cannot read calibration file '" + path +
                     "': " + file.getError().message());
  const uint8_t *data =
      reinterpret_cast<const uint8_t *>((*file)->getBufferStart());
  size_t size = (*file)->getBufferSize();
  auto bad = [&](const char *why) {
    return makeError("calibration file '" + path + "' is not a valid .npz (" +
                     why + ")");
  };
  // End of central directory: the last 22+ bytes (a comment may follow).
  size_t eocd = SIZE_MAX;
  for (size_t i = size >= 22 ? size - 22 : 0; size >= 22; --i) {
    if (read32(data + i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0 || size - i > 22 + 65535)
      break;
  }
  if (eocd == SIZE_MAX)
    return bad("no zip directory");
  uint64_t count = read16(data + eocd + 10);
  uint64_t offset = read32(data + eocd + 16);
  if (offset == 0xffffffff && eocd >= 20 &&
      read32(data + eocd - 20) == 0x07064b50) {
    uint64_t z64 = read64(data + eocd - 20 + 8);
    if (z64 + 56 > size || read32(data + z64) != 0x06064b50)
      return bad("bad zip64 directory");
    count = read64(data + z64 + 32);
    offset = read64(data + z64 + 48);
  }
  for (uint64_t e = 0; e < count; ++e) {
    if (offset + 46 > size || read32(data + offset) != 0x02014b50)
      return bad("truncated zip directory");
    const uint8_t *h = data + offset;
    uint16_t method = read16(h + 10);
    uint64_t csize = read32(h + 20), usize = read32(h + 24);
    uint16_t nameLen = read16(h + 28), extraLen = read16(h + 30),
             commentLen = read16(h + 32);
    uint64_t local = read32(h + 42);
    if (offset + 46 + nameLen + extraLen > size)
      return bad("truncated zip directory");
    std::string name(reinterpret_cast<const char *>(h + 46), nameLen);
    // Zip64 extra field: the sizes and offset that read as 0xffffffff.
    const uint8_t *x = h + 46 + nameLen, *xend = x + extraLen;
    while (x + 4 <= xend) {
      uint16_t id = read16(x), len = read16(x + 2);
      if (id == 1) {
        const uint8_t *v = x + 4;
        if (usize == 0xffffffff && v + 8 <= x + 4 + len)
          usize = read64(v), v += 8;
        if (csize == 0xffffffff && v + 8 <= x + 4 + len)
          csize = read64(v), v += 8;
        if (local == 0xffffffff && v + 8 <= x + 4 + len)
          local = read64(v);
      }
      x += 4 + len;
    }
    offset += 46 + nameLen + extraLen + commentLen;
    if (method != 0)
      return makeError("calibration file '" + path +
                       "' is compressed (np.savez_compressed); write it with "
                       "np.savez");
    if (local + 30 > size || read32(data + local) != 0x04034b50)
      return bad("bad member header");
    uint64_t start =
        local + 30 + read16(data + local + 26) + read16(data + local + 28);
    if (start + usize > size || csize != usize)
      return bad("truncated member");
    StringRef key(name);
    if (!key.consume_back(".npy"))
      continue;
    npy::Array array;
    std::string error;
    if (!npy::parse(data + start, usize, &array, &error))
      return makeError("calibration file '" + path + "', array '" + key +
                       "': " + error);
    arrays[key.str()] = std::move(array);
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<Sample>>
loadCalibrationData(const onnx::ModelProto &model, StringRef dir) {
  std::vector<ModelInput> inputs = modelInputs(model);
  if (inputs.empty())
    return makeError("the model has no inputs to calibrate with");
  if (dir.empty())
    return makeError("no calibration data: give --calibration-data=DIR");
  if (!llvm::sys::fs::is_directory(dir))
    return makeError("calibration data '" + dir +
                     "' is not a folder (it holds .npy or .npz files, see "
                     "docs/Quantization.md)");
  std::vector<std::string> files, subdirs;
  if (llvm::Error e = listDirectory(dir, files, subdirs))
    return std::move(e);
  auto path = [&](StringRef a, StringRef b = "") {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, a);
    if (!b.empty())
      llvm::sys::path::append(p, b);
    return std::string(p);
  };
  std::vector<std::string> npyFiles, npzFiles;
  for (const std::string &f : files) {
    if (StringRef(f).ends_with(".npy"))
      npyFiles.push_back(f);
    else if (StringRef(f).ends_with(".npz"))
      npzFiles.push_back(f);
  }
  std::string names;
  for (const ModelInput &in : inputs)
    names += (names.empty() ? "'" : ", '") + in.name + "'";

  std::vector<Sample> samples;
  if (!npyFiles.empty() && !npzFiles.empty())
    return makeError("calibration data '" + dir +
                     "' mixes .npy and .npz files; use one layout");
  if (!npzFiles.empty()) {
    for (const std::string &f : npzFiles) {
      Sample sample;
      sample.source = path(f);
      for (const ModelInput &in : inputs)
        sample.files.emplace_back(in.name, path(f));
      samples.push_back(std::move(sample));
    }
    return samples;
  }
  if (!npyFiles.empty()) {
    if (inputs.size() != 1)
      return makeError("calibration data '" + dir +
                       "' holds .npy files directly, which "
                       "is for models with one input; this model has " +
                       llvm::Twine(inputs.size()) + " (" + names +
                       "): put each input's files in '" + path("<input name>") +
                       "/' or use one .npz per sample");
    for (const std::string &f : npyFiles) {
      Sample sample;
      sample.source = path(f);
      sample.files.emplace_back(inputs[0].name, path(f));
      samples.push_back(std::move(sample));
    }
    return samples;
  }
  if (subdirs.empty())
    return makeError("calibration data '" + dir +
                     "' has no .npy or .npz files and no folder per input "
                     "(see docs/Quantization.md)");
  // One folder per input; samples matched by file name.
  for (const std::string &s : subdirs)
    if (llvm::none_of(inputs,
                      [&](const ModelInput &in) { return in.name == s; }))
      return makeError("calibration data folder '" + path(s) +
                       "' names no model input (the inputs are " + names + ")");
  std::vector<std::string> reference;
  std::string referenceInput;
  for (const ModelInput &in : inputs) {
    if (!llvm::is_contained(subdirs, in.name))
      return makeError("calibration data '" + dir + "' has no folder '" +
                       path(in.name) + "' for input '" + in.name + "'");
    std::vector<std::string> inputFiles, ignored;
    if (llvm::Error e = listDirectory(path(in.name), inputFiles, ignored))
      return std::move(e);
    llvm::erase_if(inputFiles, [](const std::string &f) {
      return !StringRef(f).ends_with(".npy");
    });
    if (inputFiles.empty())
      return makeError("calibration data folder '" + path(in.name) +
                       "' has no .npy files");
    if (referenceInput.empty()) {
      reference = inputFiles;
      referenceInput = in.name;
      continue;
    }
    for (const std::string &f : reference)
      if (!llvm::is_contained(inputFiles, f))
        return makeError("calibration file '" + path(in.name, f) +
                         "' is missing (there is '" + path(referenceInput, f) +
                         "')");
    for (const std::string &f : inputFiles)
      if (!llvm::is_contained(reference, f))
        return makeError("calibration file '" + path(referenceInput, f) +
                         "' is missing (there is '" + path(in.name, f) + "')");
  }
  for (const std::string &f : reference) {
    Sample sample;
    sample.source = path("*", f);
    for (const ModelInput &in : inputs)
      sample.files.emplace_back(in.name, path(in.name, f));
    samples.push_back(std::move(sample));
  }
  return samples;
}

llvm::Error readSample(const onnx::ModelProto &model, Sample &sample) {
  std::vector<ModelInput> inputs = modelInputs(model);
  std::string names;
  for (const ModelInput &in : inputs)
    names += (names.empty() ? "'" : ", '") + in.name + "'";
  std::map<std::string, std::map<std::string, npy::Array>> archives;
  sample.inputs.clear();
  for (const auto &[name, file] : sample.files) {
    auto in = llvm::find_if(
        inputs, [&](const ModelInput &i) { return i.name == name; });
    assert(in != inputs.end() && "samples are made for the model's inputs");
    if (!StringRef(file).ends_with(".npz")) {
      npy::Array array;
      std::string error;
      if (!npy::readFile(file, &array, &error))
        return makeError("calibration file " + error);
      if (llvm::Error e = checkArray(*in, array, file, sample.inputs[name]))
        return e;
      continue;
    }
    auto archive = archives.find(file);
    if (archive == archives.end()) {
      archive =
          archives.emplace(file, std::map<std::string, npy::Array>()).first;
      if (llvm::Error e = readNpz(file, archive->second))
        return e;
    }
    auto it = archive->second.find(name);
    if (it == archive->second.end()) {
      std::string has;
      for (const auto &kv : archive->second)
        has += (has.empty() ? "" : ", ") + kv.first;
      return makeError("calibration file '" + file + "' has no array '" + name +
                       "' (it has: " + (has.empty() ? "none" : has) +
                       "; the model's inputs are " + names + ")");
    }
    if (llvm::Error e =
            checkArray(*in, it->second, file + ":" + name, sample.inputs[name]))
      return e;
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Range selection
//===----------------------------------------------------------------------===//

namespace {

/// KL divergence of the reference distribution `p` from the quantized `q`
/// (both unnormalized), with ONNX Runtime's smoothing of q's empty bins.
double klDivergence(std::vector<double> p, std::vector<double> q) {
  double ps = 0, qs = 0;
  for (double v : p)
    ps += v;
  for (double v : q)
    qs += v;
  if (ps <= 0 || qs <= 0)
    return INFINITY;
  size_t zeros = 0;
  for (double &v : q) {
    v /= qs;
    zeros += v == 0;
  }
  if (zeros == q.size())
    return INFINITY;
  const double eps = 1e-4;
  double eps1 = eps * double(zeros) / double(q.size() - zeros);
  for (double &v : q)
    v = v == 0 ? eps : v - eps1;
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / ps;
    if (pi > 0)
      kl += pi * std::log(pi / std::max(q[i], 1e-12));
  }
  return kl;
}

/// The |x| threshold (in bins) minimizing the KL divergence (TensorRT).
size_t entropyThresholdBins(const std::vector<uint64_t> &hist,
                            size_t levels = 128) {
  size_t bins = hist.size();
  size_t best = bins;
  double bestKl = INFINITY;
  for (size_t i = levels; i <= bins; ++i) {
    std::vector<double> p(hist.begin(), hist.begin() + i);
    double outliers = 0;
    for (size_t j = i; j < bins; ++j)
      outliers += double(hist[j]);
    p[i - 1] += outliers;
    // Merge the first i bins into `levels` levels, then spread each level
    // evenly over its non-empty bins.
    std::vector<double> q(i, 0.0);
    for (size_t l = 0; l < levels; ++l) {
      size_t start = l * i / levels, end = (l + 1) * i / levels;
      double total = 0;
      size_t nonzero = 0;
      for (size_t j = start; j < end; ++j) {
        total += double(hist[j]);
        nonzero += hist[j] != 0;
      }
      for (size_t j = start; j < end && nonzero; ++j)
        if (hist[j] != 0)
          q[j] = total / double(nonzero);
    }
    double kl = klDivergence(std::move(p), std::move(q));
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

} // namespace

std::pair<double, double> chooseRange(const TensorStats &stats,
                                      const QuantizeOptions &options) {
  double lo = stats.min, hi = stats.max;
  if (options.method == CalibrationMethod::MinMax || stats.histogram.empty())
    return {lo, hi};
  double absMax = std::max(std::fabs(lo), std::fabs(hi));
  const std::vector<uint64_t> &hist = stats.histogram;
  double width = absMax / double(hist.size());
  double threshold = absMax;
  if (options.method == CalibrationMethod::Percentile) {
    uint64_t total = 0;
    for (uint64_t h : hist)
      total += h;
    double target = double(total) * options.percentile / 100.0;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < hist.size(); ++i) {
      cumulative += hist[i];
      if (double(cumulative) >= target) {
        threshold = double(i + 1) * width;
        break;
      }
    }
  } else {
    // |x| spans 128 levels of a signed tensor's range, all 256 of a
    // non-negative one.
    size_t levels = lo >= 0 ? 256 : 128;
    threshold = double(entropyThresholdBins(hist, levels)) * width;
  }
  return {std::max(lo, -threshold), std::min(hi, threshold)};
}

//===----------------------------------------------------------------------===//
// Running the model
//===----------------------------------------------------------------------===//

namespace {

std::string statusMessage(aicc_status_t status) {
  std::string message = aicc_status_message(status);
  aicc_status_free(status);
  return message;
}

/// A compiled, loaded calibration model for one set of input shapes.
struct CalibrationSession {
  aicc_module_t *module = nullptr;
  aicc_session_t *session = nullptr;
  std::vector<std::string> inputNames;
  /// Output index -> calibrated tensor name ("" for the model's own
  /// outputs that are not calibrated or are not f32).
  std::vector<std::string> outputTensors;
  std::vector<std::vector<float>> outputBuffers;
  std::vector<aicc_tensor_view_t> outputViews;
  std::vector<std::vector<int64_t>> outputDims;
  ~CalibrationSession() {
    aicc_session_destroy(session);
    aicc_module_release(module);
  }
};

llvm::Expected<std::unique_ptr<CalibrationSession>>
compileCalibrationModel(const onnx::ModelProto &model, const Sample &sample,
                        const llvm::StringSet<> &tensors,
                        const QuantizeOptions &options,
                        aicc_runtime_t *runtime) {
  registerAllTargets();
  const Target *target = lookupTarget(options.calibrationTarget);
  if (!target)
    return makeError("unknown calibration target '" +
                     options.calibrationTarget + "'");
  // Every observed tensor becomes a graph output.
  onnx::ModelProto augmented = model;
  onnx::GraphProto &graph = *augmented.mutable_graph();
  llvm::StringSet<> outputs;
  for (const onnx::ValueInfoProto &v : graph.output())
    outputs.insert(v.name());
  llvm::StringSet<> inputs;
  for (const onnx::ValueInfoProto &v : graph.input())
    inputs.insert(v.name());
  std::vector<std::string> sorted;
  for (const auto &t : tensors)
    sorted.push_back(t.getKey().str());
  llvm::sort(sorted);
  for (const std::string &t : sorted)
    if (!outputs.contains(t) && !inputs.contains(t))
      graph.add_output()->set_name(t);

  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    // Like the driver: messages from later stages get their node's name.
    std::string message = d.str();
    std::string node = graph::getNodeName(d.getLocation()).str();
    if (!node.empty() && !StringRef(message).starts_with("node '") &&
        !StringRef(message).contains("'" + node + "'"))
      message = "node '" + node + "': " + message;
    diagnostics += "\n  " + message;
    return mlir::success();
  });
  ImportOptions importOptions;
  for (const auto &[name, tensor] : sample.inputs)
    importOptions.inputShapes[name] =
        llvm::SmallVector<int64_t>(tensor.shape.begin(), tensor.shape.end());
  auto fail = [&](StringRef stage) {
    return makeError("calibration: cannot " + stage +
                     " the model with aicc:" + diagnostics);
  };
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importOnnxModel(context, augmented, importOptions);
  if (!module)
    return fail("import");
  auto run = [&](llvm::function_ref<void(mlir::OpPassManager &)> build) {
    mlir::PassManager pm(&context);
    build(pm);
    return pm.run(*module);
  };
  TargetOptions targetOptions;
  if (options.progress)
    targetOptions.progress = [&](size_t done, size_t total) {
      options.progress("compiling kernels", done, total);
    };
  if (mlir::failed(run(buildGraphPipeline)) ||
      mlir::failed(run(buildGraphToLinalgPipeline)) ||
      mlir::failed(lowering::reportUnloweredOps(*module, target->getName())) ||
      mlir::failed(run([&](mlir::OpPassManager &pm) {
        target->buildConfigurationPipeline(pm, targetOptions);
        buildExecPipeline(pm);
      })))
    return fail("compile");
  mlir::FailureOr<ExecutableBinary> binary =
      target->compileExecutable(*module, targetOptions);
  if (mlir::failed(binary))
    return fail("compile");
  std::vector<uint8_t> artifact;
  SerializeOptions serializeOptions;
  serializeOptions.producer = getVersionString();
  serializeOptions.targets = {target->getName().str()};
  if (mlir::failed(
          serializeModule(*module, *binary, artifact, serializeOptions)))
    return fail("serialize");

  auto result = std::make_unique<CalibrationSession>();
  if (aicc_status_t s = aicc_module_load_memory(
          runtime, artifact.data(), artifact.size(), AICC_MEMORY_COPY,
          "calibration model", &result->module))
    return makeError("calibration: cannot load the compiled model: " +
                     statusMessage(s));
  if (aicc_status_t s =
          aicc_session_create(result->module, nullptr, &result->session))
    return makeError("calibration: cannot start a session: " +
                     statusMessage(s));
  size_t inCount = aicc_module_input_count(result->module);
  for (size_t i = 0; i < inCount; ++i) {
    aicc_tensor_info_t info;
    if (aicc_status_t s = aicc_module_input_info(result->module, i, &info))
      return makeError("calibration: " + statusMessage(s));
    if (!sample.inputs.count(info.name))
      return makeError("calibration: the compiled model has an input '" +
                       llvm::Twine(info.name) + "' the data does not give");
    result->inputNames.push_back(info.name);
  }
  size_t outCount = aicc_module_output_count(result->module);
  result->outputBuffers.resize(outCount);
  result->outputDims.resize(outCount);
  for (size_t i = 0; i < outCount; ++i) {
    aicc_tensor_info_t info;
    if (aicc_status_t s = aicc_module_output_info(result->module, i, &info))
      return makeError("calibration: " + statusMessage(s));
    bool observed = info.element_type == AICC_ELEMENT_TYPE_F32 &&
                    tensors.contains(info.name);
    result->outputTensors.push_back(observed ? info.name : "");
    result->outputDims[i].assign(info.dims, info.dims + info.rank);
    // Byte buffers, as floats for alignment.
    result->outputBuffers[i].resize((info.byte_size + 3) / 4 + 1);
    aicc_tensor_view_t view;
    view.data = result->outputBuffers[i].data();
    view.element_type = info.element_type;
    view.rank = info.rank;
    view.dims = result->outputDims[i].data();
    view.byte_size = info.byte_size;
    result->outputViews.push_back(view);
  }
  return result;
}

llvm::Error runSample(CalibrationSession &cs, const Sample &sample) {
  std::vector<aicc_tensor_view_t> inputs;
  for (const std::string &name : cs.inputNames) {
    const Tensor &t = sample.inputs.at(name);
    aicc_tensor_view_t view;
    view.data = const_cast<uint8_t *>(t.data.data());
    view.element_type = aiccTypeOf(t.dataType);
    view.rank = t.shape.size();
    view.dims = t.shape.data();
    view.byte_size = t.data.size();
    inputs.push_back(view);
  }
  if (aicc_status_t s =
          aicc_session_run(cs.session, inputs.data(), inputs.size(),
                           cs.outputViews.data(), cs.outputViews.size()))
    return makeError("calibration: running '" + sample.source +
                     "' failed: " + statusMessage(s));
  return llvm::Error::success();
}

void observe(TensorStats &stats, const float *data, size_t count,
             bool histogramPass) {
  if (!histogramPass) {
    for (size_t i = 0; i < count; ++i) {
      float v = data[i];
      if (!std::isfinite(v))
        continue;
      if (!stats.seen) {
        stats.min = stats.max = v;
        stats.seen = true;
      }
      stats.min = std::min<double>(stats.min, v);
      stats.max = std::max<double>(stats.max, v);
    }
    return;
  }
  double absMax = std::max(std::fabs(stats.min), std::fabs(stats.max));
  if (stats.histogram.empty())
    stats.histogram.assign(kHistogramBins, 0);
  if (absMax <= 0) {
    stats.histogram[0] += count;
    return;
  }
  double perBin = double(kHistogramBins) / absMax;
  for (size_t i = 0; i < count; ++i) {
    float v = data[i];
    if (!std::isfinite(v))
      continue;
    size_t bin = size_t(std::fabs(v) * perBin);
    stats.histogram[std::min(bin, kHistogramBins - 1)]++;
  }
}

std::string shapeKey(const Sample &sample) {
  std::string key;
  for (const auto &[name, t] : sample.inputs)
    key += name + ":" + shapeString(t.shape) + ";";
  return key;
}

} // namespace

llvm::Expected<llvm::StringMap<TensorStats>>
calibrate(const onnx::ModelProto &model, std::vector<Sample> &samples,
          const std::vector<std::string> &tensors,
          const QuantizeOptions &options) {
  llvm::StringMap<TensorStats> stats;
  llvm::StringSet<> wanted;
  for (const std::string &t : tensors)
    wanted.insert(t);
  // Graph inputs are observed from the data itself.
  llvm::StringSet<> graphInputs;
  for (const onnx::ValueInfoProto &v : model.graph().input())
    graphInputs.insert(v.name());

  aicc_runtime_t *runtime = nullptr;
  if (aicc_status_t s = aicc_runtime_create(&runtime))
    return makeError("calibration: cannot start the aicc runtime: " +
                     statusMessage(s));
  llvm::scope_exit releaseRuntime([&] { aicc_runtime_release(runtime); });

  std::map<std::string, std::unique_ptr<CalibrationSession>> sessions;
  bool histograms = options.method != CalibrationMethod::MinMax;
  int passes = histograms ? 2 : 1;
  size_t done = 0, total = samples.size() * passes;
  for (int pass = 0; pass < passes; ++pass) {
    bool histogramPass = pass == 1;
    for (Sample &sample : samples) {
      if (llvm::Error e = readSample(model, sample))
        return std::move(e);
      for (const auto &[name, tensor] : sample.inputs)
        if (wanted.contains(name) &&
            tensor.dataType == onnx::TensorProto::FLOAT)
          observe(stats[name],
                  reinterpret_cast<const float *>(tensor.data.data()),
                  tensor.data.size() / sizeof(float), histogramPass);
      std::string key = shapeKey(sample);
      auto it = sessions.find(key);
      if (it == sessions.end()) {
        auto compiled =
            compileCalibrationModel(model, sample, wanted, options, runtime);
        if (!compiled)
          return compiled.takeError();
        it = sessions.emplace(key, std::move(*compiled)).first;
      }
      CalibrationSession &cs = *it->second;
      if (llvm::Error e = runSample(cs, sample))
        return std::move(e);
      sample.inputs.clear(); // one sample in memory at a time
      for (size_t o = 0; o < cs.outputTensors.size(); ++o) {
        if (cs.outputTensors[o].empty() ||
            graphInputs.contains(cs.outputTensors[o]))
          continue;
        observe(stats[cs.outputTensors[o]], cs.outputBuffers[o].data(),
                cs.outputViews[o].byte_size / sizeof(float), histogramPass);
      }
      ++done;
      if (options.progress)
        options.progress("calibrating", done, total);
    }
  }
  sessions.clear();
  return stats;
}

} // namespace quantize
} // namespace aicc
