//===- ProfileTest.cpp - Profiling API, dispatch costs, perf maps ---------===//
//
// The per-command timing hooks of a session, the optional flops/bytes fields
// of dispatches (format 1.1) and files written before them (1.0), and the
// perf map the CPU driver writes for kernels it loads from memory.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

using namespace aicc;
using namespace aicc::test;

namespace {

/// c = b + (a + w) through an arena, a copy to a state pool and a barrier:
/// dispatch, copy, barrier, dispatch. With `costs`, the dispatches record
/// FLOPs and bytes.
ModuleWriter scheduleModule(bool costs) {
  uint32_t first, second;
  ModuleWriter writer = everyCommandModule(&first, &second);
  if (costs) {
    writer.setDispatchCost(first, 4, 48);
    writer.setDispatchCost(second, 0, 1ull << 40); // Zero FLOPs is a value.
  }
  return writer;
}

class ProfileTest : public ::testing::Test {
protected:
  void open(const ModuleWriter &writer) {
    AICC_ASSERT_OK(loadModule(rt.runtime, writer.finish(), &module.module));
    AICC_ASSERT_OK(
        aicc_session_create(module.module, nullptr, &session.session));
  }

  void runOnce() {
    std::vector<int64_t> dims = {4};
    aicc_tensor_view_t inputs[2] = {viewOf(a, AICC_ELEMENT_TYPE_F32, dims),
                                    viewOf(b, AICC_ELEMENT_TYPE_F32, dims)};
    aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, dims);
    AICC_ASSERT_OK(aicc_session_run(session.session, inputs, 2, &output, 1));
    for (int i = 0; i < 4; ++i)
      ASSERT_EQ(c[i], b[i] + a[i] + float(i + 1));
  }

  aicc_command_profile_t profileOf(size_t command) {
    aicc_command_profile_t profile;
    std::memset(&profile, 0xff, sizeof(profile));
    EXPECT_EQ(statusText(aicc_session_command_profile(session.session, command,
                                                      &profile)),
              "OK");
    return profile;
  }

  aicc_command_info_t infoOf(size_t command) {
    aicc_command_info_t info;
    EXPECT_EQ(
        statusText(aicc_module_command_info(module.module, command, &info)),
        "OK");
    return info;
  }

  RuntimeHandle rt;
  ModuleHandle module;
  SessionHandle session;
  std::vector<float> a = {1, 2, 3, 4}, b = {10, 20, 30, 40}, c = {0, 0, 0, 0};
};

TEST_F(ProfileTest, OffByDefaultAndCountsNothing) {
  open(scheduleModule(true));
  runOnce();
  for (size_t i = 0; i < 4; ++i) {
    aicc_command_profile_t profile = profileOf(i);
    EXPECT_EQ(profile.run_count, 0u);
    EXPECT_EQ(profile.total_ns, 0u);
    EXPECT_EQ(profile.last_ns, 0u);
    EXPECT_EQ(profile.min_ns, 0u);
  }
}

TEST_F(ProfileTest, TimesEveryCommandOfEveryProfiledRun) {
  open(scheduleModule(true));
  AICC_ASSERT_OK(aicc_session_set_profiling(session.session, 1));
  for (int run = 0; run < 3; ++run)
    runOnce();
  uint64_t dispatchNs = 0;
  for (size_t i = 0; i < 4; ++i) {
    aicc_command_profile_t profile = profileOf(i);
    EXPECT_EQ(profile.run_count, 3u) << "command " << i;
    EXPECT_LE(profile.min_ns, profile.last_ns);
    EXPECT_LE(3 * profile.min_ns, profile.total_ns);
    EXPECT_LE(profile.last_ns, profile.total_ns);
    if (i == 0 || i == 3)
      dispatchNs += profile.total_ns;
  }
  // A call through a function pointer takes more than no time at all.
  EXPECT_GT(dispatchNs, 0u);

  // Off: runs read no clock and leave the counters alone.
  AICC_ASSERT_OK(aicc_session_set_profiling(session.session, 0));
  runOnce();
  EXPECT_EQ(profileOf(0).run_count, 3u);

  // On again: a fresh start.
  AICC_ASSERT_OK(aicc_session_set_profiling(session.session, 1));
  EXPECT_EQ(profileOf(0).run_count, 0u);
  runOnce();
  EXPECT_EQ(profileOf(3).run_count, 1u);
  AICC_ASSERT_OK(aicc_session_reset_profile(session.session));
  EXPECT_EQ(profileOf(3).run_count, 0u);
  EXPECT_EQ(profileOf(3).total_ns, 0u);
}

TEST_F(ProfileTest, RejectsBadArguments) {
  open(scheduleModule(true));
  aicc_command_profile_t profile;
  EXPECT_NE(
      statusText(aicc_session_command_profile(session.session, 4, &profile))
          .find("command index 4 out of range (4 commands)"),
      std::string::npos);
  EXPECT_EQ(statusText(aicc_session_command_profile(nullptr, 0, &profile))
                .rfind("INVALID_ARGUMENT", 0),
            0u);
  EXPECT_EQ(statusText(aicc_session_set_profiling(nullptr, 1))
                .rfind("INVALID_ARGUMENT", 0),
            0u);
  aicc_command_info_t info;
  EXPECT_NE(statusText(aicc_module_command_info(module.module, 7, &info))
                .find("command index 7 out of range (4 commands)"),
            std::string::npos);
}

TEST_F(ProfileTest, DispatchCostsRoundTrip) {
  open(scheduleModule(true));
  aicc_module_properties_t props;
  AICC_ASSERT_OK(aicc_module_properties(module.module, &props));
  EXPECT_EQ(props.version_minor, 2u);

  aicc_command_info_t first = infoOf(0);
  EXPECT_EQ(first.kind, AICC_COMMAND_KIND_DISPATCH);
  EXPECT_STREQ(first.name, "add_f32");
  EXPECT_EQ(first.entry_point, entryIndex("add_f32"));
  EXPECT_TRUE(first.has_cost);
  EXPECT_EQ(first.flops, 4u);
  EXPECT_EQ(first.bytes, 48u);

  aicc_command_info_t copy = infoOf(1);
  EXPECT_EQ(copy.kind, AICC_COMMAND_KIND_COPY);
  EXPECT_STREQ(copy.name, "copy");
  EXPECT_TRUE(copy.has_cost);
  EXPECT_EQ(copy.bytes, 32u); // 16 read + 16 written.

  EXPECT_EQ(infoOf(2).kind, AICC_COMMAND_KIND_BARRIER);

  aicc_command_info_t second = infoOf(3);
  EXPECT_TRUE(second.has_cost);
  EXPECT_EQ(second.flops, 0u);
  EXPECT_EQ(second.bytes, 1ull << 40);
}

TEST_F(ProfileTest, FilesWithoutCostsStillLoadAndRun) {
  // What a 1.0 writer produced: no flops/bytes on any dispatch.
  ModuleWriter writer = scheduleModule(false);
  writer.setVersion(1, 0);
  open(writer);
  aicc_command_info_t info = infoOf(0);
  EXPECT_EQ(info.kind, AICC_COMMAND_KIND_DISPATCH);
  EXPECT_FALSE(info.has_cost);
  EXPECT_EQ(info.flops, 0u);
  EXPECT_EQ(info.bytes, 0u);
  AICC_ASSERT_OK(aicc_session_set_profiling(session.session, 1));
  runOnce();
  EXPECT_EQ(profileOf(3).run_count, 1u);
}

/// One line of a perf map.
struct MapLine {
  uint64_t start = 0, size = 0;
};

/// Address ranges of the executable mappings of this process.
std::vector<std::pair<uint64_t, uint64_t>> executableMappings() {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long long begin, end;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %7s", &begin, &end, perms) == 3 &&
        perms[2] == 'x')
      ranges.push_back({begin, end});
  }
  return ranges;
}

class PerfMapTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = "/tmp/perf-" + std::to_string(::getpid()) + ".map";
    std::remove(path.c_str());
  }
  void TearDown() override {
    ::unsetenv("AICC_PERF_MAP");
    std::remove(path.c_str());
  }

  /// Loads a module with the test kernels and binds it to the CPU (which
  /// loads its code); the code stays loaded until the test ends.
  void loadKernels() {
    modules.emplace_back(new ModuleHandle);
    sessions.emplace_back(new SessionHandle);
    AICC_ASSERT_OK(
        loadModule(rt.runtime, addModule(4).finish(), &modules.back()->module));
    AICC_ASSERT_OK(aicc_session_create(modules.back()->module, nullptr,
                                       &sessions.back()->session));
  }

  RuntimeHandle rt;
  // Destroyed in reverse order: sessions before their modules.
  std::vector<std::unique_ptr<ModuleHandle>> modules;
  std::vector<std::unique_ptr<SessionHandle>> sessions;
  std::string path;
};

TEST_F(PerfMapTest, NamesEveryEntryPointWithItsLoadedAddress) {
  ::setenv("AICC_PERF_MAP", "1", 1);
  loadKernels();
  std::ifstream file(path);
  ASSERT_TRUE(file) << path << " was not written";
  std::map<std::string, MapLine> symbols;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    MapLine entry;
    std::string name;
    fields >> std::hex >> entry.start >> entry.size >> name;
    ASSERT_FALSE(fields.fail()) << "malformed line: " << line;
    symbols[name] = entry;
  }
  auto mappings = executableMappings();
  ExecutableDesc exe = testKernelsExecutable(0);
  for (const EntryPointDesc &entry : exe.entryPoints) {
    auto it = symbols.find("aicc:" + entry.name);
    ASSERT_NE(it, symbols.end()) << entry.name << " is not in " << path;
    const MapLine &symbol = it->second;
    EXPECT_GT(symbol.size, 0u) << entry.name;
    EXPECT_LT(symbol.size, 1u << 20) << entry.name;
    // The function lies inside one executable mapping of this process.
    bool inside = false;
    for (auto [begin, end] : mappings)
      inside |= symbol.start >= begin && symbol.start + symbol.size <= end;
    EXPECT_TRUE(inside) << entry.name << " at 0x" << std::hex << symbol.start
                        << " is not in executable memory";
  }
}

TEST_F(PerfMapTest, WritesNothingUnlessAskedFor) {
  ::setenv("AICC_PERF_MAP", "0", 1);
  loadKernels();
  ::unsetenv("AICC_PERF_MAP");
  loadKernels();
  EXPECT_FALSE(std::ifstream(path)) << path << " was written";
}

} // namespace
