//===- ModuleWriter.cpp - Builds .aicc artifacts --------------------------===//
//
// The FlatBuffer is built once with placeholder segment offsets and
// checksums; because Segment is a fixed-size struct and the checksum field is
// always present, filling in the real values afterwards does not change the
// FlatBuffer's size, so they are patched in place.
//
//===----------------------------------------------------------------------===//

#include "aicc/ModuleWriter.h"

#include "Checksum.h"

#include <cstdio>
#include <cstring>
#include <utility>

using namespace aicc;

size_t aicc::elementTypeSize(fb::ElementType type) {
  switch (type) {
  case fb::ElementType::F64:
  case fb::ElementType::I64:
  case fb::ElementType::U64:
    return 8;
  case fb::ElementType::F32:
  case fb::ElementType::I32:
  case fb::ElementType::U32:
    return 4;
  case fb::ElementType::F16:
  case fb::ElementType::BF16:
  case fb::ElementType::I16:
  case fb::ElementType::U16:
    return 2;
  case fb::ElementType::I8:
  case fb::ElementType::U8:
  case fb::ElementType::Bool:
  case fb::ElementType::F8E4M3FN:
  case fb::ElementType::F8E4M3FNUZ:
  case fb::ElementType::F8E5M2:
  case fb::ElementType::F8E5M2FNUZ:
  case fb::ElementType::F8E8M0FNU:
  case fb::ElementType::F4E2M1FN:
  case fb::ElementType::I4:
  case fb::ElementType::U4:
  case fb::ElementType::I2:
  case fb::ElementType::U2:
    return 1;
  default:
    return 0;
  }
}

static uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

ModuleWriter::ModuleWriter() = default;

void ModuleWriter::setVersion(uint16_t major, uint16_t minor) {
  versionMajor_ = major;
  versionMinor_ = minor;
}
void ModuleWriter::setProducer(std::string producer) {
  producer_ = std::move(producer);
}
void ModuleWriter::setName(std::string name) { name_ = std::move(name); }
void ModuleWriter::addTarget(std::string target) {
  targets_.push_back(std::move(target));
}

uint32_t ModuleWriter::addInput(std::string name, fb::ElementType type,
                                std::vector<int64_t> shape) {
  inputs_.push_back({std::move(name), type, std::move(shape)});
  return static_cast<uint32_t>(inputs_.size() - 1);
}

uint32_t ModuleWriter::addOutput(std::string name, fb::ElementType type,
                                 std::vector<int64_t> shape) {
  outputs_.push_back({std::move(name), type, std::move(shape)});
  return static_cast<uint32_t>(outputs_.size() - 1);
}

uint32_t ModuleWriter::addSegment(const void *data, size_t size) {
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  return addSegment(std::vector<uint8_t>(bytes, bytes + size));
}

uint32_t ModuleWriter::addSegment(std::vector<uint8_t> bytes) {
  segments_.push_back(std::move(bytes));
  return static_cast<uint32_t>(segments_.size() - 1);
}

uint32_t ModuleWriter::addConstant(std::string name, uint32_t segment,
                                   uint64_t offset, uint64_t size,
                                   uint32_t alignment) {
  constants_.push_back({std::move(name), segment, offset, size, alignment});
  return static_cast<uint32_t>(constants_.size() - 1);
}

uint32_t ModuleWriter::addConstantData(std::string name, const void *data,
                                       size_t size) {
  uint32_t segment = addSegment(data, size);
  return addConstant(std::move(name), segment, 0, size);
}

uint32_t ModuleWriter::addExecutable(ExecutableDesc executable) {
  executables_.push_back(std::move(executable));
  return static_cast<uint32_t>(executables_.size() - 1);
}

uint32_t ModuleWriter::addMemorySpace(std::string name, fb::DeviceKind device,
                                      uint64_t arenaSize, uint64_t lowerBound) {
  spaces_.push_back({std::move(name), device, arenaSize, lowerBound});
  return static_cast<uint32_t>(spaces_.size() - 1);
}

uint32_t ModuleWriter::addStatePool(std::string name, uint32_t space,
                                    uint64_t size) {
  pools_.push_back({std::move(name), space, size});
  return static_cast<uint32_t>(pools_.size() - 1);
}

void ModuleWriter::setStatePoolKv(uint32_t pool, std::string past,
                                  std::string present, std::string layout,
                                  IntExprCode length, uint64_t rowBytes) {
  if (pool >= pools_.size())
    return;
  PoolEntry &p = pools_[pool];
  p.isKv = true;
  p.kvPast = std::move(past);
  p.kvPresent = std::move(present);
  p.layout = std::move(layout);
  p.length = std::move(length);
  p.rowBytes = rowBytes;
}

void ModuleWriter::setStatePoolPaged(uint32_t pool, uint32_t blockTokens,
                                     uint32_t tablePool) {
  if (pool >= pools_.size() || tablePool >= pools_.size())
    return;
  PoolEntry &p = pools_[pool];
  p.layout = "paged";
  p.blockTokens = blockTokens;
  p.blockTable = tablePool;
  PoolEntry &table = pools_[tablePool];
  table.isKv = true;
  table.layout = "block_table";
}

uint32_t ModuleWriter::addBuffer(const BufferDesc &buffer) {
  buffers_.push_back(buffer);
  return static_cast<uint32_t>(buffers_.size() - 1);
}

uint32_t ModuleWriter::addArenaBuffer(uint32_t space, uint64_t offset,
                                      uint64_t size) {
  return addBuffer({fb::BufferKind::Arena, space, 0, offset, size});
}

uint32_t ModuleWriter::addConstantBuffer(uint32_t constant, uint64_t offset,
                                         uint64_t size) {
  return addBuffer({fb::BufferKind::Constant, 0, constant, offset, size});
}

void ModuleWriter::setInputDims(uint32_t index,
                                std::vector<IntExprCode> dims) {
  if (index >= inputs_.size())
    return;
  inputs_[index].dims = std::move(dims);
  inputs_[index].hasDims = true;
}

void ModuleWriter::setOutputDims(uint32_t index,
                                 std::vector<IntExprCode> dims) {
  if (index >= outputs_.size())
    return;
  outputs_[index].dims = std::move(dims);
  outputs_[index].hasDims = true;
}

uint32_t ModuleWriter::addSymbol(std::string name, int64_t min, int64_t max) {
  symbols_.push_back({std::move(name), min, max});
  return static_cast<uint32_t>(symbols_.size() - 1);
}

uint32_t ModuleWriter::addValueSymbol(std::string name, int64_t min,
                                      int64_t max, IntExprCode def,
                                      std::string what) {
  SymbolEntry entry{std::move(name), min, max, std::move(def), true,
                    std::move(what)};
  symbols_.push_back(std::move(entry));
  return static_cast<uint32_t>(symbols_.size() - 1);
}

void ModuleWriter::setBufferSizeExpr(uint32_t index, IntExprCode bytes) {
  bufferSizeExprs_.emplace_back(index, std::move(bytes));
}

uint32_t ModuleWriter::addAssumption(IntExprCode lhs, IntExprCode rhs,
                                     std::string what) {
  assumptions_.push_back({std::move(lhs), std::move(rhs), std::move(what)});
  return static_cast<uint32_t>(assumptions_.size() - 1);
}

void ModuleWriter::setDispatchPushConstantExprs(
    uint32_t command, std::vector<IntExprCode> exprs) {
  if (command >= commands_.size())
    return;
  commands_[command].pushConstantExprs = std::move(exprs);
  commands_[command].hasPushConstantExprs = true;
}

void ModuleWriter::setCopyTargetOffset(uint32_t command, IntExprCode offset) {
  if (command >= commands_.size())
    return;
  commands_[command].copyTargetOffset = std::move(offset);
  commands_[command].hasCopyTargetOffset = true;
}

void ModuleWriter::setCopyBytes(uint32_t command, IntExprCode bytes) {
  if (command >= commands_.size())
    return;
  commands_[command].copyBytes = std::move(bytes);
  commands_[command].hasCopyBytes = true;
}

uint64_t ModuleWriter::tensorByteSize(const TensorEntry &tensor) {
  uint64_t bytes = elementTypeSize(tensor.type);
  for (int64_t dim : tensor.shape)
    bytes *= static_cast<uint64_t>(dim);
  return bytes;
}

uint32_t ModuleWriter::addInputBuffer(uint32_t input) {
  uint64_t size = input < inputs_.size() ? tensorByteSize(inputs_[input]) : 0;
  return addBuffer({fb::BufferKind::Input, 0, input, 0, size});
}

uint32_t ModuleWriter::addOutputBuffer(uint32_t output) {
  uint64_t size =
      output < outputs_.size() ? tensorByteSize(outputs_[output]) : 0;
  return addBuffer({fb::BufferKind::Output, 0, output, 0, size});
}

uint32_t ModuleWriter::addStateBuffer(uint32_t pool, uint64_t offset,
                                      uint64_t size) {
  uint32_t space = pool < pools_.size() ? pools_[pool].space : 0;
  return addBuffer({fb::BufferKind::State, space, pool, offset, size});
}

uint32_t ModuleWriter::addDispatch(uint32_t executable, uint32_t entryPoint,
                                   std::vector<uint32_t> bindings,
                                   std::vector<int64_t> pushConstants,
                                   std::vector<uint32_t> workgroupCount) {
  CommandEntry command;
  command.type = fb::CommandOp::Dispatch;
  command.executable = executable;
  command.entryPoint = entryPoint;
  command.bindings = std::move(bindings);
  command.pushConstants = std::move(pushConstants);
  command.workgroupCount = std::move(workgroupCount);
  commands_.push_back(std::move(command));
  return static_cast<uint32_t>(commands_.size() - 1);
}

void ModuleWriter::setDispatchCost(uint32_t command, uint64_t flops,
                                   uint64_t bytes) {
  if (command >= commands_.size())
    return;
  CommandEntry &entry = commands_[command];
  entry.hasCost = true;
  entry.flops = flops;
  entry.bytes = bytes;
}

uint32_t ModuleWriter::addCopy(uint32_t source, uint32_t target) {
  CommandEntry command;
  command.type = fb::CommandOp::Copy;
  command.source = source;
  command.target = target;
  commands_.push_back(std::move(command));
  return static_cast<uint32_t>(commands_.size() - 1);
}

uint32_t ModuleWriter::addBarrier() {
  CommandEntry command;
  command.type = fb::CommandOp::Barrier;
  commands_.push_back(std::move(command));
  return static_cast<uint32_t>(commands_.size() - 1);
}

std::vector<uint8_t> ModuleWriter::finish() const {
  flatbuffers::FlatBufferBuilder fbb(4096);
  using flatbuffers::Offset;

  auto makeExpr = [&](const IntExprCode &code) {
    return fb::CreateIntExpr(fbb, fbb.CreateVector(code));
  };
  auto makeExprs = [&](const std::vector<IntExprCode> &codes) {
    std::vector<Offset<fb::IntExpr>> out;
    for (const IntExprCode &code : codes)
      out.push_back(makeExpr(code));
    return fbb.CreateVector(out);
  };
  auto makeTensors = [&](const std::vector<TensorEntry> &tensors) {
    std::vector<Offset<fb::TensorDesc>> out;
    for (const TensorEntry &t : tensors) {
      // Dynamic shapes only: static tensors keep their 1.2 bytes.
      flatbuffers::Offset<flatbuffers::Vector<Offset<fb::IntExpr>>> dims = 0;
      if (t.hasDims)
        dims = makeExprs(t.dims);
      out.push_back(fb::CreateTensorDesc(fbb, fbb.CreateString(t.name), t.type,
                                         fbb.CreateVector(t.shape), dims));
    }
    return fbb.CreateVector(out);
  };
  auto inputs = makeTensors(inputs_);
  auto outputs = makeTensors(outputs_);
  auto signature = fb::CreateSignature(fbb, inputs, outputs);

  // Placeholders; the real offsets and checksums are patched in below.
  std::vector<fb::Segment> segmentStructs(segments_.size());
  auto segments = fbb.CreateVectorOfStructs(segmentStructs);

  std::vector<Offset<fb::Executable>> executables;
  for (const ExecutableDesc &e : executables_) {
    std::vector<Offset<fb::EntryPoint>> entries;
    for (const EntryPointDesc &ep : e.entryPoints)
      entries.push_back(fb::CreateEntryPoint(
          fbb, fbb.CreateString(ep.name), ep.bindingCount, ep.pushConstantCount,
          ep.workgroupSize.empty() ? 0 : fbb.CreateVector(ep.workgroupSize)));
    auto features = e.requiredFeatures.empty()
                        ? 0
                        : fbb.CreateVectorOfStrings(e.requiredFeatures);
    executables.push_back(
        fb::CreateExecutable(fbb, e.name.empty() ? 0 : fbb.CreateString(e.name),
                             e.device, fbb.CreateString(e.format), e.segment,
                             fbb.CreateVector(entries), features));
  }
  auto executablesVec = fbb.CreateVector(executables);

  std::vector<Offset<fb::Constant>> constants;
  for (const ConstantEntry &c : constants_)
    constants.push_back(
        fb::CreateConstant(fbb, c.name.empty() ? 0 : fbb.CreateString(c.name),
                           c.segment, c.offset, c.size, c.alignment));
  auto constantsVec = fbb.CreateVector(constants);

  std::vector<Offset<fb::MemorySpace>> spaces;
  for (const SpaceEntry &s : spaces_)
    spaces.push_back(fb::CreateMemorySpace(
        fbb, s.name.empty() ? 0 : fbb.CreateString(s.name), s.device,
        s.arenaSize, s.lowerBound));
  std::vector<Offset<fb::Buffer>> buffers;
  for (size_t i = 0; i < buffers_.size(); ++i) {
    const BufferDesc &b = buffers_[i];
    // 1.4 only: buffers without a size expression keep their bytes.
    Offset<fb::IntExpr> sizeExpr = 0;
    for (const auto &entry : bufferSizeExprs_)
      if (entry.first == i)
        sizeExpr = makeExpr(entry.second);
    buffers.push_back(fb::CreateBuffer(fbb, b.kind, b.space, b.ref, b.offset,
                                       b.size, sizeExpr));
  }
  auto plan = fb::CreateMemoryPlan(fbb, fbb.CreateVector(spaces),
                                   fbb.CreateVector(buffers));

  std::vector<Offset<fb::StatePool>> pools;
  for (const PoolEntry &p : pools_) {
    if (!p.isKv) {
      pools.push_back(fb::CreateStatePool(
          fbb, p.name.empty() ? 0 : fbb.CreateString(p.name), p.space, p.size));
      continue;
    }
    auto name = p.name.empty() ? 0 : fbb.CreateString(p.name);
    auto past = p.kvPast.empty() ? 0 : fbb.CreateString(p.kvPast);
    auto present = p.kvPresent.empty() ? 0 : fbb.CreateString(p.kvPresent);
    auto layout = fbb.CreateString(p.layout);
    auto length = p.length.empty() ? 0 : makeExpr(p.length);
    pools.push_back(fb::CreateStatePool(fbb, name, p.space, p.size, past,
                                        present, layout, length, p.rowBytes,
                                        p.blockTokens, p.blockTable));
  }
  auto poolsVec = fbb.CreateVector(pools);

  std::vector<Offset<fb::Command>> commands;
  for (const CommandEntry &c : commands_) {
    Offset<void> op;
    switch (c.type) {
    case fb::CommandOp::Dispatch: {
      auto bindings = fbb.CreateVector(c.bindings);
      auto push =
          c.pushConstants.empty() ? 0 : fbb.CreateVector(c.pushConstants);
      auto grid =
          c.workgroupCount.empty() ? 0 : fbb.CreateVector(c.workgroupCount);
      flatbuffers::Offset<flatbuffers::Vector<Offset<fb::IntExpr>>> exprs = 0;
      if (c.hasPushConstantExprs)
        exprs = makeExprs(c.pushConstantExprs);
      fb::DispatchBuilder dispatch(fbb);
      dispatch.add_executable(c.executable);
      dispatch.add_entry_point(c.entryPoint);
      dispatch.add_bindings(bindings);
      if (!push.IsNull())
        dispatch.add_push_constants(push);
      if (!grid.IsNull())
        dispatch.add_workgroup_count(grid);
      if (c.hasCost) {
        dispatch.add_flops(c.flops);
        dispatch.add_bytes(c.bytes);
      }
      if (!exprs.IsNull())
        dispatch.add_push_constant_exprs(exprs);
      op = dispatch.Finish().Union();
      break;
    }
    case fb::CommandOp::Copy:
      op = fb::CreateCopy(fbb, c.source, c.target,
                          c.hasCopyBytes ? makeExpr(c.copyBytes) : 0,
                          c.hasCopyTargetOffset
                              ? makeExpr(c.copyTargetOffset)
                              : 0)
               .Union();
      break;
    default:
      op = fb::CreateBarrier(fbb).Union();
      break;
    }
    commands.push_back(fb::CreateCommand(fbb, c.type, op));
  }
  auto commandsVec = fbb.CreateVector(commands);

  std::vector<Offset<flatbuffers::String>> targetStrings;
  for (const std::string &t : targets_)
    targetStrings.push_back(fbb.CreateString(t));
  auto targets = fbb.CreateVector(targetStrings);
  auto producer = fbb.CreateString(producer_);
  auto name = fbb.CreateString(name_);
  flatbuffers::Offset<flatbuffers::Vector<Offset<fb::Symbol>>> symbols = 0;
  if (!symbols_.empty()) {
    std::vector<Offset<fb::Symbol>> entries;
    for (const SymbolEntry &symbol : symbols_) {
      auto symbolName = fbb.CreateString(symbol.name);
      Offset<fb::IntExpr> def = symbol.hasDef ? makeExpr(symbol.def) : 0;
      Offset<flatbuffers::String> what =
          symbol.what.empty() ? 0 : fbb.CreateString(symbol.what);
      entries.push_back(
          fb::CreateSymbol(fbb, symbolName, symbol.min, symbol.max, def, what));
    }
    symbols = fbb.CreateVector(entries);
  }
  flatbuffers::Offset<flatbuffers::Vector<Offset<fb::Assumption>>>
      assumptions = 0;
  if (!assumptions_.empty()) {
    std::vector<Offset<fb::Assumption>> entries;
    for (const AssumptionEntry &assumption : assumptions_) {
      auto lhs = makeExpr(assumption.lhs);
      auto rhs = makeExpr(assumption.rhs);
      entries.push_back(fb::CreateAssumption(
          fbb, lhs, rhs,
          assumption.what.empty() ? 0 : fbb.CreateString(assumption.what)));
    }
    assumptions = fbb.CreateVector(entries);
  }

  fb::AiccModuleBuilder root(fbb);
  root.add_version_major(versionMajor_);
  root.add_version_minor(versionMinor_);
  root.add_producer(producer);
  root.add_name(name);
  root.add_targets(targets);
  root.add_signature(signature);
  root.add_segments(segments);
  root.add_executables(executablesVec);
  root.add_constants(constantsVec);
  root.add_memory_plan(plan);
  root.add_state_pools(poolsVec);
  root.add_commands(commandsVec);
  if (!symbols.IsNull())
    root.add_symbols(symbols);
  if (!assumptions.IsNull())
    root.add_assumptions(assumptions);
  // Non-default so that the field is always stored and can be patched.
  root.add_checksum(1);
  fb::FinishSizePrefixedAiccModuleBuffer(fbb, root.Finish());

  // Layout: FlatBuffer, then each segment at the next 64-byte boundary.
  const size_t fbSize = fbb.GetSize();
  std::vector<uint64_t> offsets(segments_.size());
  uint64_t end = fbSize;
  for (size_t i = 0; i < segments_.size(); ++i) {
    offsets[i] = alignUp(end, kSegmentAlignment);
    end = offsets[i] + segments_[i].size();
  }
  std::vector<uint8_t> file(end, 0);
  std::memcpy(file.data(), fbb.GetBufferPointer(), fbSize);
  for (size_t i = 0; i < segments_.size(); ++i)
    if (!segments_[i].empty())
      std::memcpy(file.data() + offsets[i], segments_[i].data(),
                  segments_[i].size());

  fb::AiccModule *module = fb::GetMutableSizePrefixedAiccModule(file.data());
  auto *segmentVec = module->mutable_segments();
  for (size_t i = 0; i < segments_.size(); ++i) {
    fb::Segment *segment = segmentVec->GetMutableObject(i);
    segment->mutate_offset(offsets[i]);
    segment->mutate_length(segments_[i].size());
  }
  resealChecksums(file, /*segments=*/true);
  return file;
}

bool ModuleWriter::resealChecksums(std::vector<uint8_t> &file, bool segments) {
  if (file.size() < 12)
    return false;
  uint32_t prefix;
  std::memcpy(&prefix, file.data(), 4);
  uint64_t fbSize = uint64_t(prefix) + 4;
  if (fbSize > file.size() || fbSize >= FLATBUFFERS_MAX_BUFFER_SIZE ||
      !fb::SizePrefixedAiccModuleBufferHasIdentifier(file.data()))
    return false;
  // Tests reseal deliberately damaged files: never follow an unverified
  // offset.
  flatbuffers::Verifier verifier(file.data(), static_cast<size_t>(fbSize));
  if (!fb::VerifySizePrefixedAiccModuleBuffer(verifier))
    return false;
  fb::AiccModule *module = fb::GetMutableSizePrefixedAiccModule(file.data());
  if (segments) {
    // A damaged file may place the 8-byte Segment structs at a 4-byte
    // boundary (the loader rejects that); never read them there.
    auto *segmentVec = module->mutable_segments();
    if (segmentVec && reinterpret_cast<uintptr_t>(segmentVec->Data()) %
                              alignof(fb::Segment) ==
                          0) {
      for (uint32_t i = 0; i < segmentVec->size(); ++i) {
        fb::Segment *segment = segmentVec->GetMutableObject(i);
        uint64_t offset = segment->offset(), length = segment->length();
        if (offset <= file.size() && length <= file.size() - offset)
          segment->mutate_checksum(
              checksum64(file.data() + offset, static_cast<size_t>(length)));
      }
    }
  }
  uint8_t *field = reinterpret_cast<flatbuffers::Table *>(module)->GetAddressOf(
      fb::AiccModule::VT_CHECKSUM);
  if (!field)
    return false;
  size_t fieldOffset = static_cast<size_t>(field - file.data());
  uint64_t sum = checksum64(file.data(), fbSize, fieldOffset);
  std::memcpy(field, &sum, 8);
  return true;
}

bool ModuleWriter::writeFile(const std::string &path,
                             std::string *error) const {
  std::vector<uint8_t> bytes = finish();
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    if (error)
      *error = "cannot open '" + path + "' for writing";
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok && error)
    *error = "cannot write '" + path + "'";
  return ok;
}
