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

#endif // AICC_TARGETS_NPU_PASSES_TD
