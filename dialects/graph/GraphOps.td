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

//===----------------------------------------------------------------------===//
// Control flow: ONNX If, Loop and Scan with their subgraphs as regions. The
// regions may use values of the enclosing scopes directly. aicc compiles
// static graphs: `aicc-graph-inline-control-flow` inlines or unrolls them.
//===----------------------------------------------------------------------===//

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator,
    ParentOneOf<["IfOp", "LoopOp", "ScanOp"]>]> {
  let summary = "Returns the outputs of a control-flow subgraph";
  let description = [{
    Ends the region of a `graph.If`, `graph.Loop` or `graph.Scan`; its
    operands are the outputs of the ONNX subgraph, in order.

    Example:

    ```mlir
    graph.yield %a, %b : tensor<2xf32>, tensor<i1>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Graph_IfOp : Graph_Op<"If", [
    SingleBlock, NoRegionArguments,
    RecursiveMemoryEffects]> {
  let summary = "ONNX If: one of two subgraphs, chosen by a condition";
  let description = [{
    The results are the values yielded by `then_branch` when `cond` (a
    one-element bool tensor) is true, by `else_branch` otherwise. The
    branches take no arguments; they use outer values directly. A result
    type is the branches' common type, or unranked where they differ.

    Example:

    ```mlir
    %y = graph.If %c : tensor<i1> -> tensor<2x3xf32> then {
      %r = graph.Relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
      graph.yield %r : tensor<2x3xf32>
    } else {
      %n = graph.Neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
      graph.yield %n : tensor<2x3xf32>
    }
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$cond);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let regions = (region SizedRegion<1>:$then_branch,
                        SizedRegion<1>:$else_branch);
  let assemblyFormat = [{
    $cond attr-dict `:` type($cond) (`->` type($outputs)^)?
    `then` $then_branch `else` $else_branch
  }];
  let hasVerifier = 1;
}

def Graph_LoopOp : Graph_Op<"Loop", [
    SingleBlock, AttrSizedOperandSegments, RecursiveMemoryEffects]> {
  let summary = "ONNX Loop: a subgraph run for a trip count or while a "
                "condition holds";
  let description = [{
    Runs `body` at most `max_trip_count` times (when given) and while `cond`
    holds (when given; the body then computes the next condition). The body
    takes the iteration number (`tensor<i64>`), the condition
    (`tensor<i1>`) and the loop-carried values, and yields the next
    condition, the next loop-carried values and then one value per scan
    output. The results are the final loop-carried values, then each scan
    output's values of all iterations stacked along a new axis 0.

    Example:

    ```mlir
    %acc, %steps = graph.Loop trip_count %n : tensor<i64>
        carried %x : tensor<2xf32> -> tensor<2xf32>, tensor<*xf32> {
    ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
      %a = graph.Add %v, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      graph.yield %c, %a, %a : tensor<i1>, tensor<2xf32>, tensor<2xf32>
    }
    ```
  }];
  let arguments = (ins Optional<TensorOf<[I64]>>:$max_trip_count,
                       Optional<TensorOf<[I1]>>:$cond,
                       Variadic<AnyTensor>:$initial);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`trip_count` $max_trip_count^ `:` type($max_trip_count))?
    (`cond` $cond^ `:` type($cond))?
    (`carried` $initial^ `:` type($initial))?
    (`->` type($outputs)^)? $body attr-dict
  }];
  let hasVerifier = 1;
}

def Graph_ScanOp : Graph_Op<"Scan", [SingleBlock, RecursiveMemoryEffects]> {
  let summary = "ONNX Scan: a subgraph run over slices of its scan inputs";
  let description = [{
    The operands are the initial states followed by `num_scan_inputs`
    scan inputs. Iteration `t` runs `body` on the states and on slice `t`
    of each scan input along its `scan_input_axes` entry (default 0;
    reversed where `scan_input_directions` is 1). The body yields the next
    states and one value per scan output. The results are the final states,
    then each scan output's values stacked along its `scan_output_axes`
    entry (reversed where `scan_output_directions` is 1).

    Example:

    ```mlir
    %s, %ys = graph.Scan %s0, %xs {num_scan_inputs = 1 : i64}
        : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
    ^bb0(%st: tensor<2xf32>, %x: tensor<2xf32>):
      %a = graph.Add %st, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      graph.yield %a, %a : tensor<2xf32>, tensor<2xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs,
                       I64Attr:$num_scan_inputs,
                       OptionalAttr<DenseI64ArrayAttr>:$scan_input_axes,
                       OptionalAttr<DenseI64ArrayAttr>:$scan_input_directions,
                       OptionalAttr<DenseI64ArrayAttr>:$scan_output_axes,
                       OptionalAttr<DenseI64ArrayAttr>:$scan_output_directions);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, $outputs) $body
  }];
  let extraClassDeclaration = [{
    /// Number of state operands (the operands before the scan inputs).
    int64_t getNumStates() {
      return (int64_t)getInputs().size() -
             getNumScanInputsAttr().getValue().getSExtValue();
    }
  }];
  let hasVerifier = 1;
}

include "dialects/graph/GraphOnnxOps.td"
include "dialects/graph/GraphContribOps.td"

#endif // AICC_GRAPH_OPS_TD
