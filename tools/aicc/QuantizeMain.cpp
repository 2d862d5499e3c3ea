//===- QuantizeMain.cpp - aicc quantize and aicc --quantize=int8 ----------===//
//
//   aicc quantize model.onnx --calibration-data DIR [--method M]
//       [--per-channel] [--symmetric-activations] -o model.int8.onnx
//   aicc model.onnx --quantize=int8 --calibration-data DIR [driver options]
//
// The second form quantizes into a temporary QDQ model and hands the rest of
// the command line to the driver with that model as the input. The options
// are parsed by hand (not llvm::cl) so that they do not clash with the
// driver's, which registers its own when it runs.
//
//===----------------------------------------------------------------------===//

#include "tools/aicc/QuantizeMain.h"
#include "compiler/driver/Driver.h"
#include "compiler/quantize/Quantize.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>

using llvm::StringRef;

namespace aicc {
namespace {

// Listed at the end of `aicc --help`.
llvm::cl::extrahelp quantizeHelp(R"(
QUANTIZATION (docs/Quantization.md):
  aicc quantize model.onnx --calibration-data DIR -o model.int8.onnx
      Writes a QDQ int8 model (ONNX Runtime runs it too); calibrates by
      running the model with aicc over DIR (aicc quantize --help).
  aicc model.onnx --quantize=int8 --calibration-data DIR --target=avx512 -o m.aicc
      Quantizes, then compiles the QDQ model. Also: --calibration-method=M,
      --per-channel, --symmetric-activations.
)");

const char *kUsage =
    R"(usage: aicc quantize <model.onnx | model.onnxtxt> --calibration-data DIR -o OUT.onnx [options]

Post-training int8 quantization: runs the model with aicc over the samples in
DIR, chooses a range per activation, and writes a QDQ ONNX model
(QuantizeLinear/DequantizeLinear around activations, int8 weights, int32
biases) that aicc and ONNX Runtime both run. A .onnxtxt output is written in
ONNX text syntax.

Calibration data (DIR):
  DIR/*.npy              one file per sample (models with one input)
  DIR/<input>/*.npy      a folder per input; samples matched by file name
  DIR/*.npz              one np.savez archive per sample, an array per input

Options:
  --method minmax|percentile|entropy
                         how a range is chosen (default minmax)
  --percentile P         percentile of |x| kept by --method=percentile
                         (default 99.999)
  --per-channel          one weight scale per output channel
  --symmetric-activations
                         int8 activations with zero point 0 (default: uint8,
                         asymmetric)
  --op-types A,B,...     op types to quantize (default: those ONNX Runtime's
                         quantize_static quantizes)
  --calibration-target T aicc target the calibration runs on (default host)
  --no-progress          no progress bar on stderr
)";

/// "aicc: calibrating [=====     ] 12/40" on a terminal, quarter marks in a
/// log; one line per stage, none for stages done within two seconds (like
/// the driver's kernel progress).
class ProgressBar {
public:
  void update(StringRef stage, size_t done, size_t total) {
    if (!total)
      return;
    if (stage != currentStage) {
      if (terminal && unfinished)
        llvm::errs() << "\n";
      currentStage = stage.str();
      lastQuarter = 0;
      shown = false;
      start = std::chrono::steady_clock::now();
    }
    if (!shown &&
        std::chrono::steady_clock::now() - start < std::chrono::seconds(2))
      return;
    shown = true;
    unfinished = done != total;
    if (terminal) {
      const size_t width = 30;
      size_t filled = done * width / total;
      llvm::errs() << "\raicc: " << stage << " [" << std::string(filled, '=')
                   << std::string(width - filled, ' ') << "] " << done << "/"
                   << total;
      if (done == total)
        llvm::errs() << "\n";
      llvm::errs().flush();
      return;
    }
    unsigned quarter = unsigned(4 * done / total);
    if (quarter != lastQuarter || done == total) {
      llvm::errs() << "aicc: " << stage << " " << done << "/" << total << "\n";
      lastQuarter = quarter;
    }
  }

private:
  bool terminal = llvm::sys::Process::StandardErrIsDisplayed();
  std::string currentStage;
  std::chrono::steady_clock::time_point start;
  bool shown = false;
  bool unfinished = false;
  unsigned lastQuarter = 0;
};

int error(const llvm::Twine &message) {
  llvm::errs() << "aicc: ";
  llvm::WithColor(llvm::errs(), llvm::HighlightColor::Error) << "error: ";
  llvm::errs() << message << "\n";
  return 1;
}

/// Splits "--name=value" / "-name=value" into its name (no dashes) and
/// value; `hasValue` says whether '=' was there.
StringRef optionName(StringRef arg, StringRef &value, bool &hasValue) {
  StringRef name = arg.drop_while([](char c) { return c == '-'; });
  auto [n, v] = name.split('=');
  hasValue = name.contains('=');
  value = v;
  return n;
}

/// Options shared by both forms. Returns 1 when `arg` (and maybe the next
/// argument) was one of them, 0 when not, -1 on error (printed).
int parseQuantizeOption(int argc, char **argv, int &i,
                        quantize::QuantizeOptions &options, bool subcommand) {
  StringRef value;
  bool hasValue;
  StringRef name = optionName(argv[i], value, hasValue);
  auto takeValue = [&]() -> bool {
    if (hasValue)
      return true;
    if (i + 1 >= argc) {
      error("--" + name + " needs a value");
      return false;
    }
    value = argv[++i];
    return true;
  };
  if (name == "calibration-data") {
    if (!takeValue())
      return -1;
    options.calibrationDir = value.str();
    return 1;
  }
  if (name == "calibration-method" || (subcommand && name == "method")) {
    if (!takeValue())
      return -1;
    auto method = quantize::parseCalibrationMethod(value);
    if (!method) {
      error("unknown --" + name + " '" + value +
            "' (available: minmax, percentile, entropy)");
      return -1;
    }
    options.method = *method;
    return 1;
  }
  if (name == "percentile") {
    if (!takeValue())
      return -1;
    double p;
    if (value.getAsDouble(p) || !(p > 0 && p <= 100)) {
      error("--percentile '" + value + "' is not a number in (0, 100]");
      return -1;
    }
    options.percentile = p;
    return 1;
  }
  if (name == "per-channel" && !hasValue) {
    options.perChannel = true;
    return 1;
  }
  if (name == "symmetric-activations" && !hasValue) {
    options.symmetricActivations = true;
    return 1;
  }
  if (name == "op-types") {
    if (!takeValue())
      return -1;
    llvm::SmallVector<StringRef> types;
    value.split(types, ',', -1, /*KeepEmpty=*/false);
    for (StringRef t : types)
      options.opTypes.push_back(t.trim().str());
    return 1;
  }
  if (name == "calibration-target") {
    if (!takeValue())
      return -1;
    options.calibrationTarget = value.str();
    return 1;
  }
  if (name == "no-progress" && !hasValue) {
    options.progress = nullptr;
    return 1;
  }
  return 0;
}

int quantizeFile(StringRef input, StringRef output,
                 const quantize::QuantizeOptions &options) {
  onnx::ModelProto model;
  if (llvm::Error e = quantize::readModel(input, model))
    return error(llvm::toString(std::move(e)));
  if (llvm::Error e = quantize::quantizeModel(model, options))
    return error(llvm::toString(std::move(e)));
  if (llvm::Error e = quantize::writeModel(output, model))
    return error(llvm::toString(std::move(e)));
  return 0;
}

} // namespace

/// Options with the progress bar on (--no-progress clears it).
static quantize::QuantizeOptions defaultOptions(ProgressBar &bar) {
  quantize::QuantizeOptions options;
  options.progress = [&bar](StringRef stage, size_t done, size_t total) {
    bar.update(stage, done, total);
  };
  return options;
}

int runQuantizeMain(int argc, char **argv) {
  ProgressBar bar;
  quantize::QuantizeOptions options = defaultOptions(bar);
  std::string input, output;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    StringRef value;
    bool hasValue;
    StringRef name = optionName(arg, value, hasValue);
    if (arg == "-h" || name == "help") {
      llvm::outs() << kUsage;
      return 0;
    }
    int parsed = parseQuantizeOption(argc, argv, i, options, true);
    if (parsed < 0)
      return 1;
    if (parsed)
      continue;
    if (name == "o" && arg.starts_with("-")) {
      if (!hasValue) {
        if (i + 1 >= argc)
          return error("-o needs a file name");
        value = argv[++i];
      }
      output = value.str();
      continue;
    }
    if (arg.starts_with("-") && arg != "-")
      return error("aicc quantize: unknown option '" + arg +
                   "' (aicc quantize --help lists them)");
    if (!input.empty())
      return error("aicc quantize: more than one model ('" + input + "' and '" +
                   arg + "')");
    input = arg.str();
  }
  if (input.empty())
    return error("aicc quantize: no input model (aicc quantize --help shows "
                 "the usage)");
  if (output.empty())
    return error("aicc quantize: give the quantized model a file name with "
                 "-o");
  if (options.calibrationDir.empty())
    return error("aicc quantize: --calibration-data DIR is required (a "
                 "folder of .npy or .npz samples; see aicc quantize --help)");
  if (llvm::sys::fs::equivalent(input, output))
    return error("-o '" + output +
                 "' is the input model; choose another "
                 "output file");
  return quantizeFile(input, output, options);
}

bool hasQuantizeOption(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    StringRef value;
    bool hasValue;
    StringRef name = optionName(argv[i], value, hasValue);
    if (StringRef(argv[i]).starts_with("-") &&
        (name == "quantize" || name == "calibration-data"))
      return true;
  }
  return false;
}

int runQuantizedCompile(int argc, char **argv) {
  ProgressBar bar;
  quantize::QuantizeOptions options = defaultOptions(bar);
  std::string precision;
  std::vector<char *> rest = {argv[0]};
  int inputIndex = -1;
  // Driver options that take their value as the next argument.
  static const char *const kValueOptions[] = {
      "o", "dim", "input-shape", "input-value", "target", "emit", "report"};
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    StringRef value;
    bool hasValue;
    StringRef name = optionName(arg, value, hasValue);
    if (arg.starts_with("-") && name == "quantize") {
      if (!hasValue) {
        if (i + 1 >= argc)
          return error("--quantize needs a value (int8)");
        value = argv[++i];
      }
      precision = value.str();
      continue;
    }
    if (arg.starts_with("-")) {
      int parsed = parseQuantizeOption(argc, argv, i, options, false);
      if (parsed < 0)
        return 1;
      if (parsed)
        continue;
      rest.push_back(argv[i]);
      if (!hasValue && llvm::is_contained(kValueOptions, name) && i + 1 < argc)
        rest.push_back(argv[++i]);
      continue;
    }
    if (inputIndex < 0)
      inputIndex = int(rest.size());
    rest.push_back(argv[i]);
  }
  if (precision.empty())
    return error("--calibration-data is for --quantize=int8 (or aicc "
                 "quantize)");
  if (precision != "int8")
    return error("unknown --quantize '" + precision + "' (available: int8)");
  if (options.calibrationDir.empty())
    return error("--quantize=int8 needs --calibration-data DIR (a folder of "
                 ".npy or .npz samples; see docs/Quantization.md)");
  if (inputIndex < 0)
    return error("no input model (aicc --help shows the usage)");

  onnx::ModelProto model;
  StringRef input = rest[inputIndex];
  if (llvm::Error e = quantize::readModel(input, model))
    return error(llvm::toString(std::move(e)));
  if (llvm::Error e = quantize::quantizeModel(model, options))
    return error(llvm::toString(std::move(e)));
  llvm::SmallString<128> temporary;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "aicc-quantized", "onnx", fd, temporary))
    return error("cannot create a temporary file: " + ec.message());
  llvm::sys::fs::closeFile(fd);
  llvm::scope_exit removeTemporary(
      [&] { (void)llvm::sys::fs::remove(temporary); });
  if (llvm::Error e = quantize::writeModel(temporary, model))
    return error(llvm::toString(std::move(e)));
  std::string path = temporary.str().str();
  rest[inputIndex] = path.data();
  rest.push_back(nullptr);
  return runAiccMain(int(rest.size()) - 1, rest.data());
}

} // namespace aicc
