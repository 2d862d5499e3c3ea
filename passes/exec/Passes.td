//===- Passes.td - exec-level passes -----------------------*- tablegen -*-===//

#ifndef AICC_PASSES_EXEC_PASSES_TD
#define AICC_PASSES_EXEC_PASSES_TD

include "mlir/Pass/PassBase.td"

def FormDispatches : Pass<"aicc-form-dispatches", "::mlir::ModuleOp"> {
  let summary = "Outline compute ops into kernels and build the exec schedule";
  let description = [{
    Turns `func.func @main` (linalg/tensor/arith/math on static tensors plus
    `graph.constant` weights) into an `exec.executable` holding one kernel
    per compute op and an `exec.schedule @main` over buffers:

    - every linalg op, `tensor.pad`, `tensor.concat`, `tensor.insert_slice`,
      non-contiguous `tensor.extract_slice` (and any other op with tensor
      results) becomes a kernel `func.func @k<N>_<node>` (tensor arguments =
      its tensor operands and captured tensors, results = its results;
      `tensor.empty` and `linalg.fill`-of-empty inits and scalar constants
      are cloned in) and an `exec.dispatch` writing into new `exec.alloc`s;
    - `tensor.collapse_shape`, `tensor.expand_shape` and contiguous
      `tensor.extract_slice` become `exec.view`s of their source (no copy);
    - `graph.constant` (and tensor `arith.constant`) become `exec.constant`;
    - results of @main become output buffer arguments: the dispatch that
      computes a result writes straight into its output buffer (through a
      view when the result is a reshape of it); a result that is an input,
      a weight, a slice or a value returned twice is copied (`exec.copy`).

    Dispatches keep the location of the op they replace (the ONNX node).

    Before:

    ```mlir
    func.func @main(%x: tensor<2x4xf32> {graph.name = "x"})
        -> (tensor<8xf32> {graph.name = "y"}) {
      %e = tensor.empty() : tensor<2x4xf32>
      %r = linalg.exp ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>)
          -> tensor<2x4xf32> loc("Exp_0")
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
                           "::mlir::linalg::LinalgDialect"];
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

#endif // AICC_PASSES_EXEC_PASSES_TD
