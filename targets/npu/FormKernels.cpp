//===- FormKernels.cpp - RNPU-supported nodes to opaque kernel ops --------===//
//
// The npu target's hand-off from graph ops to the exec pipeline: each
// supported node (QLinearConv, QLinearMatMul, QGemm, QLinearAdd and
// QLinearMul (b may broadcast), int8
// MaxPool incl. the DequantizeLinear -> MaxPool -> QuantizeLinear of QDQ
// models) is
// compiled to its RNPU command stream here, while its parameters are
// visible, and becomes one linalg.generic that dispatch formation outlines
// into a kernel of its own (see createKernelOp for why the fusion policy
// never merges it). The stream travels on the op as an attribute;
// compileExecutable renumbers its DRAM bindings to the kernel's arguments.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuSupport.h"
#include "targets/npu/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using aicc::rnpu::Instruction;

namespace aicc::npu {

#define GEN_PASS_DEF_FORMKERNELS
#include "targets/npu/Passes.h.inc"

namespace {

Value resourceConstant(OpBuilder &b, Location loc, Type elem,
                       const std::vector<uint8_t> &bytes, unsigned elemBytes,
                       StringRef key) {
  auto type = RankedTensorType::get({int64_t(bytes.size() / elemBytes)}, elem);
  ElementsAttr attr = graph::makeElements(
      type,
      ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                     bytes.size()),
      /*asResource=*/true, key);
  return graph::ConstantOp::create(b, loc, attr).getResult();
}

/// `v` as a signless integer of `width` bits.
Value toSignless(OpBuilder &b, Location loc, Value v, unsigned width) {
  if (v.getType().isSignlessInteger())
    return v;
  return UnrealizedConversionCastOp::create(
             b, loc, IntegerType::get(b.getContext(), width), v)
      .getResult(0);
}

/// The opaque kernel op of one RNPU node: `inputs` in the stream's binding
/// order, then y. It has one loop more than y's rank, which only x's dim 1
/// reads: the op is neither elementwise nor a reduction to the fusion
/// policy, so it never joins another op's kernel nor takes a consumer into
/// its own (a partitioned module's CPU ops stay out of RNPU kernels).
/// Inputs of x's shape are read like x: (d0, dExtra, 0, ..., 0), never the
/// identity (dim 0 is the batch of a conv and the rows of a matmul, the
/// same in x and y); constants and broadcast operands through (0, ..., 0).
linalg::GenericOp createKernelOp(OpBuilder &b, Location loc, ValueRange inputs,
                                 RankedTensorType yType,
                                 const std::vector<Instruction> &program,
                                 StringRef name) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(inputs[0].getType());
  unsigned rank = yType.getRank();
  unsigned loops = rank + 1;
  AffineExpr d0 = getAffineDimExpr(0, ctx);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  SmallVector<AffineExpr> xExprs(xType.getRank(), zero);
  xExprs[0] = d0;
  xExprs[1] = getAffineDimExpr(rank, ctx);
  SmallVector<AffineExpr> yExprs;
  for (unsigned d = 0; d < rank; ++d)
    yExprs.push_back(getAffineDimExpr(d, ctx));
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getShape() == xType.getShape())
      maps.push_back(AffineMap::get(loops, 0, xExprs, ctx));
    else // a constant, or a broadcast operand: read at 0
      maps.push_back(AffineMap::get(
          loops, 0, SmallVector<AffineExpr>(type.getRank(), zero), ctx));
  }
  maps.push_back(AffineMap::get(loops, 0, yExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, yType.getShape(),
                                       yType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{yType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        // Keeps every operand alive; never executed.
        Type i8 = nb.getIntegerType(8);
        Value sum;
        for (Value arg : args.drop_back()) {
          Type type = arg.getType();
          Value v;
          if (isa<FloatType>(type))
            v = arith::FPToSIOp::create(nb, l, i8, arg);
          else if (type.getIntOrFloatBitWidth() > 8)
            v = arith::TruncIOp::create(nb, l, i8, arg);
          else
            v = toSignless(nb, l, arg, 8);
          sum = sum ? arith::AddIOp::create(nb, l, sum, v).getResult() : v;
        }
        Value y = sum;
        if (!yType.getElementType().isSignlessInteger())
          y = UnrealizedConversionCastOp::create(nb, l, yType.getElementType(),
                                                 sum)
                  .getResult(0);
        linalg::YieldOp::create(nb, l, y);
      });
  std::vector<uint8_t> stream = rnpu::encodeProgram(program);
  generic->setAttr("aicc.npu.stream",
                   b.getStringAttr(StringRef(
                       reinterpret_cast<const char *>(stream.data()),
                       stream.size())));
  generic->setAttr("aicc.npu.node", b.getStringAttr(name));
  return generic;
}

struct FormKernelsPass : impl::FormKernelsBase<FormKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    rnpu::RnpuConfig config;
    std::string error;
    if (!loadNpuConfig(configPath, config, error)) {
      emitError(module.getLoc()) << "--npu-config: " << error;
      return signalPassFailure();
    }
    SmallVector<Operation *> nodes;
    module.walk([&](Operation *op) {
      if (!isa<graph::QLinearConvOp, graph::QLinearMatMulOp, graph::QGemmOp,
               graph::QLinearAddOp, graph::QLinearMulOp, graph::MaxPoolOp>(
              op))
        return;
      // --target=npu,<cpu>: what RNPU cannot run stays for the CPU.
      if (partition && !whyUnsupported(op, config).empty())
        return;
      nodes.push_back(op);
    });
    uint16_t tag = 0;
    for (Operation *op : nodes) {
      std::string why;
      StringRef node = graph::getNodeName(op->getLoc());
      std::string name = node.empty() ? "npu" : node.str();
      auto fail = [&] {
        op->emitError() << "node '" << name
                        << "' (ai.onnx::" << graph::getOnnxOpType(op)
                        << "): " << why;
        signalPassFailure();
      };
      OpBuilder b(op);
      Location loc = op->getLoc();
      Value yValue = op->getResult(0);
      auto yType = cast<RankedTensorType>(yValue.getType());
      linalg::GenericOp generic;
      if (isa<graph::MaxPoolOp>(op)) {
        // The int8 max pool replaces the QuantizeLinear's result (QDQ
        // form); the MaxPool, the QuantizeLinear and a DequantizeLinear
        // left without users go.
        std::optional<QMaxPoolMatch> m = matchQMaxPool(op, why);
        rnpu::RnpuEntry entry;
        if (!m || !compileMaxPool(m->params, config, name, ++tag, entry, why))
          return fail();
        auto resultType = cast<RankedTensorType>(m->y.getType());
        if (m->quantize)
          b.setInsertionPoint(m->quantize);
        generic = createKernelOp(b, loc, {m->x}, resultType, entry.program,
                                 name);
        m->y.replaceAllUsesWith(generic.getResult(0));
        if (m->quantize)
          m->quantize->erase();
        op->erase();
        if (m->dequantize && m->dequantize->use_empty())
          m->dequantize->erase();
        continue;
      }
      if (isa<graph::QLinearAddOp, graph::QLinearMulOp>(op)) {
        Value a, bOperand;
        std::optional<QAddParams> params = getQAddParams(op, why, &a, &bOperand);
        rnpu::RnpuEntry entry;
        if (!params || !compileQAdd(*params, config, name, ++tag, entry, why))
          return fail();
        generic = createKernelOp(b, loc, {a, bOperand}, yType, entry.program,
                                 name);
      } else {
        std::optional<QConvParams> params = getNpuParams(op, why);
        CompiledConv conv;
        if (!params || !compileConv(*params, config, name, ++tag, conv, why))
          return fail();
        Value w = resourceConstant(b, loc, b.getIntegerType(8),
                                   conv.packedWeights, 1, name + ".rnpu_w");
        Value bias = resourceConstant(b, loc, b.getIntegerType(32),
                                      conv.biasBytes, 4, name + ".rnpu_bias");
        Value mult =
            resourceConstant(b, loc, b.getF32Type(), conv.multiplierBytes, 4,
                             name + ".rnpu_mult");
        generic = createKernelOp(b, loc, {op->getOperand(0), w, bias, mult},
                                 yType, conv.entry.program, name);
      }
      yValue.replaceAllUsesWith(generic.getResult(0));
      op->erase();
    }
  }
};

} // namespace

} // namespace aicc::npu
