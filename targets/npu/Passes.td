//===- Passes.td - npu target passes -----------------------*- tablegen -*-===//

#ifndef AICC_TARGETS_NPU_PASSES_TD
#define AICC_TARGETS_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CheckSupport : Pass<"aicc-npu-check-support", "::mlir::ModuleOp"> {
  let summary = "Fail listing every graph op RNPU cannot run";
  let description = [{
    The capability check of `--target=npu` (issue 11, item 4), on graph ops
    after FuseQDQ: every op other than `graph.constant` must be one the npu
    target generates RNPU code for, with types, attributes and sizes that
    fit the configured RNPU (targets/npu/NpuSupport.h). When some are not,
    the pass emits ONE error listing each such op: its ONNX node name, op
    type and why, and fails.

    ```
    error: RNPU cannot run 2 of 3 nodes (--target=npu):
      node 'softmax0' (ai.onnx::Softmax): floating-point op; ...
      node 'conv1' (ai.onnx::QLinearConv): grouped/depthwise convolution ...
    ```
  }];
  let options = [
    Option<"configPath", "config", "std::string", /*default=*/"\"\"",
           "RNPU hardware config (JSON); empty: the bundled rnpu-16x16">,
  ];
}

def FormKernels : Pass<"aicc-npu-form-kernels", "::mlir::ModuleOp"> {
  let summary = "Compile each RNPU-supported node into a command stream "
                "and replace it by one opaque kernel op";
  let description = [{
    Runs after `aicc-npu-check-support`. Each supported QLinearConv,
    QLinearMatMul and QGemm (channels-last 1x1 convs) is compiled
    (targets/npu/ConvCodegen.h), each supported QLinearAdd too
    (targets/npu/EltwiseCodegen.h), and replaced by a `linalg.generic`
    that dispatch formation makes a kernel of its own (one loop more than
    y's rank, so the fusion policy sees neither an elementwise op nor a
    reduction): its inputs are x and the packed weights, bias and
    multipliers as new `dense_resource` constants (a QLinearAdd: a and b),
    in the stream's binding order, its result is y, and it
    carries the encoded command stream (`aicc.npu.stream`) and the node
    name (`aicc.npu.node`). Its body only keeps every operand alive: the
    npu target's compileExecutable takes the stream, never the body.

    With `partition` (`--target=npu,avx512`) the nodes RNPU cannot run
    (NpuSupport.h's whyUnsupported) stay graph ops for the CPU target;
    without it the pass expects `aicc-npu-check-support` to have refused
    them.
  }];
  let options = [
    Option<"configPath", "config", "std::string", /*default=*/"\"\"",
           "RNPU hardware config (JSON); empty: the bundled rnpu-16x16">,
    Option<"partition", "partition", "bool", /*default=*/"false",
           "Leave the nodes RNPU cannot run to a CPU target">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // AICC_TARGETS_NPU_PASSES_TD
