//===- GraphOps.td - Graph dialect operations --------------*- tablegen -*-===//
//
// aicc's own graph ops; the ONNX ops are generated into GraphOnnxOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_GRAPH_OPS_TD
#define AICC_GRAPH_OPS_TD

include "dialects/graph/GraphBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Graph_ConstantOp : Graph_Op<"constant", [ConstantLike, Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "A constant tensor";
  let description = [{
    A tensor known at compile time: ONNX initializers, `Constant` nodes and
    the results of constant folding. Large weights are `dense_resource`
    blobs so they are neither hashed nor printed inline.

    Example:

    ```mlir
    %0 = graph.constant dense<[1, 2]> : tensor<2xi64>
    %1 = graph.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

include "dialects/graph/GraphOnnxOps.td"

#endif // AICC_GRAPH_OPS_TD
