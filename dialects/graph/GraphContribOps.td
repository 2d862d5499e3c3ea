//===- GraphContribOps.td - ONNX Runtime quantized contrib ops -*- tablegen -*-===//
//
// The `com.microsoft` ops that ONNX Runtime's quantization tool
// (onnxruntime.quantization.quantize_static / quantize_dynamic) emits in
// QOperator form. They are graph ops like the default-domain ones, imported
// from nodes of the com.microsoft domain (ContribOpTable.inc lists their
// layout for the importer); the semantics are those of ONNX Runtime's
// ContribOperators.md, version 1 of each op.
//
// Scales are f32, zero points have the quantized type (i8 or ui8) and are
// per tensor unless said otherwise; an absent zero point is 0.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_GRAPH_CONTRIB_OPS_TD
#define AICC_GRAPH_CONTRIB_OPS_TD

/// Base class of the com.microsoft contrib ops.
class Graph_ContribOp<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits> {
  string onnxDomain = "com.microsoft";
}

class Graph_QLinearBinaryOp<string mnemonic, string what>
    : Graph_ContribOp<mnemonic, [Pure, AttrSizedOperandSegments,
                                 InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime " # mnemonic # " (com.microsoft)";
  let description = [{
    C = quantize(dequantize(A) }] # what # [{ dequantize(B)) with NumPy
    broadcasting of A and B; per-tensor scales and zero points.

    Example:

    ```mlir
    %c = graph.}] # mnemonic # [{ %a, %as, %az, %b, %bs, %bz, %cs, %cz : (...) -> tensor<1x8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$A, Graph_T_F32:$A_scale, Optional<Graph_T_I8_UI8>:$A_zero_point,
    Graph_T_I8_UI8:$B, Graph_T_F32:$B_scale, Optional<Graph_T_I8_UI8>:$B_zero_point,
    Graph_T_F32:$C_scale, Optional<Graph_T_I8_UI8>:$C_zero_point
  );
  let results = (outs Graph_T_I8_UI8:$C);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearAddOp : Graph_QLinearBinaryOp<"QLinearAdd", "+">;
def Graph_QLinearMulOp : Graph_QLinearBinaryOp<"QLinearMul", "*">;

def Graph_QLinearSigmoidOp : Graph_ContribOp<"QLinearSigmoid",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearSigmoid (com.microsoft)";
  let description = [{
    Y = quantize(sigmoid(dequantize(X))), per-tensor parameters.

    Example:

    ```mlir
    %y = graph.QLinearSigmoid %x, %xs, %xz, %ys, %yz : (...) -> tensor<8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$X, Graph_T_F32:$X_scale, Optional<Graph_T_I8_UI8>:$X_zero_point,
    Graph_T_F32:$Y_scale, Optional<Graph_T_I8_UI8>:$Y_zero_point
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearLeakyReluOp : Graph_ContribOp<"QLinearLeakyRelu",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearLeakyRelu (com.microsoft)";
  let description = [{
    Y = quantize(leaky_relu(dequantize(X), alpha)), per-tensor parameters.

    Example:

    ```mlir
    %y = graph.QLinearLeakyRelu %x, %xs, %xz, %ys, %yz {alpha = 0.1 : f32} : (...) -> tensor<8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$X, Graph_T_F32:$X_scale, Optional<Graph_T_I8_UI8>:$X_zero_point,
    Graph_T_F32:$Y_scale, Optional<Graph_T_I8_UI8>:$Y_zero_point,
    DefaultValuedAttr<F32Attr, "0.009999999776482582">:$alpha
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearConcatOp : Graph_ContribOp<"QLinearConcat",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearConcat (com.microsoft)";
  let description = [{
    Concatenates along `axis` the inputs given as (tensor, scale, zero point)
    triples after Y_scale and Y_zero_point; each input is requantized to the
    output's parameters: quantize(dequantize(x_i)).

    Example:

    ```mlir
    %y = graph.QLinearConcat %ys, %yz, %a, %as, %az, %b, %bs, %bz {axis = 1 : i64} : (...) -> tensor<1x8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_F32:$Y_scale, Graph_T_I8_UI8:$Y_zero_point,
    Variadic<AnyTensor>:$inputs,
    I64Attr:$axis
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearAveragePoolOp : Graph_ContribOp<"QLinearAveragePool",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearAveragePool (com.microsoft)";
  let description = [{
    Y = quantize(AveragePool(dequantize(X))) with AveragePool's attributes;
    `channels_last` = 1 means X and Y are N x spatial... x C.

    Example:

    ```mlir
    %y = graph.QLinearAveragePool %x, %xs, %xz, %ys, %yz {kernel_shape = array<i64: 2, 2>} : (...) -> tensor<1x3x4x4xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$X, Graph_T_F32:$x_scale, Optional<Graph_T_I8_UI8>:$x_zero_point,
    Graph_T_F32:$y_scale, Optional<Graph_T_I8_UI8>:$y_zero_point,
    DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
    DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
    DefaultValuedAttr<I64Attr, "0">:$channels_last,
    DefaultValuedAttr<I64Attr, "0">:$count_include_pad,
    DenseI64ArrayAttr:$kernel_shape,
    OptionalAttr<DenseI64ArrayAttr>:$pads,
    OptionalAttr<DenseI64ArrayAttr>:$strides
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearGlobalAveragePoolOp : Graph_ContribOp<"QLinearGlobalAveragePool",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearGlobalAveragePool (com.microsoft)";
  let description = [{
    Y = quantize(GlobalAveragePool(dequantize(X))); `channels_last` = 1
    means X is N x spatial... x C and Y is N x 1... x C.

    Example:

    ```mlir
    %y = graph.QLinearGlobalAveragePool %x, %xs, %xz, %ys, %yz : (...) -> tensor<1x8x1x1xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$X, Graph_T_F32:$x_scale, Graph_T_I8_UI8:$x_zero_point,
    Graph_T_F32:$y_scale, Graph_T_I8_UI8:$y_zero_point,
    DefaultValuedAttr<I64Attr, "0">:$channels_last
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QLinearSoftmaxOp : Graph_ContribOp<"QLinearSoftmax",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QLinearSoftmax (com.microsoft)";
  let description = [{
    Y = quantize(Softmax(dequantize(X))). `opset` is the opset of the
    Softmax it replaces: from 13 the softmax is along `axis`, before 13 over
    the dims from `axis` on, flattened.

    Example:

    ```mlir
    %y = graph.QLinearSoftmax %x, %xs, %xz, %ys, %yz {opset = 13 : i64} : (...) -> tensor<2x8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$X, Graph_T_F32:$X_scale, Optional<Graph_T_I8_UI8>:$x_zero_point,
    Graph_T_F32:$y_scale, Graph_T_I8_UI8:$y_zero_point,
    DefaultValuedAttr<I64Attr, "-1">:$axis,
    I64Attr:$opset
  );
  let results = (outs Graph_T_I8_UI8:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_QGemmOp : Graph_ContribOp<"QGemm",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime QGemm (com.microsoft)";
  let description = [{
    Y = alpha * a_scale * b_scale * ((A' - a_zero_point) x (B' - b_zero_point)
    + C), A' and B' transposed by transA/transB, computed in int32; C is an
    int32 bias (scale a_scale * b_scale, zero point 0). b_scale and
    b_zero_point may be per column (N). With y_scale the result is quantized
    (ui8 without y_zero_point), else Y is f32.

    Example:

    ```mlir
    %y = graph.QGemm %a, %as, %az, %b, %bs, %bz, %c, %ys, %yz {transB = 1 : i64} : (...) -> tensor<1x8xui8>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$A, Graph_T_F32:$a_scale, Graph_T_I8_UI8:$a_zero_point,
    Graph_T_I8_UI8:$B, Graph_T_F32:$b_scale, Graph_T_I8_UI8:$b_zero_point,
    Optional<Graph_T_I32>:$C,
    Optional<Graph_T_F32>:$y_scale, Optional<Graph_T_I8_UI8>:$y_zero_point,
    DefaultValuedAttr<F32Attr, "1.0">:$alpha,
    DefaultValuedAttr<I64Attr, "0">:$transA,
    DefaultValuedAttr<I64Attr, "0">:$transB
  );
  let results = (outs TensorOf<[F32, I8, UI8]>:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_DynamicQuantizeMatMulOp : Graph_ContribOp<"DynamicQuantizeMatMul",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime DynamicQuantizeMatMul (com.microsoft)";
  let description = [{
    A (float) is quantized to ui8 like DynamicQuantizeLinear, multiplied
    with B in int32 (MatMulInteger), then
    Y = a_scale * b_scale * product + bias; b_scale and b_zero_point may be
    per column.

    Example:

    ```mlir
    %y = graph.DynamicQuantizeMatMul %a, %b, %bs, %bz, %bias : (...) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins
    Graph_T_F32:$A, Graph_T_I8_UI8:$B, Graph_T_F32:$b_scale,
    Optional<Graph_T_I8_UI8>:$b_zero_point, Optional<Graph_T_F32>:$bias
  );
  let results = (outs Graph_T_F32:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_MatMulIntegerToFloatOp : Graph_ContribOp<"MatMulIntegerToFloat",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Runtime MatMulIntegerToFloat (com.microsoft)";
  let description = [{
    Y = a_scale * b_scale * MatMulInteger(A, B, a_zero_point, b_zero_point)
    + bias; b_scale and b_zero_point may be per column.

    Example:

    ```mlir
    %y = graph.MatMulIntegerToFloat %a, %b, %as, %bs, %az, %bz : (...) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins
    Graph_T_I8_UI8:$A, Graph_T_I8_UI8:$B, Graph_T_F32:$a_scale,
    Graph_T_F32:$b_scale, Optional<Graph_T_I8_UI8>:$a_zero_point,
    Optional<Graph_T_I8_UI8>:$b_zero_point, Optional<Graph_T_F32>:$bias
  );
  let results = (outs Graph_T_F32:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // AICC_GRAPH_CONTRIB_OPS_TD
