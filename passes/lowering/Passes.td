//===- Passes.td - graph to linalg lowering passes ---------*- tablegen -*-===//
//
// Stage 2 of the pipeline (docs/Pipeline.md): graph ops with ONNX semantics
// become linalg on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_LOWERING_PASSES_TD
#define AICC_PASSES_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerGraphToLinalgPass
    : Pass<"aicc-lower-graph-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower graph ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every graph op with a lowering into linalg named ops or
    `linalg.generic` (with `linalg.index` and `tensor.extract` in bodies for
    gathers), the tensor view and padding ops (`empty`, `pad`,
    `collapse_shape`, `expand_shape`, `extract_slice`, `insert_slice`,
    `concat`), `arith` and `math`, with exact ONNX semantics.
    `graph.constant` stays: it is the weight reference.

    The pass is a partial dialect conversion with typed patterns. An op
    without a lowering (or with attributes, types or modes the lowering does
    not handle) is left as it is, never an error, and gets the reason of its
    last failed match as a string attribute, e.g.
    `aicc.unsupported = "mode='cubic' is not supported (only nearest and
    linear)"` or `"no lowering for Det yet"`. The other ops are still
    lowered; the driver reports every op left, with its node name, op type
    and reason, in one run (`reportUnloweredOps`).

    Conventions:
    - Broadcasting: an operand's broadcast dims are dropped with
      `tensor.collapse_shape`, so every indexing map is a projected
      permutation.
    - Unsigned element types (`ui8`..) stay on tensors. Inside linalg bodies
      an unsigned scalar is reinterpreted as its signless equivalent with
      `builtin.unrealized_conversion_cast` (same bits) and computed on with
      the unsigned arith variants (`divui`, `cmpi ult`, `extui`, `uitofp`,
      ...); the yielded value is cast back. Pure data movement never casts.
    - Padding is `tensor.pad` with the neutral value (0 for Conv/AveragePool,
      -inf or the lowest integer for MaxPool); AveragePool divides by a
      per-position count computed from `linalg.index` when pads are excluded.

    Before:

    ```mlir
    %0 = graph.Relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %1 = graph.Add %0, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    ```

    After:

    ```mlir
    %e = tensor.empty() : tensor<1x8xf32>
    %0 = linalg.generic {indexing_maps = [#id, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<1x8xf32>) outs(%e : tensor<1x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %c0 = arith.constant 0.0 : f32
      %m = arith.maximumf %in, %c0 : f32
      linalg.yield %m : f32
    } -> tensor<1x8xf32>
    %1 = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (d1)>, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%0, %b : tensor<1x8xf32>, tensor<8xf32>) outs(%e2 : tensor<1x8xf32>) {
    ^bb0(%l: f32, %r: f32, %out: f32):
      %s = arith.addf %l, %r : f32
      linalg.yield %s : f32
    } -> tensor<1x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::affine::AffineDialect",
  ];
}

def LegalizeNarrowTypesPass
    : Pass<"aicc-legalize-narrow-types", "::mlir::func::FuncOp"> {
  let summary = "Store float8/float4/int4/int2 tensors as bytes and expand "
                "their conversions into integer arithmetic";
  let description = [{
    Runs after `aicc-lower-graph-to-linalg` (it does nothing to a function
    that still holds unlowered graph ops). Every value whose element type is
    f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN, i4/ui4 or
    i2/ui2 gets its one-byte storage type: `i8` holding the bit pattern for
    the float types, `i8` sign-extended for i4/i2, `ui8` for ui4/ui2
    (docs/Artifact.md). Constants are re-encoded. The function's arguments
    and results keep the caller's element type in `aicc.element_type`.

    Inside linalg bodies the conversions on these types (`arith.extf`,
    `truncf`, `sitofp`, `uitofp`, `fptosi`, `fptoui`, `extsi`, `extui`,
    `trunci`, constants) become integer arithmetic on the bits: decoding is
    exact, encoding rounds to nearest even and follows ONNX Cast's
    `saturate` (the discardable `aicc.saturate` on the `truncf`; without it
    MLIR's semantics: inf or NaN) and, for f8E8M0FNU, `round_mode`
    (`aicc.round_mode`). Wrapping integer arithmetic, comparisons and
    selects on i4/i2 are kept on the bytes; any other computation on a
    narrow type is an error.

    Before:

    ```mlir
    ^bb0(%in: f32, %out: f8E4M3FN):
      %0 = arith.truncf %in {aicc.saturate = true} : f32 to f8E4M3FN
      linalg.yield %0 : f8E4M3FN
    ```

    After: the body yields an `i8` computed with `arith.bitcast`, shifts,
    masks, compares and selects.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
  ];
}

def FoldKvCacheTransposePass
    : Pass<"aicc-fold-kv-cache-transpose", "::mlir::func::FuncOp"> {
  let summary = "Fold the transposes of --kv-cache state into the "
                "linalg.generic ops that read them";
  let description = [{
    After the lowering, for a function compiled with `--kv-cache`
    (`aicc.kv_state:*` arguments of [1, T_max, H, D], docs/Pipeline.md "KV
    cache in place"): each `linalg.transpose` of (a `tensor.extract_slice`
    of) such an argument whose every user reads it as a `linalg.generic`
    input is removed, and those users read the slice with their indexing
    map composed with the permutation. Attention's Q·Kᵀ and P·V then read
    the cache in place instead of a transposed copy of it per step. A no-op
    for functions without kv state.
  }];
  let statistics = [
    Statistic<"numFolded", "folded", "Transposes of the KV state folded">,
  ];
}

#endif // AICC_PASSES_LOWERING_PASSES_TD
