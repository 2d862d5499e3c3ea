//===- RnpuSimMain.cpp - rnpu-sim: run an RNPU command stream -------------===//
//
//   rnpu-sim PROGRAM [--in N=X.npy]... [--out N=Y.npy:DTYPE:D0xD1...]...
//            [--set KEY=VALUE]... [--profile] [--trace FILE.json]
//            [--max-cycles N] [--disassemble]
//
// Runs a binary command stream (docs/RNPU.md) on the simulator with DRAM
// bindings made from .npy files: `--in` binds the bytes of an array
// (read-only), `--out` binds a zero-filled writable buffer of the given
// dtype (u8, i8, i32, f32) and shape and writes it as .npy after the run.
// `--set` overrides a hardware parameter by its JSON key. Prints the
// counters; exit status 0 on success, 1 when the stream is rejected or the
// run fails (the message on stderr), 2 on bad usage.
//
//===----------------------------------------------------------------------===//

#include "hal/npu/RnpuSim.h"

#include "Npy.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

using namespace aicc;
using namespace aicc::rnpu;

namespace {

int usage(const std::string &why) {
  std::fprintf(stderr,
               "rnpu-sim: %s\n"
               "usage: rnpu-sim PROGRAM [--in N=X.npy]... "
               "[--out N=Y.npy:DTYPE:D0xD1...]... [--set KEY=VALUE]...\n"
               "                [--profile] [--trace FILE.json] "
               "[--max-cycles N] [--disassemble]\n",
               why.c_str());
  return 2;
}

bool parseUnsigned(const std::string &s, uint64_t *out) {
  if (s.empty() || s.size() > 19 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::strtoull(s.c_str(), nullptr, 10);
  return true;
}

/// The config field of a JSON key, or null.
uint32_t *configField(RnpuConfig &c, const std::string &key) {
  std::map<std::string, uint32_t *> fields = {
      {"mac_rows", &c.macRows},
      {"mac_cols", &c.macCols},
      {"act_sram_bytes", &c.actSramBytes},
      {"wgt_sram_bytes", &c.wgtSramBytes},
      {"acc_sram_bytes", &c.accSramBytes},
      {"act_sram_banks", &c.actSramBanks},
      {"wgt_sram_banks", &c.wgtSramBanks},
      {"acc_sram_banks", &c.accSramBanks},
      {"dram_bytes_per_cycle", &c.dramBytesPerCycle},
      {"dma_latency_cycles", &c.dmaLatencyCycles},
      {"gemm_setup_cycles", &c.gemmSetupCycles},
      {"vec_lanes", &c.vecLanes},
      {"vec_setup_cycles", &c.vecSetupCycles},
      {"num_semaphores", &c.numSemaphores},
      {"clock_mhz", &c.clockMhz}};
  auto it = fields.find(key);
  return it == fields.end() ? nullptr : it->second;
}

struct OutSpec {
  unsigned binding;
  std::string path;
  npy::Array array;
};

} // namespace

int main(int argc, char **argv) {
  std::string programPath, tracePath;
  bool profile = false, listing = false;
  RnpuConfig config;
  SimOptions options;
  std::map<unsigned, npy::Array> inputs;
  std::vector<OutSpec> outputs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string *out) {
      if (i + 1 >= argc)
        return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--profile") {
      profile = true;
    } else if (arg == "--disassemble") {
      listing = true;
    } else if (arg == "--trace") {
      if (!value(&tracePath))
        return usage("--trace needs a file");
    } else if (arg == "--max-cycles") {
      if (!value(&v) || !parseUnsigned(v, &options.maxCycles))
        return usage("--max-cycles needs a number");
    } else if (arg == "--set") {
      size_t eq;
      uint64_t n;
      if (!value(&v) || (eq = v.find('=')) == std::string::npos)
        return usage("--set needs KEY=VALUE");
      uint32_t *field = configField(config, v.substr(0, eq));
      if (!field)
        return usage("unknown parameter '" + v.substr(0, eq) + "'");
      if (!parseUnsigned(v.substr(eq + 1), &n) || n > UINT32_MAX)
        return usage("bad value in '" + v + "'");
      *field = uint32_t(n);
    } else if (arg == "--in" || arg == "--out") {
      size_t eq;
      uint64_t binding;
      if (!value(&v) || (eq = v.find('=')) == std::string::npos ||
          !parseUnsigned(v.substr(0, eq), &binding) || binding > 255)
        return usage(arg + " needs N=FILE with N in 0..255");
      std::string rest = v.substr(eq + 1);
      if (inputs.count(unsigned(binding)))
        return usage("binding " + std::to_string(binding) + " bound twice");
      for (const OutSpec &o : outputs)
        if (o.binding == binding)
          return usage("binding " + std::to_string(binding) + " bound twice");
      if (arg == "--in") {
        std::string error;
        npy::Array a;
        if (!npy::readFile(rest, &a, &error)) {
          std::fprintf(stderr, "rnpu-sim: %s\n", error.c_str());
          return 1;
        }
        inputs[unsigned(binding)] = std::move(a);
        continue;
      }
      // FILE:DTYPE:D0xD1...
      size_t c2 = rest.rfind(':');
      size_t c1 = c2 == std::string::npos ? c2 : rest.rfind(':', c2 - 1);
      if (c1 == std::string::npos)
        return usage("--out needs N=FILE.npy:DTYPE:SHAPE");
      OutSpec o;
      o.binding = unsigned(binding);
      o.path = rest.substr(0, c1);
      std::string dtype = rest.substr(c1 + 1, c2 - c1 - 1);
      const std::map<std::string, aicc_element_type_t> types = {
          {"u8", AICC_ELEMENT_TYPE_U8},
          {"i8", AICC_ELEMENT_TYPE_I8},
          {"i32", AICC_ELEMENT_TYPE_I32},
          {"f32", AICC_ELEMENT_TYPE_F32}};
      if (!types.count(dtype))
        return usage("--out dtype must be u8, i8, i32 or f32");
      o.array.elementType = types.at(dtype);
      std::stringstream shape(rest.substr(c2 + 1));
      std::string dim;
      uint64_t bytes = npy::elementSize(o.array.elementType);
      while (std::getline(shape, dim, 'x')) {
        uint64_t d;
        if (!parseUnsigned(dim, &d) || d == 0 || d > (uint64_t(1) << 32) ||
            bytes * d > (uint64_t(1) << 34))
          return usage("bad --out shape '" + rest.substr(c2 + 1) + "'");
        o.array.shape.push_back(int64_t(d));
        bytes *= d;
      }
      o.array.data.assign(bytes, 0);
      outputs.push_back(std::move(o));
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option " + arg);
    } else if (programPath.empty()) {
      programPath = arg;
    } else {
      return usage("more than one program");
    }
  }
  if (programPath.empty())
    return usage("no program");
  std::ifstream in(programPath, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "rnpu-sim: cannot read %s\n", programPath.c_str());
    return 1;
  }
  std::vector<uint8_t> stream((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  if (listing) {
    std::vector<Instruction> program;
    Status s = decodeProgram(stream.data(), stream.size(), &program);
    if (!s.ok()) {
      std::fprintf(stderr, "rnpu-sim: %s: %s\n", programPath.c_str(),
                   s.message.c_str());
      return 1;
    }
    for (size_t i = 0; i < program.size(); ++i)
      std::printf("%5zu  %s\n", i, disassemble(program[i]).c_str());
    return 0;
  }

  unsigned count = 0;
  for (const auto &entry : inputs)
    count = std::max(count, entry.first + 1);
  for (const OutSpec &o : outputs)
    count = std::max(count, o.binding + 1);
  std::vector<DramBinding> bindings(count);
  for (auto &entry : inputs)
    bindings[entry.first] = {entry.second.data.data(), entry.second.data.size(),
                             false};
  for (OutSpec &o : outputs)
    bindings[o.binding] = {o.array.data.data(), o.array.data.size(), true};
  options.collectTrace = !tracePath.empty();
  SimResult r =
      simulate(config, stream.data(), stream.size(), bindings, options);
  if (!r.status.ok()) {
    std::fprintf(stderr, "rnpu-sim: %s: %s\n", programPath.c_str(),
                 r.status.message.c_str());
    return 1;
  }
  for (const OutSpec &o : outputs) {
    std::string error;
    if (!npy::writeFile(o.path, o.array, &error)) {
      std::fprintf(stderr, "rnpu-sim: %s\n", error.c_str());
      return 1;
    }
  }
  if (!tracePath.empty()) {
    std::ofstream out(tracePath);
    out << chromeTraceJson(r, config);
    if (!out) {
      std::fprintf(stderr, "rnpu-sim: cannot write %s\n", tracePath.c_str());
      return 1;
    }
  }
  const Counters &c = r.counters;
  auto ull = [](uint64_t v) { return (unsigned long long)v; };
  std::printf("simulated RNPU: %llu cycles (%.3f us at %u MHz), MAC "
              "utilization %.1f%%\n"
              "  busy cycles: load %llu, compute %llu (GEMM %llu, VEC %llu), "
              "store %llu\n"
              "  DRAM bytes: read %llu, written %llu; MACs %llu; roofline "
              "bound %llu cycles\n"
              "  SRAM high-water bytes: ACT %llu, WGT %llu, ACC %llu\n",
              ull(c.totalCycles), double(c.totalCycles) / config.clockMhz,
              config.clockMhz, 100 * c.macUtilization, ull(c.busyCycles[0]),
              ull(c.busyCycles[1]), ull(c.gemmCycles), ull(c.vecCycles),
              ull(c.busyCycles[2]), ull(c.dramBytesRead),
              ull(c.dramBytesWritten), ull(c.macs), ull(c.rooflineCycles),
              ull(c.sramHighWater[0]), ull(c.sramHighWater[1]),
              ull(c.sramHighWater[2]));
  if (profile) {
    std::printf("  %5s %10s %10s %10s %10s %10s %12s %12s %10s %6s\n", "tag",
                "first", "last", "load", "compute", "store", "DRAM read",
                "DRAM write", "roofline", "MAC%");
    for (const TagCounters &t : c.perTag) {
      uint64_t span = t.lastCycle - t.firstCycle;
      double util = span ? 100.0 * double(t.macs) /
                               (double(span) * config.macRows * config.macCols)
                         : 0.0;
      std::printf("  %5u %10llu %10llu %10llu %10llu %10llu %12llu %12llu "
                  "%10llu %6.1f\n",
                  unsigned(t.tag), ull(t.firstCycle), ull(t.lastCycle),
                  ull(t.busyCycles[0]), ull(t.busyCycles[1]),
                  ull(t.busyCycles[2]), ull(t.dramBytesRead),
                  ull(t.dramBytesWritten), ull(t.rooflineCycles), util);
    }
  }
  return 0;
}
