//===- Passes.td - GPU target passes (cuda, rocm) ----------*- tablegen -*-===//

#ifndef AICC_TARGETS_GPU_PASSES_TD
#define AICC_TARGETS_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GpuTileAndFuse : Pass<"aicc-gpu-tile-and-fuse", "::mlir::func::FuncOp"> {
  let summary = "Tile a kernel's result op per output element and fuse its "
                "producers into the tile";
  let description = [{
    Runs on an outlined kernel (linalg on tensors). The op that computes the
    returned values (the root: a fused region's last op) is tiled with tile
    size 1 along each of its parallel loops into one `scf.forall`, and its
    producers in the kernel (a matmul's `linalg.fill` init, the elementwise
    ops and the reduction of a fused region) are fused into the loop body,
    greedily. Every iteration then computes one output element with all of
    its producers, so the kernel becomes one parallel loop nest that
    `aicc-gpu-map-to-kernels` maps to GPU threads.

    Kernels whose returned values come from several ops, whose root has no
    parallel loop or an empty iteration space (a zero-sized dim), or cannot
    be tiled (`tensor.concat`, `tensor.insert_slice`) are left as they are.

    Before:

    ```mlir
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    %m = linalg.matmul ins(%a, %b : ...) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %m : tensor<4x8xf32>
    ```

    After:

    ```mlir
    %r = scf.forall (%i, %j) in (4, 8) shared_outs(%o = %e) -> (tensor<4x8xf32>) {
      ... linalg.fill (1x1) ... linalg.matmul (1xK * Kx1 -> 1x1) ...
      scf.forall.in_parallel { tensor.parallel_insert_slice ... }
    }
    return %r : tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def GpuMapToKernels : Pass<"aicc-gpu-map-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn bufferized kernel functions into gpu.func kernels";
  let description = [{
    Runs on a module of bufferized kernels: `func.func`s whose arguments are
    identity-layout memrefs (inputs, then outputs) and that return nothing.
    Each becomes a `gpu.func` kernel of the same name and arguments (the
    bare-pointer kernel ABI: argument i is binding i) in `gpu.module
    @kernels`; the function is erased. The body's top-level ops are split
    into phases: each `scf.parallel` is a parallel phase; any other op with
    side effects (a `memref.copy` becomes a parallel phase; scalar code) is
    a phase that one thread runs.

    - One parallel phase alone: its iteration space is linearized with the
      innermost (contiguous) dim fastest, one thread per iteration:
      `workgroup_size` = min(N, block-size), `workgroup_count` =
      ceil(N / workgroup_size), so neighbouring threads access neighbouring
      elements (coalesced).
    - Several phases: one workgroup of `block-size` threads runs them in
      order, each thread striding over a parallel phase's iterations, with
      `gpu.barrier` between phases. Top-level `memref.alloc`s (buffers the
      phases share, up to 48 KiB) become workgroup memory.

    A buffer without elements is passed as a one-element buffer. Nested
    `memref.alloc`s (a thread's temporaries) become private `memref.alloca`s
    at the kernel's entry;
    a `memref.global` a kernel reads is copied into the gpu.module;
    `math.isinf`/`isnan`/`isfinite` become comparisons; float multiplies,
    adds and subtracts get `fastmath<contract>` (FMA contraction). The
    grid is recorded as `aicc.workgroup_count`, the block size as
    `known_block_size` on each gpu.func.
  }];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "Threads per workgroup">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // AICC_TARGETS_GPU_PASSES_TD
