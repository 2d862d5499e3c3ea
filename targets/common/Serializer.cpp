//===- Serializer.cpp - Writes planned exec modules as .aicc --------------===//
//
// Buffer table: every memref value of the schedule is one entry, found by
// walking views back to their root: a schedule argument (Input/Output), an
// exec.constant (Constant) or an exec.alloc (Arena at its planned offset),
// plus the views' byte offsets. Equal entries are shared.
//
// Weights are packed into one segment, each at a 64-byte aligned offset, so
// the CPU runtime uses them in place; equal attributes are stored once.
//
// Every dispatch records its cost (FLOPs of one call and bytes bound), from
// the kernel's linalg ops as KernelCost.h counts them, for profilers.
//
// GPU targets add each entry point's block size and each dispatch's grid
// (ExecutableBinary::workgroupSizes/workgroupCounts); the CPU has neither.
//
// Dynamic shapes (artifact 1.3, only when the schedule has `aicc.symbols` or
// a dynamic buffer; static artifacts keep 1.2 and their bytes): the symbols
// and assumptions, every signature dim as an IntExpr (inputs from their
// `aicc.shape`, outputs from the `dims` of exec.return) with the upper
// bounds as `shape`, each dispatch's push constants as IntExprs, the bytes
// of each dynamic copy, and buffer sizes as upper bounds.
//
// Value-dependent shapes (artifact 1.4, only with `aicc.value_symbols` or a
// runtime-allocated exec.alloc): value symbols follow the dim symbols with
// their `def` programs and `what`; a runtime-allocated buffer (and each view
// of it) is an Arena buffer whose `ref` numbers the allocation and whose
// `size_expr` gives its bytes per run.
//
// A partitioned module (--target=npu,avx512) has one binary per
// exec.executable; a Barrier separates consecutive dispatches of different
// device kinds.
//
//===----------------------------------------------------------------------===//

#include "targets/common/Serializer.h"
#include "targets/common/KernelCost.h"

#include "aicc/ModuleWriter.h"
#include "aicc/kernel_abi.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/exec/IndexExpr.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <tuple>

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

namespace {

std::optional<fb::ElementType> getElementType(Type type) {
  // float8/float4/int4/int2 (stored as bytes; the schedule argument's
  // aicc.element_type attribute gives the type the caller sees).
  if (isa<Float8E4M3FNType>(type))
    return fb::ElementType::F8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return fb::ElementType::F8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return fb::ElementType::F8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return fb::ElementType::F8E5M2FNUZ;
  if (isa<Float8E8M0FNUType>(type))
    return fb::ElementType::F8E8M0FNU;
  if (isa<Float4E2M1FNType>(type))
    return fb::ElementType::F4E2M1FN;
  if (type.isInteger(4))
    return cast<IntegerType>(type).isUnsigned() ? fb::ElementType::U4
                                                : fb::ElementType::I4;
  if (type.isInteger(2))
    return cast<IntegerType>(type).isUnsigned() ? fb::ElementType::U2
                                                : fb::ElementType::I2;
  if (type.isF32())
    return fb::ElementType::F32;
  if (type.isF64())
    return fb::ElementType::F64;
  if (type.isF16())
    return fb::ElementType::F16;
  if (type.isBF16())
    return fb::ElementType::BF16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return fb::ElementType::Bool;
  case 8:
    return isUnsigned ? fb::ElementType::U8 : fb::ElementType::I8;
  case 16:
    return isUnsigned ? fb::ElementType::U16 : fb::ElementType::I16;
  case 32:
    return isUnsigned ? fb::ElementType::U32 : fb::ElementType::I32;
  case 64:
    return isUnsigned ? fb::ElementType::U64 : fb::ElementType::I64;
  default:
    return std::nullopt;
  }
}

/// Appends the little-endian bytes of `value` (row-major, as the runtime
/// reads them) to `out`, or fails with a diagnostic on `op`.
LogicalResult appendRawData(Operation *op, ElementsAttr value,
                            std::vector<uint8_t> &out) {
  auto type = cast<ShapedType>(value.getType());
  uint64_t expected = *getByteSize(type);
  size_t start = out.size();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (type.getElementType().isInteger(1)) {
      for (bool element : dense.getValues<bool>())
        out.push_back(element ? 1 : 0);
    } else if (dense.isSplat()) {
      ArrayRef<char> raw = dense.getRawData();
      uint64_t elementSize = *getElementByteSize(type.getElementType());
      if (raw.size() < elementSize)
        return op->emitOpError("splat constant has ")
               << raw.size() << " bytes of data, expected " << elementSize;
      for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
        out.insert(out.end(), raw.begin(), raw.begin() + elementSize);
    } else {
      ArrayRef<char> raw = dense.getRawData();
      out.insert(out.end(), raw.begin(), raw.end());
    }
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return op->emitOpError("weight '")
             << resource.getRawHandle().getKey()
             << "' has no data: its resource blob is missing";
    ArrayRef<char> raw = blob->getData();
    out.insert(out.end(), raw.begin(), raw.end());
  } else {
    return op->emitOpError("constant of kind ")
           << value << " cannot be serialized (expected dense or "
           << "dense_resource elements)";
  }
  if (out.size() - start != expected)
    return op->emitOpError("constant has ")
           << out.size() - start << " bytes of data, its type needs "
           << expected;
  return success();
}

class Serializer {
public:
  /// `names[i]` is the exec.executable that `binaries[i]` compiles; a
  /// single unnamed binary compiles whichever executable the dispatches use.
  Serializer(ModuleOp module, std::vector<const ExecutableBinary *> binaries,
             std::vector<std::string> names, const SerializeOptions &options)
      : module_(module), binaries_(std::move(binaries)),
        names_(std::move(names)), options_(options) {}

  LogicalResult run(std::vector<uint8_t> &out);

private:
  LogicalResult addSignature(ScheduleOp schedule);
  LogicalResult addExecutable(ScheduleOp schedule);
  LogicalResult addConstants(ScheduleOp schedule);
  LogicalResult addMemoryPlan(ScheduleOp schedule);
  /// The buffer table index of `value`, adding the entry if needed.
  FailureOr<uint32_t> getBuffer(Value value);
  /// The same for a view of (or) a runtime-allocated exec.alloc.
  FailureOr<uint32_t> getRuntimeBuffer(Value value);
  /// The state pool of a --kv-cache state buffer (exec.alloc with
  /// `aicc.state`, aicc-exec-kv-state), adding it if needed.
  FailureOr<uint32_t> getStatePool(AllocOp alloc);
  LogicalResult addCommands(ScheduleOp schedule);
  /// Symbols and assumptions (dynamic modules only).
  LogicalResult addSymbols(ScheduleOp schedule);
  /// The postfix program of dim `dim` of `buffer`, or failure after a
  /// diagnostic on `user`.
  FailureOr<std::vector<int64_t>> getDimCode(Value buffer, unsigned dim,
                                             Operation *user);

  /// The binary of `executable`, or -1 after a diagnostic.
  int binaryOf(DispatchOp dispatch, ExecutableOp executable);
  /// The key of a dispatch's kernel in kernelEntries_.
  static std::string kernelKey(DispatchOp dispatch) {
    return (dispatch.getKernel().getRootReference().getValue() + "::" +
            dispatch.getKernel().getLeafReference().getValue())
        .str();
  }

  ModuleOp module_;
  std::vector<const ExecutableBinary *> binaries_;
  std::vector<std::string> names_;
  const SerializeOptions &options_;
  ModuleWriter writer_;
  /// The one executable of an unnamed binary.
  ExecutableOp executable_;
  /// Binary index -> artifact executable index (-1: no dispatch uses it).
  std::vector<int> artifactIndex_;
  struct KernelEntry {
    uint32_t binary = 0;
    uint32_t entry = 0;
  };
  /// Kernel symbol (executable::kernel) -> binary and entry point index.
  llvm::StringMap<KernelEntry> kernelEntries_;
  /// Kernel symbol -> FLOPs of one call (nullopt: not countable).
  llvm::StringMap<std::optional<uint64_t>> kernelFlops_;
  /// exec.constant result -> constant index.
  DenseMap<Value, uint32_t> constants_;
  /// Arguments of the schedule that are outputs start here.
  unsigned numInputs_ = 0;
  /// Whether the module has dynamic shapes (writes artifact 1.3).
  bool dynamic_ = false;
  SmallVector<SymbolInfo> symbols_;
  std::map<std::tuple<fb::BufferKind, uint32_t, uint32_t, uint64_t, uint64_t>,
           uint32_t>
      buffers_;
  /// Runtime-allocated exec.allocs -> allocation number (Buffer.ref), and
  /// (allocation, offset, size program) -> buffer index.
  DenseMap<Operation *, uint32_t> runtimeAllocations_;
  std::map<std::tuple<uint32_t, uint64_t, std::vector<int64_t>>, uint32_t>
      runtimeBuffers_;
  /// State buffer -> state pool index.
  DenseMap<Operation *, uint32_t> statePools_;
  ScheduleOp schedule_;
};

} // namespace

LogicalResult Serializer::addSignature(ScheduleOp schedule) {
  numInputs_ = schedule.getNumInputs();
  for (auto [index, argument] : llvm::enumerate(schedule.getArguments())) {
    auto type = cast<MemRefType>(argument.getType());
    bool isInput = index < numInputs_;
    Type callerType = type.getElementType();
    if (auto attr =
            schedule.getArgAttrOfType<TypeAttr>(index, "aicc.element_type"))
      callerType = attr.getValue();
    std::optional<fb::ElementType> elementType = getElementType(callerType);
    if (!elementType)
      return schedule.emitOpError("argument ")
             << index << ": element type " << type.getElementType()
             << " has no artifact equivalent";
    std::string name;
    if (auto attr = schedule.getArgAttrOfType<StringAttr>(index, "graph.name"))
      name = attr.str();
    else
      name = (isInput ? "input" : "output") +
             std::to_string(isInput ? index : index - numInputs_);
    std::vector<int64_t> shape(type.getShape().begin(),
                               type.getShape().end());
    // Dynamic dims: the upper bound in `shape`, the expression in `dims`.
    std::vector<std::vector<int64_t>> dims;
    if (!type.hasStaticShape()) {
      for (unsigned dim = 0; dim < type.getRank(); ++dim) {
        std::optional<DimSource> source = getBufferDim(argument, dim);
        std::optional<IndexRange> range =
            source ? getDimRange(*source, symbols_) : std::nullopt;
        if (!range)
          return schedule.emitOpError("argument ")
                 << index << " ('" << name << "'): dim " << dim
                 << " has no bounded expression over the symbols";
        shape[dim] = range->hi;
        FailureOr<std::vector<int64_t>> code =
            getDimCode(argument, dim, schedule);
        if (failed(code))
          return failure();
        dims.push_back(std::move(*code));
      }
    }
    uint32_t tensor = isInput ? writer_.addInput(name, *elementType, shape)
                              : writer_.addOutput(name, *elementType, shape);
    if (!type.hasStaticShape()) {
      if (isInput)
        writer_.setInputDims(tensor, std::move(dims));
      else
        writer_.setOutputDims(tensor, std::move(dims));
    }
  }
  return success();
}

FailureOr<std::vector<int64_t>>
Serializer::getDimCode(Value buffer, unsigned dim, Operation *user) {
  std::vector<int64_t> code;
  std::optional<DimSource> source = getBufferDim(buffer, dim);
  if (!source || failed(appendDimCode(*source, code)))
    return user->emitOpError("dim ")
           << dim << " of a buffer of type " << buffer.getType()
           << " is not computed from the symbols and constants";
  return code;
}

LogicalResult Serializer::addSymbols(ScheduleOp schedule) {
  FailureOr<SmallVector<SymbolInfo>> symbols = getSymbols(schedule);
  if (failed(symbols))
    return failure();
  symbols_ = std::move(*symbols);
  dynamic_ = !symbols_.empty();
  schedule.walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      if (auto memref = dyn_cast<MemRefType>(type);
          memref && !memref.hasStaticShape())
        dynamic_ = true;
  });
  for (Type type : schedule.getArgumentTypes())
    if (!cast<MemRefType>(type).hasStaticShape())
      dynamic_ = true;
  if (!dynamic_)
    return success();
  bool valueShapes = false;
  for (const SymbolInfo &symbol : symbols_)
    valueShapes |= symbol.isValue;
  for (AllocOp alloc : schedule.getBody().getOps<AllocOp>())
    valueShapes |= alloc.getRuntimeAllocated();
  writer_.setVersion(kFormatVersionMajor, valueShapes
                                              ? kValueSymbolsVersionMinor
                                              : kDynamicShapesVersionMinor);
  for (const SymbolInfo &symbol : symbols_) {
    if (symbol.isValue)
      writer_.addValueSymbol(symbol.name, symbol.range.lo, symbol.range.hi,
                             symbol.def, symbol.what);
    else
      writer_.addSymbol(symbol.name, symbol.range.lo, symbol.range.hi);
  }
  auto assumptions = schedule->getAttrOfType<ArrayAttr>("aicc.assumptions");
  auto what = schedule->getAttrOfType<ArrayAttr>("aicc.assumption_ops");
  auto derived = schedule->getAttrOfType<ArrayAttr>("aicc.derived_symbols");
  if (!assumptions)
    return success();
  unsigned numSymbols = static_cast<unsigned>(symbols_.size());
  for (auto [index, attr] : llvm::enumerate(assumptions)) {
    auto map = dyn_cast<AffineMapAttr>(attr);
    std::vector<int64_t> lhs, rhs;
    if (!map || map.getValue().getNumResults() != 2 ||
        map.getValue().getNumDims() != 0 ||
        failed(appendSymbolExprCode(map.getValue().getResult(0), lhs,
                                    numSymbols, derived)) ||
        failed(appendSymbolExprCode(map.getValue().getResult(1), rhs,
                                    numSymbols, derived)))
      return schedule.emitOpError("'aicc.assumptions' entry ")
             << index << " is not an affine_map<()[s...] -> (lhs, rhs)>";
    std::string text;
    if (what && index < what.size())
      if (auto string = dyn_cast<StringAttr>(what[index]))
        text = string.str();
    writer_.addAssumption(std::move(lhs), std::move(rhs), std::move(text));
  }
  return success();
}

int Serializer::binaryOf(DispatchOp dispatch, ExecutableOp executable) {
  if (names_.size() == 1 && names_.front().empty()) {
    if (!executable_) {
      executable_ = executable;
    } else if (executable_ != executable) {
      dispatch.emitOpError("calls a kernel of executable @")
          << executable.getSymName() << ", but the module's binary is "
          << "executable @" << executable_.getSymName()
          << "; only one executable is supported";
      return -1;
    }
    return 0;
  }
  for (auto [index, name] : llvm::enumerate(names_))
    if (name == executable.getSymName())
      return static_cast<int>(index);
  dispatch.emitOpError("calls a kernel of executable @")
      << executable.getSymName() << ", which no target compiled";
  return -1;
}

LogicalResult Serializer::addExecutable(ScheduleOp schedule) {
  std::vector<ExecutableDesc> descs(binaries_.size());
  std::vector<llvm::StringMap<uint32_t>> entryIndex(binaries_.size());
  std::vector<bool> used(binaries_.size(), false);
  for (auto [index, binary] : llvm::enumerate(binaries_)) {
    if (binary->format.empty())
      return schedule.emitOpError("the target gave its executable no format");
    descs[index].device = binary->device;
    descs[index].format = binary->format;
    descs[index].requiredFeatures = binary->requiredFeatures;
    descs[index].name = names_[index];
  }
  WalkResult result = schedule.walk([&](DispatchOp dispatch) {
    SymbolRefAttr kernelRef = dispatch.getKernel();
    func::FuncOp kernel = dispatch.lookupKernel();
    if (!kernel) {
      dispatch.emitOpError("kernel ") << kernelRef << " does not resolve";
      return WalkResult::interrupt();
    }
    auto executable = cast<ExecutableOp>(kernel->getParentOp());
    int b = binaryOf(dispatch, executable);
    if (b < 0)
      return WalkResult::interrupt();
    used[b] = true;
    if (descs[b].name.empty())
      descs[b].name = executable.getSymName().str();
    const ExecutableBinary &binary = *binaries_[b];
    ExecutableDesc &desc = descs[b];
    std::string key = kernelKey(dispatch);
    if (kernelEntries_.count(key))
      return WalkResult::advance();
    StringRef kernelName = kernel.getSymName();
    std::string entry = kernelName.str();
    auto mapped = binary.entryPoints.find(entry);
    if (mapped != binary.entryPoints.end())
      entry = mapped->second;
    // Trailing index arguments are push constants, not bindings.
    uint32_t pushCount = 0;
    while (pushCount < kernel.getNumArguments() &&
           kernel.getArgumentTypes()[kernel.getNumArguments() - 1 - pushCount]
               .isIndex())
      ++pushCount;
    uint32_t bindings = static_cast<uint32_t>(
        kernel.getNumArguments() - pushCount + kernel.getNumResults());
    auto [it, inserted] = entryIndex[b].try_emplace(
        entry, static_cast<uint32_t>(desc.entryPoints.size()));
    if (inserted) {
      std::vector<uint32_t> workgroupSize;
      auto size = binary.workgroupSizes.find(entry);
      if (size != binary.workgroupSizes.end())
        workgroupSize = size->second;
      desc.entryPoints.push_back({entry, bindings, pushCount, workgroupSize});
    } else if (desc.entryPoints[it->second].bindingCount != bindings) {
      dispatch.emitOpError("kernel @")
          << kernelName << " maps to entry point '" << entry << "' with "
          << desc.entryPoints[it->second].bindingCount
          << " bindings, but has " << bindings;
      return WalkResult::interrupt();
    }
    kernelEntries_[key] = {static_cast<uint32_t>(b), it->second};
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  // Executables no dispatch uses are left out (a module of copies only has
  // none). Alternatives (a cubin next to the PTX) share the entry points
  // and follow their main executable; the runtime offers them to the driver
  // as other encodings of the main one.
  artifactIndex_.assign(binaries_.size(), -1);
  int next = 0;
  for (auto [index, binary] : llvm::enumerate(binaries_)) {
    if (!used[index])
      continue;
    artifactIndex_[index] = next++;
    descs[index].segment =
        writer_.addSegment(binary->data.data(), binary->data.size());
    ExecutableDesc main = descs[index];
    writer_.addExecutable(std::move(descs[index]));
    for (const ExecutableBinary::Alternative &alternative :
         binary->alternatives) {
      ExecutableDesc other = main;
      other.name = main.name + "." + alternative.format;
      other.format = alternative.format;
      other.segment =
          writer_.addSegment(alternative.data.data(), alternative.data.size());
      writer_.addExecutable(std::move(other));
      ++next;
    }
  }
  return success();
}

LogicalResult Serializer::addConstants(ScheduleOp schedule) {
  std::vector<uint8_t> weights;
  struct Pending {
    std::string name;
    uint64_t offset, size;
  };
  std::vector<Pending> pending;
  DenseMap<Attribute, uint32_t> byValue;
  for (ConstantOp constant : schedule.getBody().getOps<ConstantOp>()) {
    auto [it, inserted] = byValue.try_emplace(
        constant.getValue(), static_cast<uint32_t>(pending.size()));
    if (inserted) {
      weights.resize(llvm::alignTo(weights.size(), kSegmentAlignment), 0);
      uint64_t offset = weights.size();
      if (failed(appendRawData(constant, constant.getValue(), weights)))
        return failure();
      std::string name =
          constant.getName()
              ? constant.getName()->str()
              : "constant" + std::to_string(pending.size());
      pending.push_back({name, offset, weights.size() - offset});
    }
    constants_[constant.getResult()] = it->second;
  }
  if (pending.empty())
    return success();
  // Kernels may read a little past a buffer (kernel_abi.h): keep that read
  // inside the artifact when the last constant is its last byte.
  weights.resize(weights.size() + AICC_KERNEL_READ_SLACK, 0);
  uint32_t segment = writer_.addSegment(std::move(weights));
  for (const Pending &constant : pending)
    writer_.addConstant(constant.name, segment, constant.offset,
                        constant.size, kSegmentAlignment);
  return success();
}

LogicalResult Serializer::addMemoryPlan(ScheduleOp schedule) {
  std::optional<ArrayRef<int64_t>> arena = schedule.getArenaSize();
  std::optional<ArrayRef<int64_t>> bound = schedule.getLowerBound();
  if (!arena || !bound)
    return schedule.emitOpError(
        "is not memory planned (no 'arena_size'); run aicc-plan-memory "
        "before serializing");
  // A partitioned module's spaces are host memory (see the header).
  fb::DeviceKind device = binaries_.size() == 1 ? binaries_.front()->device
                                                : fb::DeviceKind::Cpu;
  for (auto [space, sizes] : llvm::enumerate(llvm::zip(*arena, *bound))) {
    std::string name =
        space == 0 ? StringRef(fb::EnumNameDeviceKind(device)).lower()
                   : "space" + std::to_string(space);
    writer_.addMemorySpace(name, device,
                           static_cast<uint64_t>(std::get<0>(sizes)),
                           static_cast<uint64_t>(std::get<1>(sizes)));
  }
  return success();
}

FailureOr<uint32_t> Serializer::getRuntimeBuffer(Value value) {
  // The bytes of this view (or the buffer itself) in a run.
  std::vector<int64_t> code;
  if (failed(appendBufferBytesCode(value, code)))
    return emitError(value.getLoc(), "a runtime-allocated buffer of type ")
           << value.getType()
           << " has a dim not computed from the symbols and constants";
  uint64_t offset = 0;
  while (auto view = value.getDefiningOp<ViewOp>()) {
    offset += static_cast<uint64_t>(view.getByteOffset());
    value = view.getSource();
  }
  auto alloc = value.getDefiningOp<AllocOp>();
  auto [allocation, inserted] = runtimeAllocations_.try_emplace(
      alloc.getOperation(),
      static_cast<uint32_t>(runtimeAllocations_.size()));
  (void)inserted;
  auto key = std::make_tuple(allocation->second, offset, code);
  auto it = runtimeBuffers_.find(key);
  if (it != runtimeBuffers_.end())
    return it->second;
  uint32_t index = writer_.addBuffer({fb::BufferKind::Arena,
                                      static_cast<uint32_t>(alloc.getSpace()),
                                      allocation->second, offset, 0});
  writer_.setBufferSizeExpr(index, code);
  runtimeBuffers_[key] = index;
  return index;
}

FailureOr<uint32_t> Serializer::getBuffer(Value value) {
  // Runtime-allocated (value-dependent shapes): sized per run.
  Value root = value;
  while (auto view = root.getDefiningOp<ViewOp>())
    root = view.getSource();
  if (auto alloc = root.getDefiningOp<AllocOp>();
      alloc && alloc.getRuntimeAllocated())
    return getRuntimeBuffer(value);
  // Dynamic buffers: their upper bound (runs use a prefix of it).
  Location loc = value.getLoc();
  Type type = value.getType();
  std::optional<uint64_t> bound = getBufferUpperBoundBytes(value, symbols_);
  uint64_t offset = 0;
  bool isDynamicView = !cast<MemRefType>(value.getType()).hasStaticShape() &&
                       value.getDefiningOp<ViewOp>();
  while (auto view = value.getDefiningOp<ViewOp>()) {
    offset += static_cast<uint64_t>(view.getByteOffset());
    value = view.getSource();
  }
  // A dynamic view holds the same tensor as (part of) its root, so it never
  // needs more than the root's bytes past its offset; interval arithmetic
  // over a different expression of the same extent may bound it looser (or
  // not at all: a reshape to value symbols).
  if (isDynamicView)
    if (std::optional<uint64_t> root =
            getBufferUpperBoundBytes(value, symbols_);
        root && offset <= *root)
      bound = std::min(bound.value_or(UINT64_MAX), *root - offset);
  // A caller tensor whose dims are value symbols may have no addressable
  // bound (a product of several dims up to 2^31 - 1): the caller sizes it
  // per run (aicc_session_infer_shapes), so its buffer saturates, as the
  // signature's byte size does.
  if (!bound && isa<BlockArgument>(value) &&
      llvm::any_of(symbols_, [](const SymbolInfo &s) { return s.isValue; }))
    bound = UINT64_MAX;
  if (!bound)
    return emitError(loc, "a buffer of type ")
           << type << " has no upper bound over the symbols";
  uint64_t size = *bound;
  fb::BufferKind kind;
  uint32_t space = 0, ref = 0;
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    bool isInput = argument.getArgNumber() < numInputs_;
    kind = isInput ? fb::BufferKind::Input : fb::BufferKind::Output;
    ref = isInput ? argument.getArgNumber()
                  : argument.getArgNumber() - numInputs_;
  } else if (auto constant = value.getDefiningOp<ConstantOp>()) {
    kind = fb::BufferKind::Constant;
    ref = constants_.lookup(constant.getResult());
  } else if (auto alloc = value.getDefiningOp<AllocOp>();
             alloc && alloc->hasAttr("aicc.state")) {
    FailureOr<uint32_t> pool = getStatePool(alloc);
    if (failed(pool))
      return failure();
    kind = fb::BufferKind::State;
    ref = *pool;
  } else if (auto alloc = value.getDefiningOp<AllocOp>()) {
    if (!alloc.getOffset())
      return alloc.emitOpError("has no offset; run aicc-plan-memory before "
                               "serializing");
    kind = fb::BufferKind::Arena;
    space = static_cast<uint32_t>(alloc.getSpace());
    offset += static_cast<uint64_t>(*alloc.getOffset());
  } else {
    return value.getDefiningOp()->emitOpError(
        "does not define a buffer the artifact can describe");
  }
  auto key = std::make_tuple(kind, space, ref, offset, size);
  auto it = buffers_.find(key);
  if (it != buffers_.end())
    return it->second;
  uint32_t index = writer_.addBuffer({kind, space, ref, offset, size});
  buffers_[key] = index;
  return index;
}

FailureOr<uint32_t> Serializer::getStatePool(AllocOp alloc) {
  auto it = statePools_.find(alloc.getOperation());
  if (it != statePools_.end())
    return it->second;
  auto type = cast<MemRefType>(alloc.getType());
  std::optional<uint64_t> bytes =
      getBufferUpperBoundBytes(alloc.getResult(), symbols_);
  // The block table of a paged KV pool (aicc-exec-kv-state): a pool of its
  // own, described by the KV pool that names it.
  if (auto table = alloc->getAttrOfType<StringAttr>("aicc.kv_table")) {
    if (!bytes || !type.hasStaticShape() || type.getRank() != 1)
      return alloc.emitOpError("is not a static [blocks] block table");
    uint32_t pool = writer_.addStatePool(("kv_table:" + table.getValue()).str(),
                                         /*space=*/0, *bytes);
    statePools_[alloc.getOperation()] = pool;
    return pool;
  }
  auto present = alloc->getAttrOfType<StringAttr>("aicc.state");
  auto past = alloc->getAttrOfType<StringAttr>("aicc.kv_past");
  if (!bytes || !type.hasStaticShape() || type.getRank() != 4 || !past)
    return alloc.emitOpError("is not a static [1, T, H, D] KV state buffer");
  // Its length: dim 2 of the past input's aicc.shape.
  std::vector<int64_t> length;
  for (unsigned i = 0; i < schedule_.getNumInputs(); ++i) {
    auto name = schedule_.getArgAttrOfType<StringAttr>(i, "graph.name");
    auto shape = schedule_.getArgAttrOfType<AffineMapAttr>(i, "aicc.shape");
    if (name && name == past && shape && shape.getValue().getNumResults() == 4)
      if (failed(appendSymbolExprCode(shape.getValue().getResult(2), length)))
        return alloc.emitOpError("the past length of '")
               << past.getValue() << "' is not an expression of the symbols";
  }
  if (length.empty())
    return alloc.emitOpError("has no past input '") << past.getValue() << "'";
  uint32_t pool = writer_.addStatePool(("kv:" + present.getValue()).str(),
                                       /*space=*/0, *bytes);
  uint64_t rowBytes = static_cast<uint64_t>(type.getDimSize(2)) *
                      type.getDimSize(3) * (type.getElementTypeBitWidth() / 8);
  writer_.setStatePoolKv(pool, past.str(), present.str(), "contiguous",
                         std::move(length), rowBytes);
  writer_.setVersion(kFormatVersionMajor, kKvStateVersionMinor);
  // --kv-cache-layout=paged: blocks, and the pool of its block table.
  if (auto block = alloc->getAttrOfType<IntegerAttr>("aicc.kv_block")) {
    AllocOp tableAlloc;
    schedule_.walk([&](AllocOp other) {
      if (auto name = other->getAttrOfType<StringAttr>("aicc.kv_table");
          name && name == present)
        tableAlloc = other;
    });
    if (!tableAlloc)
      return alloc.emitOpError("is a paged KV state without a block table");
    FailureOr<uint32_t> table = getStatePool(tableAlloc);
    if (failed(table))
      return failure();
    writer_.setStatePoolPaged(pool, static_cast<uint32_t>(block.getInt()),
                              *table);
    writer_.setVersion(kFormatVersionMajor, kKvPagedVersionMinor);
  }
  statePools_[alloc.getOperation()] = pool;
  return pool;
}

LogicalResult Serializer::addCommands(ScheduleOp schedule) {
  std::optional<fb::DeviceKind> lastDevice;
  for (Operation &op : schedule.getBody().front()) {
    if (auto dispatch = dyn_cast<DispatchOp>(op)) {
      KernelEntry kernelEntry = kernelEntries_.lookup(kernelKey(dispatch));
      const ExecutableBinary &binary = *binaries_[kernelEntry.binary];
      // Cross-device order: the commands of one device before those of the
      // next.
      if (lastDevice && *lastDevice != binary.device)
        writer_.addBarrier();
      lastDevice = binary.device;
      std::vector<uint32_t> bindings;
      for (Value buffer : llvm::concat<Value>(dispatch.getIns(),
                                              dispatch.getOuts())) {
        FailureOr<uint32_t> index = getBuffer(buffer);
        if (failed(index))
          return failure();
        bindings.push_back(*index);
      }
      StringRef kernel = dispatch.getKernel().getLeafReference().getValue();
      std::vector<uint32_t> workgroupCount;
      auto count = binary.workgroupCounts.find(kernel.str());
      if (count != binary.workgroupCounts.end())
        workgroupCount = count->second;
      uint32_t command = writer_.addDispatch(
          static_cast<uint32_t>(artifactIndex_[kernelEntry.binary]),
          kernelEntry.entry, std::move(bindings), {},
          std::move(workgroupCount));
      if (!dispatch.getPushConstants().empty()) {
        std::vector<std::vector<int64_t>> exprs;
        for (auto [index, value] :
             llvm::enumerate(dispatch.getPushConstants())) {
          std::vector<int64_t> code;
          if (failed(appendIndexCode(value, code)))
            return dispatch.emitOpError("push constant ")
                   << index << " is not computed from the symbols and "
                   << "constants (exec.symbol, arith.constant, affine.apply/"
                   << "min/max)";
          exprs.push_back(std::move(code));
        }
        writer_.setDispatchPushConstantExprs(command, std::move(exprs));
      }
      auto [it, inserted] = kernelFlops_.try_emplace(kernel);
      if (inserted)
        if (func::FuncOp function = dispatch.lookupKernel())
          it->second = countKernelFlops(function);
      std::optional<uint64_t> bytes = countOperandBytes(llvm::to_vector(
          llvm::concat<Value>(dispatch.getIns(), dispatch.getOuts())));
      if (it->second && bytes)
        writer_.setDispatchCost(command, *it->second, *bytes);
    } else if (auto copy = dyn_cast<CopyOp>(op)) {
      FailureOr<uint32_t> source = getBuffer(copy.getSource());
      FailureOr<uint32_t> target = getBuffer(copy.getTarget());
      if (failed(source) || failed(target))
        return failure();
      uint32_t command = writer_.addCopy(*source, *target);
      // --kv-cache: the new rows go to the state at the past length.
      if (auto offset =
              copy->getAttrOfType<AffineMapAttr>("aicc.target_offset")) {
        std::vector<int64_t> code;
        if (offset.getValue().getNumResults() != 1 ||
            failed(appendSymbolExprCode(offset.getValue().getResult(0), code)))
          return copy.emitOpError("aicc.target_offset is not one expression "
                                  "of the symbols");
        writer_.setCopyTargetOffset(command, std::move(code));
      }
      // Dynamic: the bytes of the source's tensor in this run.
      auto type = cast<MemRefType>(copy.getSource().getType());
      if (!type.hasStaticShape()) {
        std::vector<int64_t> code = {
            static_cast<int64_t>(IntExprOp::Const),
            static_cast<int64_t>(*getElementByteSize(type.getElementType()))};
        for (unsigned dim = 0; dim < type.getRank(); ++dim) {
          FailureOr<std::vector<int64_t>> extent =
              getDimCode(copy.getSource(), dim, copy);
          if (failed(extent))
            return failure();
          code.insert(code.end(), extent->begin(), extent->end());
          code.push_back(static_cast<int64_t>(IntExprOp::Mul));
        }
        writer_.setCopyBytes(command, std::move(code));
      }
    } else if (!isa<AllocOp, ConstantOp, ViewOp, ReturnOp, SymbolOp>(op) &&
               !(op.getNumResults() == 1 &&
                 op.getResult(0).getType().isIndex() && isMemoryEffectFree(&op))) {
      return op.emitOpError("cannot be serialized: not an exec command");
    }
  }
  return success();
}

LogicalResult Serializer::run(std::vector<uint8_t> &out) {
  auto schedules = llvm::to_vector(module_.getOps<ScheduleOp>());
  if (schedules.size() != 1)
    return module_.emitError("expected one exec.schedule to serialize, found ")
           << schedules.size();
  ScheduleOp schedule = schedules.front();
  schedule_ = schedule;

  writer_.setProducer(options_.producer);
  std::string name = options_.name;
  if (name.empty())
    name = module_.getSymName() ? module_.getSymName()->str() : "main";
  writer_.setName(name);
  for (const std::string &target : options_.targets)
    writer_.addTarget(target);

  if (failed(addSymbols(schedule)) || failed(addSignature(schedule)) || failed(addExecutable(schedule)) ||
      failed(addConstants(schedule)) || failed(addMemoryPlan(schedule)) ||
      failed(addCommands(schedule)))
    return failure();
  out = writer_.finish();
  return success();
}

LogicalResult aicc::serializeModule(ModuleOp module,
                                    const ExecutableBinary &binary,
                                    std::vector<uint8_t> &out,
                                    const SerializeOptions &options) {
  return Serializer(module, {&binary}, {std::string()}, options).run(out);
}

LogicalResult
aicc::serializePartitionedModule(ModuleOp module,
                                 ArrayRef<NamedExecutableBinary> binaries,
                                 std::vector<uint8_t> &out,
                                 const SerializeOptions &options) {
  std::vector<const ExecutableBinary *> pointers;
  std::vector<std::string> names;
  for (const NamedExecutableBinary &binary : binaries) {
    pointers.push_back(&binary.binary);
    names.push_back(binary.executable);
  }
  if (pointers.empty())
    return module.emitError("a partitioned module needs a binary");
  return Serializer(module, std::move(pointers), std::move(names), options)
      .run(out);
}
