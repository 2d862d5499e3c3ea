//===- ExecOps.td - Exec dialect operations ---------------*- tablegen -*-===//

#ifndef AICC_EXEC_OPS_TD
#define AICC_EXEC_OPS_TD

include "dialects/exec/ExecDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ViewLikeInterface.td"

/// A memref with the identity layout: a plain contiguous byte range, which
/// is all the runtime's buffers can describe. Dynamic dims (`?`) are allowed
/// (issue 12): the buffer is sized by its upper bound and a tensor of the
/// actual extents occupies its first bytes, dense row-major.
def Exec_Buffer : Type<
    And<[IsMemRefTypePred,
         CPred<"::llvm::cast<::mlir::MemRefType>($_self).getLayout()"
               ".isIdentity()">]>,
    "memref with identity layout",
    "::mlir::MemRefType">;

/// A statically shaped memref with the identity layout (weights).
def Exec_StaticBuffer : Type<
    And<[IsMemRefTypePred,
         CPred<"::llvm::cast<::mlir::MemRefType>($_self).hasStaticShape()">,
         CPred<"::llvm::cast<::mlir::MemRefType>($_self).getLayout()"
               ".isIdentity()">]>,
    "statically shaped memref with identity layout",
    "::mlir::MemRefType">;

//===----------------------------------------------------------------------===//
// Executables
//===----------------------------------------------------------------------===//

def Exec_ExecutableOp : Exec_Op<"executable", [
    Symbol, SymbolTable, IsolatedFromAbove, NoRegionArguments,
    SingleBlock, NoTerminator, GraphRegionNoTerminator]> {
  let summary = "A set of kernels compiled into one binary";
  let description = [{
    A symbol table of kernels: each is a `func.func` on tensors whose
    arguments are the kernel's inputs and whose results are its outputs. A
    target compiles the whole executable into one binary (for the CPU, one
    ELF shared object) with one entry point per kernel. Dispatches name a
    kernel as `@executable::@kernel`; the binding order of a dispatch is the
    kernel's arguments, then its results.

    With dynamic shapes (issue 12) a kernel's tensor arguments are followed
    by `index` arguments, its push constants; each tensor argument or result
    with `?` dims carries `aicc.dynamic_dims`, the push constant holding the
    extent of each `?` dim in order.

    Example:

    ```mlir
    exec.executable @kernels {
      func.func @k0_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
        ...
        return %y : tensor<4xf32>
      }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name)>];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

//===----------------------------------------------------------------------===//
// The schedule
//===----------------------------------------------------------------------===//

def Exec_ScheduleOp : Exec_Op<"schedule", [
    IsolatedFromAbove, FunctionOpInterface, Symbol,
    AutomaticAllocationScope]> {
  let summary = "The ordered program of buffers and commands of a model";
  let description = [{
    The program the runtime runs, in order. The arguments are the caller's
    buffers in signature order: the first `num_inputs` are the model inputs
    (read only), the rest its outputs (written by the schedule); each carries
    its ONNX name in a `graph.name` argument attribute. The schedule has no
    results: outputs are written in place.

    After memory planning `arena_size` and `lower_bound` hold, per memory
    space (indexed by the `space` of `exec.alloc`), the bytes of the arena
    and the peak bytes alive at one step, which no plan can go below.

    With dynamic shapes the arguments may have `?` dims; the schedule then
    has `aicc.symbols` (name -> array<i64: lo, hi>, read by `exec.symbol`),
    its inputs their `aicc.shape`, and optionally `aicc.assumptions` and
    `aicc.assumption_ops`; `exec.return dims(...)` gives the outputs'
    extents. Plans are for the upper bounds. Value-dependent shapes add
    `aicc.value_symbols` (an array of {name, range, def, what}: symbols
    computed from input values by the IntExpr program `def`, after the
    `aicc.symbols`) and `runtime_allocated` buffers.

    Example:

    ```mlir
    exec.schedule @main(%x: memref<4xf32> {graph.name = "x"},
                        %y: memref<4xf32> {graph.name = "y"})
        attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>,
                    lower_bound = array<i64: 64>} {
      %t = exec.alloc {offset = 0 : i64, space = 0 : i64} : memref<4xf32>
      exec.dispatch @kernels::@k0_relu ins(%x : memref<4xf32>)
          outs(%t : memref<4xf32>)
      exec.dispatch @kernels::@k1_neg ins(%t : memref<4xf32>)
          outs(%y : memref<4xf32>)
      exec.return
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       I64Attr:$num_inputs,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       OptionalAttr<DenseI64ArrayAttr>:$arena_size,
                       OptionalAttr<DenseI64ArrayAttr>:$lower_bound);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name,
                                 "::mlir::FunctionType":$type,
                                 "int64_t":$numInputs)>];
  let extraClassDeclaration = [{
    /// FunctionOpInterface.
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    ::mlir::Region *getCallableRegion() { return &getBody(); }

    /// The caller buffers of the model's inputs / outputs.
    ::mlir::Block::BlockArgListType getInputBuffers() {
      return getBody().getArguments().take_front(getNumInputs());
    }
    ::mlir::Block::BlockArgListType getOutputBuffers() {
      return getBody().getArguments().drop_front(getNumInputs());
    }
  }];
}

def Exec_ReturnOp : Exec_Op<"return", [Pure, HasParent<"ScheduleOp">,
                                       Terminator]> {
  let summary = "Ends a schedule";
  let description = [{
    Terminates an `exec.schedule`. Outputs are written into the output
    buffers by the commands before it. With dynamic shapes `dims` gives,
    for each `?` dim of each output buffer in order, its extent in this run
    (the output shapes the runtime reports).

    Example:

    ```mlir
    exec.return
    exec.return dims(%len : index)
    ```
  }];
  let arguments = (ins Variadic<Index>:$output_dims);
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, ::mlir::ValueRange());
  }]>];
  let assemblyFormat = [{
    (`dims` `(` $output_dims^ `:` type($output_dims) `)`)? attr-dict
  }];
}

def Exec_SymbolOp : Exec_Op<"symbol", [Pure]> {
  let summary = "The value of a function symbol in this run";
  let description = [{
    The value of symbol `index` of the schedule's `aicc.symbols` (the i-th
    entry of the dictionary, sorted by name), which the runtime binds from
    the input shapes. The schedule computes the other extents and offsets
    from these with `affine.apply`/`affine.min`/`affine.max` and
    `arith.constant`. With value-dependent shapes (issue 15), indices n and
    up (n = the number of `aicc.symbols`) name the entries of
    `aicc.value_symbols`, which the runtime computes from input values
    before the run; the lowering also materializes those in `@main`, where
    dispatch formation treats them as symbols.

    Example:

    ```mlir
    %s0 = exec.symbol {index = 0 : i64}
    ```
  }];
  let arguments = (ins I64Attr:$index);
  let results = (outs Index:$result);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

def Exec_AllocOp : Exec_Op<"alloc", [
    MemoryEffects<[MemAlloc<DefaultResource>]>]> {
  let summary = "A buffer in the arena of a memory space";
  let description = [{
    A buffer that lives in the session arena of memory space `space` (0 is
    the CPU arena). Memory planning sets `offset`, its byte offset in the
    arena; buffers whose live ranges overlap never share bytes. The live
    range runs from the first to the last command that uses the buffer or a
    view of it.

    Example:

    ```mlir
    %0 = exec.alloc : memref<1x64xf32>
    %1 = exec.alloc {offset = 256 : i64, space = 0 : i64} : memref<64xf32>
    ```

    A dynamically shaped buffer takes one `index` operand per `?` dim, its
    extent in this run; its arena slot is sized by `upper_bound_bytes`, the
    bytes of the largest tensor it can hold over the symbols' ranges (set by
    dispatch formation or memory planning, required once planned):

    ```mlir
    %2 = exec.alloc(%len) {upper_bound_bytes = 131072 : i64}
        : memref<1x?x64xf32>
    ```

    A buffer whose upper bound cannot be computed over the symbols' ranges
    or exceeds 1 GiB (value-dependent shapes, issue 15) is
    `runtime_allocated`: it has no arena slot (no `offset`, no
    `upper_bound_bytes`); the runtime allocates its bytes for the extents of
    each run (artifact 1.4, `Buffer.size_expr`).

    ```mlir
    %3 = exec.alloc(%n) {runtime_allocated} : memref<?xf32>
    ```
  }];
  let arguments = (ins Variadic<Index>:$dynamic_sizes,
                       DefaultValuedAttr<I64Attr, "0">:$space,
                       OptionalAttr<I64Attr>:$offset,
                       OptionalAttr<I64Attr>:$upper_bound_bytes,
                       UnitAttr:$runtime_allocated);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = [{
    (`(` $dynamic_sizes^ `)`)? attr-dict `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::MemRefType":$type, "int64_t":$space,
                   "::mlir::IntegerAttr":$offset), [{
      build($_builder, $_state, type, ::mlir::ValueRange(),
            $_builder.getI64IntegerAttr(space), offset,
            ::mlir::IntegerAttr(), ::mlir::UnitAttr());
    }]>,
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::IntegerAttr":$space,
                   "::mlir::IntegerAttr":$offset), [{
      build($_builder, $_state, type, ::mlir::ValueRange(), space, offset,
            ::mlir::IntegerAttr(), ::mlir::UnitAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// Bytes of the arena slot: the static size, else `upper_bound_bytes`;
    /// nullopt for a runtime-allocated buffer (it has no slot).
    std::optional<uint64_t> getSlotBytes();
  }];
  let hasVerifier = 1;
}

def Exec_ConstantOp : Exec_Op<"constant", [Pure]> {
  let summary = "A weight, used in place from the artifact";
  let description = [{
    A read-only buffer holding the value of `value` (the ElementsAttr of the
    `graph.constant` it comes from, usually a `dense_resource`). The
    serializer stores the raw bytes in the artifact, where the CPU runtime
    uses them in place. `name` names the constant in the artifact.

    Example:

    ```mlir
    %w = exec.constant "fc.weight" dense_resource<fc.weight>
        : tensor<64x32xf32> -> memref<64x32xf32>
    %b = exec.constant dense<1.0> : tensor<4xf32> -> memref<4xf32>
    ```
  }];
  let arguments = (ins OptionalAttr<StrAttr>:$name, ElementsAttr:$value);
  let results = (outs Exec_StaticBuffer:$result);
  let assemblyFormat = [{
    ($name^)? $value attr-dict `->` type($result)
  }];
  let hasVerifier = 1;
}

def Exec_ViewOp : Exec_Op<"view", [
    Pure, DeclareOpInterfaceMethods<ViewLikeOpInterface>]> {
  let summary = "An alias of a byte range of another buffer";
  let description = [{
    A buffer that aliases the bytes `[byte_offset, byte_offset + size)` of
    `source`, with its own shape (and possibly element type). Reshapes and
    contiguous slices become views, so they cost nothing at run time. The
    range must lie inside the source.

    Example:

    ```mlir
    %1 = exec.view %0[0] : memref<2x3xf32> to memref<6xf32>
    %2 = exec.view %0[12] : memref<2x3xf32> to memref<3xf32>
    ```

    A result with `?` dims takes one `index` operand per `?` dim, its
    extent in this run (dynamic shapes, issue 12). The byte offset stays
    static: the artifact's buffer table has static offsets, so a slice at a
    symbolic offset is a copy kernel, not a view.

    ```mlir
    %3 = exec.view %b[0](%len) : memref<1x?x64xf32> to memref<?x64xf32>
    ```
  }];
  let arguments = (ins Exec_Buffer:$source,
                       Variadic<Index>:$dynamic_sizes,
                       I64Attr:$byte_offset);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = [{
    $source `[` $byte_offset `]`
    (`(` $dynamic_sizes^ `)`)? attr-dict `:` type($source) `to`
    type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$source,
                   "::mlir::IntegerAttr":$byteOffset), [{
      build($_builder, $_state, type, source, ::mlir::ValueRange(),
            byteOffset);
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

def Exec_DispatchOp : Exec_Op<"dispatch", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Runs a kernel on buffers";
  let description = [{
    Calls kernel `kernel` (`@executable::@func`) with the buffers `ins`
    (bound to the kernel's tensor arguments, read only) and `outs` (bound to
    its tensor results, written). Shapes and element types match the
    kernel's signature one to one. The binding order in the artifact is
    `ins` then `outs`.

    Example:

    ```mlir
    exec.dispatch @kernels::@k0_fc ins(%x, %w : memref<1x64xf32>,
        memref<64x32xf32>) outs(%y : memref<1x32xf32>)
    ```

    With dynamic shapes the kernel's trailing `index` arguments are push
    constants: `push` passes one `index` value per such argument, in order
    (the extents the kernel's `aicc.dynamic_dims` name, and other sizes and
    offsets its body uses):

    ```mlir
    exec.dispatch @kernels::@k1_add ins(%x : memref<1x?x64xf32>)
        outs(%y : memref<1x?x64xf32>) push(%len : index)
    ```
  }];
  let arguments = (ins SymbolRefAttr:$kernel,
                       Arg<Variadic<Exec_Buffer>, "", [MemRead]>:$ins,
                       Arg<Variadic<Exec_Buffer>, "", [MemWrite]>:$outs,
                       Variadic<Index>:$push_constants);
  let assemblyFormat = [{
    $kernel (`ins` `(` $ins^ `:` type($ins) `)`)?
    `outs` `(` $outs `:` type($outs) `)`
    (`push` `(` $push_constants^ `:` type($push_constants) `)`)? attr-dict
  }];
  let builders = [
    OpBuilder<(ins "::mlir::SymbolRefAttr":$kernel, "::mlir::ValueRange":$ins,
                   "::mlir::ValueRange":$outs), [{
      build($_builder, $_state, kernel, ins, outs, ::mlir::ValueRange());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The kernel this dispatch calls, or null if it does not resolve.
    ::mlir::func::FuncOp lookupKernel();
  }];
}

def Exec_CopyOp : Exec_Op<"copy"> {
  let summary = "Copies one buffer into another of the same byte size";
  let description = [{
    Copies all bytes of `source` into `target`. The compiler emits copies
    only where a buffer cannot be written in place, e.g. a model output that
    is one of its inputs or weights. With dynamic shapes both have the same
    element size and `?` dims in the same places; the bytes copied are
    those of the source's tensor in this run.

    Example:

    ```mlir
    exec.copy %x, %y : memref<4xf32>, memref<4xf32>
    ```
  }];
  let arguments = (ins Arg<Exec_Buffer, "", [MemRead]>:$source,
                       Arg<Exec_Buffer, "", [MemWrite]>:$target);
  let assemblyFormat = [{
    $source `,` $target attr-dict `:` type($source) `,` type($target)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dispatch regions (before outlining)
//===----------------------------------------------------------------------===//

def Exec_DispatchRegionOp : Exec_Op<"dispatch_region", [
    RecursiveMemoryEffects, SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "Ops on tensors that one dispatch will compute";
  let description = [{
    A group of ops of the entry function, not yet outlined, that will become
    one kernel and one `exec.dispatch`. The body may use any value defined
    above it: tensors it reads become the kernel's arguments (bindings),
    and cheap producers (`tensor.empty`, fills of an empty init, scalar
    constants) are cloned into the body instead of being read from a buffer.
    The results, yielded by `exec.yield`, are the tensors the dispatch
    writes. `aicc-form-dispatch-regions` creates these regions,
    `aicc-clone-producers-into-dispatch-regions` clones producers into them
    and `aicc-outline-dispatch-regions` turns each into a kernel of an
    `exec.executable` and an `exec.dispatch` (docs/Pipeline.md, section 3).
    The region's location is that of its op, or a `FusedLoc` of the
    locations of its ops when it holds several.

    Example:

    ```mlir
    %r = exec.dispatch_region -> (tensor<1x3xf32>) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<1x3xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>)
          -> tensor<1x3xf32>
      %m = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>)
          outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
      exec.yield %m : tensor<1x3xf32>
    } loc("Gemm_0")
    ```
  }];
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`->` `(` type($results)^ `)`)? attr-dict-with-keyword $body
  }];
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The terminator of the body.
    YieldOp getYield();
  }];
}

def Exec_YieldOp : Exec_Op<"yield", [
    Pure, Terminator, HasParent<"DispatchRegionOp">]> {
  let summary = "Yields the results of a dispatch region";
  let description = [{
    Terminates an `exec.dispatch_region`; its operands are the region's
    results, one to one.

    Example:

    ```mlir
    exec.yield %m : tensor<1x3xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  // The builder the implicit terminator of an empty region needs.
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, ::mlir::ValueRange());
  }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // AICC_EXEC_OPS_TD
