//===- MapToKernels.cpp - Bufferized kernel functions to gpu.func ---------===//
//
// Each bufferized kernel func.func becomes a gpu.func of the same name and
// arguments in gpu.module @kernels. Its top-level ops are phases: an
// scf.parallel (a memref.copy becomes one) is a parallel phase, other ops
// that write memory are phases one thread runs, the rest (constants, views,
// loads, allocas) every thread computes. A kernel of one parallel phase
// gets one thread per iteration over a linearized iteration space, the
// innermost dim fastest (coalesced); kernels of several phases run in one
// workgroup with a barrier between phases.
//
//===----------------------------------------------------------------------===//

#include "targets/gpu/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"

namespace aicc::gpu {
#define GEN_PASS_DEF_GPUMAPTOKERNELS
#include "targets/gpu/Passes.h.inc"
} // namespace aicc::gpu

using namespace mlir;

namespace {

constexpr int64_t kMaxGridSize = (int64_t(1) << 31) - 1;
/// Workgroup memory for the buffers a kernel's phases share (48 KiB is what
/// CUDA gives without opting in; AMD GPUs have 64 KiB).
constexpr uint64_t kMaxSharedBytes = 48 * 1024;

/// Bytes of a static memref (i1 one byte), or nullopt.
std::optional<uint64_t> getByteSize(MemRefType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  uint64_t width =
      llvm::divideCeil(type.getElementType().getIntOrFloatBitWidth(), 8);
  return width * static_cast<uint64_t>(type.getNumElements());
}

/// Whether `op` or an op nested in it may write memory.
bool writesMemory(Operation *op) {
  WalkResult result = op->walk([](Operation *nested) {
    if (isa<linalg::LinalgOp>(nested))
      return WalkResult::interrupt();
    if (auto effects = dyn_cast<MemoryEffectOpInterface>(nested)) {
      if (effects.hasEffect<MemoryEffects::Write>())
        return WalkResult::interrupt();
      return WalkResult::advance();
    }
    if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
        nested->hasTrait<OpTrait::IsTerminator>())
      return WalkResult::advance();
    // An op that says nothing about its effects may write.
    return WalkResult::interrupt();
  });
  return result.wasInterrupted();
}

/// Replaces every memref.copy in `function` by an scf.parallel nest of
/// loads and stores (a rank-0 copy by one load and store).
void lowerCopies(func::FuncOp function) {
  SmallVector<memref::CopyOp> copies;
  function.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
  for (memref::CopyOp copy : copies) {
    OpBuilder builder(copy);
    Location loc = copy.getLoc();
    auto type = cast<MemRefType>(copy.getSource().getType());
    if (type.getRank() == 0) {
      Value value = memref::LoadOp::create(builder, loc, copy.getSource());
      memref::StoreOp::create(builder, loc, value, copy.getTarget());
      copy.erase();
      continue;
    }
    SmallVector<Value> lbs, ubs, steps;
    Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      lbs.push_back(zero);
      steps.push_back(one);
      ubs.push_back(
          type.isDynamicDim(dim)
              ? Value(memref::DimOp::create(builder, loc, copy.getSource(),
                                            dim))
              : Value(arith::ConstantIndexOp::create(builder, loc,
                                                     type.getDimSize(dim))));
    }
    scf::ParallelOp::create(
        builder, loc, lbs, ubs, steps,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange ivs) {
          Value value = memref::LoadOp::create(nested, nestedLoc,
                                               copy.getSource(), ivs);
          memref::StoreOp::create(nested, nestedLoc, value, copy.getTarget(),
                                  ivs);
        });
    copy.erase();
  }
}

/// Constant trip counts of the dims of `loop`, or failure.
FailureOr<SmallVector<int64_t>> getTripCounts(scf::ParallelOp loop) {
  SmallVector<int64_t> counts;
  for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                       loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> u = getConstantIntValue(ub);
    std::optional<int64_t> s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return failure();
    counts.push_back(*u <= *l ? 0 : llvm::divideCeil(*u - *l, *s));
  }
  return counts;
}

/// `type` in the GPU's private (per-thread) address space.
MemRefType toPrivate(MemRefType type) {
  return MemRefType::Builder(type).setMemorySpace(
      ::mlir::gpu::AddressSpaceAttr::get(type.getContext(),
                                         ::mlir::gpu::AddressSpace::Private));
}

enum class PhaseKind { Parallel, Scalar, Shared };

struct Phase {
  Operation *op;
  PhaseKind kind;
  SmallVector<int64_t> tripCounts;
  int64_t iterations = 1;
};

class KernelMapper {
public:
  KernelMapper(gpu::GPUModuleOp gpuModule, unsigned blockSize)
      : gpuModule(gpuModule), blockSize(blockSize) {}

  LogicalResult map(func::FuncOp function);

private:
  LogicalResult classify(func::FuncOp function, SmallVector<Phase> &phases);
  /// Clones the body of `loop` for the linear iteration `index`.
  void emitIteration(OpBuilder &builder, const Phase &phase, Value index,
                     IRMapping &mapping);
  LogicalResult fixUpBody(gpu::GPUFuncOp kernel, func::FuncOp function);

  gpu::GPUModuleOp gpuModule;
  unsigned blockSize;
  /// Top-level buffers of the kernel being mapped (workgroup memory).
  SmallVector<memref::AllocOp> sharedBuffers;
};

LogicalResult KernelMapper::classify(func::FuncOp function,
                                     SmallVector<Phase> &phases) {
  for (Operation &op : function.getBody().front().without_terminator()) {
    Phase phase{&op, PhaseKind::Shared, {}, 1};
    if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      if (loop.getNumResults())
        return loop.emitOpError("with reductions cannot be mapped to GPU "
                                "threads");
      FailureOr<SmallVector<int64_t>> counts = getTripCounts(loop);
      if (failed(counts))
        return loop.emitOpError("has no constant bounds; GPU kernels need "
                                "static shapes");
      phase.kind = PhaseKind::Parallel;
      phase.tripCounts = *counts;
      for (int64_t count : *counts)
        phase.iterations *= count;
    } else if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      // A buffer the phases of the kernel share: workgroup memory of the
      // one workgroup that runs them.
      std::optional<uint64_t> bytes = getByteSize(alloc.getType());
      if (!alloc.getType().hasStaticShape() || !bytes ||
          *bytes > kMaxSharedBytes)
        return op.emitOpError("is a temporary buffer of ")
               << (bytes ? std::to_string(*bytes) : std::string("unknown"))
               << " bytes shared by the kernel's threads; GPU kernels hold "
               << "at most " << kMaxSharedBytes << " (workgroup memory)";
      sharedBuffers.push_back(alloc);
      continue;
    } else if (isa<memref::DeallocOp>(op)) {
      continue;
    } else if (writesMemory(&op)) {
      if (!op.use_empty())
        return op.emitOpError("writes memory and its results are used later; "
                              "cannot be mapped to a GPU thread");
      phase.kind = PhaseKind::Scalar;
    }
    phases.push_back(std::move(phase));
  }
  return success();
}

void KernelMapper::emitIteration(OpBuilder &builder, const Phase &phase,
                                 Value index, IRMapping &mapping) {
  auto loop = cast<scf::ParallelOp>(phase.op);
  Location loc = loop.getLoc();
  SmallVector<Value> ivs(phase.tripCounts.size());
  Value remaining = index;
  for (int64_t dim = static_cast<int64_t>(phase.tripCounts.size()) - 1;
       dim >= 0; --dim) {
    Value position = remaining;
    if (dim > 0) {
      Value count =
          arith::ConstantIndexOp::create(builder, loc, phase.tripCounts[dim]);
      position = arith::RemUIOp::create(builder, loc, remaining, count);
      remaining = arith::DivUIOp::create(builder, loc, remaining, count);
    }
    Value step = mapping.lookupOrDefault(loop.getStep()[dim]);
    Value lb = mapping.lookupOrDefault(loop.getLowerBound()[dim]);
    Value scaled = arith::MulIOp::create(builder, loc, position, step);
    ivs[dim] = arith::AddIOp::create(builder, loc, lb, scaled);
  }
  for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
    mapping.map(iv, value);
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
}

LogicalResult KernelMapper::fixUpBody(gpu::GPUFuncOp kernel,
                                      func::FuncOp function) {
  SmallVector<Operation *> toErase;
  Block &entry = kernel.getBody().front();
  WalkResult result = kernel.walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
      // A thread's temporary: private memory, allocated once in the entry
      // block (AMDGPU selects stack objects only in its private address
      // space and not inside loops; the buffer's contents are undefined at
      // every allocation anyway), used through a generic-address cast.
      auto type = cast<MemRefType>(op->getResult(0).getType());
      if (type.getMemorySpace())
        return WalkResult::advance();
      if (!type.hasStaticShape()) {
        op->emitOpError("has a dynamic shape; GPU kernels need static "
                        "shapes");
        return WalkResult::interrupt();
      }
      OpBuilder builder = OpBuilder::atBlockBegin(&entry);
      auto alloca = memref::AllocaOp::create(
          builder, op->getLoc(), toPrivate(type), ValueRange(),
          op->getAttrOfType<IntegerAttr>("alignment"));
      auto generic = memref::MemorySpaceCastOp::create(builder, op->getLoc(),
                                                       type, alloca);
      op->getResult(0).replaceAllUsesWith(generic.getResult());
      toErase.push_back(op);
    } else if (isa<math::IsInfOp, math::IsNaNOp, math::IsFiniteOp>(op)) {
      // Float classes as comparisons (the ROCDL lowering has none for them).
      OpBuilder builder(op);
      Location loc = op->getLoc();
      Value x = op->getOperand(0);
      auto type = cast<FloatType>(getElementTypeOrSelf(x.getType()));
      Value result;
      if (isa<math::IsNaNOp>(op)) {
        result = arith::CmpFOp::create(builder, loc, arith::CmpFPredicate::UNO,
                                       x, x);
      } else {
        Value magnitude = math::AbsFOp::create(builder, loc, x);
        Value inf = arith::ConstantOp::create(
            builder, loc,
            builder.getFloatAttr(
                type, APFloat::getInf(type.getFloatSemantics())));
        result = arith::CmpFOp::create(builder, loc,
                                       isa<math::IsInfOp>(op)
                                           ? arith::CmpFPredicate::OEQ
                                           : arith::CmpFPredicate::OLT,
                                       magnitude, inf);
      }
      op->getResult(0).replaceAllUsesWith(result);
      toErase.push_back(op);
    } else if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op)) {
      // Multiply-adds may contract into FMAs (reductions, as on the CPU).
      auto fastMath = cast<arith::ArithFastMathInterface>(op);
      arith::FastMathFlags flags = arith::FastMathFlags::contract;
      if (arith::FastMathFlagsAttr old = fastMath.getFastMathFlagsAttr())
        flags = flags | old.getValue();
      op->setAttr(fastMath.getFastMathAttrName(),
                  arith::FastMathFlagsAttr::get(op->getContext(), flags));
    } else if (isa<memref::DeallocOp>(op)) {
      toErase.push_back(op);
    } else if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          function, get.getNameAttr());
      if (!global) {
        get.emitOpError("reads an unknown global");
        return WalkResult::interrupt();
      }
      std::string name =
          (kernel.getName() + "_" + global.getSymName()).str();
      if (!gpuModule.lookupSymbol(name)) {
        OpBuilder builder = OpBuilder::atBlockBegin(gpuModule.getBody());
        auto copy = cast<memref::GlobalOp>(builder.clone(*global));
        copy.setSymName(name);
        copy.setSymVisibilityAttr(builder.getStringAttr("private"));
      }
      get.setNameAttr(FlatSymbolRefAttr::get(get.getContext(), name));
    }
    return WalkResult::advance();
  });
  for (Operation *op : toErase)
    op->erase();
  return failure(result.wasInterrupted());
}

LogicalResult KernelMapper::map(func::FuncOp function) {
  if (function.isExternal())
    return success();
  if (function.getNumResults() ||
      !llvm::all_of(function.getArgumentTypes(),
                    [](Type type) { return isa<MemRefType>(type); }))
    return function.emitOpError("is not a bufferized kernel (memref "
                                "arguments, no results)");
  if (!function.getBody().hasOneBlock())
    return function.emitOpError("has several blocks; cannot be mapped to a "
                                "GPU kernel");
  lowerCopies(function);
  sharedBuffers.clear();
  SmallVector<Phase> phases;
  if (failed(classify(function, phases)))
    return failure();

  unsigned numParallel = 0, numScalar = 0;
  int64_t iterations = 0;
  for (const Phase &phase : phases) {
    if (phase.kind == PhaseKind::Parallel) {
      ++numParallel;
      iterations = phase.iterations;
    }
    numScalar += phase.kind == PhaseKind::Scalar;
  }
  bool onePhase =
      numParallel == 1 && numScalar == 0 && sharedBuffers.empty();
  int64_t block = 1, grid = 1;
  if (onePhase) {
    block = std::max<int64_t>(1, std::min<int64_t>(iterations, blockSize));
    grid = std::max<int64_t>(1, llvm::divideCeil(iterations, block));
    if (grid > kMaxGridSize)
      return function.emitOpError("has ")
             << iterations << " iterations, more than a GPU grid of "
             << blockSize << "-thread workgroups holds";
  } else if (numParallel > 0) {
    block = blockSize;
  }

  Location loc = function.getLoc();
  OpBuilder builder = OpBuilder::atBlockEnd(gpuModule.getBody());
  // A buffer without elements is never accessed; it is passed as a
  // one-element buffer (the bare-pointer ABI cannot describe a zero-sized
  // memref) and stands in the body as an empty private buffer.
  SmallVector<Type> argumentTypes;
  for (Type type : function.getArgumentTypes()) {
    auto memref = cast<MemRefType>(type);
    argumentTypes.push_back(
        memref.getNumElements() == 0
            ? MemRefType::get({1}, memref.getElementType())
            : type);
  }
  auto kernel = gpu::GPUFuncOp::create(
      builder, loc, function.getName(),
      builder.getFunctionType(argumentTypes, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(block), 1, 1}));
  kernel->setAttr("aicc.workgroup_count",
                  builder.getDenseI32ArrayAttr(
                      {static_cast<int32_t>(grid), 1, 1}));

  Block &entry = kernel.getBody().front();
  builder.setInsertionPointToStart(&entry);
  IRMapping mapping;
  for (auto [from, to] :
       llvm::zip(function.getArguments(), entry.getArguments())) {
    auto type = cast<MemRefType>(from.getType());
    if (type.getNumElements() != 0) {
      mapping.map(from, to);
      continue;
    }
    auto empty = memref::AllocaOp::create(builder, loc, toPrivate(type));
    mapping.map(from, memref::MemorySpaceCastOp::create(builder, loc, type,
                                                        empty)
                          .getResult());
  }
  // Buffers the threads share live in workgroup memory.
  for (memref::AllocOp alloc : sharedBuffers) {
    MemRefType type = alloc.getType();
    BlockArgument buffer = kernel.addWorkgroupAttribution(
        MemRefType::Builder(type).setMemorySpace(
            gpu::AddressSpaceAttr::get(type.getContext(),
                                       gpu::AddressSpace::Workgroup)),
        alloc.getLoc());
    mapping.map(alloc.getResult(),
                memref::MemorySpaceCastOp::create(builder, alloc.getLoc(),
                                                  type, buffer)
                    .getResult());
  }
  Value threadId = gpu::ThreadIdOp::create(builder, loc, gpu::Dimension::x);
  Value blockId = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::x);
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  bool pendingBarrier = false;
  for (const Phase &phase : phases) {
    if (phase.kind == PhaseKind::Shared) {
      builder.clone(*phase.op, mapping);
      continue;
    }
    if (pendingBarrier)
      gpu::BarrierOp::create(builder, loc);
    pendingBarrier = true;
    Location phaseLoc = phase.op->getLoc();
    if (phase.kind == PhaseKind::Scalar) {
      Value first = arith::CmpIOp::create(builder, phaseLoc,
                                          arith::CmpIPredicate::eq, threadId,
                                          zero);
      auto guard = scf::IfOp::create(builder, phaseLoc, first,
                                     /*withElseRegion=*/false);
      OpBuilder inner = OpBuilder::atBlockBegin(guard.thenBlock());
      inner.clone(*phase.op, mapping);
      continue;
    }
    Value count =
        arith::ConstantIndexOp::create(builder, phaseLoc, phase.iterations);
    if (onePhase) {
      Value size = arith::ConstantIndexOp::create(builder, phaseLoc, block);
      Value base = arith::MulIOp::create(builder, phaseLoc, blockId, size);
      Value index = arith::AddIOp::create(builder, phaseLoc, base, threadId);
      Value inBounds = arith::CmpIOp::create(
          builder, phaseLoc, arith::CmpIPredicate::ult, index, count);
      auto guard = scf::IfOp::create(builder, phaseLoc, inBounds,
                                     /*withElseRegion=*/false);
      OpBuilder inner = OpBuilder::atBlockBegin(guard.thenBlock());
      emitIteration(inner, phase, index, mapping);
      continue;
    }
    Value step = arith::ConstantIndexOp::create(builder, phaseLoc, block);
    auto loop = scf::ForOp::create(builder, phaseLoc, threadId, count, step);
    OpBuilder inner = OpBuilder::atBlockBegin(loop.getBody());
    emitIteration(inner, phase, loop.getInductionVar(), mapping);
  }
  gpu::ReturnOp::create(builder, loc);

  if (failed(fixUpBody(kernel, function)))
    return failure();
  function.erase();
  return success();
}

struct GpuMapToKernelsPass
    : public aicc::gpu::impl::GpuMapToKernelsBase<GpuMapToKernelsPass> {
  using GpuMapToKernelsBase::GpuMapToKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize == 0 || blockSize > 1024) {
      module.emitError("block-size ")
          << blockSize.getValue() << " is not in 1..1024";
      return signalPassFailure();
    }
    module->setAttr(::mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(&getContext()));
    auto gpuModule = module.lookupSymbol<::mlir::gpu::GPUModuleOp>("kernels");
    if (!gpuModule) {
      OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
      gpuModule = ::mlir::gpu::GPUModuleOp::create(builder, module.getLoc(),
                                                   "kernels");
    }
    KernelMapper mapper(gpuModule, blockSize);
    for (auto function : llvm::to_vector(module.getOps<func::FuncOp>()))
      if (failed(mapper.map(function)))
        return signalPassFailure();
  }
};

} // namespace
