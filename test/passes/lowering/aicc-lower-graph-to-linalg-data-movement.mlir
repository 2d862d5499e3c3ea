// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests the view and copy ops of data movement: Reshape as collapse/expand,
// Transpose, Concat, Slice and Split as extract_slice.
// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %y: tensor<2x3x2xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x3x6xf32>, tensor<2x3x2xf32>, tensor<2x3x1xf32>, tensor<2x3x3xf32>) {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %shape = graph.constant dense<[6, 4]> : tensor<2xi64>
  %0 = graph.Reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %1 = graph.Transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: tensor.concat dim(2)
  %2 = graph.Concat %x, %y {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xf32>) -> tensor<2x3x6xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [2, 3, 2] [1, 1, 2] : tensor<2x3x4xf32> to tensor<2x3x2xf32>
  %st = graph.constant dense<[1]> : tensor<1xi64>
  %en = graph.constant dense<[4]> : tensor<1xi64>
  %ax = graph.constant dense<[2]> : tensor<1xi64>
  %sp = graph.constant dense<[2]> : tensor<1xi64>
  %3 = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<2x3x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x3x2xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 3, 1] [1, 1, 1]
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [2, 3, 3] [1, 1, 1]
  %sizes = graph.constant dense<[1, 3]> : tensor<2xi64>
  %4:2 = graph.Split %x, %sizes {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  return %0, %1, %2, %3, %4#0, %4#1 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x3x6xf32>, tensor<2x3x2xf32>, tensor<2x3x1xf32>, tensor<2x3x3xf32>
}

// -----

// Tests that Gather reads the data with tensor.extract at an index that
// wraps negative values, marked as an index the kernel checks at run time.
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[DATA:.*]]: tensor<5x4xf32>, %[[IDX:.*]]: tensor<3xi64>)
func.func @gather(%data: tensor<5x4xf32>, %idx: tensor<3xi64>) -> tensor<3x4xf32> {
  // CHECK: linalg.generic {{.*}} ins(%[[IDX]] : tensor<3xi64>)
  // CHECK: ^bb0(%[[I:.*]]: i64,
  // CHECK: %[[II:.*]] = arith.index_cast %[[I]] : i64 to index
  // CHECK: arith.cmpi slt, %[[II]]
  // CHECK: %[[W:.*]] = arith.select
  // CHECK: %[[J:.*]] = linalg.index 1
  // CHECK: tensor.extract %[[DATA]][%[[W]], %[[J]]] {aicc.checked_index}
  %0 = graph.Gather %data, %idx {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that Trilu compares the column minus row index with k.
// CHECK-LABEL: func @trilu
func.func @trilu(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // CHECK: linalg.index 0
  // CHECK: linalg.index 1
  // CHECK: arith.cmpi sle
  // CHECK: arith.select
  %1 = graph.Trilu %x {upper = 0 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}

// -----

// Tests that CumSum with an axis known only at run time loops over the
// largest dim and gathers with tensor.extract, and that Pad with a computed
// pad value selects between a clamped gather and that value.
// CHECK-LABEL: func @cumsum_runtime_axis_pad_value
func.func @cumsum_runtime_axis_pad_value(%x: tensor<2x3xf32>, %axis: tensor<i32>, %v: tensor<1xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<i32>, tensor<2x3xf32>)
  // CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
  %0 = graph.CumSum %x, %axis : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  %pads = graph.constant dense<[0, 1, 0, 1]> : tensor<4xi64>
  // CHECK-NOT: tensor.pad
  // CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
  // CHECK: arith.select
  %1 = graph.Pad %x, %pads constant_value(%v) : (tensor<2x3xf32>, tensor<4xi64>, tensor<1xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x5xf32>
}

// -----

// Tests that CumProd is the CumSum reduction with a product from 1.
// CHECK-LABEL: func @cumprod
func.func @cumprod(%x: tensor<4xi64>) -> tensor<4xi64> {
  %axis = graph.constant dense<0> : tensor<i64>
  // CHECK: arith.constant 1 : i64
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.muli
  %0 = graph.CumProd %x, %axis {exclusive = 1 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Tests that Flatten, Squeeze and Unsqueeze are reshapes.
// CHECK-LABEL: func @reshape_like
func.func @reshape_like(%x: tensor<2x1x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x1x4xf32>) {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<2x1x4xf32> into tensor<2x4xf32>
  %0 = graph.Flatten %x {axis = 1 : i64} : (tensor<2x1x4xf32>) -> tensor<2x4xf32>
  %axes = graph.constant dense<[1]> : tensor<1xi64>
  // CHECK: tensor.collapse_shape %{{.*}} : tensor<2x1x4xf32> into tensor<2x4xf32>
  %1 = graph.Squeeze %x, %axes : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  %axes0 = graph.constant dense<[0]> : tensor<1xi64>
  // CHECK: tensor.expand_shape %{{.*}} : tensor<2x1x4xf32> into tensor<1x2x1x4xf32>
  %2 = graph.Unsqueeze %x, %axes0 : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<1x2x1x4xf32>
  return %0, %1, %2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x1x4xf32>
}

// -----

// Tests that GatherElements reads the data at the index along the axis,
// Expand broadcasts and Tile reads the input modulo its shape.
// CHECK-LABEL: func @gather_elements_expand_tile
// CHECK-SAME: (%[[D:.*]]: tensor<3x2xf32>, %[[I:.*]]: tensor<3x2xi64>, %{{.*}}: tensor<1x2xf32>)
func.func @gather_elements_expand_tile(%d: tensor<3x2xf32>, %i: tensor<3x2xi64>, %r: tensor<1x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x4xf32>) {
  // CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<3x2xi64>)
  // CHECK: linalg.index 1
  // CHECK: tensor.extract %[[D]]
  %0 = graph.GatherElements %d, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %shape = graph.constant dense<[3, 2]> : tensor<2xi64>
  // CHECK: %[[R:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x2xf32> into tensor<2xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<2xf32>)
  // CHECK: } -> tensor<3x2xf32>
  %1 = graph.Expand %r, %shape : (tensor<1x2xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  %reps = graph.constant dense<[2, 2]> : tensor<2xi64>
  // CHECK: linalg.generic
  // CHECK: } -> tensor<2x1x2x2xf32>
  // CHECK: tensor.collapse_shape {{.*}} {{\[}}[0, 1], [2, 3]] : tensor<2x1x2x2xf32> into tensor<2x4xf32>
  %2 = graph.Tile %r, %reps : (tensor<1x2xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x4xf32>
}

// -----

// Tests that DepthToSpace and SpaceToDepth are a reshape, a transpose and a
// reshape.
// CHECK-LABEL: func @depth_space
func.func @depth_space(%x: tensor<1x8x2x2xf32>, %y: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x8x2x2xf32>) {
  // CHECK: tensor.expand_shape %{{.*}} : tensor<1x8x2x2xf32> into tensor<1x2x2x2x2x2xf32>
  // CHECK: linalg.transpose {{.*}} permutation = [0, 3, 4, 1, 5, 2]
  // CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x4x4xf32>
  %0 = graph.DepthToSpace %x {blocksize = 2 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: tensor.expand_shape %{{.*}} : tensor<1x2x4x4xf32> into tensor<1x2x2x2x2x2xf32>
  // CHECK: linalg.transpose
  // CHECK: tensor.collapse_shape {{.*}} into tensor<1x8x2x2xf32>
  %1 = graph.SpaceToDepth %y {blocksize = 2 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x8x2x2xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x8x2x2xf32>
}

// -----

// Tests that Range is start + index * delta, ConstantOfShape a fill, and
// Shape and Size constants of the static shape.
// CHECK-LABEL: func @range_constant_shape
func.func @range_constant_shape(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>, %x: tensor<5x7xf32>) -> (tensor<4xf32>, tensor<2x3xi32>, tensor<2xi64>, tensor<i64>) {
  // CHECK: linalg.index 0
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = graph.Range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %shape = graph.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: %[[SEVEN:.*]] = arith.constant 7 : i32
  // CHECK: linalg.fill ins(%[[SEVEN]] : i32) outs(%{{.*}} : tensor<2x3xi32>)
  %1 = graph.ConstantOfShape %shape {value = dense<7> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<2x3xi32>
  // CHECK-DAG: graph.constant dense<[5, 7]> : tensor<2xi64>
  %2 = graph.Shape %x : (tensor<5x7xf32>) -> tensor<2xi64>
  // CHECK-DAG: graph.constant dense<35> : tensor<i64>
  %3 = graph.Size %x : (tensor<5x7xf32>) -> tensor<i64>
  // CHECK-NOT: graph.Shape
  // CHECK-NOT: graph.Size
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<2x3xi32>, tensor<2xi64>, tensor<i64>
}

// -----

// Tests that Pad in reflect mode gathers at mirrored indices instead of
// tensor.pad.
// CHECK-LABEL: func @pad_reflect
func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<2x7xf32> {
  %pads = graph.constant dense<[0, 2, 0, 2]> : tensor<4xi64>
  // CHECK-NOT: tensor.pad
  // CHECK: linalg.generic
  // CHECK: linalg.index 1
  // CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
  %0 = graph.Pad %x, %pads {mode = "reflect"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

// Tests that the slice of an unused empty Split output is not left behind:
// a zero-size slice at the end of a dim does not verify.
// CHECK-LABEL: func @split_unused_empty_output
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
func.func @split_unused_empty_output(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sizes = graph.constant dense<[8, 0]> : tensor<2xi64>
  // CHECK-NOT: tensor.extract_slice
  // CHECK: return %[[X]]
  %0:2 = graph.Split %x, %sizes {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2xi64>) -> (tensor<2x8xf32>, tensor<2x0xf32>)
  return %0#0 : tensor<2x8xf32>
}

// -----

// Tests that a pattern sees the converted producers of its operands: Slice
// reads its starts through an Identity of a constant, lowered just before.
// CHECK-LABEL: func @slice_starts_through_identity
func.func @slice_starts_through_identity(%x: tensor<6xf32>) -> tensor<3xf32> {
  %s = graph.constant dense<[2]> : tensor<1xi64>
  %e = graph.constant dense<[5]> : tensor<1xi64>
  %si = graph.Identity %s : (tensor<1xi64>) -> tensor<1xi64>
  // CHECK: tensor.extract_slice %{{.*}}[2] [3] [1] : tensor<6xf32> to tensor<3xf32>
  // CHECK-NOT: graph.Slice
  %0 = graph.Slice %x, %si, %e : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
