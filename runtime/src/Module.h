//===- Module.h - A loaded, verified artifact ------------------*- C++ -*-===//
//
// A Module owns the bytes of an .aicc file (a read-only mapping, a private
// copy, or a borrowed caller buffer), the verified FlatBuffer root inside
// them, and a decoded copy of the signature. Everything is immutable after
// load except the per-device code cache, which is filled once under a mutex
// by the first session that needs it and shared by all later ones.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_SRC_MODULE_H
#define AICC_RUNTIME_SRC_MODULE_H

#include "aicc/kernel_abi.h"
#include "aicc/runtime.h"
#include "aicc/schemas/aicc_generated.h"
#include "hal/Hal.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace aicc {

class Runtime;

/// The bytes of an artifact and how to give them back.
struct ModuleStorage {
  enum class Kind { Mapped, Owned, Borrowed };
  Kind kind = Kind::Borrowed;
  const uint8_t *data = nullptr;
  size_t size = 0;
  /// Length passed to munmap for Kind::Mapped (>= size, at least one page).
  size_t mappedLength = 0;

  void release();
};

/// Kernels may read (never write) up to this many bytes past the end of a
/// buffer: the rounded-up last vectors of a tile (docs/Runtime.md, "Memory a
/// kernel may read"). The runtime's own memory carries that slack; a
/// caller's tensor whose slack would reach into another page is staged
/// (Session::stageViews), and constants that end less than this before the
/// end of the artifact are copied (Module::codeFor).
constexpr uint64_t kKernelReadSlack = AICC_KERNEL_READ_SLACK;

/// An IntExpr program (format 1.3) inside the artifact's bytes; verified at
/// load (src/IntExpr.h).
struct IntProgram {
  const int64_t *code = nullptr;
  uint32_t size = 0;
};

/// A tensor of the signature, decoded once at load.
struct TensorInfo {
  std::string name;
  aicc_element_type_t elementType;
  /// The static shape, or for a dynamic tensor the dims' upper bounds.
  std::vector<int64_t> dims;
  /// Bytes of `dims` (the upper bound for a dynamic tensor).
  uint64_t byteSize;
  /// Format 1.3: one program per dim (empty: static). For inputs each is
  /// CONST or SYM; `symbols[d]` is the symbol of dim d or -1.
  std::vector<IntProgram> dimExprs;
  std::vector<int64_t> symbols;
};

/// A symbol of a dynamic module.
struct SymbolInfo {
  std::string name;
  int64_t min, max;
  /// The input and dim it is bound from (the first that is exactly it).
  uint32_t input, dim;
  /// 1.4: a value symbol's program (evaluated from the inputs' values before
  /// each run) and what it is, for messages; isValue is false for a symbol
  /// bound from an input dim.
  IntProgram def;
  bool isValue = false;
  std::string what;
};

/// A checked assumption of a dynamic module.
struct AssumptionInfo {
  IntProgram lhs, rhs;
  std::string what;
};

class Module {
public:
  /// Verifies `storage` and creates a module that takes ownership of it (on
  /// failure too). `name` labels messages. Retains `runtime`.
  static aicc_status_t load(Runtime *runtime, ModuleStorage storage,
                            const char *name, Module **out);

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();

  Runtime *runtime() const { return runtime_; }
  const fb::AiccModule &root() const { return *root_; }
  const uint8_t *data() const { return storage_.data; }
  size_t size() const { return storage_.size; }
  const std::string &name() const { return name_; }

  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }
  const aicc_module_properties_t &properties() const { return properties_; }

  /// Format 1.3: whether any signature tensor has dynamic dims, the
  /// symbols and the assumptions.
  bool isDynamic() const { return dynamic_; }
  const std::vector<SymbolInfo> &symbols() const { return symbols_; }
  const std::vector<std::string> &symbolNames() const { return symbolNames_; }
  const std::vector<AssumptionInfo> &assumptions() const {
    return assumptions_;
  }
  /// 1.4: whether some symbol is a value symbol (runs need input data to
  /// know the shapes).
  bool hasValueSymbols() const { return hasValueSymbols_; }

  /// Start of segment `index` in memory (the index was verified).
  const uint8_t *segmentData(uint32_t index) const;

  /// What a module has on one device, shared by all its sessions there.
  struct DeviceCode {
    hal::Device *device = nullptr;
    /// One per executable of the module; on devices with their own memory,
    /// executables no dispatch names stay null (e.g. a cubin whose PTX is
    /// the one dispatched: it was offered to the driver as an image of it).
    std::vector<std::unique_ptr<hal::Executable>> executables;
    /// Devices with their own memory: the one allocation holding every
    /// constant a buffer names (null when there are none), and each
    /// constant's device address (null for constants no buffer names).
    /// Host memory: the copies of the constants that end too close to the
    /// end of the artifact for kKernelReadSlack (null: used in place).
    void *constantBlock = nullptr;
    uint64_t constantBlockSize = 0;
    std::vector<void *> constantAddresses;

    ~DeviceCode();
  };

  /// Loads every executable of the module on `device` (and, for a device
  /// with its own memory, uploads the constants) the first time it is asked
  /// for and returns the shared result. Thread safe. Errors do not name the
  /// module (the caller does).
  aicc_status_t codeFor(hal::Device &device, const DeviceCode **out);

private:
  Module() = default;
  ~Module();

  std::atomic<int> refs_{1};
  Runtime *runtime_ = nullptr;
  ModuleStorage storage_;
  const fb::AiccModule *root_ = nullptr;
  std::string name_;
  std::string producer_, moduleName_, targets_;
  std::vector<TensorInfo> inputs_, outputs_;
  aicc_module_properties_t properties_{};
  bool dynamic_ = false;
  std::vector<SymbolInfo> symbols_;
  std::vector<std::string> symbolNames_;
  std::vector<AssumptionInfo> assumptions_;
  bool hasValueSymbols_ = false;

  aicc_status_t loadExecutables(DeviceCode &code);
  /// Copies the constants a buffer names (`tailOnly`: only those ending
  /// less than kKernelReadSlack before the end of the artifact) into one
  /// allocation of `code`'s device, with that slack after it.
  aicc_status_t uploadConstants(DeviceCode &code, bool tailOnly);

  std::mutex codeMutex_;
  std::vector<std::unique_ptr<DeviceCode>> code_;
};

/// The program of `expr` (null or without code: an empty program).
IntProgram intProgram(const fb::IntExpr *expr);

/// Runs the FlatBuffers verifier and every semantic check of
/// docs/Artifact.md over `size` bytes at `data` (8-byte aligned). On success
/// stores the root table in `*outRoot`. Never reads outside [data, data+size).
aicc_status_t verifyModule(const uint8_t *data, size_t size,
                           const fb::AiccModule **outRoot);

} // namespace aicc

#endif // AICC_RUNTIME_SRC_MODULE_H
