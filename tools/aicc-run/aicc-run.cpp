//===- aicc-run.cpp - Runs an .aicc module from the command line ----------===//
//
//   aicc-run model.aicc --input x=@x.npy --output y=@y.npy
//   aicc-run model.aicc --input x=random --seed 1 --benchmark 100
//   aicc-run model.aicc --input x=@x.npy --expected y=@ref.npy --atol 1e-4
//   aicc-run model.aicc --inspect
//   aicc-run model.aicc --input x=random --benchmark 50 --profile
//   aicc-run decoder.aicc --generate 32 --prompt 464,318
//
// Uses only the runtime's C API (and the .npy helpers), like any embedder
// would. Every user mistake is a one-line message and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "FmaPeak.h"
#include "TensorUtil.h"

#include "ElementType.h"
#include "Npy.h"
#include "aicc/runtime.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace aicc;
using namespace aicc::tool;

namespace {

const char *kUsage = R"(usage: aicc-run <module.aicc> [options]

Runs a compiled aicc module once (or benchmarks it) on this machine.

Inputs and outputs (repeatable; NAME may be omitted to go by position):
  --input NAME=@FILE.npy      read input NAME from a .npy file
  --input NAME=random         fill input NAME with random values (see --seed)
  --output NAME=@FILE.npy     write output NAME to a .npy file
  --expected NAME=@FILE.npy   compare output NAME with a reference; exit 1
                              if any element differs by more than
                              atol + rtol * |expected|
  --rtol R                    relative tolerance (default 1e-5)
  --atol A                    absolute tolerance (default 1e-8)
  --seed S                    seed of random inputs (default 0)
  --dim SYMBOL=N              a dynamic module's symbol value for random
                              inputs (default: its maximum); .npy inputs
                              may have any shape within the symbols' ranges,
                              and outputs get their actual shapes

Generation (decoder modules with a KV cache, docs/Runtime.md):
  --generate N                greedy-decode N tokens: prefill the prompt,
                              then feed each token and the present tensors
                              back as past; prints the tokens, the time to
                              first token and tokens/s
  --prompt T1,T2,...          prompt token ids (default: the --input of the
                              token input, else the single token 0); with
                              --warmup W, W untimed passes come first
  --kv-cache PAST:PRESENT,... cache pairs (default: past_key_values.* or
                              past.* inputs with the present.* outputs)
  --input-ids NAME            the token input (default input_ids)
  --logits NAME               the logits output (default logits)

Execution:
  --device D                  device to run on: auto (default: a GPU or NPU
                              that can run the module, else the CPU), cpu,
                              cuda, rocm, npu (the driver's first device) or
                              a name from --list-devices (cuda:1)
  --threads N                 CPU threads, 0 = one per core (default 0)
  --benchmark N               after the run, time N more runs (after
                              --warmup runs) and print the latency
  --warmup W                  untimed runs before --benchmark (default 2)

Profiling:
  --profile                   time every command of the schedule over the
                              --benchmark runs (10 runs without it) and print
                              per kernel: median time, share, GFLOP/s and
                              fraction of the fp32 FMA peak, bytes moved and
                              GB/s, sorted by time, and a total line; on
                              the npu device (simulated RNPU) instead the
                              simulator's counters per layer (cycles, MAC
                              utilization, MACs, DRAM bytes, roofline bound;
                              AICC_NPU_PROFILE) of the one run (with
                              --benchmark: both, the counters of every run)
  --profile-top K             show only the K costliest commands
  --trace FILE                npu device: write a Chrome trace (JSON; open
                              in Perfetto or chrome://tracing) of every
                              simulated RNPU instruction (AICC_NPU_TRACE)
  --peak-gflops X             the machine's fp32 peak in GFLOP/s for the
                              threads used (default: measured, 50 ms per
                              thread count, best of 5 trials)
  --perf-map                  write /tmp/perf-<pid>.map naming every kernel
                              function for `perf` (same as AICC_PERF_MAP=1)

Information:
  --inspect                   print the module's signature, executables,
                              memory plan and schedule, then exit
  --list-devices              print the runtime's devices, and for each
                              driver without one the reason, then exit
  --version                   print versions, then exit
  --help                      print this help, then exit

Exit status: 0 on success, 1 on any error or tolerance failure.
)";

/// A NAME=SPEC argument; an empty name means "the next by position".
struct TensorArg {
  std::string name;
  /// "@path" or "random".
  std::string spec;
  std::string option;
};

struct Options {
  std::string modulePath;
  std::vector<TensorArg> inputs, outputs, expected;
  double rtol = 1e-5, atol = 1e-8;
  uint64_t seed = 0;
  std::string device = "auto";
  uint32_t threads = 0;
  long benchmark = 0;
  long warmup = 2;
  bool warmupGiven = false;
  bool inspect = false, listDevices = false, help = false, version = false;
  bool profile = false, perfMap = false;
  long profileTop = 0;
  /// --trace: the npu device's Chrome trace.
  std::string tracePath;
  double peakGflops = 0;
  std::vector<std::pair<std::string, int64_t>> dims;
  long generate = 0;
  std::vector<int64_t> prompt;
  std::string kvCache, inputIds, logits;
};

/// Reports an error and returns exit code 1, so that `return fail(...)`
/// reads naturally.
int fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fail(const char *format, ...) {
  std::fflush(stdout);
  std::fputs("aicc-run: error: ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  return 1;
}

/// Prints and frees a failed status; returns 1.
int failStatus(aicc_status_t status) {
  int code = fail("%s", aicc_status_message(status));
  aicc_status_free(status);
  return code;
}

bool parseTensorArg(const std::string &option, const std::string &value,
                    TensorArg *out) {
  out->option = option;
  size_t at = value.find("=@");
  if (at != std::string::npos) {
    out->name = value.substr(0, at);
    out->spec = value.substr(at + 1);
  } else if (value.size() > 7 &&
             value.compare(value.size() - 7, 7, "=random") == 0) {
    out->name = value.substr(0, value.size() - 7);
    out->spec = "random";
  } else if (!value.empty() && (value[0] == '@' || value == "random")) {
    out->spec = value;
  } else {
    return false;
  }
  return out->spec != "@";
}

bool parseNumber(const std::string &text, double *out) {
  char *end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && std::isfinite(*out) && *out >= 0;
}

bool parseInteger(const std::string &text, long max, long *out) {
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 0 || value > max)
    return false;
  *out = value;
  return true;
}

/// Parses argv into `options`; returns 0, or 1 after printing an error.
int parseArgs(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      if (!options.modulePath.empty())
        return fail("unexpected argument '%s' (the module is '%s'); inputs "
                    "are passed with --input",
                    arg.c_str(), options.modulePath.c_str());
      options.modulePath = arg;
      continue;
    }
    std::string name = arg, value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      hasValue = true;
    }
    bool *flag = name == "--help"           ? &options.help
                 : name == "--version"      ? &options.version
                 : name == "--inspect"      ? &options.inspect
                 : name == "--list-devices" ? &options.listDevices
                 : name == "--profile"      ? &options.profile
                 : name == "--perf-map"     ? &options.perfMap
                                            : nullptr;
    if (flag) {
      if (hasValue)
        return fail("option %s takes no value", name.c_str());
      *flag = true;
    } else {
      static const char *const kValueOptions[] = {
          "--input",     "--output",   "--expected",    "--rtol",
          "--atol",      "--seed",     "--device",      "--threads",
          "--benchmark", "--warmup",   "--profile-top", "--peak-gflops",
          "--dim",       "--generate", "--prompt",      "--kv-cache",
          "--input-ids", "--logits",   "--trace"};
      bool known = false;
      for (const char *option : kValueOptions)
        known |= name == option;
      if (!known)
        return fail("unknown option '%s' (see --help)", name.c_str());
      if (!hasValue) {
        if (i + 1 >= argc)
          return fail("option %s needs a value (see --help)", name.c_str());
        value = argv[++i];
      }
      if (name == "--input" || name == "--output" || name == "--expected") {
        TensorArg tensor;
        if (!parseTensorArg(name, value, &tensor))
          return fail("%s '%s': expected NAME=@FILE.npy%s", name.c_str(),
                      value.c_str(),
                      name == "--input" ? " or NAME=random" : "");
        if (name == "--output" && tensor.spec == "random")
          return fail("--output '%s': outputs cannot be random", value.c_str());
        if (name == "--expected" && tensor.spec == "random")
          return fail("--expected '%s': references cannot be random",
                      value.c_str());
        (name == "--input"    ? options.inputs
         : name == "--output" ? options.outputs
                              : options.expected)
            .push_back(tensor);
      } else if (name == "--dim") {
        size_t eq2 = value.find('=');
        long number = -1;
        if (eq2 == std::string::npos || eq2 == 0 ||
            !parseInteger(value.substr(eq2 + 1), INT32_MAX, &number))
          return fail("--dim '%s': expected SYMBOL=N with N >= 0",
                      value.c_str());
        options.dims.push_back({value.substr(0, eq2), number});
      } else if (name == "--generate") {
        if (!parseInteger(value, 1000000, &options.generate) ||
            options.generate == 0)
          return fail("--generate '%s': expected a positive number of tokens",
                      value.c_str());
      } else if (name == "--prompt") {
        size_t start = 0;
        options.prompt.clear();
        while (start <= value.size()) {
          size_t end = value.find(',', start);
          if (end == std::string::npos)
            end = value.size();
          long token = 0;
          if (!parseInteger(value.substr(start, end - start), INT32_MAX,
                            &token))
            return fail("--prompt '%s': expected comma-separated token ids",
                        value.c_str());
          options.prompt.push_back(token);
          start = end + 1;
        }
      } else if (name == "--kv-cache") {
        options.kvCache = value;
      } else if (name == "--input-ids") {
        options.inputIds = value;
      } else if (name == "--logits") {
        options.logits = value;
      } else if (name == "--profile-top") {
        if (!parseInteger(value, 1000000000, &options.profileTop) ||
            options.profileTop == 0)
          return fail("--profile-top '%s': expected a positive integer",
                      value.c_str());
        options.profile = true;
      } else if (name == "--peak-gflops") {
        if (!parseNumber(value, &options.peakGflops) || options.peakGflops <= 0)
          return fail("--peak-gflops '%s': expected a positive number",
                      value.c_str());
      } else if (name == "--rtol" || name == "--atol") {
        double number;
        if (!parseNumber(value, &number))
          return fail("%s '%s': expected a non-negative number", name.c_str(),
                      value.c_str());
        (name == "--rtol" ? options.rtol : options.atol) = number;
      } else if (name == "--seed") {
        char *end = nullptr;
        options.seed = std::strtoull(value.c_str(), &end, 0);
        if (value.empty() || *end != '\0')
          return fail("--seed '%s': expected an integer", value.c_str());
      } else if (name == "--device") {
        options.device = value;
      } else if (name == "--trace") {
        if (value.empty())
          return fail("--trace needs a file name");
        options.tracePath = value;
      } else if (name == "--threads") {
        long threads;
        if (!parseInteger(value, 1024, &threads))
          return fail("--threads '%s': expected an integer in [0, 1024]",
                      value.c_str());
        options.threads = static_cast<uint32_t>(threads);
      } else if (name == "--benchmark" || name == "--warmup") {
        long count;
        if (!parseInteger(value, 100000000, &count) ||
            (name == "--benchmark" && count == 0))
          return fail("%s '%s': expected a %s integer", name.c_str(),
                      value.c_str(),
                      name == "--benchmark" ? "positive" : "non-negative");
        (name == "--benchmark" ? options.benchmark : options.warmup) = count;
        options.warmupGiven |= name == "--warmup";
      } else {
        return fail("unknown option '%s' (see --help)", name.c_str());
      }
    }
  }
  return 0;
}

/// Owns the runtime objects so that every exit path releases them.
struct Handles {
  aicc_runtime_t *runtime = nullptr;
  aicc_module_t *module = nullptr;
  aicc_session_t *session = nullptr;
  ~Handles() {
    aicc_session_destroy(session);
    aicc_module_release(module);
    aicc_runtime_release(runtime);
  }
};

std::string describe(const aicc_tensor_info_t &info);

/// A signature tensor and the caller memory bound to it.
struct Binding {
  aicc_tensor_info_t info{};
  /// The signature's shape for messages ("f32[1,sequence<=512]").
  std::string shapeText;
  /// The actual shape (dynamic inputs: from the .npy file or --dim;
  /// outputs: after the run) and its bytes.
  std::vector<int64_t> dims;
  size_t bytes = 0;
  /// Bytes allocated at `data`.
  size_t capacity = 0;
  /// 64-byte aligned: kernels may use aligned vector loads on inputs.
  std::unique_ptr<uint8_t, decltype(&std::free)> storage{nullptr, &std::free};
  uint8_t *data = nullptr;
  std::string source; // For messages: "x.npy" or "random".
  bool assigned = false;

  /// Zeroed memory for the tensor; false (with a message) when there is not
  /// enough of it.
  bool allocate(const char *what, size_t bytes = 0, bool exact = false) {
    if (!exact)
      bytes = std::max(bytes, info.byte_size);
    void *p = bytes <= SIZE_MAX - 64 ? std::calloc(bytes + 64, 1) : nullptr;
    if (!p) {
      fail("cannot allocate the %zu bytes of %s '%s' (%s): out of memory",
           bytes, what, info.name, describe(info).c_str());
      return false;
    }
    storage.reset(static_cast<uint8_t *>(p));
    capacity = bytes;
    uintptr_t base = reinterpret_cast<uintptr_t>(p);
    data = storage.get() + ((64 - base % 64) % 64);
    return true;
  }

  aicc_tensor_view_t view() const {
    return {data, info.element_type, dims.size(), dims.data(), capacity};
  }
  void setDims(const int64_t *begin, size_t rank) {
    dims.assign(begin, begin + rank);
    bytes = aicc_element_type_size(info.element_type);
    for (int64_t dim : dims)
      bytes *= static_cast<size_t>(dim);
  }
};

std::string describe(const aicc_tensor_info_t &info) {
  return describeTensor(info.element_type, info.rank, info.dims);
}

/// The shape of input / output `index` with its dynamic dims named:
/// "f32[1,sequence<=512]".
std::string describeSignature(aicc_module_t *module, bool isInput, size_t index,
                              const aicc_tensor_info_t &info) {
  if (!aicc_module_is_dynamic(module))
    return describe(info);
  std::string text =
      std::string(aicc_element_type_name(info.element_type)) + "[";
  for (size_t d = 0; d < info.rank; ++d) {
    int64_t symbol = -1;
    aicc_status_free(
        isInput ? aicc_module_input_dim_symbol(module, index, d, &symbol)
                : aicc_module_output_dim_symbol(module, index, d, &symbol));
    aicc_symbol_info_t symbolInfo{};
    if (d)
      text += ",";
    if (symbol >= 0 && !aicc_module_symbol_info(
                           module, static_cast<size_t>(symbol), &symbolInfo))
      text += std::string(symbolInfo.name) + "<=";
    else if (symbol == -2)
      text += "?<=";
    text += std::to_string(info.dims[d]);
  }
  return text + "]";
}

/// Resolves NAME=SPEC arguments to signature indices; positional ones take
/// the first tensors not named explicitly, in order.
int resolveNames(const std::vector<TensorArg> &args,
                 const std::vector<Binding> &tensors, const char *what,
                 std::vector<size_t> *indices) {
  std::vector<bool> taken(tensors.size(), false);
  indices->assign(args.size(), SIZE_MAX);
  for (size_t a = 0; a < args.size(); ++a) {
    if (args[a].name.empty())
      continue;
    size_t found = SIZE_MAX;
    for (size_t t = 0; t < tensors.size(); ++t)
      if (args[a].name == tensors[t].info.name)
        found = t;
    if (found == SIZE_MAX) {
      std::string names;
      for (size_t t = 0; t < tensors.size(); ++t)
        names += (t ? ", " : "") + std::string(tensors[t].info.name) + " (" +
                 tensors[t].shapeText + ")";
      return fail("%s: the module has no %s named '%s'; its %ss are: %s",
                  args[a].option.c_str(), what, args[a].name.c_str(), what,
                  names.empty() ? "none" : names.c_str());
    }
    if (taken[found])
      return fail("%s: %s '%s' is given twice", args[a].option.c_str(), what,
                  args[a].name.c_str());
    taken[found] = true;
    (*indices)[a] = found;
  }
  size_t next = 0;
  for (size_t a = 0; a < args.size(); ++a) {
    if (!args[a].name.empty())
      continue;
    while (next < tensors.size() && taken[next])
      ++next;
    if (next == tensors.size())
      return fail("%s %s: the module has only %zu %ss", args[a].option.c_str(),
                  args[a].spec.c_str(), tensors.size(), what);
    taken[next] = true;
    (*indices)[a] = next++;
  }
  return 0;
}

/// NumPy has no bfloat16: by convention such tensors travel as uint16 bit
/// patterns, so a u2 .npy is taken as bf16 data (and bf16 results are
/// written as u2).
bool isBf16Bits(const npy::Array &array, const aicc_tensor_info_t &info) {
  return info.element_type == AICC_ELEMENT_TYPE_BF16 &&
         array.elementType == AICC_ELEMENT_TYPE_U16;
}

/// Checks that a .npy array matches a signature tensor exactly.
/// Checks the element type and shape of `array` against `info`, or against
/// `dims` when given (a dynamic module: the actual shape, or for an input
/// only the rank, since the runtime checks the symbols' ranges).
int checkArray(const npy::Array &array, const aicc_tensor_info_t &info,
               const char *what, const std::string &path,
               const std::string &shapeText = "",
               const std::vector<int64_t> *dims = nullptr,
               bool anyShape = false) {
  bool shapeOk = array.shape.size() == info.rank;
  for (size_t d = 0; shapeOk && d < info.rank && !anyShape; ++d)
    shapeOk = array.shape[d] == (dims ? (*dims)[d] : info.dims[d]);
  if (array.elementType != info.element_type && !isBf16Bits(array, info))
    return fail("%s '%s': expected element type %s, got %s (from %s)", what,
                info.name, aicc_element_type_name(info.element_type),
                aicc_element_type_name(array.elementType), path.c_str());
  if (!shapeOk)
    return fail(
        "%s '%s': expected shape %s, got %s (from %s)", what, info.name,
        dims ? describeTensor(info.element_type, dims->size(), dims->data())
                   .c_str()
        : !shapeText.empty() ? shapeText.c_str()
                             : describe(info).c_str(),
        describeTensor(array.elementType, array.shape.size(),
                       array.shape.data())
            .c_str(),
        path.c_str());
  return 0;
}

int listDevices(aicc_runtime_t *runtime) {
  for (size_t i = 0; i < aicc_runtime_device_count(runtime); ++i) {
    aicc_device_info_t info;
    if (aicc_status_t status = aicc_runtime_device_info(runtime, i, &info))
      return failStatus(status);
    if (info.kind == AICC_DEVICE_KIND_CPU)
      std::printf("%s (%s): %s, %u threads\n", info.name,
                  aicc_device_kind_name(info.kind), info.description,
                  info.concurrency);
    else
      std::printf("%s (%s): %s\n", info.name, aicc_device_kind_name(info.kind),
                  info.description);
  }
  // Drivers that found nothing say why (no library, no GPU).
  for (size_t i = 0; i < aicc_runtime_driver_count(runtime); ++i) {
    aicc_driver_info_t driver;
    if (aicc_status_t status = aicc_runtime_driver_info(runtime, i, &driver))
      return failStatus(status);
    if (driver.error)
      std::printf("%s: %s\n", driver.name, driver.error);
  }
  return 0;
}

int inspect(aicc_module_t *module, const std::string &path) {
  aicc_module_properties_t props;
  if (aicc_status_t status = aicc_module_properties(module, &props))
    return failStatus(status);
  std::printf("module: %s (%llu bytes)\n", path.c_str(),
              (unsigned long long)props.file_size);
  std::printf("  format %u.%u, producer '%s', name '%s', targets: %s\n",
              props.version_major, props.version_minor, props.producer,
              props.name, *props.targets ? props.targets : "(none)");
  for (int pass = 0; pass < 2; ++pass) {
    bool inputs = pass == 0;
    size_t count = inputs ? aicc_module_input_count(module)
                          : aicc_module_output_count(module);
    std::printf("%s: %zu\n", inputs ? "inputs" : "outputs", count);
    for (size_t i = 0; i < count; ++i) {
      aicc_tensor_info_t info;
      aicc_status_t status = inputs ? aicc_module_input_info(module, i, &info)
                                    : aicc_module_output_info(module, i, &info);
      if (status)
        return failStatus(status);
      std::printf("  %zu %s: %s (%zu bytes%s)\n", i, info.name,
                  describeSignature(module, inputs, i, info).c_str(),
                  info.byte_size,
                  aicc_module_is_dynamic(module) ? " at most" : "");
    }
  }
  if (size_t symbols = aicc_module_symbol_count(module)) {
    std::printf("symbols: %zu\n", symbols);
    for (size_t i = 0; i < symbols; ++i) {
      aicc_symbol_info_t info;
      if (aicc_status_t status = aicc_module_symbol_info(module, i, &info))
        return failStatus(status);
      std::printf("  %zu %s: %lld..%lld\n", i, info.name,
                  static_cast<long long>(info.min),
                  static_cast<long long>(info.max));
    }
  }
  std::printf("executables: %zu\n", props.executable_count);
  for (size_t i = 0; i < props.executable_count; ++i) {
    aicc_executable_info_t info;
    if (aicc_status_t status = aicc_module_executable_info(module, i, &info))
      return failStatus(status);
    std::printf("  %zu '%s': %s %s, %llu bytes, entry points:", i, info.name,
                aicc_device_kind_name(info.device), info.format,
                (unsigned long long)info.byte_size);
    for (size_t e = 0; e < info.entry_point_count; ++e) {
      const char *name;
      uint32_t bindings;
      if (aicc_status_t status =
              aicc_module_entry_point_info(module, i, e, &name, &bindings))
        return failStatus(status);
      std::printf(" %s(%u binding%s)", name, bindings,
                  bindings == 1 ? "" : "s");
    }
    std::printf("\n");
    std::printf("    requires:");
    for (size_t f = 0; f < info.required_feature_count; ++f) {
      const char *feature;
      if (aicc_status_t status =
              aicc_module_required_feature(module, i, f, &feature))
        return failStatus(status);
      std::printf(" %s", feature);
    }
    std::printf("%s\n", info.required_feature_count ? "" : " nothing");
  }
  std::printf("memory spaces: %zu\n", props.memory_space_count);
  for (size_t i = 0; i < props.memory_space_count; ++i) {
    aicc_memory_space_info_t info;
    if (aicc_status_t status = aicc_module_memory_space_info(module, i, &info))
      return failStatus(status);
    std::printf("  %zu '%s' (%s): arena %llu bytes, lower bound %llu bytes\n",
                i, info.name, aicc_device_kind_name(info.device),
                (unsigned long long)info.arena_size,
                (unsigned long long)info.lower_bound);
  }
  std::printf("buffers: %zu\n", props.buffer_count);
  std::printf("state pools: %zu\n", props.state_pool_count);
  std::printf("schedule: %zu commands (%zu dispatches)\n", props.command_count,
              props.dispatch_count);
  std::printf("weights: %zu constants, %llu bytes\n", props.constant_count,
              (unsigned long long)props.constant_bytes);
  std::printf("commands:\n");
  for (size_t i = 0; i < props.command_count; ++i) {
    aicc_command_info_t info;
    if (aicc_status_t status = aicc_module_command_info(module, i, &info))
      return failStatus(status);
    if (info.kind == AICC_COMMAND_KIND_BARRIER) {
      std::printf("  %zu barrier\n", i);
    } else if (info.kind == AICC_COMMAND_KIND_COPY) {
      std::printf("  %zu copy: %llu bytes\n", i,
                  (unsigned long long)info.bytes);
    } else if (info.has_cost) {
      std::printf("  %zu dispatch %s: %llu flops, %llu bytes\n", i, info.name,
                  (unsigned long long)info.flops,
                  (unsigned long long)info.bytes);
    } else {
      std::printf("  %zu dispatch %s: cost not recorded\n", i, info.name);
    }
  }
  return 0;
}

double percentile(const std::vector<double> &sorted, double fraction) {
  size_t rank = static_cast<size_t>(std::ceil(fraction * sorted.size()));
  return sorted[rank ? rank - 1 : 0];
}

/// Milliseconds with two decimals, more below 1 ms so fast modules still
/// show something.
std::string formatMs(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), ms >= 1.0 ? "%.2f" : "%.4f", ms);
  return buffer;
}

double median(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/// Per-command timings of the profiled runs: times[command][run] in ms.
struct ProfileData {
  std::vector<aicc_command_info_t> commands;
  std::vector<std::vector<double>> times;
  std::vector<double> runTimes;
};

/// Appends the latest run's command times from `session`.
int collectProfile(aicc_session_t *session, ProfileData &data) {
  for (size_t i = 0; i < data.commands.size(); ++i) {
    aicc_command_profile_t profile;
    if (aicc_status_t status =
            aicc_session_command_profile(session, i, &profile))
      return failStatus(status);
    data.times[i].push_back(profile.last_ns * 1e-6);
  }
  return 0;
}

/// Prints the --profile table. `peak` is GFLOP/s (0: unknown).
void printProfile(const ProfileData &data, const Options &options,
                  const std::string &where, double peak,
                  const std::string &peakNote) {
  struct Row {
    size_t index;
    double ms;
  };
  std::vector<Row> rows;
  double totalMs = 0;
  uint64_t totalFlops = 0, totalBytes = 0;
  size_t dispatches = 0, copies = 0;
  for (size_t i = 0; i < data.commands.size(); ++i) {
    const aicc_command_info_t &info = data.commands[i];
    if (info.kind == AICC_COMMAND_KIND_BARRIER)
      continue;
    double ms = median(data.times[i]);
    rows.push_back({i, ms});
    totalMs += ms;
    totalFlops += info.flops;
    totalBytes += info.bytes;
    (info.kind == AICC_COMMAND_KIND_DISPATCH ? dispatches : copies) += 1;
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row &a, const Row &b) { return a.ms > b.ms; });

  std::printf("profile: %zu runs, %s, fp32 peak %s\n", data.runTimes.size(),
              where.c_str(), peakNote.c_str());
  auto cell = [](char *buffer, size_t size, bool known, const char *format,
                 double value) {
    if (known)
      std::snprintf(buffer, size, format, value);
    else
      std::snprintf(buffer, size, "%s", "-");
  };
  auto printRow = [&](const char *label, double ms, bool hasCost,
                      uint64_t flops, uint64_t bytes, const char *name) {
    double seconds = ms * 1e-3;
    double gflops = seconds > 0 ? flops / seconds * 1e-9 : 0;
    char share[16], rate[16], ofPeak[16], gflop[24], mb[24], bandwidth[16];
    std::snprintf(share, sizeof(share), "%.1f%%",
                  totalMs > 0 ? 100.0 * ms / totalMs : 0.0);
    cell(rate, sizeof(rate), hasCost && seconds > 0, "%.2f", gflops);
    cell(ofPeak, sizeof(ofPeak), hasCost && seconds > 0 && peak > 0, "%.1f%%",
         100.0 * gflops / peak);
    cell(gflop, sizeof(gflop), hasCost, "%.6f", flops * 1e-9);
    cell(mb, sizeof(mb), hasCost, "%.3f", bytes * 1e-6);
    cell(bandwidth, sizeof(bandwidth), hasCost && seconds > 0, "%.2f",
         bytes / seconds * 1e-9);
    std::printf("%6s %10s %7s %9s %7s %11s %10s %8s  %s\n", label,
                formatMs(ms).c_str(), share, rate, ofPeak, gflop, mb, bandwidth,
                name);
  };
  std::printf("%6s %10s %7s %9s %7s %11s %10s %8s  %s\n", "cmd", "time ms",
              "share", "GFLOP/s", "%peak", "GFLOP", "MB", "GB/s", "kernel");
  size_t shown = rows.size();
  if (options.profileTop > 0 && static_cast<size_t>(options.profileTop) < shown)
    shown = static_cast<size_t>(options.profileTop);
  bool allCosted = true;
  for (size_t r = 0; r < rows.size(); ++r) {
    const aicc_command_info_t &info = data.commands[rows[r].index];
    allCosted &= info.has_cost != 0;
    if (r >= shown)
      continue;
    std::string label = std::to_string(rows[r].index);
    printRow(label.c_str(), rows[r].ms, info.has_cost, info.flops, info.bytes,
             info.name);
  }
  if (shown < rows.size()) {
    double restMs = 0;
    for (size_t r = shown; r < rows.size(); ++r)
      restMs += rows[r].ms;
    std::printf("%6s %10s %6.1f%%  (%zu more commands)\n", "...",
                formatMs(restMs).c_str(),
                totalMs > 0 ? 100.0 * restMs / totalMs : 0.0,
                rows.size() - shown);
  }
  std::string total = "total (" + std::to_string(dispatches) + " dispatch" +
                      (dispatches == 1 ? "" : "es") + ", " +
                      std::to_string(copies) + " cop" +
                      (copies == 1 ? "y" : "ies") + ")";
  printRow("total", totalMs, allCosted, totalFlops, totalBytes, total.c_str());
  std::printf("run: median %s ms end to end (commands %s ms, the rest is "
              "run overhead)\n",
              formatMs(median(data.runTimes)).c_str(),
              formatMs(totalMs).c_str());
}

/// --generate: greedy decoding through the runtime's generation loop
/// (aicc_generator_*).
int generate(aicc_session_t *session, const Options &options,
             const std::vector<Binding> &inputs) {
  aicc_generator_options_t generatorOptions;
  aicc_generator_options_init(&generatorOptions);
  if (!options.inputIds.empty())
    generatorOptions.input_ids = options.inputIds.c_str();
  if (!options.logits.empty())
    generatorOptions.logits = options.logits.c_str();
  if (!options.kvCache.empty())
    generatorOptions.kv_cache = options.kvCache.c_str();
  aicc_generator_t *generator = nullptr;
  if (aicc_status_t status =
          aicc_generator_create(session, &generatorOptions, &generator))
    return failStatus(status);
  std::unique_ptr<aicc_generator_t, decltype(&aicc_generator_destroy)> owner(
      generator, &aicc_generator_destroy);
  std::vector<int64_t> prompt = options.prompt;
  std::string idsName =
      options.inputIds.empty() ? "input_ids" : options.inputIds;
  for (const Binding &input : inputs) {
    if (prompt.empty() && input.assigned && input.source != "random" &&
        idsName == input.info.name) {
      size_t count =
          input.bytes / aicc_element_type_size(input.info.element_type);
      for (size_t t = 0; t < count; ++t)
        prompt.push_back(static_cast<int64_t>(
            loadElement(input.info.element_type, input.data, t)));
    }
  }
  if (prompt.empty())
    prompt.push_back(0);
  auto argmax = [](const float *logits, size_t count) {
    return static_cast<int64_t>(std::max_element(logits, logits + count) -
                                logits);
  };
  auto printTokens = [](const std::vector<int64_t> &tokens) {
    std::printf("tokens:");
    for (int64_t token : tokens)
      std::printf(" %lld", static_cast<long long>(token));
    std::printf("\n");
  };
  const float *logits = nullptr;
  size_t vocabulary = 0;
  // --warmup W: W untimed passes (prefill and up to two steps) first.
  for (long w = 0; options.warmupGiven && w < options.warmup; ++w) {
    aicc_status_t status = aicc_generator_prefill(
        generator, prompt.data(), prompt.size(), &logits, &vocabulary);
    for (long i = 1; i < std::min(options.generate, 3L) && !status; ++i)
      status = aicc_generator_step(generator, argmax(logits, vocabulary),
                                   &logits, &vocabulary);
    if (!status)
      status = aicc_generator_reset(generator);
    if (status)
      return failStatus(status);
  }
  auto start = std::chrono::steady_clock::now();
  if (aicc_status_t status = aicc_generator_prefill(
          generator, prompt.data(), prompt.size(), &logits, &vocabulary))
    return failStatus(status);
  auto first = std::chrono::steady_clock::now();
  std::vector<int64_t> tokens{argmax(logits, vocabulary)};
  std::vector<double> steps;
  // CPU time of the decode steps (every thread of the process): a figure the
  // machine's load does not inflate, unlike the wall-clock steps.
  std::clock_t cpuStart = std::clock();
  for (long i = 1; i < options.generate; ++i) {
    auto stepStart = std::chrono::steady_clock::now();
    if (aicc_status_t status = aicc_generator_step(generator, tokens.back(),
                                                   &logits, &vocabulary)) {
      printTokens(tokens);
      return failStatus(status);
    }
    steps.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - stepStart)
                        .count());
    tokens.push_back(argmax(logits, vocabulary));
  }
  double cpuMs = 1000.0 * double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  double ttft =
      std::chrono::duration<double, std::milli>(first - start).count();
  printTokens(tokens);
  std::printf("prompt: %zu tokens, time to first token %s ms\n", prompt.size(),
              formatMs(ttft).c_str());
  if (!steps.empty()) {
    double total = 0;
    for (double ms : steps)
      total += ms;
    std::printf("decode: %zu steps, median %s ms, %.1f tokens/s\n",
                steps.size(), formatMs(median(steps)).c_str(),
                total > 0 ? 1000.0 * steps.size() / total : 0.0);
    std::printf("decode CPU time: %.2f ms per step (all threads)\n",
                cpuMs / double(steps.size()));
  }
  // Bytes of the KV cache the last step moved, next to the new K/V alone.
  aicc_generator_stats_t stats;
  if (aicc_status_t status = aicc_generator_stats(generator, &stats))
    aicc_status_free(status);
  else if (stats.new_bytes) {
    std::printf("kv cache: %s, last step moved %llu bytes for %llu new "
                "(%.2fx)",
                stats.in_place ? "in place (session state)"
                               : "past/present tensors",
                (unsigned long long)stats.cache_bytes,
                (unsigned long long)stats.new_bytes,
                double(stats.cache_bytes) / double(stats.new_bytes));
    // The state's memory: in use for this length of the reserved maximum.
    if (stats.in_place) {
      std::printf("; kv memory %llu of %llu bytes committed",
                  (unsigned long long)stats.kv_committed_bytes,
                  (unsigned long long)stats.kv_reserved_bytes);
      // The process's resident memory (Linux), for the paged layout's
      // growth with the sequence.
      if (std::FILE *statm = std::fopen("/proc/self/statm", "r")) {
        unsigned long long pages = 0, resident = 0;
        if (std::fscanf(statm, "%llu %llu", &pages, &resident) == 2)
          std::printf(", rss %llu KiB",
                      resident * (unsigned long long)sysconf(_SC_PAGESIZE) /
                          1024);
        std::fclose(statm);
      }
    }
    std::printf("\n");
  }
  return 0;
}

int runMain(int argc, char **argv) {
  Options options;
  if (parseArgs(argc, argv, options))
    return 1;
  if (options.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (options.version) {
    std::printf("aicc-run %s (runtime %s, artifact format %d.%d)\n",
                AICC_RUNTIME_VERSION_STRING, aicc_runtime_version(),
                AICC_FORMAT_VERSION_MAJOR, AICC_FORMAT_VERSION_MINOR);
    return 0;
  }

  // Read by the CPU driver when it loads code (session creation).
  if (options.perfMap)
    ::setenv("AICC_PERF_MAP", "1", 1);

  Handles handles;
  if (aicc_status_t status = aicc_runtime_create(&handles.runtime))
    return failStatus(status);
  if (options.listDevices)
    return listDevices(handles.runtime);
  if (options.modulePath.empty())
    return fail("no module given (usage: aicc-run <module.aicc> [options]; "
                "see --help)");
  if (aicc_status_t status = aicc_module_load_file(
          handles.runtime, options.modulePath.c_str(), &handles.module))
    return failStatus(status);
  if (options.inspect)
    return inspect(handles.module, options.modulePath);

  // Signature.
  aicc_module_t *module = handles.module;
  const bool dynamic = aicc_module_is_dynamic(module) != 0;
  // Symbol values for random inputs: --dim, else the maximum.
  std::vector<int64_t> symbolValues(aicc_module_symbol_count(module));
  std::vector<std::string> symbolNames(symbolValues.size());
  for (size_t s = 0; s < symbolValues.size(); ++s) {
    aicc_symbol_info_t info;
    if (aicc_status_t status = aicc_module_symbol_info(module, s, &info))
      return failStatus(status);
    symbolValues[s] = info.max;
    symbolNames[s] = info.name;
  }
  for (const auto &[name, value] : options.dims) {
    auto it = std::find(symbolNames.begin(), symbolNames.end(), name);
    if (it == symbolNames.end()) {
      std::string known;
      for (const std::string &symbol : symbolNames)
        known += (known.empty() ? "" : ", ") + symbol;
      return fail("--dim %s: the module has no symbol '%s' (its symbols: %s)",
                  name.c_str(), name.c_str(),
                  known.empty() ? "none; its shapes are static"
                                : known.c_str());
    }
    symbolValues[static_cast<size_t>(it - symbolNames.begin())] = value;
  }
  std::vector<Binding> inputs(aicc_module_input_count(module));
  std::vector<Binding> outputs(aicc_module_output_count(module));
  for (size_t i = 0; i < inputs.size(); ++i) {
    Binding &input = inputs[i];
    if (aicc_status_t status = aicc_module_input_info(module, i, &input.info))
      return failStatus(status);
    input.shapeText = describeSignature(module, true, i, input.info);
    std::vector<int64_t> dims(input.info.dims,
                              input.info.dims + input.info.rank);
    for (size_t d = 0; d < dims.size() && dynamic; ++d) {
      int64_t symbol = -1;
      if (aicc_status_t status =
              aicc_module_input_dim_symbol(module, i, d, &symbol))
        return failStatus(status);
      if (symbol >= 0)
        dims[d] = symbolValues[static_cast<size_t>(symbol)];
    }
    input.setDims(dims.data(), dims.size());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    Binding &output = outputs[i];
    if (aicc_status_t status = aicc_module_output_info(module, i, &output.info))
      return failStatus(status);
    output.shapeText = describeSignature(module, false, i, output.info);
    output.setDims(output.info.dims, output.info.rank);
    // A dynamic module's outputs are sized once the inputs are known
    // (aicc_session_infer_shapes below): their signature holds upper
    // bounds, which value-dependent dims make huge.
    if (!dynamic && !output.allocate("output"))
      return 1;
  }

  // Inputs.
  std::vector<size_t> inputIndex, outputIndex, expectedIndex;
  if (resolveNames(options.inputs, inputs, "input", &inputIndex) ||
      resolveNames(options.outputs, outputs, "output", &outputIndex) ||
      resolveNames(options.expected, outputs, "output", &expectedIndex))
    return 1;
  std::mt19937_64 rng(options.seed);
  for (size_t a = 0; a < options.inputs.size(); ++a) {
    Binding &input = inputs[inputIndex[a]];
    if (!input.allocate("input"))
      return 1;
    input.assigned = true;
    const std::string &spec = options.inputs[a].spec;
    if (spec == "random") {
      input.source = "random";
      fillRandom(input.info.element_type, input.data,
                 input.bytes /
                     std::max<size_t>(
                         1, aicc_element_type_size(input.info.element_type)),
                 rng);
      continue;
    }
    std::string path = spec.substr(1), error;
    npy::Array array;
    // The tensor's byte size bounds what is read, so a hostile header
    // cannot make aicc-run allocate more than the input takes.
    // A dynamic module's inputs may be any size: the runtime says which
    // symbol is out of range (a file past the upper bound included).
    size_t limit = dynamic ? std::max<size_t>(input.info.byte_size, 1u << 30)
                           : input.info.byte_size;
    if (!npy::readFile(path, &array, &error, limit))
      return fail("input '%s': %s", input.info.name, error.c_str());
    if (array.data.size() > input.info.byte_size &&
        !input.allocate("input", array.data.size()))
      return 1;
    if (!npy::adoptNarrowType(&array, input.info.element_type, &error))
      return fail("input '%s': %s (from %s)", input.info.name, error.c_str(),
                  path.c_str());
    if (checkArray(array, input.info, "input", path, input.shapeText, nullptr,
                   dynamic))
      return 1;
    input.setDims(array.shape.data(), array.shape.size());
    input.source = path;
    if (!array.data.empty())
      std::memcpy(input.data, array.data.data(), array.data.size());
  }
  for (const Binding &input : inputs)
    if (!input.assigned && options.generate == 0)
      return fail("missing input '%s' (%s); pass --input %s=@FILE.npy or "
                  "--input %s=random",
                  input.info.name, input.shapeText.c_str(), input.info.name,
                  input.info.name);

  // References are read before running so that a bad file fails fast.
  std::vector<npy::Array> references(options.expected.size());
  for (size_t a = 0; a < options.expected.size(); ++a) {
    const Binding &output = outputs[expectedIndex[a]];
    std::string path = options.expected[a].spec.substr(1), error;
    if (!npy::readFile(path, &references[a], &error, output.info.byte_size))
      return fail("expected output '%s': %s", output.info.name, error.c_str());
    if (!npy::adoptNarrowType(&references[a], output.info.element_type, &error))
      return fail("expected output '%s': %s (from %s)", output.info.name,
                  error.c_str(), path.c_str());
    if (checkArray(references[a], output.info, "expected output", path,
                   output.shapeText, nullptr, dynamic))
      return 1;
  }

  // The npu device reads its profile and trace settings when a session is
  // created; other devices ignore them. A profile file named in the
  // environment wins over --profile's stdout.
  if (options.profile)
    ::setenv("AICC_NPU_PROFILE", "stdout", 0);
  if (!options.tracePath.empty())
    ::setenv("AICC_NPU_TRACE", options.tracePath.c_str(), 1);

  // Session and the run.
  aicc_session_options_t sessionOptions;
  aicc_session_options_init(&sessionOptions);
  sessionOptions.device = options.device.c_str();
  sessionOptions.num_threads = options.threads;
  if (aicc_status_t status = aicc_session_create(
          handles.module, &sessionOptions, &handles.session))
    return failStatus(status);
  bool onNpu = false;
  if (options.profile || !options.tracePath.empty()) {
    aicc_device_info_t device;
    if (aicc_status_t status =
            aicc_session_device_info(handles.session, &device))
      return failStatus(status);
    onNpu = device.kind == AICC_DEVICE_KIND_NPU;
    if (!options.tracePath.empty() && !onNpu)
      return fail("--trace: the session runs on device '%s'; only the npu "
                  "device (simulated RNPU) writes a trace",
                  device.name);
  }
  // On the npu, --profile alone reports the simulator's counters of the
  // one run (printed when the session ends) instead of host timings.
  const bool hostProfile = options.profile && (!onNpu || options.benchmark);

  std::vector<aicc_tensor_view_t> inputViews, outputViews;
  for (const Binding &input : inputs)
    inputViews.push_back(input.view());
  // The output shapes of the latest run or shape inference.
  auto readOutputShapes = [&]() -> aicc_status_t {
    for (size_t o = 0; o < outputs.size(); ++o) {
      std::vector<int64_t> dims(outputs[o].info.rank);
      size_t rank = 0;
      if (aicc_status_t status = aicc_session_output_shape(
              handles.session, o, dims.data(), dims.size(), &rank))
        return status;
      outputs[o].setDims(dims.data(), rank);
    }
    return nullptr;
  };
  if (dynamic && options.generate == 0) {
    // Exact output sizes from the input shapes (and, for value-dependent
    // shapes, the input values).
    if (aicc_status_t status = aicc_session_infer_shapes(
            handles.session, inputViews.data(), inputViews.size()))
      return failStatus(status);
    if (aicc_status_t status = readOutputShapes())
      return failStatus(status);
    for (Binding &output : outputs)
      if (!output.allocate("output", output.bytes, /*exact=*/true))
        return 1;
  }
  for (const Binding &output : outputs)
    outputViews.push_back(output.view());
  auto runOnce = [&]() {
    return aicc_session_run(handles.session, inputViews.data(),
                            inputViews.size(), outputViews.data(),
                            outputViews.size());
  };
  if (options.generate > 0)
    return generate(handles.session, options, inputs);
  if (aicc_status_t status = runOnce())
    return failStatus(status);
  if (aicc_status_t status = readOutputShapes())
    return failStatus(status);
  for (size_t a = 0; a < options.expected.size() && dynamic; ++a) {
    const Binding &output = outputs[expectedIndex[a]];
    if (checkArray(references[a], output.info, "expected output",
                   options.expected[a].spec.substr(1), output.shapeText,
                   &output.dims))
      return 1;
  }

  // Results.
  for (size_t a = 0; a < options.outputs.size(); ++a) {
    const Binding &output = outputs[outputIndex[a]];
    npy::Array array;
    array.elementType = output.info.element_type == AICC_ELEMENT_TYPE_BF16
                            ? AICC_ELEMENT_TYPE_U16
                            : output.info.element_type;
    array.shape = output.dims;
    array.data.assign(output.data, output.data + output.bytes);
    std::string path = options.outputs[a].spec.substr(1), error;
    if (!npy::writeFile(path, array, &error))
      return fail("output '%s': %s", output.info.name, error.c_str());
  }
  bool printed = !options.outputs.empty() || !options.expected.empty();
  for (size_t i = 0; i < outputs.size() && !printed; ++i) {
    const Binding &output = outputs[i];
    size_t count =
        output.bytes /
        std::max<size_t>(1, aicc_element_type_size(output.info.element_type));
    std::printf(
        "output %zu '%s': %s = %s\n", i, output.info.name,
        describeTensor(output.info.element_type, output.dims.size(),
                       output.dims.data())
            .c_str(),
        previewElements(output.info.element_type, output.data, count).c_str());
  }
  bool withinTolerance = true;
  for (size_t a = 0; a < options.expected.size(); ++a) {
    const Binding &output = outputs[expectedIndex[a]];
    size_t count =
        output.bytes /
        std::max<size_t>(1, aicc_element_type_size(output.info.element_type));
    Comparison result =
        compare(output.info.element_type, output.data,
                references[a].data.data(), count, options.rtol, options.atol);
    bool ok = result.mismatches == 0;
    withinTolerance &= ok;
    std::printf("output '%s': max abs error %.3g, max rel error %.3g, %zu of "
                "%zu elements out of tolerance (rtol %g, atol %g): %s\n",
                output.info.name, result.maxAbsError, result.maxRelError,
                result.mismatches, count, options.rtol, options.atol,
                ok ? "PASS" : "FAIL");
    if (!ok) {
      size_t i = result.firstMismatch;
      std::printf(
          "  first mismatch at element %zu: got %.9g, expected %.9g\n", i,
          loadElement(output.info.element_type, output.data, i),
          loadElement(output.info.element_type, references[a].data.data(), i));
    }
  }

  // --profile times the --benchmark runs (or 10 of its own).
  ProfileData profile;
  long benchmarkRuns = options.benchmark;
  if (hostProfile) {
    aicc_module_properties_t props;
    if (aicc_status_t status = aicc_module_properties(handles.module, &props))
      return failStatus(status);
    profile.commands.resize(props.command_count);
    profile.times.resize(props.command_count);
    for (size_t i = 0; i < props.command_count; ++i)
      if (aicc_status_t status =
              aicc_module_command_info(handles.module, i, &profile.commands[i]))
        return failStatus(status);
    if (benchmarkRuns == 0)
      benchmarkRuns = 10;
  }
  if (benchmarkRuns > 0) {
    for (long i = 0; i < options.warmup; ++i)
      if (aicc_status_t status = runOnce())
        return failStatus(status);
    if (hostProfile)
      if (aicc_status_t status = aicc_session_set_profiling(handles.session, 1))
        return failStatus(status);
    std::vector<double> times;
    times.reserve(static_cast<size_t>(benchmarkRuns));
    double total = 0;
    for (long i = 0; i < benchmarkRuns; ++i) {
      auto start = std::chrono::steady_clock::now();
      aicc_status_t status = runOnce();
      auto end = std::chrono::steady_clock::now();
      if (status)
        return failStatus(status);
      double ms =
          std::chrono::duration<double, std::milli>(end - start).count();
      times.push_back(ms);
      total += ms;
      if (hostProfile && collectProfile(handles.session, profile))
        return 1;
    }
    if (hostProfile) {
      profile.runTimes = times;
      aicc_session_set_profiling(handles.session, 0);
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median =
        n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    double runsPerSecond = total > 0 ? 1000.0 * n / total : 0;
    if (options.benchmark > 0)
      std::printf("latency: median %s ms, p90 %s ms, min %s ms, %.1f runs/s\n",
                  formatMs(median).c_str(),
                  formatMs(percentile(times, 0.9)).c_str(),
                  formatMs(times.front()).c_str(), runsPerSecond);
  }
  if (hostProfile) {
    aicc_device_info_t device;
    if (aicc_status_t status =
            aicc_session_device_info(handles.session, &device))
      return failStatus(status);
    uint32_t threads = options.threads ? options.threads : device.concurrency;
    std::string where =
        std::to_string(threads) + " thread" + (threads == 1 ? "" : "s");
    double peak = options.peakGflops;
    std::string peakNote;
    char buffer[160];
    if (device.kind != AICC_DEVICE_KIND_CPU) {
      // Kernel times are the device's (events on the session's stream); the
      // host FMA loop says nothing about a GPU's peak.
      where = std::string(device.name) + " (" + device.description + ")";
      if (peak > 0)
        std::snprintf(buffer, sizeof(buffer), "%.1f GFLOP/s (--peak-gflops)",
                      peak);
      else
        std::snprintf(buffer, sizeof(buffer),
                      "unknown (pass --peak-gflops for %%peak)");
    } else if (peak > 0) {
      std::snprintf(buffer, sizeof(buffer), "%.1f GFLOP/s (--peak-gflops)",
                    peak);
    } else {
      FmaPeak one = measureFmaPeak(1, 0.05);
      FmaPeak all = threads == 1 ? one : measureFmaPeak(threads, 0.05);
      peak = all.gflops;
      char onOne[48] = "";
      if (threads != 1)
        std::snprintf(onOne, sizeof(onOne), ", %.1f on 1", one.gflops);
      std::snprintf(buffer, sizeof(buffer),
                    "%.1f GFLOP/s on %u thread%s%s (measured, %s FMA loop, "
                    "best of 5 x 10 ms)",
                    all.gflops, threads, threads == 1 ? "" : "s", onOne,
                    all.isa);
    }
    peakNote = buffer;
    printProfile(profile, options, where, peak, peakNote);
  }
  if (options.perfMap)
    std::fprintf(stderr, "aicc-run: perf map: /tmp/perf-%ld.map\n",
                 static_cast<long>(::getpid()));
  if (!withinTolerance) {
    std::fflush(stdout);
    std::fprintf(stderr, "aicc-run: error: outputs differ from the expected "
                         "values beyond tolerance\n");
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // Allocation failures the checks above do not foresee (reading a huge
  // .npy, profiling tables) end in an error, not an abort.
  try {
    return runMain(argc, argv);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
}
