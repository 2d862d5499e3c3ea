//===- Passes.td - avx512 target passes --------------------*- tablegen -*-===//

#ifndef AICC_TARGETS_AVX512_PASSES_TD
#define AICC_TARGETS_AVX512_PASSES_TD

include "mlir/Pass/PassBase.td"

def PackWeights : Pass<"aicc-avx512-pack-weights", "::mlir::func::FuncOp"> {
  let summary = "Store constant weights in the layout the avx512 schedule "
                "reads with vector loads";
  let description = [{
    When a reduction's output is narrower than a vector along its innermost
    dim (a conv on a 7x7 image), the avx512 schedule vectorizes the output
    channels instead, and the weights, indexed by output channel in their
    outermost dim, would be gathered with a large stride. For weights that
    are `graph.constant`s this pass transposes the data at compile time so
    that dim is innermost, and rewrites the generic's indexing map to match.
    Named linalg ops are generalized first.

    With `winograd`, a 3x3 stride-1 fp32 conv with constant weights and at
    least 64 input and output channels gets the Winograd F(2x2, 3x3)
    transform of its weights, U = G g G^T, as `[3][3][2][Fp/8][C][8]` (the
    16 points of a 4x4 tile and 2 of zeros, 3x3x2 so that kh and kw stay
    dims of the map; output channels padded to a multiple of 8, 8
    innermost), the map
    `(n, f, h, w, c, kh, kw) -> (kh, kw, 0, f floordiv 8, c, f mod 8)` and
    the attribute `aicc.winograd`; the kernel translator computes such a
    conv with the Winograd kernel (WinogradConv.h), never from its body.

    With `amx`, the 8-bit convs AMX computes (AmxKernels.h) get their
    weights as `[Fp][Kh][Kw][Cp/4][4]` (output channels padded to a multiple
    of 16, input channels to one of 64, with zeros) and the map
    `(n, f, h, w, c4, kh, kw, j) -> (f, kh, kw, c4, j)`.

    Last, constants of the block with the same data (one weight packed the
    same way for several consumers) become one constant, so the artifact
    holds each packed weight once.

    Before (weights `[Cout][Cin][Kh][Kw]`):
    ```mlir
    %w = graph.constant dense_resource<w> : tensor<512x512x3x3xf32>
    %y = linalg.generic {indexing_maps = [..., (n, c, h, w, ci, kh, kw) -> (c, ci, kh, kw), ...]}
           ins(%x, %w ...)
    ```
    After (`[Cin][Kh][Kw][Cout]`):
    ```mlir
    %w = graph.constant dense_resource<w.packed> : tensor<512x3x3x512xf32>
    %y = linalg.generic {indexing_maps = [..., (n, c, h, w, ci, kh, kw) -> (ci, kh, kw, c), ...]}
           ins(%x, %w ...)
    ```
  }];
  let options = [
    Option<"amx", "amx", "bool", /*default=*/"false",
           "Lay out the weights of the 8-bit convs the AMX kernels compute "
           "as [Fp][Kh][Kw][Cp/4][4] (AmxKernels.h; needs AMX-INT8 in the "
           "kernels' target)">,
    Option<"winograd", "winograd", "bool", /*default=*/"false",
           "Replace the weights of the 3x3 stride-1 fp32 convs that "
           "Winograd F(2x2, 3x3) computes faster by their transform "
           "[3][3][2][Fp/8][C][8] and mark the convs `aicc.winograd` "
           "(WinogradConv.h)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FlattenPointwiseConvs : Pass<"aicc-avx512-flatten-pointwise-convs",
                                 "::mlir::func::FuncOp"> {
  let summary = "Compute 1x1 expansion convs on rows that waste vector "
                "lanes over the flattened map";
  let description = [{
    A 1x1 stride-1 `linalg.conv_2d_nchw_fchw` reads and writes its planes
    densely, so on `[N, C, H, W]` it equals the same conv on the view
    `[N, C, 1, H*W]`. The avx512 schedule vectorizes the innermost dim: on
    56- or 28-wide rows (ResNet-50's layers 1 and 2) the last of each
    row's vectors is half empty and every other row starts mid cache line;
    over the flattened map every vector is full and 64-byte aligned. Only
    fp32 convs with constant weights on rows wider than a vector and not a
    multiple of one are rewritten: those the schedule computes as a task
    per panel of output channels (at most 128 input channels, at least 256
    output channels) on the whole map as one row, others of at least 64
    input and output channels on maps of a multiple of 64 pixels on rows
    of 64 (`[N, C, H*W/64, 64]`, so schedules with a task per row keep
    their tasks); not one whose result is padded for a depthwise conv or
    a pooling (that pad folds into their kernel with the conv). The init
    (a fill or the bias broadcast) and the
    chain of elementwise ops reading the conv, each the only user of the
    one before (residual Add, ReLU), move to the flattened shape with it,
    their other operands read through a view; the result is viewed back.

    First, a 1x1 fp32 conv of stride 2 with constant weights (ResNet's
    downsample convs) becomes a conv of stride 1 on a copy of its input's
    every second pixel of every second row (a `linalg.generic` reading
    `(n, c, 2h, 2w)`, a kernel of its own): the conv reads a dense map a
    quarter of the size, which stays in cache, instead of one element in
    two of every second row, a cache line and a page per input channel
    for each few pixels. When the copy's rows are wider than a vector and
    not a multiple of one (ResNet-50's 28x28), the conv is computed on the
    whole map flattened. ResNet-50, bench/profile, share of the samples of
    the three downsample convs (with their copies): 8.1-8.2% -> 7.7% on
    one thread, 7.9-8.0% -> 7.3-7.4% on two.

    Before:
    ```mlir
    %b = linalg.generic ... outs(%e : tensor<1x256x56x56xf32>)  // bias
    %c = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x56x56xf32>, ...)
           outs(%b : tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32>
    %y = linalg.generic ... ins(%c, %res ...)  // residual Add
    ```
    After:
    ```mlir
    %xf = tensor.expand_shape (tensor.collapse_shape %x) : tensor<1x64x1x3136xf32>
    %b = linalg.generic ... outs(%e : tensor<1x256x1x3136xf32>)
    %c = linalg.conv_2d_nchw_fchw ins(%xf, %w ...) -> tensor<1x256x1x3136xf32>
    %y = linalg.generic ... ins(%c, %resf ...) -> tensor<1x256x1x3136xf32>
    %out = tensor.expand_shape (tensor.collapse_shape %y) : tensor<1x256x56x56xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MarkFoldedPadding : Pass<"aicc-avx512-mark-folded-padding",
                             "::mlir::func::FuncOp"> {
  let summary = "Let the fusion policy fold padding into the kernels of "
                "this target";
  let description = [{
    Sets the unit attribute `aicc.fold_padding` on each function. The fusion
    policy of dispatch formation (passes/exec/FusionPolicy.cpp) folds a
    tensor.pad into the depthwise conv or pooling reading it, and an expand
    conv into that kernel, only in functions with this attribute: the
    avx512 schedule computes such pads and producers per parallel task
    (HalideSchedule.cpp); targets whose kernels cannot (the GPU targets)
    leave it unset and keep them in kernels of their own. It also sets
    `aicc.fuse_rows`: the policy then groups a reduction over the innermost
    dims with the ops around it (Softmax, LayerNorm, RMSNorm), which the
    avx512 schedule computes row by row, and lets an elementwise chain take
    a producer read more than once.
  }];
}

def LowPrecisionKernels : Pass<"aicc-avx512-low-precision-kernels",
                                "::mlir::func::FuncOp"> {
  let summary = "Convs and matmuls of bf16/fp16 operands read them narrow; "
                "bf16 ones as vdpbf16ps dot products of 2";
  let description = [{
    After `aicc-graph-convert-precision` (--precision=bf16|fp16), convs and
    matmuls read `arith.extf` of bf16/f16 tensors: a bf16/f16 weight
    constant and, for bf16, the activation rounded to bf16.

    With `dot-products` (the avx512-vnni target, and host on CPUs with
    AVX512-BF16), a `linalg.conv_2d_nchw_fchw` or `linalg.matmul` (its
    activation possibly zero-padded or collapsed) of extf(bf16) and
    extf(bf16 constant) becomes a `linalg.generic` on the bf16 tensors
    themselves with the input channels (K) split into [C/2][2] and the pair
    as the innermost reduction loop, body `acc + extf(a) * extf(w)`: the
    shape of AVX512-BF16's vdpbf16ps, which Halide emits for the atomic
    vectorized reduction of 2 that the avx512 schedule gives such a dot
    product (VectorLayout.h, DotProduct). Odd channel counts and other
    forms keep f32 math on the rounded values.

    Every other reduction that reads extf of a bf16/f16 constant gets the
    extf folded into its body (a named op is generalized), so the weights
    stay narrow in memory and PackWeights lays out the narrow constant.
  }];
  let options = [
    Option<"dotProducts", "dot-products", "bool", /*default=*/"true",
           "Rewrite bf16 convs and matmuls into dot products of 2 "
           "(needs AVX512-BF16 in the kernels' target)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // AICC_TARGETS_AVX512_PASSES_TD
