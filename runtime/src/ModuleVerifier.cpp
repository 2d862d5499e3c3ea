//===- ModuleVerifier.cpp - Checks an artifact before anything runs -------===//
//
// Two layers. The FlatBuffers verifier proves that every table, vector and
// string lies inside the FlatBuffer, so the accessors below are safe to call.
// The semantic checks then prove what the schema cannot express: every index
// names an existing entry, every byte range lies inside what it refers to
// (computed without overflow), segments are aligned and the file is exactly
// the FlatBuffer plus its segments, and the checksums match. After this,
// sessions use the module without further checks. docs/Artifact.md lists the
// rules in the same order.
//
//===----------------------------------------------------------------------===//

#include "Checksum.h"
#include "src/IntExpr.h"
#include "src/Module.h"
#include "src/Status.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace aicc;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the artifact is little-endian and used in place");

/// An INVALID_MODULE status; a macro so that printf formats stay checked.
#define AICC_INVALID(...) makeStatus(AICC_STATUS_INVALID_MODULE, __VA_ARGS__)

namespace {

/// Limits that keep a hostile file from making the loader do unbounded work
/// or the executor overflow 32-bit counters; far above any real model.
constexpr size_t kMaxRank = 32;
constexpr uint32_t kMaxBindings = 1u << 16;
constexpr uint32_t kMaxPushConstants = 1u << 16;
constexpr uint32_t kMaxWorkgroupDims = 3;
constexpr uint32_t kMaxTables = 1u << 24;
constexpr uint64_t kSegmentAlignment = 64;
/// Size prefix, root offset and file identifier.
constexpr size_t kMinFileSize = 12;

/// Whether [offset, offset + size) lies inside [0, limit), without overflow.
bool rangeFits(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

template <typename T> uint32_t sizeOf(const flatbuffers::Vector<T> *vector) {
  return vector ? vector->size() : 0;
}

/// Whether the elements of `vector` (null: none) start at a multiple of
/// `alignment` in memory. Debian's FlatBuffers 2.0 verifier checks only a
/// vector's 4-byte length field, so a damaged file can place 8-byte elements
/// ([long], [Segment]) at a 4-byte boundary, and reading them there is
/// undefined behaviour (found by test/fuzz, aicc-fuzz-artifact-resealed).
/// The artifact itself is 64-byte aligned in memory.
template <typename T>
bool elementsAligned(const flatbuffers::Vector<T> *vector, size_t alignment) {
  // An empty vector has no elements to misread (FlatBuffers does not align
  // the data of a 0-length vector, e.g. a scalar's shape).
  return !vector || vector->size() == 0 ||
         reinterpret_cast<uintptr_t>(vector->Data()) % alignment == 0;
}

bool isKnownDevice(fb::DeviceKind kind) {
  return static_cast<unsigned>(kind) <=
         static_cast<unsigned>(fb::DeviceKind::MAX);
}

/// Byte size of a signature tensor, or an error naming it.
aicc_status_t tensorByteSize(const fb::TensorDesc &tensor, const char *what,
                             uint32_t index, uint64_t *out,
                             bool saturate = false) {
  const char *name = tensor.name()->c_str();
  if (!*name)
    return AICC_INVALID("%s %u has an empty name", what, index);
  // Range-check the stored code before it becomes an aicc_element_type_t:
  // an out-of-range enum value is undefined behaviour in C++ (found by
  // test/fuzz, aicc-fuzz-artifact-resealed).
  auto code = static_cast<uint64_t>(tensor.element_type());
  uint64_t bytes =
      code <= AICC_ELEMENT_TYPE_LAST
          ? aicc_element_type_size(static_cast<aicc_element_type_t>(code))
          : 0;
  if (bytes == 0)
    return AICC_INVALID("%s %u ('%s') has unknown element type %u", what, index,
                        name, unsigned(tensor.element_type()));
  const auto *shape = tensor.shape();
  if (!elementsAligned(shape, alignof(int64_t)))
    return AICC_INVALID("%s %u ('%s'): its shape is not %zu-byte aligned; the "
                        "file is corrupt",
                        what, index, name, alignof(int64_t));
  if (sizeOf(shape) > kMaxRank)
    return AICC_INVALID("%s %u ('%s') has rank %u, more than the supported %zu",
                        what, index, name, sizeOf(shape), kMaxRank);
  for (uint32_t d = 0; d < sizeOf(shape); ++d) {
    int64_t dim = shape->Get(d);
    if (dim < 0)
      return AICC_INVALID("%s %u ('%s') has dimension %u = %lld; negative "
                          "dimensions are not supported (a dynamic dim "
                          "stores its upper bound, format 1.3)",
                          what, index, name, d, static_cast<long long>(dim));
    // 1.4: the upper bounds of a dynamic tensor over value symbols may not
    // be addressable (the run's shape is); such a bound saturates.
    uint64_t product = 0;
    bool overflows =
        __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &product) ||
        product > SIZE_MAX;
    if (saturate && overflows) {
      bytes = UINT64_MAX;
      for (uint32_t e = d + 1; e < sizeOf(shape); ++e)
        if (shape->Get(e) < 0)
          return AICC_INVALID("%s %u ('%s') has dimension %u = %lld; negative "
                              "dimensions are not supported",
                              what, index, name, e,
                              static_cast<long long>(shape->Get(e)));
      break;
    }
    if (overflows)
      return AICC_INVALID("%s %u ('%s') is too large: its byte size overflows",
                          what, index, name);
    bytes = product;
  }
  *out = bytes;
  return nullptr;
}

class SemanticVerifier {
public:
  SemanticVerifier(const uint8_t *data, size_t size, size_t fbSize,
                   const fb::AiccModule &root)
      : data_(data), size_(size), fbSize_(fbSize), root_(root) {}

  aicc_status_t run() {
    AICC_RETURN_IF_ERROR(verifySegments());
    AICC_RETURN_IF_ERROR(verifySymbols());
    AICC_RETURN_IF_ERROR(verifySignature());
    AICC_RETURN_IF_ERROR(verifyAssumptions());
    AICC_RETURN_IF_ERROR(verifyExecutables());
    AICC_RETURN_IF_ERROR(verifyConstants());
    AICC_RETURN_IF_ERROR(verifyMemoryPlan());
    AICC_RETURN_IF_ERROR(verifyCommands());
    // Last: the most expensive check, and the others give better messages
    // for files that are structurally wrong rather than damaged.
    return verifySegmentChecksums();
  }

private:
  aicc_status_t verifySegments() {
    const auto *segments = root_.segments();
    if (!elementsAligned(segments, alignof(fb::Segment)))
      return AICC_INVALID("the segment table is not %zu-byte aligned; the "
                          "file is corrupt",
                          alignof(fb::Segment));
    uint64_t end = fbSize_;
    for (uint32_t i = 0; i < sizeOf(segments); ++i) {
      const fb::Segment *segment = segments->Get(i);
      uint64_t offset = segment->offset(), length = segment->length();
      if (offset % kSegmentAlignment != 0)
        return AICC_INVALID("segment %u: offset %llu is not a multiple of %llu",
                            i, (unsigned long long)offset,
                            (unsigned long long)kSegmentAlignment);
      if (offset < end)
        return AICC_INVALID(
            "segment %u: offset %llu overlaps the FlatBuffer or "
            "the previous segment (which end at %llu)",
            i, (unsigned long long)offset, (unsigned long long)end);
      if (!rangeFits(offset, length, size_))
        return AICC_INVALID(
            "segment %u: bytes [%llu, +%llu) extend past the end "
            "of the file (%zu bytes); the file is truncated",
            i, (unsigned long long)offset, (unsigned long long)length, size_);
      for (uint64_t p = end; p < offset; ++p)
        if (data_[p] != 0)
          return AICC_INVALID(
              "padding byte at offset %llu before segment %u is "
              "not zero; the file is corrupt",
              (unsigned long long)p, i);
      end = offset + length;
    }
    if (end != size_)
      return AICC_INVALID(
          "the file has %llu bytes after its last segment; it is "
          "corrupt or was written by a broken tool",
          (unsigned long long)(size_ - end));
    segmentCount_ = sizeOf(segments);
    return nullptr;
  }

  aicc_status_t verifySegmentChecksums() {
    const auto *segments = root_.segments();
    for (uint32_t i = 0; i < segmentCount_; ++i) {
      const fb::Segment *segment = segments->Get(i);
      uint64_t sum = checksum64(data_ + segment->offset(), segment->length());
      if (sum != segment->checksum())
        return AICC_INVALID("segment %u: checksum mismatch (stored %016llx, "
                            "computed %016llx); the file is corrupt",
                            i, (unsigned long long)segment->checksum(),
                            (unsigned long long)sum);
    }
    return nullptr;
  }

  /// Checks IntExpr `expr` (`what` describes where it is, for messages)
  /// and stores its range over the symbols' ranges in `*range`.
  aicc_status_t checkExpr(const fb::IntExpr *expr, const std::string &what,
                          IntRange *range) {
    IntExprCheckOptions options;
    // 1.4 modules with value symbols: what the ranges cannot prove is
    // checked when evaluated.
    options.runtimeChecks = hasValueSymbols_;
    return checkExpr(expr, what, range, symbolRanges_, options);
  }
  aicc_status_t checkExpr(const fb::IntExpr *expr, const std::string &what,
                          IntRange *range,
                          const std::vector<IntRange> &symbols,
                          const IntExprCheckOptions &options) {
    if (!expr || !expr->code() || expr->code()->size() == 0)
      return AICC_INVALID("%s: the integer expression is empty", what.c_str());
    if (!elementsAligned(expr->code(), alignof(int64_t)))
      return AICC_INVALID("%s: the integer expression is not %zu-byte "
                          "aligned; the file is corrupt",
                          what.c_str(), alignof(int64_t));
    std::string error;
    if (!checkIntExpr(expr->code()->data(), expr->code()->size(), symbols,
                      range, &error, options))
      return AICC_INVALID("%s: malformed integer expression: %s", what.c_str(),
                          error.c_str());
    return nullptr;
  }

  aicc_status_t verifySymbols() {
    const auto *symbols = root_.symbols();
    std::set<std::string> names;
    for (uint32_t i = 0; i < sizeOf(symbols); ++i) {
      const fb::Symbol *symbol = symbols->Get(i);
      const char *name = symbol->name()->c_str();
      if (!*name)
        return AICC_INVALID("symbol %u has an empty name", i);
      if (!names.insert(name).second)
        return AICC_INVALID("symbol %u: name '%s' is used twice", i, name);
      // A value symbol (1.4) may be any integer range (e.g. a pad begin);
      // a dim symbol is a size.
      bool isValue = symbol->def() != nullptr;
      if ((!isValue && symbol->min() < 0) || symbol->min() > symbol->max())
        return AICC_INVALID("symbol %u ('%s'): range %lld..%lld is not a "
                            "non-empty range of %s",
                            i, name, static_cast<long long>(symbol->min()),
                            static_cast<long long>(symbol->max()),
                            isValue ? "integers" : "sizes");
      symbolRanges_.push_back({symbol->min(), symbol->max()});
      isValueSymbol_.push_back(isValue);
      hasValueSymbols_ |= isValue;
    }
    symbolBound_.assign(symbolRanges_.size(), false);
    return nullptr;
  }

  /// Format 1.3 dims of signature tensor `index`.
  aicc_status_t verifyTensorDims(const fb::TensorDesc &tensor, const char *what,
                                 uint32_t index) {
    const auto *dims = tensor.dims();
    if (!dims)
      return nullptr;
    const char *name = tensor.name()->c_str();
    if (dims->size() != sizeOf(tensor.shape()))
      return AICC_INVALID("%s %u ('%s') has %u dim expressions for rank %u",
                          what, index, name, dims->size(),
                          sizeOf(tensor.shape()));
    bool isInput = std::strcmp(what, "input") == 0;
    for (uint32_t d = 0; d < dims->size(); ++d) {
      std::string where = std::string(what) + " " + std::to_string(index) +
                          " ('" + name + "') dim " + std::to_string(d);
      IntRange range;
      AICC_RETURN_IF_ERROR(checkExpr(dims->Get(d), where, &range));
      const auto *code = dims->Get(d)->code();
      int64_t operand = 0;
      bool isSym = isSymIntExpr(code->data(), code->size(), &operand);
      if (isInput && !isSym &&
          !isConstIntExpr(code->data(), code->size(), &operand))
        return AICC_INVALID(
            "%s: an input dim must be a constant or a "
            "symbol, not '%s'",
            where.c_str(),
            formatIntExpr(code->data(), code->size(), symbolNames()).c_str());
      if (isSym && isInput && isValueSymbol_[static_cast<size_t>(operand)])
        return AICC_INVALID("%s: symbol %lld ('%s') is a value symbol (it has "
                            "a definition); an input dim must be a dim "
                            "symbol",
                            where.c_str(), static_cast<long long>(operand),
                            root_.symbols()->Get(static_cast<uint32_t>(
                                operand))->name()->c_str());
      if (isSym && isInput)
        symbolBound_[static_cast<size_t>(operand)] = true;
      if (isInput && !isSym && operand < 0)
        return AICC_INVALID("%s: the constant dim %lld is negative",
                            where.c_str(), static_cast<long long>(operand));
      int64_t bound = tensor.shape()->Get(d);
      if (range.hi > bound)
        return AICC_INVALID(
            "%s: '%s' can be %lld, above the upper bound %lld "
            "in its shape",
            where.c_str(),
            formatIntExpr(code->data(), code->size(), symbolNames()).c_str(),
            static_cast<long long>(range.hi), static_cast<long long>(bound));
    }
    return nullptr;
  }

  std::vector<std::string> symbolNames() const {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < sizeOf(root_.symbols()); ++i)
      names.push_back(root_.symbols()->Get(i)->name()->str());
    return names;
  }

  /// 1.4: the definitions of value symbols. Symbol i may use the symbols
  /// before it and read the inputs (LOAD family: input index, element index
  /// and element type are checked here).
  aicc_status_t verifyValueSymbols() {
    const auto *symbols = root_.symbols();
    for (uint32_t i = 0; i < sizeOf(symbols); ++i) {
      const fb::Symbol *symbol = symbols->Get(i);
      if (!symbol->def())
        continue;
      IntExprCheckOptions options;
      options.inputs = &loadableInputs_;
      options.runtimeChecks = true;
      std::vector<IntRange> earlier(symbolRanges_.begin(),
                                    symbolRanges_.begin() + i);
      IntRange range;
      AICC_RETURN_IF_ERROR(checkExpr(symbol->def(),
                                     "symbol " + std::to_string(i) + " ('" +
                                         symbol->name()->str() +
                                         "') definition",
                                     &range, earlier, options));
    }
    return nullptr;
  }

  aicc_status_t verifyAssumptions() {
    AICC_RETURN_IF_ERROR(verifyValueSymbols());
    for (uint32_t i = 0; i < symbolBound_.size(); ++i)
      if (!symbolBound_[i] && !isValueSymbol_[i])
        return AICC_INVALID("symbol %u ('%s') is no input's dim, so nothing "
                            "binds it",
                            i, root_.symbols()->Get(i)->name()->c_str());
    const auto *assumptions = root_.assumptions();
    for (uint32_t i = 0; i < sizeOf(assumptions); ++i) {
      const fb::Assumption *assumption = assumptions->Get(i);
      std::string where = "assumption " + std::to_string(i);
      IntRange range;
      AICC_RETURN_IF_ERROR(
          checkExpr(assumption->lhs(), where + " lhs", &range));
      AICC_RETURN_IF_ERROR(
          checkExpr(assumption->rhs(), where + " rhs", &range));
    }
    return nullptr;
  }

  aicc_status_t verifyTensors(
      const flatbuffers::Vector<flatbuffers::Offset<fb::TensorDesc>> *tensors,
      const char *what, std::vector<uint64_t> &byteSizes) {
    std::set<std::string> names;
    for (uint32_t i = 0; i < sizeOf(tensors); ++i) {
      uint64_t bytes;
      AICC_RETURN_IF_ERROR(tensorByteSize(
          *tensors->Get(i), what, i, &bytes,
          hasValueSymbols_ && tensors->Get(i)->dims() != nullptr));
      AICC_RETURN_IF_ERROR(verifyTensorDims(*tensors->Get(i), what, i));
      if (!names.insert(tensors->Get(i)->name()->str()).second)
        return AICC_INVALID("%s %u: name '%s' is used twice", what, i,
                            tensors->Get(i)->name()->c_str());
      byteSizes.push_back(bytes);
    }
    return nullptr;
  }

  aicc_status_t verifySignature() {
    const fb::Signature *signature = root_.signature();
    if (!signature)
      return nullptr;
    AICC_RETURN_IF_ERROR(
        verifyTensors(signature->inputs(), "input", inputBytes_));
    // What the LOAD family may read: static inputs, by element count.
    for (uint32_t i = 0; i < sizeOf(signature->inputs()); ++i) {
      const fb::TensorDesc *tensor = signature->inputs()->Get(i);
      IntExprInput input;
      input.type = static_cast<aicc_element_type_t>(tensor->element_type());
      input.count = 0;
      if (!tensor->dims()) {
        input.count = 1;
        for (uint32_t d = 0; d < sizeOf(tensor->shape()); ++d)
          input.count *= static_cast<uint64_t>(tensor->shape()->Get(d));
      }
      loadableInputs_.push_back(input);
    }
    return verifyTensors(signature->outputs(), "output", outputBytes_);
  }

  aicc_status_t verifyExecutables() {
    const auto *executables = root_.executables();
    for (uint32_t i = 0; i < sizeOf(executables); ++i) {
      const fb::Executable *exe = executables->Get(i);
      if (!isKnownDevice(exe->device()))
        return AICC_INVALID("executable %u: unknown device kind %u", i,
                            unsigned(exe->device()));
      if (exe->format()->size() == 0)
        return AICC_INVALID("executable %u: empty format string", i);
      if (exe->segment() >= segmentCount_)
        return AICC_INVALID(
            "executable %u: segment %u does not exist (the file "
            "has %u segments)",
            i, exe->segment(), segmentCount_);
      const auto *entries = exe->entry_points();
      for (uint32_t e = 0; e < entries->size(); ++e) {
        const fb::EntryPoint *entry = entries->Get(e);
        if (entry->name()->size() == 0)
          return AICC_INVALID("executable %u: entry point %u has an empty name",
                              i, e);
        if (entry->binding_count() > kMaxBindings)
          return AICC_INVALID("executable %u: entry point '%s' declares %u "
                              "bindings, more than the supported %u",
                              i, entry->name()->c_str(), entry->binding_count(),
                              kMaxBindings);
        if (entry->push_constant_count() > kMaxPushConstants)
          return AICC_INVALID(
              "executable %u: entry point '%s' declares %u push "
              "constants, more than the supported %u",
              i, entry->name()->c_str(), entry->push_constant_count(),
              kMaxPushConstants);
        if (sizeOf(entry->workgroup_size()) > kMaxWorkgroupDims)
          return AICC_INVALID("executable %u: entry point '%s' has a %u-D "
                              "workgroup size (at most 3-D)",
                              i, entry->name()->c_str(),
                              sizeOf(entry->workgroup_size()));
      }
      const auto *features = exe->required_features();
      for (uint32_t f = 0; f < sizeOf(features); ++f)
        if (features->Get(f)->size() == 0)
          return AICC_INVALID("executable %u: required feature %u is empty", i,
                              f);
    }
    return nullptr;
  }

  aicc_status_t verifyConstants() {
    const auto *constants = root_.constants();
    const auto *segments = root_.segments();
    for (uint32_t i = 0; i < sizeOf(constants); ++i) {
      const fb::Constant *constant = constants->Get(i);
      if (constant->segment() >= segmentCount_)
        return AICC_INVALID(
            "constant %u: segment %u does not exist (the file has "
            "%u segments)",
            i, constant->segment(), segmentCount_);
      uint32_t alignment = constant->alignment();
      if (alignment == 0 || (alignment & (alignment - 1)) != 0 ||
          alignment > kSegmentAlignment)
        return AICC_INVALID(
            "constant %u: alignment %u is not a power of two in "
            "[1, 64]",
            i, alignment);
      if (constant->offset() % alignment != 0)
        return AICC_INVALID("constant %u: offset %llu is not aligned to %u", i,
                            (unsigned long long)constant->offset(), alignment);
      uint64_t length = segments->Get(constant->segment())->length();
      if (!rangeFits(constant->offset(), constant->size(), length))
        return AICC_INVALID(
            "constant %u: bytes [%llu, +%llu) exceed segment %u "
            "(%llu bytes)",
            i, (unsigned long long)constant->offset(),
            (unsigned long long)constant->size(), constant->segment(),
            (unsigned long long)length);
    }
    return nullptr;
  }

  /// 1.5: the paged KV layout. A "paged" pool holds whole blocks of
  /// block_tokens rows of row_bytes and names its "block_table" pool (one
  /// int32 per block, used by no other paged pool); every table belongs to
  /// one paged pool. Unknown layouts are rejected.
  aicc_status_t verifyKvLayouts() {
    const auto *pools = root_.state_pools();
    uint32_t count = sizeOf(pools);
    std::vector<int64_t> owner(count, -1);
    for (uint32_t i = 0; i < count; ++i) {
      const fb::StatePool *pool = pools->Get(i);
      if (!pool->layout())
        continue;
      std::string_view layout =
          std::string_view(pool->layout()->c_str(), pool->layout()->size());
      if (layout == "contiguous" || layout == "block_table")
        continue;
      if (layout != "paged")
        return AICC_INVALID("state pool %u: unknown KV layout '%.*s'", i,
                            int(std::min<size_t>(layout.size(), 64)),
                            layout.data());
      uint64_t block = pool->block_tokens(), row = pool->row_bytes();
      if (!pool->kv_present() || !pool->length())
        return AICC_INVALID("state pool %u: a paged pool needs kv_present "
                            "and length",
                            i);
      if (block == 0)
        return AICC_INVALID("state pool %u: paged with a block of 0 tokens", i);
      if (row == 0 || row > pool->size() / block)
        return AICC_INVALID("state pool %u: a block of %llu rows of %llu "
                            "bytes does not fit its %llu bytes",
                            i, (unsigned long long)block,
                            (unsigned long long)row,
                            (unsigned long long)pool->size());
      uint64_t blockBytes = block * row;
      uint64_t blocks = pool->size() / blockBytes;
      if (pool->size() % blockBytes || blocks > INT32_MAX)
        return AICC_INVALID("state pool %u: its %llu bytes are not whole "
                            "blocks of %llu bytes (at most 2^31 - 1)",
                            i, (unsigned long long)pool->size(),
                            (unsigned long long)blockBytes);
      uint32_t table = pool->block_table();
      if (table >= count || table == i)
        return AICC_INVALID("state pool %u: block table pool %u does not "
                            "exist",
                            i, table);
      const fb::StatePool *tablePool = pools->Get(table);
      if (!tablePool->layout() ||
          std::string_view(tablePool->layout()->c_str(),
                           tablePool->layout()->size()) != "block_table")
        return AICC_INVALID("state pool %u: its block table (pool %u) is "
                            "not a \"block_table\" pool",
                            i, table);
      if (tablePool->size() != blocks * 4 ||
          tablePool->space() != pool->space())
        return AICC_INVALID("state pool %u: its block table (pool %u) holds "
                            "%llu bytes, not %llu (4 per block) in memory "
                            "space %u",
                            i, table, (unsigned long long)tablePool->size(),
                            (unsigned long long)(blocks * 4), pool->space());
      if (owner[table] >= 0)
        return AICC_INVALID("state pools %lld and %u share block table %u",
                            (long long)owner[table], i, table);
      owner[table] = i;
    }
    for (uint32_t i = 0; i < count; ++i) {
      const fb::StatePool *pool = pools->Get(i);
      if (pool->layout() &&
          std::string_view(pool->layout()->c_str(), pool->layout()->size()) ==
              "block_table" &&
          owner[i] < 0)
        return AICC_INVALID("state pool %u: a block table of no paged pool", i);
    }
    return nullptr;
  }

  aicc_status_t verifyMemoryPlan() {
    const fb::MemoryPlan *plan = root_.memory_plan();
    const auto *spaces = plan ? plan->spaces() : nullptr;
    const auto *buffers = plan ? plan->buffers() : nullptr;
    const auto *constants = root_.constants();
    const auto *pools = root_.state_pools();
    spaceCount_ = sizeOf(spaces);
    for (uint32_t i = 0; i < spaceCount_; ++i) {
      const fb::MemorySpace *space = spaces->Get(i);
      if (!isKnownDevice(space->device()))
        return AICC_INVALID("memory space %u: unknown device kind %u", i,
                            unsigned(space->device()));
      if (space->arena_size() > SIZE_MAX / 2)
        return AICC_INVALID(
            "memory space %u: arena size %llu is not addressable", i,
            (unsigned long long)space->arena_size());
      if (space->lower_bound() > space->arena_size())
        return AICC_INVALID(
            "memory space %u: lower bound %llu exceeds the arena "
            "size %llu",
            i, (unsigned long long)space->lower_bound(),
            (unsigned long long)space->arena_size());
    }
    for (uint32_t i = 0; i < sizeOf(pools); ++i) {
      const fb::StatePool *pool = pools->Get(i);
      if (pool->space() >= spaceCount_)
        return AICC_INVALID("state pool %u: memory space %u does not exist", i,
                            pool->space());
      if (pool->size() > SIZE_MAX / 2)
        return AICC_INVALID("state pool %u: size %llu is not addressable", i,
                            (unsigned long long)pool->size());
    }
    AICC_RETURN_IF_ERROR(verifyKvLayouts());

    bufferCount_ = sizeOf(buffers);
    for (uint32_t i = 0; i < bufferCount_; ++i) {
      const fb::Buffer *buffer = buffers->Get(i);
      uint64_t limit = 0;
      const char *container = "";
      uint32_t ref = buffer->ref();
      switch (buffer->kind()) {
      case fb::BufferKind::Arena:
        if (buffer->space() >= spaceCount_)
          return AICC_INVALID("buffer %u: memory space %u does not exist (the "
                              "plan has %u)",
                              i, buffer->space(), spaceCount_);
        limit = spaces->Get(buffer->space())->arena_size();
        container = "its arena";
        break;
      case fb::BufferKind::Constant:
        if (ref >= sizeOf(constants))
          return AICC_INVALID("buffer %u: constant %u does not exist", i, ref);
        limit = constants->Get(ref)->size();
        container = "its constant";
        break;
      case fb::BufferKind::Input:
        if (ref >= inputBytes_.size())
          return AICC_INVALID("buffer %u: input %u does not exist", i, ref);
        limit = inputBytes_[ref];
        container = "its input tensor";
        break;
      case fb::BufferKind::Output:
        if (ref >= outputBytes_.size())
          return AICC_INVALID("buffer %u: output %u does not exist", i, ref);
        limit = outputBytes_[ref];
        container = "its output tensor";
        break;
      case fb::BufferKind::State:
        if (ref >= sizeOf(pools))
          return AICC_INVALID("buffer %u: state pool %u does not exist", i,
                              ref);
        if (buffer->space() != pools->Get(ref)->space())
          return AICC_INVALID("buffer %u: memory space %u differs from that of "
                              "state pool %u (%u)",
                              i, buffer->space(), ref,
                              pools->Get(ref)->space());
        limit = pools->Get(ref)->size();
        container = "its state pool";
        break;
      default:
        return AICC_INVALID("buffer %u: unknown kind %u", i,
                            unsigned(buffer->kind()));
      }
      if (buffer->size_expr()) {
        // 1.4, runtime-allocated: `ref` numbers the allocation, the size
        // (and offset + size) are checked per run.
        if (buffer->kind() != fb::BufferKind::Arena)
          return AICC_INVALID("buffer %u: only an arena buffer can be "
                              "runtime-allocated (size_expr)",
                              i);
        // The compiler gives a buffer a size expression because it could
        // not bound it: what may overflow or divide by <= 0 is checked
        // when evaluated.
        IntExprCheckOptions options;
        options.runtimeChecks = true;
        IntRange range;
        AICC_RETURN_IF_ERROR(
            checkExpr(buffer->size_expr(),
                      "buffer " + std::to_string(i) + " size", &range,
                      symbolRanges_, options));
        if (buffer->offset() > static_cast<uint64_t>(INT64_MAX))
          return AICC_INVALID("buffer %u: offset %llu is not addressable", i,
                              (unsigned long long)buffer->offset());
        runtimeBuffer_.push_back(true);
        continue;
      }
      runtimeBuffer_.push_back(false);
      if (!rangeFits(buffer->offset(), buffer->size(), limit))
        return AICC_INVALID(
            "buffer %u: bytes [%llu, +%llu) exceed %s (%llu bytes)", i,
            (unsigned long long)buffer->offset(),
            (unsigned long long)buffer->size(), container,
            (unsigned long long)limit);
    }
    return nullptr;
  }

  aicc_status_t verifyDispatch(uint32_t i, const fb::Dispatch &dispatch) {
    const auto *executables = root_.executables();
    if (dispatch.executable() >= sizeOf(executables))
      return AICC_INVALID("command %u: dispatch names executable %u, but the "
                          "module has %u",
                          i, dispatch.executable(), sizeOf(executables));
    const fb::Executable *exe = executables->Get(dispatch.executable());
    const auto *entries = exe->entry_points();
    if (dispatch.entry_point() >= entries->size())
      return AICC_INVALID("command %u: dispatch names entry point %u of "
                          "executable %u, which has %u",
                          i, dispatch.entry_point(), dispatch.executable(),
                          entries->size());
    const fb::EntryPoint *entry = entries->Get(dispatch.entry_point());
    const auto *bindings = dispatch.bindings();
    if (sizeOf(bindings) != entry->binding_count())
      return AICC_INVALID("command %u: dispatch of '%s' binds %u buffers, the "
                          "entry point takes %u",
                          i, entry->name()->c_str(), sizeOf(bindings),
                          entry->binding_count());
    for (uint32_t b = 0; b < sizeOf(bindings); ++b)
      if (bindings->Get(b) >= bufferCount_)
        return AICC_INVALID("command %u: binding %u names buffer %u, but the "
                            "buffer table has %u",
                            i, b, bindings->Get(b), bufferCount_);
    if (!elementsAligned(dispatch.push_constants(), alignof(int64_t)))
      return AICC_INVALID("command %u: its push constants are not %zu-byte "
                          "aligned; the file is corrupt",
                          i, alignof(int64_t));
    if (const auto *exprs = dispatch.push_constant_exprs()) {
      // 1.3: the expressions replace push_constants.
      if (exprs->size() != entry->push_constant_count())
        return AICC_INVALID(
            "command %u: dispatch of '%s' passes %u push constant "
            "expressions, the entry point takes %u push constants",
            i, entry->name()->c_str(), exprs->size(),
            entry->push_constant_count());
      for (uint32_t p = 0; p < exprs->size(); ++p) {
        IntRange range;
        AICC_RETURN_IF_ERROR(checkExpr(exprs->Get(p),
                                       "command " + std::to_string(i) +
                                           ": push constant " +
                                           std::to_string(p),
                                       &range));
      }
    } else if (sizeOf(dispatch.push_constants()) !=
               entry->push_constant_count()) {
      return AICC_INVALID(
          "command %u: dispatch of '%s' passes %u push constants, "
          "the entry point takes %u",
          i, entry->name()->c_str(), sizeOf(dispatch.push_constants()),
          entry->push_constant_count());
    }
    if (sizeOf(dispatch.workgroup_count()) > kMaxWorkgroupDims)
      return AICC_INVALID("command %u: %u-D workgroup count (at most 3-D)", i,
                          sizeOf(dispatch.workgroup_count()));
    return nullptr;
  }

  aicc_status_t verifyCopy(uint32_t i, const fb::Copy &copy) {
    const auto *buffers =
        root_.memory_plan() ? root_.memory_plan()->buffers() : nullptr;
    if (copy.source() >= bufferCount_ || copy.target() >= bufferCount_)
      return AICC_INVALID(
          "command %u: copy names buffer %u -> %u, but the buffer "
          "table has %u",
          i, copy.source(), copy.target(), bufferCount_);
    const fb::Buffer *source = buffers->Get(copy.source());
    const fb::Buffer *target = buffers->Get(copy.target());
    bool runtimeSized =
        runtimeBuffer_[copy.source()] || runtimeBuffer_[copy.target()];
    if (runtimeSized && !copy.bytes())
      return AICC_INVALID("command %u: a copy of a runtime-allocated buffer "
                          "needs its size expression (bytes)",
                          i);
    // With value symbols a copy of per-run size (bytes) may join buffers of
    // different upper-bound sizes (a view of a static input copied to an
    // output whose dims are value symbols); the run checks the size
    // against both.
    bool checkedPerRun = hasValueSymbols_ && copy.bytes();
    if (!runtimeSized && !checkedPerRun && source->size() != target->size())
      return AICC_INVALID(
          "command %u: copy from buffer %u (%llu bytes) to buffer "
          "%u (%llu bytes) changes the size",
          i, copy.source(), (unsigned long long)source->size(), copy.target(),
          (unsigned long long)target->size());
    if (target->kind() == fb::BufferKind::Constant ||
        target->kind() == fb::BufferKind::Input)
      return AICC_INVALID("command %u: copy target buffer %u is read-only (a "
                          "constant or input)",
                          i, copy.target());
    if (copy.bytes()) {
      IntExprCheckOptions options;
      options.runtimeChecks = hasValueSymbols_ || runtimeSized;
      IntRange range;
      AICC_RETURN_IF_ERROR(checkExpr(copy.bytes(),
                                     "command " + std::to_string(i) +
                                         ": copy size",
                                     &range, symbolRanges_, options));
      if (!runtimeSized && !checkedPerRun && range.hi > 0 &&
          static_cast<uint64_t>(range.hi) > source->size())
        return AICC_INVALID("command %u: the copy can move %lld bytes, more "
                            "than buffer %u holds (%llu)",
                            i, static_cast<long long>(range.hi), copy.source(),
                            (unsigned long long)source->size());
    }
    // 1.4: a copy into a state pool at a per-run offset (the KV cache).
    if (copy.target_offset()) {
      if (target->kind() != fb::BufferKind::State)
        return AICC_INVALID("command %u: a copy with a target offset must "
                            "write a state pool",
                            i);
      IntRange range;
      AICC_RETURN_IF_ERROR(checkExpr(
          copy.target_offset(),
          "command " + std::to_string(i) + ": copy target offset", &range));
      const auto *pools = root_.state_pools();
      uint64_t pool = pools && target->ref() < pools->size()
                          ? pools->Get(target->ref())->size()
                          : 0;
      if (range.lo < 0 ||
          target->offset() + static_cast<uint64_t>(range.hi) + source->size() >
              pool)
        return AICC_INVALID("command %u: the copy can write up to byte %llu "
                            "of state pool %u, which holds %llu",
                            i,
                            (unsigned long long)(target->offset() +
                                                 static_cast<uint64_t>(
                                                     std::max<int64_t>(
                                                         range.hi, 0)) +
                                                 source->size()),
                            target->ref(), (unsigned long long)pool);
    }
    return nullptr;
  }

  aicc_status_t verifyCommands() {
    const auto *commands = root_.commands();
    for (uint32_t i = 0; i < sizeOf(commands); ++i) {
      const fb::Command *command = commands->Get(i);
      // The FlatBuffers verifier accepts an absent union value, so the
      // accessors below may return null.
      switch (command->op_type()) {
      case fb::CommandOp::Dispatch:
        if (!command->op_as_Dispatch())
          return AICC_INVALID("command %u: dispatch without its table", i);
        AICC_RETURN_IF_ERROR(verifyDispatch(i, *command->op_as_Dispatch()));
        break;
      case fb::CommandOp::Copy:
        if (!command->op_as_Copy())
          return AICC_INVALID("command %u: copy without its table", i);
        AICC_RETURN_IF_ERROR(verifyCopy(i, *command->op_as_Copy()));
        break;
      case fb::CommandOp::Barrier:
        break;
      default:
        return AICC_INVALID("command %u: unknown command type %u", i,
                            unsigned(command->op_type()));
      }
    }
    return nullptr;
  }

  const uint8_t *data_;
  size_t size_;
  size_t fbSize_;
  const fb::AiccModule &root_;
  uint32_t segmentCount_ = 0;
  uint32_t spaceCount_ = 0;
  uint32_t bufferCount_ = 0;
  std::vector<uint64_t> inputBytes_, outputBytes_;
  std::vector<IntRange> symbolRanges_;
  /// 1.4: whether symbol i has a definition; whether any does.
  std::vector<bool> isValueSymbol_;
  bool hasValueSymbols_ = false;
  /// 1.4: the inputs the LOAD family may read (type, element count).
  std::vector<IntExprInput> loadableInputs_;
  /// 1.4: whether buffer i is runtime-allocated.
  std::vector<bool> runtimeBuffer_;
  /// Whether symbol i is exactly some input dim.
  std::vector<bool> symbolBound_;
};

} // namespace

aicc_status_t aicc::verifyModule(const uint8_t *data, size_t size,
                                 const fb::AiccModule **outRoot) {
  if (size < kMinFileSize)
    return AICC_INVALID(
        "the file is %zu bytes, too small to be an .aicc module", size);
  if (!fb::SizePrefixedAiccModuleBufferHasIdentifier(data)) {
    static const char kMlirText[] = "module";
    if (std::memcmp(data, kMlirText, sizeof(kMlirText) - 1) == 0)
      return AICC_INVALID("not an .aicc module: the file is MLIR text (aicc "
                          "writes MLIR when it is given no --target; compile "
                          "with --target=NAME)");
    char id[5] = {0};
    for (int i = 0; i < 4; ++i) {
      char c = static_cast<char>(data[8 + i]);
      id[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return AICC_INVALID("not an .aicc module (file identifier '%s', expected "
                        "'AICC')",
                        id);
  }
  uint32_t prefix;
  std::memcpy(&prefix, data, 4);
  uint64_t fbSize = uint64_t(prefix) + 4;
  if (fbSize > size)
    return AICC_INVALID(
        "the file is truncated: its FlatBuffer needs %llu bytes, "
        "the file has %zu",
        (unsigned long long)fbSize, size);
  if (fbSize >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return AICC_INVALID("the FlatBuffer size %llu exceeds the 2 GiB limit",
                        (unsigned long long)fbSize);

  flatbuffers::Verifier::Options options;
  options.max_tables = kMaxTables;
  flatbuffers::Verifier verifier(data, static_cast<size_t>(fbSize), options);
  if (!fb::VerifySizePrefixedAiccModuleBuffer(verifier))
    return AICC_INVALID(
        "FlatBuffer verification failed: the file is corrupt or "
        "not an .aicc module");
  const fb::AiccModule *root = fb::GetSizePrefixedAiccModule(data);

  // Version before checksum: a future format may checksum differently, and
  // "unsupported version" is the useful message then.
  if (root->version_major() != AICC_FORMAT_VERSION_MAJOR)
    return makeStatus(AICC_STATUS_UNSUPPORTED,
                      "format version %u.%u is not supported; this runtime "
                      "reads version %d.x",
                      unsigned(root->version_major()),
                      unsigned(root->version_minor()),
                      AICC_FORMAT_VERSION_MAJOR);

  const uint8_t *field =
      reinterpret_cast<const flatbuffers::Table *>(root)->GetAddressOf(
          fb::AiccModule::VT_CHECKSUM);
  if (!field)
    return AICC_INVALID("the module has no checksum");
  uint64_t sum = checksum64(data, static_cast<size_t>(fbSize),
                            static_cast<size_t>(field - data));
  if (sum != root->checksum())
    return AICC_INVALID(
        "FlatBuffer checksum mismatch (stored %016llx, computed "
        "%016llx); the file is corrupt",
        (unsigned long long)root->checksum(), (unsigned long long)sum);

  SemanticVerifier semantic(data, size, static_cast<size_t>(fbSize), *root);
  AICC_RETURN_IF_ERROR(semantic.run());
  *outRoot = root;
  return nullptr;
}
