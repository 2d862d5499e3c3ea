// RUN: aicc-opt %s -split-input-file --aicc-legalize-narrow-types | FileCheck %s

#map = affine_map<(d0) -> (d0)>

// Tests that a saturating f32 -> f8E4M3FN conversion becomes integer
// arithmetic on the f32 bits yielding an i8 (overflow and inf give 0x7e, the
// largest finite value; NaN 0x7f), and that the function's result is stored
// as i8 with the caller's type in aicc.element_type.
// CHECK-LABEL: func @encode_saturate
// CHECK-SAME: -> (tensor<4xi8> {aicc.element_type = f8E4M3FN, graph.name = "y"})
// CHECK: tensor.empty() : tensor<4xi8>
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK: arith.bitcast %[[IN]] : f32 to i32
// CHECK: %[[OVF:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK: arith.select %[[OVF]], %c126_i32{{.*}}, %{{.*}} : i32
// CHECK: arith.constant 127 : i32
// CHECK: %[[R:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK: linalg.yield %[[R]] : i8
// CHECK-NOT: f8E4M3FN
func.func @encode_saturate(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf8E4M3FN> {graph.name = "y"}) {
  %0 = tensor.empty() : tensor<4xf8E4M3FN>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xf8E4M3FN>) {
  ^bb0(%in: f32, %out: f8E4M3FN):
    %2 = arith.truncf %in {aicc.saturate = true} : f32 to f8E4M3FN
    linalg.yield %2 : f8E4M3FN
  } -> tensor<4xf8E4M3FN>
  return %1 : tensor<4xf8E4M3FN>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that without aicc.saturate an overflowing f32 -> f8E4M3FN gives NaN
// (0x7f), not the largest finite value.
// CHECK-LABEL: func @encode_no_saturate
// CHECK: %[[OVF:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK: arith.select %[[OVF]], %c127_i32{{.*}}, %{{.*}} : i32
func.func @encode_no_saturate(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = tensor.empty() : tensor<4xf8E4M3FN>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xf8E4M3FN>) {
  ^bb0(%in: f32, %out: f8E4M3FN):
    %2 = arith.truncf %in : f32 to f8E4M3FN
    linalg.yield %2 : f8E4M3FN
  } -> tensor<4xf8E4M3FN>
  return %1 : tensor<4xf8E4M3FN>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that f8E5M2 -> f32 decodes the byte: subnormals as mantissa * 2^-16,
// exponent 31 as inf (0x7f800000) or NaN (0x7fc00000), and that the argument
// is stored as i8.
// CHECK-LABEL: func @decode_e5m2
// CHECK-SAME: (%{{.*}}: tensor<8xi8> {aicc.element_type = f8E5M2})
// CHECK: ^bb0(%[[IN:.*]]: i8, %{{.*}}: f32):
// CHECK: arith.extui %[[IN]] : i8 to i32
// CHECK: arith.uitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf %{{.*}}, %cst : f32
// CHECK: arith.select %{{.*}}, %c2139095040_i32, %c2143289344_i32 : i32
// CHECK: %[[F:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: linalg.yield %[[F]] : f32
func.func @decode_e5m2(%x: tensor<8xf8E5M2>) -> tensor<8xf32> {
  %0 = tensor.empty() : tensor<8xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<8xf8E5M2>) outs(%0 : tensor<8xf32>) {
  ^bb0(%in: f8E5M2, %out: f32):
    %2 = arith.extf %in : f8E5M2 to f32
    linalg.yield %2 : f32
  } -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that int4 constants become sign-extended bytes, that an int4 value
// is re-normalized from its low 4 bits where it is extended, and that the
// value yielded into an int4 tensor is sign-extended from bit 3.
// CHECK-LABEL: func @int4
// CHECK-SAME: -> (tensor<4xi8> {aicc.element_type = i4})
// CHECK: graph.constant dense<[-8, 7, 1, 0]> : tensor<4xi8>
// CHECK: ^bb0(%{{.*}}: f32, %[[Z:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[S:.*]] = arith.shli %[[Z]], %c4_i8
// CHECK: %[[N:.*]] = arith.shrsi %[[S]], %c4_i8
// CHECK: arith.extsi %[[N]] : i8 to i32
// CHECK: %[[T:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK: %[[S2:.*]] = arith.shli %[[T]], %c4_i8
// CHECK: %[[Y:.*]] = arith.shrsi %[[S2]], %c4_i8
// CHECK: linalg.yield %[[Y]] : i8
func.func @int4(%x: tensor<4xf32>) -> tensor<4xi4> {
  %zp = graph.constant dense<[-8, 7, 1, 0]> : tensor<4xi4>
  %0 = tensor.empty() : tensor<4xi4>
  %1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]} ins(%x, %zp : tensor<4xf32>, tensor<4xi4>) outs(%0 : tensor<4xi4>) {
  ^bb0(%in: f32, %z: i4, %out: i4):
    %2 = arith.fptosi %in : f32 to i32
    %3 = arith.extsi %z : i4 to i32
    %4 = arith.addi %2, %3 : i32
    %5 = arith.trunci %4 : i32 to i4
    linalg.yield %5 : i4
  } -> tensor<4xi4>
  return %1 : tensor<4xi4>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that uint4 is stored as ui8 and read zero-extended (a mask of 15),
// through the unsigned-to-signless cast of the lowering.
// CHECK-LABEL: func @uint4_to_f32
// CHECK-SAME: (%{{.*}}: tensor<4xui8> {aicc.element_type = ui4})
// CHECK: ^bb0(%[[IN:.*]]: ui8, %{{.*}}: f32):
// CHECK: %[[C:.*]] = builtin.unrealized_conversion_cast %[[IN]] : ui8 to i8
// CHECK: %[[M:.*]] = arith.andi %[[C]], %c15_i8 : i8
// CHECK: arith.uitofp %[[M]] : i8 to f32
func.func @uint4_to_f32(%x: tensor<4xui4>) -> tensor<4xf32> {
  %0 = tensor.empty() : tensor<4xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xui4>) outs(%0 : tensor<4xf32>) {
  ^bb0(%in: ui4, %out: f32):
    %s = builtin.unrealized_conversion_cast %in : ui4 to i4
    %2 = arith.uitofp %s : i4 to f32
    linalg.yield %2 : f32
  } -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that f32 -> f8E8M0FNU with round_mode "up" and saturate takes the
// f32 exponent, adds one when mantissa bits are set unless the exponent is
// already 254, and maps inf/NaN (exponent 255) to 0xff.
// CHECK-LABEL: func @e8m0_up
// CHECK: arith.constant 8388607 : i32
// CHECK: arith.cmpi ne, %{{.*}}, %c254_i32 : i32
// CHECK: arith.cmpi eq, %{{.*}}, %c255_i32{{.*}} : i32
func.func @e8m0_up(%x: tensor<4xf32>) -> tensor<4xf8E8M0FNU> {
  %0 = tensor.empty() : tensor<4xf8E8M0FNU>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xf8E8M0FNU>) {
  ^bb0(%in: f32, %out: f8E8M0FNU):
    %2 = arith.truncf %in {aicc.round_mode = "up", aicc.saturate = true} : f32 to f8E8M0FNU
    linalg.yield %2 : f8E8M0FNU
  } -> tensor<4xf8E8M0FNU>
  return %1 : tensor<4xf8E8M0FNU>
}

// -----

// Tests that a float8 weight keeps its bytes as an i8 constant and that pure
// data movement (a transpose) is only retyped.
// CHECK-LABEL: func @weight
// CHECK: %[[W:.*]] = graph.constant dense<[{{\[}}0, 56], [-72, 127]]> : tensor<2x2xi8>
// CHECK: linalg.transpose ins(%[[W]] : tensor<2x2xi8>) outs(%{{.*}} : tensor<2x2xi8>)
func.func @weight() -> tensor<2x2xf8E4M3FN> {
  %w = graph.constant dense<[[0.0, 1.0], [-1.0, 0x7F]]> : tensor<2x2xf8E4M3FN>
  %0 = tensor.empty() : tensor<2x2xf8E4M3FN>
  %1 = linalg.transpose ins(%w : tensor<2x2xf8E4M3FN>) outs(%0 : tensor<2x2xf8E4M3FN>) permutation = [1, 0]
  return %1 : tensor<2x2xf8E4M3FN>
}

// -----

// Tests that a function still holding an unlowered graph op is left as it
// is (the driver reports the op).
// CHECK-LABEL: func @unlowered
// CHECK: graph.Cast %{{.*}} {to = 17 : i64} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
// CHECK: return %{{.*}} : tensor<4xf8E4M3FN>
func.func @unlowered(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = graph.Cast %x {to = 17 : i64} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}
