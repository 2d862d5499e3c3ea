//===- DeployConfig.cpp - aicc --config: a deployment in one file ---------===//
//
// The file is JSON (llvm::json). Relative paths in it (model, output,
// calibration data, @file.npy values) are relative to the file's directory.
// docs/Deployment.md documents every key.
//
//===----------------------------------------------------------------------===//

#include "tools/aicc/DeployConfig.h"

#include "passes/graph/Precision.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using llvm::StringRef;
namespace json = llvm::json;

namespace aicc {
namespace {

/// A config file larger than this is not a deployment description.
constexpr uint64_t kMaxConfigBytes = 1 << 20;

/// Options of aicc (and its --quantize form) whose value may be the next
/// argument; used to tell positional arguments from option values.
const char *const kValueOptions[] = {
    "o",          "dim",    "input-shape",        "input-value",
    "target",     "emit",   "report",             "config",
    "quantize",   "calibration-data", "calibration-method", "percentile",
    "op-types",   "calibration-target", "precision", "kv-cache",
    "kv-cache-layout"};

bool takesValue(StringRef name) {
  return llvm::is_contained(kValueOptions, name);
}

void printError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "aicc") << message << "\n";
}

/// What the command line itself gives: option names, the keys of the
/// repeatable options, and whether it names the model.
struct CommandLine {
  llvm::StringSet<> options;
  llvm::StringSet<> dims, inputShapes, inputValues;
  bool hasModel = false;
  std::string configPath;
  std::vector<std::string> rest; // argv[1..] without --config FILE
};

bool scanCommandLine(int argc, char **argv, CommandLine &cl) {
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (!arg.starts_with("-") || arg == "-") {
      cl.hasModel = true;
      cl.rest.push_back(arg.str());
      continue;
    }
    StringRef body = arg.drop_while([](char c) { return c == '-'; });
    auto [name, inlineValue] = body.split('=');
    bool hasValue = body.contains('=');
    // -O3 is the only prefix option.
    if (name.starts_with("O") && name.size() == 2 && llvm::isDigit(name[1]))
      name = "O";
    StringRef value = inlineValue;
    bool separate = !hasValue && takesValue(name) && i + 1 < argc;
    if (separate)
      value = argv[i + 1];
    if (name == "config") {
      if (!hasValue && !separate) {
        printError("--config needs a file");
        return false;
      }
      if (!cl.configPath.empty()) {
        printError("--config is given twice");
        return false;
      }
      cl.configPath = value.str();
      i += separate;
      continue;
    }
    cl.options.insert(name);
    if (name == "dim")
      cl.dims.insert(value.split('=').first);
    else if (name == "input-shape")
      cl.inputShapes.insert(value.split(':').first);
    else if (name == "input-value")
      cl.inputValues.insert(value.split('=').first);
    cl.rest.push_back(arg.str());
    if (separate)
      cl.rest.push_back(argv[++i]);
  }
  return true;
}

/// Reads one key of the config, with errors naming the key path.
class ConfigReader {
public:
  ConfigReader(StringRef dir) : dir_(dir.str()) {}

  bool failed() const { return failed_; }

  void error(const llvm::Twine &key, const llvm::Twine &message) {
    if (!failed_)
      printError("--config: '" + key + "': " + message);
    failed_ = true;
  }

  std::string path(StringRef value) const {
    if (value.empty() || llvm::sys::path::is_absolute(value))
      return value.str();
    llvm::SmallString<256> joined(dir_);
    llvm::sys::path::append(joined, value);
    return std::string(joined);
  }

  std::optional<std::string> string(const json::Object &object, StringRef key,
                                    const llvm::Twine &where) {
    const json::Value *value = object.get(key);
    if (!value)
      return std::nullopt;
    if (auto s = value->getAsString())
      return s->str();
    error(where + key, "expects a string");
    return std::nullopt;
  }

  std::optional<int64_t> integer(const json::Value &value,
                                 const llvm::Twine &where) {
    if (auto i = value.getAsInteger())
      return *i;
    error(where, "expects an integer");
    return std::nullopt;
  }

private:
  std::string dir_;
  bool failed_ = false;
};

/// Checks that `object` has only `keys`; the error lists the valid ones.
bool checkKeys(ConfigReader &reader, const json::Object &object,
               llvm::ArrayRef<StringRef> keys, StringRef where) {
  std::vector<std::string> unknown;
  for (const auto &kv : object)
    if (!llvm::is_contained(keys, StringRef(kv.first)))
      unknown.push_back(kv.first.str());
  if (unknown.empty())
    return true;
  llvm::sort(unknown);
  reader.error(where + unknown.front(),
               "unknown key (valid keys" +
                   (where.empty() ? llvm::Twine("") : " of '" + where + "'") +
                   ": " + llvm::join(keys, ", ") + ")");
  return false;
}

/// Formats a JSON array of integers as "1x3x224x224" (shapes) or "1,2,3"
/// (values).
std::optional<std::string> joinInts(ConfigReader &reader,
                                    const json::Array &array, StringRef sep,
                                    const llvm::Twine &where) {
  std::string text;
  for (auto [i, element] : llvm::enumerate(array)) {
    std::optional<int64_t> v =
        reader.integer(element, where + "[" + llvm::Twine(i) + "]");
    if (!v)
      return std::nullopt;
    text += (i ? sep.str() : "") + std::to_string(*v);
  }
  return text;
}

bool expandConfig(const json::Object &root, ConfigReader &reader,
                  const CommandLine &cl, std::vector<std::string> &args) {
  static const StringRef kKeys[] = {
      "model",        "output",       "target",  "targets", "opt_level",
      "precision",    "quantization", "dims",    "input_shapes",
      "input_values", "report",       "emit",    "kv_cache",
      "kv_cache_layout"};
  if (!checkKeys(reader, root, kKeys, ""))
    return false;

  if (auto model = reader.string(root, "model", ""); model && !cl.hasModel)
    args.push_back(reader.path(*model));
  if (auto output = reader.string(root, "output", "");
      output && !cl.options.contains("o")) {
    args.push_back("-o");
    args.push_back(reader.path(*output));
  }

  // Targets in order of preference ("npu,avx512" puts what the first cannot
  // run on the next).
  if (root.get("target") && root.get("targets"))
    reader.error("targets", "give 'target' or 'targets', not both");
  std::string targets;
  if (auto target = reader.string(root, "target", ""))
    targets = *target;
  if (const json::Value *list = root.get("targets")) {
    const json::Array *array = list->getAsArray();
    if (!array || array->empty())
      reader.error("targets", "expects a non-empty array of target names");
    else
      for (auto [i, element] : llvm::enumerate(*array)) {
        auto name = element.getAsString();
        if (!name) {
          reader.error("targets[" + llvm::Twine(i) + "]", "expects a string");
          break;
        }
        targets += (i ? "," : "") + name->str();
      }
  }
  if (!targets.empty() && !cl.options.contains("target"))
    args.push_back("--target=" + targets);

  if (const json::Value *level = root.get("opt_level")) {
    std::optional<int64_t> v = reader.integer(*level, "opt_level");
    if (v && (*v < 0 || *v > 3))
      reader.error("opt_level", "expects 0, 1, 2 or 3");
    else if (v && !cl.options.contains("O"))
      args.push_back("-O" + std::to_string(*v));
  }
  for (StringRef key : {StringRef("report"), StringRef("emit")})
    if (auto value = reader.string(root, key, "");
        value && !cl.options.contains(key))
      args.push_back("--" + key.str() + "=" + *value);
  // The KV cache in place: "auto" or "PAST:PRESENT,..." (--kv-cache), and
  // its layout (--kv-cache-layout).
  for (auto [key, flag] : {std::pair<StringRef, StringRef>("kv_cache", "kv-cache"),
                           {"kv_cache_layout", "kv-cache-layout"}})
    if (auto value = reader.string(root, key, "");
        value && !cl.options.contains(flag))
      args.push_back("--" + flag.str() + "=" + *value);

  // Precision: fp32 (the model as it is), bf16, fp16 or int8w (--precision:
  // lower precision operands for the matrix products; int8w: int8 MatMul
  // weights with per-column scales, f32 math) or int8 (quantized with the
  // calibration data, then compiled).
  std::string precision = "fp32";
  if (auto p = reader.string(root, "precision", ""))
    precision = *p;
  if (precision != "fp32" && precision != "int8" &&
      !graph::isLowerPrecision(precision))
    reader.error("precision", "expects fp32, bf16, fp16, int8w or int8, got '" +
                                  precision + "'");
  if (graph::isLowerPrecision(precision) &&
      !cl.options.contains("precision"))
    args.push_back("--precision=" + precision);
  const json::Value *quantization = root.get("quantization");
  if (quantization && precision != "int8")
    reader.error("quantization", "is used with \"precision\": \"int8\" only");
  if (precision == "int8" && !cl.options.contains("quantize")) {
    const json::Object *q = quantization ? quantization->getAsObject() : nullptr;
    if (!q) {
      reader.error("quantization",
                   "\"precision\": \"int8\" needs a 'quantization' object "
                   "with 'calibration_data'");
      return false;
    }
    static const StringRef kQuantKeys[] = {
        "calibration_data", "method",         "percentile",
        "per_channel",      "symmetric_activations", "op_types",
        "calibration_target"};
    if (!checkKeys(reader, *q, kQuantKeys, "quantization."))
      return false;
    args.push_back("--quantize=int8");
    auto data = reader.string(*q, "calibration_data", "quantization.");
    if (!data)
      reader.error("quantization.calibration_data", "is required");
    else if (!cl.options.contains("calibration-data"))
      args.push_back("--calibration-data=" + reader.path(*data));
    if (auto method = reader.string(*q, "method", "quantization.");
        method && !cl.options.contains("calibration-method"))
      args.push_back("--calibration-method=" + *method);
    if (const json::Value *p = q->get("percentile")) {
      if (auto v = p->getAsNumber()) {
        if (!cl.options.contains("percentile"))
          args.push_back("--percentile=" + llvm::formatv("{0}", *v).str());
      } else {
        reader.error("quantization.percentile", "expects a number");
      }
    }
    for (StringRef key : {StringRef("per_channel"),
                          StringRef("symmetric_activations")}) {
      const json::Value *flag = q->get(key);
      if (!flag)
        continue;
      std::optional<bool> on = flag->getAsBoolean();
      if (!on) {
        reader.error("quantization." + key, "expects true or false");
        continue;
      }
      std::string option = key.str();
      std::replace(option.begin(), option.end(), '_', '-');
      if (*on && !cl.options.contains(option))
        args.push_back("--" + option);
    }
    if (const json::Value *ops = q->get("op_types")) {
      const json::Array *array = ops->getAsArray();
      std::string joined;
      for (size_t i = 0; array && i < array->size(); ++i) {
        auto name = (*array)[i].getAsString();
        if (!name) {
          array = nullptr;
          break;
        }
        joined += (i ? "," : "") + name->str();
      }
      if (!array)
        reader.error("quantization.op_types", "expects an array of op types");
      else if (!cl.options.contains("op-types"))
        args.push_back("--op-types=" + joined);
    }
    if (auto target = reader.string(*q, "calibration_target", "quantization.");
        target && !cl.options.contains("calibration-target"))
      args.push_back("--calibration-target=" + *target);
  }

  // dims: {"batch": 1, "sequence": [1, 512]} (a range keeps it dynamic)
  if (const json::Value *dims = root.get("dims")) {
    const json::Object *object = dims->getAsObject();
    if (!object)
      reader.error("dims", "expects an object of symbol: size or [lo, hi]");
    for (const auto &kv : object ? *object : json::Object()) {
      std::string where = "dims." + kv.first.str();
      std::string value;
      if (const json::Array *range = kv.second.getAsArray()) {
        std::optional<int64_t> lo, hi;
        if (range->size() == 2) {
          lo = reader.integer((*range)[0], where);
          hi = reader.integer((*range)[1], where);
        } else {
          reader.error(where, "expects a size or a range [lo, hi]");
        }
        if (lo && hi)
          value = std::to_string(*lo) + ".." + std::to_string(*hi);
      } else if (std::optional<int64_t> v = reader.integer(kv.second, where)) {
        value = std::to_string(*v);
      }
      if (!value.empty() && !cl.dims.contains(kv.first))
        args.push_back("--dim=" + kv.first.str() + "=" + value);
    }
  }
  // input_shapes: {"x": [1, 3, 224, 224]}
  if (const json::Value *shapes = root.get("input_shapes")) {
    const json::Object *object = shapes->getAsObject();
    if (!object)
      reader.error("input_shapes", "expects an object of input: [dims]");
    for (const auto &kv : object ? *object : json::Object()) {
      const json::Array *array = kv.second.getAsArray();
      if (!array) {
        reader.error(llvm::Twine("input_shapes.") + StringRef(kv.first), "expects an array of dims");
        continue;
      }
      auto text = joinInts(reader, *array, "x", llvm::Twine("input_shapes.") + StringRef(kv.first));
      if (text && !cl.inputShapes.contains(kv.first))
        args.push_back("--input-shape=" + kv.first.str() + ":" + *text);
    }
  }
  // input_values: {"shape": [1, -1]} or {"shape": "@shape.npy"}
  if (const json::Value *values = root.get("input_values")) {
    const json::Object *object = values->getAsObject();
    if (!object)
      reader.error("input_values", "expects an object of input: value");
    for (const auto &kv : object ? *object : json::Object()) {
      std::optional<std::string> text;
      if (const json::Array *array = kv.second.getAsArray())
        text = joinInts(reader, *array, ",", llvm::Twine("input_values.") + StringRef(kv.first));
      else if (auto s = kv.second.getAsString(); s && s->starts_with("@"))
        text = "@" + reader.path(s->drop_front());
      else
        reader.error(llvm::Twine("input_values.") + StringRef(kv.first),
                     "expects an array of integers or \"@file.npy\"");
      if (text && !cl.inputValues.contains(kv.first))
        args.push_back("--input-value=" + kv.first.str() + "=" + *text);
    }
  }
  return !reader.failed();
}

} // namespace

bool hasConfigOption(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg.starts_with("-") &&
        arg.drop_while([](char c) { return c == '-'; }).split('=').first ==
            "config")
      return true;
  }
  return false;
}

bool expandConfigOption(int argc, char **argv, std::vector<std::string> &storage,
                        std::vector<char *> &out) {
  CommandLine cl;
  if (!scanCommandLine(argc, argv, cl))
    return false;
  // The file must be a regular file of reasonable size.
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(cl.configPath, status)) {
    printError("--config: cannot open '" + cl.configPath + "'");
    return false;
  }
  if (status.type() != llvm::sys::fs::file_type::regular_file ||
      status.getSize() > kMaxConfigBytes) {
    printError("--config: '" + cl.configPath +
               "' is not a regular file of at most 1 MiB");
    return false;
  }
  auto buffer = llvm::MemoryBuffer::getFile(cl.configPath);
  if (!buffer) {
    printError("--config: cannot read '" + cl.configPath +
               "': " + buffer.getError().message());
    return false;
  }
  llvm::Expected<json::Value> parsed = json::parse((*buffer)->getBuffer());
  if (!parsed) {
    printError("--config: '" + cl.configPath + "' is not valid JSON: " +
               llvm::toString(parsed.takeError()));
    return false;
  }
  const json::Object *root = parsed->getAsObject();
  if (!root) {
    printError("--config: '" + cl.configPath + "' must hold a JSON object");
    return false;
  }
  ConfigReader reader(llvm::sys::path::parent_path(cl.configPath));
  std::vector<std::string> args;
  if (!expandConfig(*root, reader, cl, args))
    return false;

  storage.clear();
  storage.push_back(argv[0]);
  llvm::append_range(storage, args);
  llvm::append_range(storage, cl.rest);
  out.clear();
  for (std::string &s : storage)
    out.push_back(s.data());
  out.push_back(nullptr);
  return true;
}

} // namespace aicc
