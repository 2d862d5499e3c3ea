//===- Passes.td - graph-level passes ----------------------*- tablegen -*-===//
//
// Stage 1 of the pipeline (docs/Pipeline.md): rewrites of the imported graph
// that keep ONNX semantics (folding of constants and of BatchNormalization
// into the weights of its producer). `aicc-graph-opt` runs them.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_GRAPH_PASSES_TD
#define AICC_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

def InlineControlFlowPass
    : Pass<"aicc-graph-inline-control-flow", "::mlir::func::FuncOp"> {
  let summary = "Inline If with a constant condition, unroll Loop and Scan";
  let description = [{
    aicc compiles static graphs. A `graph.If` whose condition is a constant
    is replaced by the ops of the branch it takes. A `graph.Loop` with a
    constant trip count and a condition that is constant in every iteration
    and a `graph.Scan` over a static sequence length are unrolled (at most
    4096 iterations): the body is cloned per iteration with its arguments
    bound to the iteration number, the condition, the loop-carried values
    (a Scan: the states and a `graph.Gather` of each scan input), and scan
    outputs are stacked with `graph.Unsqueeze` and `graph.Concat`.

    The function is swept once, in order: every other op's result types are
    re-inferred from its operands and the op is folded, so a condition
    computed from shapes is a constant when its If is reached; each unrolled
    iteration is swept before the next one's condition is read, so nested
    control flow and conditions computed in the body resolve too. Control
    flow that stays dynamic is an error naming the ONNX node (recorded by
    the importer in `graph.onnx_node`) and the graph inputs to freeze with
    `--input-value`.

    Before:

    ```mlir
    %c = graph.constant dense<false> : tensor<i1>
    %y = graph.If %c : tensor<i1> -> tensor<2xf32> then {
      %r = graph.Relu %x : (tensor<2xf32>) -> tensor<2xf32>
      graph.yield %r : tensor<2xf32>
    } else {
      %n = graph.Neg %x : (tensor<2xf32>) -> tensor<2xf32>
      graph.yield %n : tensor<2xf32>
    }
    ```

    After:

    ```mlir
    %y = graph.Neg %x : (tensor<2xf32>) -> tensor<2xf32>
    ```
  }];
  let statistics = [
    Statistic<"numInlined", "ops-inlined",
              "Number of If, Loop and Scan ops inlined or unrolled">,
    Statistic<"numIterations", "iterations-unrolled",
              "Number of Loop and Scan iterations unrolled">,
  ];
}

def RefineTypesPass
    : Pass<"aicc-graph-refine-types", "::mlir::func::FuncOp"> {
  let summary = "Re-infer result types from operands and fold, to a fixed "
                "point";
  let description = [{
    Each graph op's result types are inferred again from its current operands
    (its `InferTypeOpInterface` rule; `graph.Split`'s rule) and the op is
    folded, in order, until nothing changes; the function's result types
    follow its returned values. After control flow is inlined this makes the
    ops behind it static and their shape subgraphs constants, as the
    importer does for the rest of the graph.

    Before:

    ```mlir
    %s = graph.Shape %x : (tensor<2x3xf32>) -> tensor<?xi64>
    %y = graph.Reshape %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<*xf32>
    ```

    After:

    ```mlir
    %s = graph.constant dense<[2, 3]> : tensor<2xi64>
    %y = graph.Reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    ```
  }];
  let statistics = [
    Statistic<"numFolded", "ops-folded", "Number of ops folded away">,
  ];
}

def CheckStaticShapesPass
    : Pass<"aicc-graph-check-static-shapes", "::mlir::func::FuncOp"> {
  let summary = "Report results whose shape stays unknown";
  let description = [{
    aicc compiles static shapes. Unused side-effect-free ops are erased;
    then every op result that is not a tensor of static shape is an error
    naming the ONNX node and op type, with the graph inputs the shape comes
    from as `--input-value` flags. The IR is unchanged when all shapes are
    static.

    A function with dynamic symbols (`aicc.symbols`, from
    `--dim NAME=LO..HI`) may keep dynamic dims that the symbolic shape
    analysis (SymbolicShapes.h) expresses over its symbols; only dims it
    cannot express are errors.

    ```mlir
    // error: node 'y' (Reshape): result #0 has shape tensor<?x?> that
    // depends on input values; aicc needs static shapes; fix the
    // shape-determining input with --input-value=shape=...
    %y = graph.Reshape %x, %shape
        : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("y")
    ```
  }];
  let statistics = [
    Statistic<"numUnknown", "unknown-shapes",
              "Number of ops with a result of unknown shape">,
  ];
}

def FoldBatchNormPass
    : Pass<"aicc-graph-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding "
                "Conv or Gemm";
  let description = [{
    A `graph.BatchNormalization` in inference mode (`training_mode = 0`,
    running statistics unused) whose input is the only use of a
    `graph.Conv` or `graph.Gemm` with constant weights (and constant bias,
    if any) and whose scale, bias, mean and variance are constants is
    removed: with `s = scale / sqrt(var + epsilon)` per channel, the
    producer's weights are scaled by `s` along the output channel and its
    bias becomes `(bias - mean) * s + B` (a Gemm's `C` becomes
    `(beta * C - mean) * s + B` with `beta = 1`). The new weights are new
    `graph.constant`s (`dense_resource` when the old ones were, or when they
    are large); the producer's location becomes a `FusedLoc` of its own and
    the BatchNormalization's.

    Before:

    ```mlir
    %y = graph.Conv %x, %w, %b : (...) -> tensor<1x8x4x4xf32> loc("conv")
    %z, %m, %v = graph.BatchNormalization %y, %scale, %bias, %mean, %var
        : (...) -> (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>)
        loc("bn")
    ```

    After:

    ```mlir
    %w2 = graph.constant dense<...> : tensor<8x3x3x3xf32>
    %b2 = graph.constant dense<...> : tensor<8xf32>
    %z = graph.Conv %x, %w2, %b2 : (...) -> tensor<1x8x4x4xf32>
        loc(fused["conv", "bn"])
    ```
  }];
  let statistics = [
    Statistic<"numFolded", "batchnorms-folded",
              "Number of BatchNormalization ops folded into their producer">,
  ];
}

def FuseQDQPass : Pass<"aicc-graph-fuse-qdq", "::mlir::func::FuncOp"> {
  let summary = "Fuse DequantizeLinear -> op -> QuantizeLinear into QLinear "
                "ops";
  let description = [{
    The QDQ form of a quantized model (float ops between DequantizeLinear
    and QuantizeLinear) becomes the integer QOperator form that ONNX
    Runtime's QDQ transformer also computes: MatMul -> QLinearMatMul, Conv
    -> QLinearConv (an int32 bias DequantizeLinear becomes its bias), Gemm
    -> QGemm, Add/Mul -> QLinearAdd/QLinearMul, Sigmoid, LeakyRelu,
    Softmax, AveragePool, GlobalAveragePool and Concat -> their QLinear
    ops. A group fuses when the QuantizeLinear is the op's only use, it and
    every DequantizeLinear are per tensor to/from i8 or ui8 (weights of
    MatMul, Conv and Gemm may be per output channel) and no block_size is
    set. The fused op's location fuses the op's and the QuantizeLinear's.

    Before:

    ```mlir
    %a = graph.DequantizeLinear %x, %xs, %xz : (...) -> tensor<2x4xf32>
    %b = graph.DequantizeLinear %w, %ws, %wz {axis = 1 : i64} : (...) -> tensor<4x3xf32>
    %m = graph.MatMul %a, %b : (...) -> tensor<2x3xf32>
    %y = graph.QuantizeLinear %m, %ys, %yz : (...) -> tensor<2x3xui8>
    ```

    After:

    ```mlir
    %y = graph.QLinearMatMul %x, %xs, %xz, %w, %ws, %wz, %ys, %yz : (...) -> tensor<2x3xui8>
    ```
  }];
  let statistics = [
    Statistic<"numFused", "groups-fused",
              "Number of DequantizeLinear -> op -> QuantizeLinear groups "
              "fused into a QLinear op">,
  ];
}

def FoldConstantsPass
    : Pass<"aicc-graph-fold-constants", "::mlir::func::FuncOp"> {
  let summary = "Fold data movement and casts of constants, large ones "
                "included";
  let description = [{
    `graph.Transpose`, `graph.Reshape`, `graph.Squeeze`, `graph.Unsqueeze`,
    `graph.Flatten` and `graph.Cast` (between float types, or from an
    integer type to a float or integer type) of a `graph.constant` with a
    static result type become a new `graph.constant`. Unlike the ops'
    folders (which the importer and the canonicalizer run, and which stop
    at 65536 elements), this works on the constant's bytes, so it also folds
    `dense_resource` weights (an exporter's `Transpose(W)` before a MatMul,
    a `Cast` of fp16 weights). A reshape reuses the weight's blob; a
    transpose or cast of a weight that has other uses is left alone so the
    weight is not stored twice.

    Before:

    ```mlir
    %w = graph.constant dense_resource<w> : tensor<512x256xf32>
    %t = graph.Transpose %w {perm = array<i64: 1, 0>}
        : (tensor<512x256xf32>) -> tensor<256x512xf32>
    ```

    After:

    ```mlir
    %t = graph.constant dense_resource<w_1> : tensor<256x512xf32>
    ```
  }];
  let statistics = [
    Statistic<"numFolded", "ops-folded", "Number of ops folded into constants">,
    Statistic<"numBytes", "bytes-folded",
              "Bytes of constant data written by the folds">,
  ];
}

def ExpandRecurrentPass
    : Pass<"aicc-graph-expand-recurrent", "::mlir::func::FuncOp"> {
  let summary = "Unroll RNN, GRU and LSTM into per-time-step graph ops";
  let description = [{
    A `graph.RNN`, `graph.GRU` or `graph.LSTM` with static shapes is
    replaced, per direction, by one `graph.MatMul` projecting the input of
    every time step (`X W^T + Wb + Rb`) and, per time step, the recurrent
    `graph.MatMul` of the hidden state by `R^T`, `graph.Slice`s for the
    gates (LSTM iofc, GRU zrh), their activations (the `activations`
    attribute with `activation_alpha`/`activation_beta`, ONNX's defaults
    otherwise), peepholes, `clip` and the state update of the ONNX
    equations. `Y` is the `graph.Concat` of the steps' hidden states,
    `Y_h`/`Y_c` the last ones; `layout = 1` transposes in and out. The
    per-direction blocks of constant W, R, B and P are cut out here, so
    aicc-graph-fold-constants folds their transposes once. With
    `sequence_lens` (unless a constant equal to the sequence length), each
    step is masked with `graph.Where`: a batch entry past its length keeps
    its state and writes zeros to `Y`.

    LSTM's `input_forget = 1` couples the gates (f = 1 - i). More than
    4096 unrolled steps or an unknown activation are errors naming the node
    and the attribute. A node with dynamic shapes is left in place for
    aicc-graph-check-static-shapes to report.

    Before:

    ```mlir
    %y, %yh = graph.RNN %x, %w, %r {hidden_size = 4 : i64}
        : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>)
        -> (tensor<2x1x1x4xf32>, tensor<1x1x4xf32>)
    ```

    After (per step t; h starts as zeros):

    ```mlir
    %p = graph.MatMul %x, %wT : (tensor<2x1x3xf32>, tensor<3x4xf32>) -> tensor<2x1x4xf32>
    %xt = graph.Reshape (graph.Slice %p [t:t+1]) : tensor<1x4xf32>
    %h1 = graph.Tanh (graph.Add %xt, (graph.MatMul %h0, %rT))
    %y = graph.Concat (graph.Reshape %h1 ...), ... {axis = 0}
    ```
  }];
  let statistics = [
    Statistic<"numExpanded", "nodes-expanded",
              "Number of RNN, GRU and LSTM nodes unrolled">,
  ];
}

def ExpandEinsumPass
    : Pass<"aicc-graph-expand-einsum", "::mlir::func::FuncOp"> {
  let summary = "Rewrite Einsum into Transpose, Reshape, MatMul and ReduceSum";
  let description = [{
    A `graph.Einsum` with static shapes becomes graph ops: per input, a
    repeated label takes the diagonal (`graph.Where` with an identity mask,
    then `graph.ReduceSum`) and a label used nowhere else is summed; the
    inputs are contracted left to right, each pair by transposing and
    reshaping both sides to `[batch..., M, K]` and `[batch..., K, N]` for one
    batched `graph.MatMul`; a last `graph.Transpose` orders the output.
    Ellipses broadcast as in NumPy; the implicit output (no `->`) is the
    ellipsis followed by the labels used once, in alphabetical order. A node
    with dynamic shapes is left in place for aicc-graph-check-static-shapes
    to report.

    Before:

    ```mlir
    %y = graph.Einsum %a, %b {equation = "bij,bjk->bik"}
        : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
    ```

    After:

    ```mlir
    %y = graph.MatMul %a, %b
        : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
    ```
  }];
  let statistics = [
    Statistic<"numExpanded", "einsums-expanded", "Number of Einsum nodes rewritten">,
  ];
}

def PrintSymbolicShapesPass
    : Pass<"aicc-graph-print-symbolic-shapes", "::mlir::func::FuncOp"> {
  let summary = "Annotate ops with their symbolic result shapes (for tests)";
  let description = [{
    Runs the symbolic shape analysis (passes/graph/SymbolicShapes.h) and
    writes what it found as attributes, for lit tests and debugging: on
    every op with results, `aicc.shape` (one string per result, each dim an
    expression over the symbols of `aicc.symbols`, `?` where it is not
    expressible) and, for small integer tensors that compute shapes,
    `aicc.value` (their element values); on the function, the broadcasts
    that assumed two expressions equal (`aicc.assumptions`).

    ```mlir
    func.func @main(%k: tensor<1x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s0)>},
                    %n: tensor<1x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1)>})
        attributes {aicc.symbols = {past = array<i64: 0, 16>, seq = array<i64: 1, 8>}} {
      %0 = graph.Concat %k, %n {axis = 1 : i64} : ... -> tensor<1x?xf32>
    // becomes
      %0 = graph.Concat %k, %n {aicc.shape = ["[1, past + seq]"], axis = 1 : i64} ...
    ```
  }];
  let statistics = [
    Statistic<"numExpressible", "expressible-values",
              "Number of op results whose every dim is expressible">,
    Statistic<"numNotExpressible", "not-expressible-values",
              "Number of op results with a dim that is not expressible">,
  ];
}

def ValueSymbolsPass
    : Pass<"aicc-graph-value-symbols", "::mlir::func::FuncOp"> {
  let summary = "Value symbols for shapes that depend on input values";
  let description = [{
    An op whose output dims depend on the VALUES of a small graph input (a
    `@main` argument of static shape with at most 64 integer elements, or
    float for Resize's scales, Range and OneHot's depth; reached directly or
    through Cast/Identity/Squeeze/Unsqueeze/Reshape) gets value symbols:
    symbols the runtime computes before the run from the input values by a
    postfix IntExpr program. `@main` gets `aicc.value_symbols` (name,
    range, def, what; value symbol j is symbol n + j after the n entries of
    `aicc.symbols`, which the pass adds empty when absent), the op
    `aicc.result_dims` (one affine map per result over all symbols),
    `aicc.value_params` (the symbols the lowering needs: Slice starts and
    steps, Pad begin, Split offsets, Reduce extents and kept dims, TopK k,
    OneHot depth) and `aicc.value_assumptions` (equalities the run checks:
    Reshape's element count, Split's sum). Conditions on the values (axes in
    range and distinct, nonzero steps, ...) are value symbols of range
    [1, 1] whose `what` says what is wrong. Handled: Reshape, Squeeze,
    Unsqueeze, Expand, ConstantOfShape, Tile, Range, Split, Slice, Pad, the
    ten Reduce ops, TopK, OneHot, Resize (docs/Pipeline.md "Value-dependent
    shapes"). A graph input of static shape with 0 elements has known
    values: it becomes an empty constant first (ReduceSum's empty `axes`).

    ```mlir
    func.func @main(%x: tensor<2x3x4xf32>, %axes: tensor<1xi64>) -> tensor<?x?x?xf32> {
      %r = graph.ReduceSum %x, %axes {keepdims = 1} : ... -> tensor<?x?x?xf32>
    // becomes, with
    //   aicc.symbols = {}, aicc.value_symbols = [{name = "node 'r' (ReduceSum) axes valid",
    //     range = array<i64: 1, 1>, def = array<i64: ...LOAD 1 0...>, what = ...}, ...]
      %r = graph.ReduceSum %x, %axes {aicc.result_dims = [affine_map<()[s0, ...] -> (s4, s5, s6)>],
          aicc.value_params = {extents = array<i64: ...>, kept = array<i64: 4, 5, 6>}, keepdims = 1}
    ```
  }];
  let statistics = [
    Statistic<"numOps", "ops", "Number of ops given value symbols">,
    Statistic<"numSymbols", "value-symbols", "Number of value symbols defined">,
  ];
}

def RefineSymbolicTypesPass
    : Pass<"aicc-graph-refine-symbolic-types", "::mlir::func::FuncOp"> {
  let summary = "Write the dims the symbolic shape analysis knows into types";
  let description = [{
    With dynamic symbols (`aicc.symbols`), the static result-type rules
    leave `?` wherever a dim depends on a shape value that did not fold to
    a constant: a Reshape to `[batch, sequence, 12, 64]` computed from
    `Shape` is `tensor<?x?x?x?xf32>`. The symbolic shape analysis knows the
    constant dims and ranks of such results; this pass writes them into the
    result types (an unranked result gets its rank), then updates the
    function's result types. Functions without symbols are unchanged.

    ```mlir
    %r = graph.Reshape %x, %s : (tensor<1x?x768xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
    // becomes
    %r = graph.Reshape %x, %s : (tensor<1x?x768xf32>, tensor<4xi64>) -> tensor<1x?x12x64xf32>
    ```
  }];
  let statistics = [
    Statistic<"numRefined", "refined-types", "Number of result types refined">,
  ];
}

def RejectDynamicDimsPass
    : Pass<"aicc-graph-reject-dynamic-dims", "::mlir::func::FuncOp"> {
  let summary = "One clear error when dynamic dims reach the lowering";
  let description = [{
    Dynamic dims (`--dim NAME=LO..HI`) are carried through the graph stage
    only (docs/Pipeline.md, "Dynamic shapes"); the lowering to linalg needs
    static shapes. This pass runs first in the graph-to-linalg pipeline: a
    function with symbols (`aicc.symbols`) and a dynamic argument or result
    is one error naming the first op that has one, its shape over the
    symbols and the symbols' ranges, instead of a failure somewhere
    downstream. Functions without symbols are left to
    `aicc-graph-check-static-shapes` and the lowering's own reasons.

    ```mlir
    // error: node 'add' (Add): result #0 has shape [1, seq]; dynamic dims
    // past the graph stage are not supported yet (symbols: seq in [1, 8]);
    // specialize them with --dim seq=N
    ```

    The avx512/host CPU targets lower dynamic dims (the driver runs this
    pass only for the other targets); with `target`, the error says that
    target does not support them.
  }];
  let options = [
    Option<"targetName", "target", "std::string", /*default=*/"\"\"",
           "The target being compiled for (named in the error)">,
  ];
}


def KvCacheInPlacePass
    : Pass<"aicc-graph-kv-cache-in-place", "::mlir::func::FuncOp"> {
  let summary = "Turn past/present KV-cache pairs into persistent state";
  let description = [{
    For each cache pair (Optimum names `past_key_values.N.key|value` <->
    `present.N.key|value`, `past.N...` <-> `present.N...`, or `pairs`,
    `PAST:PRESENT,...`) whose present output is `Concat(past, new, axis=2)`
    of rank-4 `[1, H, P, D]` tensors, the cache becomes a state tensor of
    `[1, T_max, H, D]` (token-major, so the first `P + S` tokens are a
    dense prefix; `T_max` is the upper bound of the present's axis 2):

    - a new argument `aicc.kv_state:<past>:<present>` (static) holds the state;
    - the present output is replaced by `aicc.kv_write:<past>:<present>`, the new
      rows `[1, S, H, D]` (the `Transpose` operand of the Concat, or a
      transpose of it), which the exec pass `aicc-exec-kv-state` copies into
      the state at row `P`;
    - every other use of the Concat reads `Transpose(Slice(state, 0, P + S))`
      (P and S from `Shape`), i.e. the cache in place.

    The past input stays in the signature for its shape only (it binds
    `past_sequence`); the exec pass turns the two new arguments into a
    persistent state buffer. Pairs that do not match are an error naming
    the pair and what differs.
  }];
  let options = [
    Option<"pairs", "pairs", "std::string", /*default=*/"\"auto\"",
           "'auto' (Optimum names) or PAST:PRESENT,... (graph names)">,
  ];
  let statistics = [
    Statistic<"numPairs", "pairs", "Number of cache pairs made state">,
  ];
}

def ConvertPrecisionPass
    : Pass<"aicc-graph-convert-precision", "::mlir::func::FuncOp"> {
  let summary = "bf16/fp16 operands for Conv, MatMul and Gemm with constant "
                "weights (aicc --precision)";
  let description = [{
    `aicc --precision=bf16|fp16`. Conv (group 1), MatMul and Gemm (transA
    0) whose weights are a constant f32 tensor (Conv: W; MatMul/Gemm: a
    2-D B) get lower-precision operands; results, biases and whatever
    follows stay f32.

    bf16: the weights become a bf16 constant, rounded to nearest even at
    compile time, read through `graph.Cast` to f32; the activation operand
    is rounded through `Cast(to bf16)` and `Cast(to f32)`. Products of two
    bf16 values are exact in f32, so this is the numerics of a bf16 dot
    product with f32 accumulation, in ONNX ops that every target runs; the
    avx512 target turns the pattern into vdpbf16ps kernels
    (aicc-avx512-low-precision-kernels). fp16: the weights become an f16
    constant read through a Cast (half the storage); activations and math
    stay f32. int8w (MatMul only, for memory-bound decode GEMVs): B [K, N]
    becomes an int8 constant (symmetric, one scale max|B[:, n]|/127 per
    column) read through a Cast to f32, and the MatMul's result is
    multiplied by the scales [N]. A Gemm with transB = 1 gets its weights
    transposed ([K, N]) and transB = 0. Converted ops carry
    `aicc.precision`.

    Before (bf16):

    ```mlir
    %w = graph.constant dense<...> : tensor<8x4xf32>
    %y = graph.MatMul %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
    ```

    After:

    ```mlir
    %w = graph.constant dense<...> : tensor<8x4xbf16>
    %wf = graph.Cast %w {to = 1 : i64} : (tensor<8x4xbf16>) -> tensor<8x4xf32>
    %xb = graph.Cast %x {to = 16 : i64} : (tensor<2x8xf32>) -> tensor<2x8xbf16>
    %xf = graph.Cast %xb {to = 1 : i64} : (tensor<2x8xbf16>) -> tensor<2x8xf32>
    %y = graph.MatMul %xf, %wf {aicc.precision = "bf16"} : ...
    ```
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"bf16\"",
           "bf16 (bf16 operands, f32 accumulation), fp16 (f16 weights, "
           "f32 math) or int8w (MatMul weights as int8 with a per-column "
           "f32 scale, f32 math)">,
  ];
  let statistics = [
    Statistic<"numConverted", "ops-converted",
              "Number of Conv/MatMul/Gemm ops given lower-precision operands">,
  ];
}

#endif // AICC_PASSES_GRAPH_PASSES_TD
