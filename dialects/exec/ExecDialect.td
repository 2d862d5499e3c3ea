//===- ExecDialect.td - Exec dialect definition -----------*- tablegen -*-===//
//
// The `exec` dialect: the execution plan of a compiled model. Kernels live in
// `exec.executable` symbol tables as functions on tensors; the schedule
// (`exec.schedule`) is an ordered list of dispatches and copies over
// buffers (memrefs): caller inputs and outputs, weights and arena
// allocations. docs/Pipeline.md (section 3) describes the contract.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_EXEC_DIALECT_TD
#define AICC_EXEC_DIALECT_TD

include "mlir/IR/OpBase.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let cppNamespace = "::aicc::exec";
  let summary = "Execution plan: executables, buffers, dispatches, copies";
  let description = [{
    The exec dialect is the last IR before the artifact. An
    `exec.executable` holds the kernels (outlined `func.func`s on tensors)
    that a target compiles into one binary. An `exec.schedule` is the
    program the runtime runs: its arguments are the caller's input and
    output buffers, and its body declares weights (`exec.constant`), arena
    buffers (`exec.alloc`), aliases (`exec.view`) and the commands
    (`exec.dispatch`, `exec.copy`) in execution order. Memory planning
    assigns every `exec.alloc` an offset in the arena of its memory space
    and records the arena size on the schedule.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

#endif // AICC_EXEC_DIALECT_TD
