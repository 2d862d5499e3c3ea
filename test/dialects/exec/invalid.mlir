// RUN: aicc-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

exec.executable @kernels {
  // expected-error @+1 {{is not a kernel: an exec.executable holds only 'func.func' ops}}
  exec.executable @nested {
  }
}

// -----

exec.executable @kernels {
  // expected-error @+1 {{kernel has no body}}
  func.func private @k(%a: tensor<4xf32>) -> tensor<4xf32>
}

// -----

exec.executable @kernels {
  // expected-error @+1 {{argument #0 of type 'tensor<?xf32>' needs 'aicc.dynamic_dims' with one push constant per '?' dim}}
  func.func @k(%a: tensor<?xf32>, %n: index) -> tensor<?xf32> {
    return %a : tensor<?xf32>
  }
}

// -----

exec.executable @kernels {
  // expected-error @+1 {{kernel arguments must be ranked tensors followed by index push constants, and its results ranked tensors}}
  func.func @k(%n: index, %a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}

// -----

exec.executable @kernels {
  // expected-error @+1 {{result #0: push constant 1 is not in [0, 1)}}
  func.func @k(%a: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index) -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 1>}) {
    return %a : tensor<?xf32>
  }
}

// -----

// expected-error @+1 {{has results; outputs are written into output buffer arguments}}
exec.schedule @main(%x: memref<4xf32>) -> memref<4xf32> attributes {num_inputs = 1 : i64} {
  exec.return
}

// -----

// expected-error @+1 {{'num_inputs' (2) is not in [0, 1]}}
exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 2 : i64} {
  exec.return
}

// -----

// expected-error @+1 {{argument 0 has dynamic dims, but the schedule has no 'aicc.symbols'}}
exec.schedule @main(%x: memref<?xf32>) attributes {num_inputs = 1 : i64} {
  exec.return
}

// -----

// expected-error @+1 {{argument 0 is not a memref with identity layout whose elements have a byte size}}
exec.schedule @main(%x: memref<4xindex>) attributes {num_inputs = 1 : i64} {
  exec.return
}

// -----

exec.schedule @main(%x: memref<?xf32>, %y: memref<?xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  // expected-error @+1 {{has 0 output dims, but the outputs have 1 dynamic dims}}
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  // expected-error @+1 {{symbol index 1 is not one of the schedule's 1 'aicc.symbols'}}
  %n = exec.symbol {index = 1 : i64}
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}, aicc.value_symbols = [{name = "v", range = array<i64: 0, 9>, def = array<i64: 0, 1>}]} {
  // expected-error @+1 {{symbol index 2 is not one of the schedule's 1 'aicc.symbols' and 1 'aicc.value_symbols'}}
  %n = exec.symbol {index = 2 : i64}
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  %n = exec.symbol {index = 0 : i64}
  // expected-error @+1 {{is runtime-allocated, so it has no arena 'offset' or 'upper_bound_bytes'}}
  %a = exec.alloc(%n) {runtime_allocated, offset = 0 : i64} : memref<?xf32>
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}, arena_size = array<i64: 64>, lower_bound = array<i64: 64>} {
  %n = exec.symbol {index = 0 : i64}
  // expected-error @+1 {{has dynamic dims but no 'upper_bound_bytes', but the schedule is planned}}
  %a = exec.alloc(%n) {offset = 0 : i64} : memref<?xf32>
  exec.return
}

// -----

// expected-error @+1 {{'arena_size' and 'lower_bound' must both be present with one entry per memory space}}
exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>} {
  exec.return
}

// -----

// expected-error @+1 {{memory space 0: lower bound 128 is not in [0, arena size 64]}}
exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>, lower_bound = array<i64: 128>} {
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>, lower_bound = array<i64: 64>} {
  // expected-error @+1 {{has no offset, but the schedule is planned}}
  %a = exec.alloc : memref<4xf32>
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>, lower_bound = array<i64: 64>} {
  // expected-error @+1 {{memory space 1 has no arena size in the schedule}}
  %a = exec.alloc {space = 1 : i64, offset = 0 : i64} : memref<4xf32>
  exec.return
}

// -----

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>, lower_bound = array<i64: 64>} {
  // expected-error @+1 {{bytes [64, 80) exceed the arena of 64 bytes}}
  %a = exec.alloc {offset = 64 : i64} : memref<4xf32>
  exec.return
}

// -----

// expected-error @+1 {{element type 'index' has no byte size}}
%a = exec.alloc : memref<4xindex>

// -----

// expected-error @+1 {{memory space must be non-negative}}
%a = exec.alloc {space = -1 : i64} : memref<4xf32>

// -----

// expected-error @+1 {{offset 32 is not a non-negative multiple of 64}}
%a = exec.alloc {offset = 32 : i64} : memref<4xf32>

// -----

// expected-error @+1 {{has 0 size operands, but its type has 1 dynamic dims}}
%a = exec.alloc : memref<?xf32>

// -----

// expected-error @+1 {{value of type 'tensor<4xf32>' does not match the buffer type 'memref<2x2xf32>'}}
%c = exec.constant dense<1.0> : tensor<4xf32> -> memref<2x2xf32>

// -----

// expected-error @+1 {{element type 'index' has no byte size}}
%c = exec.constant dense<1> : tensor<2xindex> -> memref<2xindex>

// -----

%a = "test.source"() : () -> memref<4xindex>
// expected-error @+1 {{element types must have a byte size}}
%v = exec.view %a[0] : memref<4xindex> to memref<4xf32>

// -----

%a = exec.alloc : memref<4xf32>
// expected-error @+1 {{byte offset -4 is negative}}
%v = exec.view %a[-4] : memref<4xf32> to memref<2xf32>

// -----

%a = exec.alloc : memref<4xf32>
// expected-error @+1 {{bytes [8, 24) exceed the source's 16 bytes}}
%v = exec.view %a[8] : memref<4xf32> to memref<4xf32>

// -----

%a = exec.alloc : memref<4xf32>
%b = exec.alloc : memref<8xf32>
// expected-error @+1 {{source and target differ in byte size}}
exec.copy %a, %b : memref<4xf32>, memref<8xf32>

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{'@kernels::@missing' does not name a kernel (a func.func in an exec.executable)}}
  exec.dispatch @kernels::@missing ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
  exec.return
}

// -----

func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{'@k' does not name a kernel (a func.func in an exec.executable)}}
  exec.dispatch @k ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{has 2 ins, but the kernel takes 1 arguments}}
  exec.dispatch @kernels::@k ins(%x, %x : memref<4xf32>, memref<4xf32>) outs(%y : memref<4xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
exec.schedule @main(%x: memref<4xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{has 2 outs, but the kernel returns 1 results}}
  exec.dispatch @kernels::@k ins(%x : memref<4xf32>) outs(%y, %y : memref<4xf32>, memref<4xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
exec.schedule @main(%x: memref<2x2xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{in #0 of type 'memref<2x2xf32>' does not match kernel argument type 'tensor<4xf32>'}}
  exec.dispatch @kernels::@k ins(%x : memref<2x2xf32>) outs(%y : memref<4xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
exec.schedule @main(%x: memref<4xf32>, %y: memref<4xi32>) attributes {num_inputs = 1 : i64} {
  // expected-error @+1 {{out #0 of type 'memref<4xi32>' does not match kernel result type 'tensor<4xf32>'}}
  exec.dispatch @kernels::@k ins(%x : memref<4xf32>) outs(%y : memref<4xi32>)
  exec.return
}

// -----

func.func @region() {
  // expected-error @+1 {{has no results; a dispatch region computes at least one tensor}}
  exec.dispatch_region {
    exec.yield
  }
  return
}

// -----

func.func @region(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yields 2 values, but the region has 1 results}}
  %r = exec.dispatch_region -> (tensor<4xf32>) {
    exec.yield %x, %x : tensor<4xf32>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @region(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{yielded value #0 of type 'tensor<4xf32>' does not match result type 'tensor<2x2xf32>'}}
  %r = exec.dispatch_region -> (tensor<2x2xf32>) {
    exec.yield %x : tensor<4xf32>
  }
  return %r : tensor<2x2xf32>
}

// -----

func.func @yield(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects parent op 'exec.dispatch_region'}}
  exec.yield %x : tensor<4xf32>
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index) -> (tensor<?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
    return %a : tensor<?xf32>
  }
}
exec.schedule @main(%x: memref<?xf32>, %y: memref<?xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  %n = exec.symbol {index = 0 : i64}
  // expected-error @+1 {{has 0 push constants, but the kernel takes 1 index arguments}}
  exec.dispatch @kernels::@k ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  exec.return dims(%n : index)
}

// -----

exec.schedule @main(%x: memref<?xf32>, %y: memref<?x2xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  %n = exec.symbol {index = 0 : i64}
  // expected-error @+1 {{dynamically shaped source and target must have the same shape and element size}}
  exec.copy %x, %y : memref<?xf32>, memref<?x2xf32>
  exec.return dims(%n : index)
}
