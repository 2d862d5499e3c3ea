//===- Passes.td - exec-level passes -----------------------*- tablegen -*-===//

#ifndef AICC_PASSES_EXEC_PASSES_TD
#define AICC_PASSES_EXEC_PASSES_TD

include "mlir/Pass/PassBase.td"

def FormDispatchRegions
    : Pass<"aicc-form-dispatch-regions", "::mlir::ModuleOp"> {
  let summary = "Wrap the ops that share a kernel in exec.dispatch_region ops";
  let description = [{
    The first of the three dispatch formation passes. A grouping policy
    (`passes/exec/DispatchGroupingPolicy.h`) picks groups of ops of the entry
    function; each group is moved into an `exec.dispatch_region` at the
    place of its last op, whose results are the group's results used
    outside it (or not used at all) and whose location is the op's, or a
    `FusedLoc` of its ops' locations. The default policy, used by this
    flag, is "one op per region": every op that needs a kernel (tensor
    results; not a constant, a view, a `tensor.empty` or a clonable
    producer) is a region of its own. A fusion policy is passed with
    `createFormDispatchRegions(policy)`.

    Before:

    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %r = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>)
        -> tensor<4xf32> loc("Exp_0")
    ```

    After:

    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %r = exec.dispatch_region -> (tensor<4xf32>) {
      %0 = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>)
          -> tensor<4xf32>
      exec.yield %0 : tensor<4xf32>
    } loc("Exp_0")
    ```
  }];
  let options = [
    Option<"entryPoint", "entry-point", "std::string", /*default=*/"\"main\"",
           "Name of the function to convert">,
    Option<"policyName", "policy", "std::string",
           /*default=*/"\"one-op-per-region\"",
           "Grouping policy when none is passed in: one-op-per-region or "
           "fusion (passes/exec/FusionPolicy.cpp)">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect"];
}

def CloneProducersIntoDispatchRegions
    : Pass<"aicc-clone-producers-into-dispatch-regions", "::mlir::ModuleOp"> {
  let summary = "Clone cheap producers into the dispatch regions using them";
  let description = [{
    The second dispatch formation pass. For every `exec.dispatch_region` of
    the entry function, the producers of the values it uses from above that
    are cheap to recompute (`isClonableIntoDispatchRegion`,
    `passes/exec/DispatchUtils.h`) are cloned into the region, transitively
    and in the function's order, so the kernel computes them instead of
    reading a buffer:

    - `tensor.empty` (its content is undefined);
    - a `linalg.fill`, or an elementwise `linalg.generic` such as a bias
      broadcast, of an empty init, used only as the init of linalg ops;
      each user gets its own copy, its tensor inputs stay bindings;
    - effect-free scalar ops without regions (`arith.constant`, a
      `tensor.extract` of a weight whose tensor stays a binding);
    - one-element float tensor constants that `linalg.generic` bodies only
      compare or take a max/min with (a Clip's bounds), as `arith.constant`,
      so the kernel computes with their values (exact operations: a
      constant factor of a product could be reassociated).

    Originals left without uses are erased.

    Before:

    ```mlir
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x3xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>)
        -> tensor<1x3xf32>
    %m = exec.dispatch_region -> (tensor<1x3xf32>) {
      %0 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>)
          outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
      exec.yield %0 : tensor<1x3xf32>
    } loc("Gemm_0")
    ```

    After:

    ```mlir
    %m = exec.dispatch_region -> (tensor<1x3xf32>) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<1x3xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>)
          -> tensor<1x3xf32>
      %0 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>)
          outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
      exec.yield %0 : tensor<1x3xf32>
    } loc("Gemm_0")
    ```
  }];
  let options = [
    Option<"entryPoint", "entry-point", "std::string", /*default=*/"\"main\"",
           "Name of the function to convert">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect",
                           "::mlir::arith::ArithDialect"];
}

def OutlineDispatchRegions
    : Pass<"aicc-outline-dispatch-regions", "::mlir::ModuleOp"> {
  let summary = "Outline dispatch regions into kernels and build the schedule";
  let description = [{
    The last dispatch formation pass. Turns the entry function `@main`
    (dispatch regions, views, constants on static tensors) into an
    `exec.executable` with one kernel per region and an `exec.schedule @main`
    over buffers, walking the function in order:

    - every `exec.dispatch_region` becomes a kernel `func.func
      @k<N>_<node>` (`<node>` = the region's first NameLoc, sanitized, else
      the name of the op yielding its first result) whose arguments are the
      tensors it uses from above (in the order its results' computation
      first reads them) and whose results are the region's, and an
      `exec.dispatch` with the region's location writing new `exec.alloc`s;
    - `tensor.collapse_shape`, `tensor.expand_shape` and contiguous
      `tensor.extract_slice` become `exec.view`s of their source's root
      buffer (no copy);
    - `graph.constant` (and tensor `arith.constant`) become `exec.constant`;
    - a `tensor.empty` read by a view or returned gets an `exec.alloc`;
      effect-free scalar ops are left to the regions that cloned them;
    - results of @main become output buffer arguments: the dispatch that
      computes a result writes straight into its output buffer (through a
      view when the result is a reshape of it); a result that is an input,
      a weight, a slice or a value returned twice is copied (`exec.copy`).

    Any other op with tensor results is an error: it should have been put
    in a region by `aicc-form-dispatch-regions`.

    Dynamic shapes (issue 12): index values of `@main` (the `tensor.dim`
    marked `aicc.symbol`, `affine.apply/min/max`, constants) are recomputed
    in the schedule (`exec.symbol`); a kernel takes the index values its
    region uses and the extents of its tensors' `?` dims as trailing
    `index` arguments (push constants, `aicc.dynamic_dims` on its tensors),
    dynamic `exec.alloc`s get size operands and `upper_bound_bytes`, and
    `exec.return` the outputs' extents. The schedule keeps `aicc.symbols`,
    `aicc.assumptions` and `aicc.assumption_ops`.

    Before:

    ```mlir
    func.func @main(%x: tensor<2x4xf32> {graph.name = "x"})
        -> (tensor<8xf32> {graph.name = "y"}) {
      %r = exec.dispatch_region -> (tensor<2x4xf32>) {
        %e = tensor.empty() : tensor<2x4xf32>
        %0 = linalg.exp ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>)
            -> tensor<2x4xf32>
        exec.yield %0 : tensor<2x4xf32>
      } loc("Exp_0")
      %y = tensor.collapse_shape %r [[0, 1]]
          : tensor<2x4xf32> into tensor<8xf32>
      return %y : tensor<8xf32>
    }
    ```

    After:

    ```mlir
    exec.executable @kernels {
      func.func @k0_Exp_0(%arg0: tensor<2x4xf32>) -> tensor<2x4xf32> { ... }
    }
    exec.schedule @main(%arg0: memref<2x4xf32> {graph.name = "x"},
                        %arg1: memref<8xf32> {graph.name = "y"})
        attributes {num_inputs = 1 : i64} {
      %0 = exec.view %arg1[0] : memref<8xf32> to memref<2x4xf32>
      exec.dispatch @kernels::@k0_Exp_0 ins(%arg0 : memref<2x4xf32>)
          outs(%0 : memref<2x4xf32>) loc("Exp_0")
      exec.return
    }
    ```
  }];
  let options = [
    Option<"entryPoint", "entry-point", "std::string", /*default=*/"\"main\"",
           "Name of the function to convert">,
    Option<"executableName", "executable-name", "std::string",
           /*default=*/"\"kernels\"", "Name of the exec.executable to create">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def FormDispatches : Pass<"aicc-form-dispatches", "::mlir::ModuleOp"> {
  let summary = "Run the three dispatch formation passes with the default "
                "policy";
  let description = [{
    Shorthand for `aicc-form-dispatch-regions`,
    `aicc-clone-producers-into-dispatch-regions` and
    `aicc-outline-dispatch-regions` in this order with the default grouping
    policy (one op per region) and the given options: `func.func @main` on
    tensors in, `exec.executable` + `exec.schedule` out. `buildExecPipeline`
    adds the three passes itself.

    Before:

    ```mlir
    func.func @main(%x: tensor<4xf32> {graph.name = "x"})
        -> (tensor<4xf32> {graph.name = "y"}) {
      %e = tensor.empty() : tensor<4xf32>
      %r = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>)
          -> tensor<4xf32> loc("Exp_0")
      return %r : tensor<4xf32>
    }
    ```

    After:

    ```mlir
    exec.executable @kernels {
      func.func @k0_Exp_0(%arg0: tensor<4xf32>) -> tensor<4xf32> { ... }
    }
    exec.schedule @main(%arg0: memref<4xf32> {graph.name = "x"},
                        %arg1: memref<4xf32> {graph.name = "y"})
        attributes {num_inputs = 1 : i64} {
      exec.dispatch @kernels::@k0_Exp_0 ins(%arg0 : memref<4xf32>)
          outs(%arg1 : memref<4xf32>) loc("Exp_0")
      exec.return
    }
    ```
  }];
  let options = [
    Option<"entryPoint", "entry-point", "std::string", /*default=*/"\"main\"",
           "Name of the function to convert">,
    Option<"executableName", "executable-name", "std::string",
           /*default=*/"\"kernels\"", "Name of the exec.executable to create">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def PlanMemory : Pass<"aicc-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Assign arena offsets to exec.alloc buffers";
  let description = [{
    Computes the live range of every `exec.alloc` of each `exec.schedule`
    (from the first to the last command using it or a view of it, in
    schedule order), places the buffers of each memory space in one arena
    (greedy by size with best-fit gaps, then a bounded hill climb that stops
    at the lower bound; passes/exec/MemoryPlanner.h) with 64-byte aligned
    offsets, and records the result: `offset` on each alloc, `arena_size`
    and `lower_bound` (peak bytes alive at one step) per space on the
    schedule. Caller inputs/outputs and constants are not in the arena.
    A dynamic buffer is placed by its upper bound: `upper_bound_bytes`,
    computed here when missing from the schedule's `aicc.symbols` ranges by
    interval arithmetic over its size operands (dialects/exec/IndexExpr.h);
    a buffer that cannot be bounded is an error.

    Before:

    ```mlir
    %a = exec.alloc : memref<16xf32>
    %b = exec.alloc : memref<16xf32>
    ```

    After:

    ```mlir
    exec.schedule @main(...) attributes {arena_size = array<i64: 128>,
        lower_bound = array<i64: 128>, num_inputs = 1 : i64} {
      %a = exec.alloc {offset = 0 : i64, space = 0 : i64} : memref<16xf32>
      %b = exec.alloc {offset = 64 : i64, space = 0 : i64} : memref<16xf32>
    ```
  }];
  let options = [
    Option<"maxIterations", "max-iterations", "unsigned", /*default=*/"1000",
           "Hill-climb steps after the greedy placement (0: greedy only)">,
    Option<"alignment", "alignment", "uint64_t", /*default=*/"64",
           "Byte alignment of every offset (a power of two)">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect"];
}

def StageHostBuffers
    : Pass<"aicc-stage-host-buffers", "::mlir::ModuleOp"> {
  let summary = "Copy the caller's host buffers through device arena buffers";
  let description = [{
    For targets whose kernels run on a device with its own memory (GPUs):
    every argument of each `exec.schedule` (the caller's inputs and outputs,
    host memory) that a command uses gets an `exec.alloc` of its type in
    memory space `space` (the device arena), and every use of the argument
    is replaced by it (views included). An input is copied into its buffer
    right before the first command that uses it; an output's buffer is
    copied back right after the last command that uses it. Afterwards no
    dispatch binds an input or output directly. Runs before
    `aicc-plan-memory`, which places the new buffers.

    Before:

    ```mlir
    exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {num_inputs = 1 : i64} {
      exec.dispatch @kernels::@k0 ins(%x : memref<4xf32>)
          outs(%y : memref<4xf32>)
      exec.return
    }
    ```

    After:

    ```mlir
      %0 = exec.alloc : memref<4xf32>
      %1 = exec.alloc : memref<4xf32>
      exec.copy %x, %0 : memref<4xf32>, memref<4xf32>
      exec.dispatch @kernels::@k0 ins(%0 : memref<4xf32>)
          outs(%1 : memref<4xf32>)
      exec.copy %1, %y : memref<4xf32>, memref<4xf32>
      exec.return
    ```
  }];
  let options = [
    Option<"space", "space", "int64_t", /*default=*/"0",
           "Memory space of the device buffers">,
  ];
  let dependentDialects = ["::aicc::exec::ExecDialect"];
}


def KvState : Pass<"aicc-exec-kv-state", "::mlir::ModuleOp"> {
  let summary = "Make the --kv-cache state arguments persistent state";
  let description = [{
    Runs after dispatch formation, before memory planning, on what
    `aicc-graph-kv-cache-in-place` left in the signature: an input
    `aicc.kv_state:<past>:<present>` (the cache, `[1, T_max, H, D]`) and an
    output `aicc.kv_write:<past>:<present>` (the new rows `[1, S, H, D]`).
    The input becomes `exec.alloc {aicc.state = "<present>", aicc.kv_past =
    "<past>"}` (not planned: the serializer makes it a state pool, which a
    session keeps across runs); the output becomes an arena buffer followed
    by an `exec.copy` into a view of the state at byte offset
    `P * H * D * element size` (`aicc.target_offset`, an affine map over the
    schedule's symbols; P is dim 2 of the past input's `aicc.shape`). Both
    arguments leave the signature; the past input stays for its shape only.
    A read of the state before that copy is an error. Schedules without
    such arguments are unchanged.
  }];
  let dependentDialects = ["::aicc::exec::ExecDialect"];
}

#endif // AICC_PASSES_EXEC_PASSES_TD
