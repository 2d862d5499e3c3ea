// RUN: aicc-opt %s -split-input-file --aicc-avx512-flatten-pointwise-convs | FileCheck %s

// Tests that a 1x1 conv 64 -> 256 on 2x20 rows (not a multiple of 16 wide)
// runs on the flattened map [1, 256, 1, 40] with its bias broadcast,
// residual Add and ReLU; the residual is read through a view and the
// result viewed back as [1, 256, 2, 20].

#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @expansion
// CHECK-SAME: (%[[X:.*]]: tensor<1x64x2x20xf32>, %[[RES:.*]]: tensor<1x256x2x20xf32>)
func.func @expansion(%x: tensor<1x64x2x20xf32>, %res: tensor<1x256x2x20xf32>) -> tensor<1x256x2x20xf32> {
  %zero = arith.constant 0.0 : f32
  %w = graph.constant dense<0.5> : tensor<256x64x1x1xf32>
  %b = graph.constant dense<0.25> : tensor<256xf32>
  %e = tensor.empty() : tensor<1x256x2x20xf32>
  // CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x256x1x40xf32>)
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<256xf32>) outs(%e : tensor<1x256x2x20xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x256x2x20xf32>
  // CHECK: %[[XC:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<1x64x2x20xf32> into tensor<1x64x40xf32>
  // CHECK: %[[XF:.*]] = tensor.expand_shape %[[XC]] {{\[}}[0], [1], [2, 3]] output_shape [1, 64, 1, 40]
  // CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[XF]], %{{.*}} : tensor<1x64x1x40xf32>, tensor<256x64x1x1xf32>) outs(%[[BIAS]] : tensor<1x256x1x40xf32>)
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x64x2x20xf32>, tensor<256x64x1x1xf32>) outs(%init : tensor<1x256x2x20xf32>) -> tensor<1x256x2x20xf32>
  // CHECK: %[[RC:.*]] = tensor.collapse_shape %[[RES]]
  // CHECK: %[[RF:.*]] = tensor.expand_shape %[[RC]] {{.*}} into tensor<1x256x1x40xf32>
  // CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[CONV]], %[[RF]] : tensor<1x256x1x40xf32>, tensor<1x256x1x40xf32>)
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res : tensor<1x256x2x20xf32>, tensor<1x256x2x20xf32>) outs(%e : tensor<1x256x2x20xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x256x2x20xf32>
  // CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[ADD]] : tensor<1x256x1x40xf32>)
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x256x2x20xf32>) outs(%e : tensor<1x256x2x20xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<1x256x2x20xf32>
  // CHECK: %[[YC:.*]] = tensor.collapse_shape %[[RELU]] {{.*}} into tensor<1x256x40xf32>
  // CHECK: %[[Y:.*]] = tensor.expand_shape %[[YC]] {{.*}} output_shape [1, 256, 2, 20]
  // CHECK: return %[[Y]]
  return %y : tensor<1x256x2x20xf32>
}

// -----

// Tests that a 1x1 conv on rows a multiple of 16 wide (all vectors full
// already), one with fewer than 256 output channels and one with more than
// 128 input channels keep their shapes.

// CHECK-LABEL: func.func @kept
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: tensor.expand_shape
// CHECK: return
func.func @kept(%x: tensor<1x64x2x32xf32>, %z: tensor<1x192x2x20xf32>) -> (tensor<1x256x2x32xf32>, tensor<1x128x2x20xf32>, tensor<1x256x2x20xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = graph.constant dense<0.5> : tensor<256x64x1x1xf32>
  %w2 = graph.constant dense<0.5> : tensor<128x192x1x1xf32>
  %w3 = graph.constant dense<0.5> : tensor<256x192x1x1xf32>
  %e = tensor.empty() : tensor<1x256x2x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x256x2x32xf32>) -> tensor<1x256x2x32xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x64x2x32xf32>, tensor<256x64x1x1xf32>) outs(%f : tensor<1x256x2x32xf32>) -> tensor<1x256x2x32xf32>
  %e2 = tensor.empty() : tensor<1x128x2x20xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x128x2x20xf32>) -> tensor<1x128x2x20xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%z, %w2 : tensor<1x192x2x20xf32>, tensor<128x192x1x1xf32>) outs(%f2 : tensor<1x128x2x20xf32>) -> tensor<1x128x2x20xf32>
  %e3 = tensor.empty() : tensor<1x256x2x20xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x256x2x20xf32>) -> tensor<1x256x2x20xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%z, %w3 : tensor<1x192x2x20xf32>, tensor<256x192x1x1xf32>) outs(%f3 : tensor<1x256x2x20xf32>) -> tensor<1x256x2x20xf32>
  return %a, %b, %c : tensor<1x256x2x32xf32>, tensor<1x128x2x20xf32>, tensor<1x256x2x20xf32>
}

// -----

// Tests that a 1x1 conv of stride 2 runs with stride 1 on a copy of every
// second pixel of every second row of its input: on [2, 64, 5, 39] (odd
// sizes: the copy reads rows 0, 2, 4 and columns 0, 2, ..., 38) the copy
// is [2, 64, 3, 20], whose 20-wide rows (wider than a vector, not a
// multiple of one) the conv then computes flattened, [2, 256, 1, 60]; on
// [1, 64, 8, 8] the copy is [1, 64, 4, 4] and the conv keeps that shape. A
// 3x3 conv of stride 2 is kept.

#sub = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2, d3 * 2)>
// CHECK: #[[$SUB:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2, d3 * 2)>
// CHECK-LABEL: func.func @subsampled
// CHECK-SAME: (%[[S:.*]]: tensor<2x64x5x39xf32>, %[[T:.*]]: tensor<1x64x8x8xf32>, %[[U:.*]]: tensor<1x64x9x9xf32>)
// CHECK: %[[SC:.*]] = linalg.generic {indexing_maps = [#[[$SUB]], #{{.*}}]{{.*}} ins(%[[S]] : tensor<2x64x5x39xf32>) outs(%{{.*}} : tensor<2x64x3x20xf32>)
// CHECK: tensor.collapse_shape %[[SC]] {{.*}} into tensor<2x64x60xf32>
// CHECK: %[[A:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<2x64x1x60xf32>, tensor<256x64x1x1xf32>) {{.*}} -> tensor<2x256x1x60xf32>
// CHECK: %[[TC:.*]] = linalg.generic {indexing_maps = [#[[$SUB]], #{{.*}}]{{.*}} ins(%[[T]] : tensor<1x64x8x8xf32>) outs(%{{.*}} : tensor<1x64x4x4xf32>)
// CHECK: %[[B:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[TC]], %{{.*}} : tensor<1x64x4x4xf32>, tensor<256x64x1x1xf32>) {{.*}} -> tensor<1x256x4x4xf32>
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[U]], %{{.*}} : tensor<1x64x9x9xf32>, tensor<256x64x3x3xf32>)
// CHECK-NOT: aicc.subsampled
func.func @subsampled(%s: tensor<2x64x5x39xf32>, %t: tensor<1x64x8x8xf32>, %u: tensor<1x64x9x9xf32>) -> (tensor<2x256x3x20xf32>, tensor<1x256x4x4xf32>, tensor<1x256x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = graph.constant dense<0.5> : tensor<256x64x1x1xf32>
  %w3 = graph.constant dense<0.5> : tensor<256x64x3x3xf32>
  %e = tensor.empty() : tensor<2x256x3x20xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x256x3x20xf32>) -> tensor<2x256x3x20xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%s, %w : tensor<2x64x5x39xf32>, tensor<256x64x1x1xf32>) outs(%f : tensor<2x256x3x20xf32>) -> tensor<2x256x3x20xf32>
  %e2 = tensor.empty() : tensor<1x256x4x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x256x4x4xf32>) -> tensor<1x256x4x4xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%t, %w : tensor<1x64x8x8xf32>, tensor<256x64x1x1xf32>) outs(%f2 : tensor<1x256x4x4xf32>) -> tensor<1x256x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%u, %w3 : tensor<1x64x9x9xf32>, tensor<256x64x3x3xf32>) outs(%f2 : tensor<1x256x4x4xf32>) -> tensor<1x256x4x4xf32>
  return %a, %b, %c : tensor<2x256x3x20xf32>, tensor<1x256x4x4xf32>, tensor<1x256x4x4xf32>
}

// -----

// Tests that two flattened convs whose results one Add reads (a residual
// block's conv3 and downsample) both run on the flattened map, the Add and
// ReLU reading them without views in between; a conv without bias (a fill)
// gets a flat fill; batch 2.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @siblings
// CHECK-SAME: (%[[X:.*]]: tensor<2x64x3x20xf32>, %[[Z:.*]]: tensor<2x128x3x20xf32>)
func.func @siblings(%x: tensor<2x64x3x20xf32>, %z: tensor<2x128x3x20xf32>) -> tensor<2x256x3x20xf32> {
  %zero = arith.constant 0.0 : f32
  %w = graph.constant dense<0.5> : tensor<256x64x1x1xf32>
  %w2 = graph.constant dense<0.5> : tensor<256x128x1x1xf32>
  %e = tensor.empty() : tensor<2x256x3x20xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x256x3x20xf32>) -> tensor<2x256x3x20xf32>
  // CHECK-DAG: %[[F:.*]] = linalg.fill {{.*}} -> tensor<2x256x1x60xf32>
  // CHECK-DAG: %[[A:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x64x1x60xf32>, tensor<256x64x1x1xf32>) outs(%[[F]] : tensor<2x256x1x60xf32>)
  // CHECK-DAG: %[[B:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x128x1x60xf32>, tensor<256x128x1x1xf32>) {{.*}} -> tensor<2x256x1x60xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x64x3x20xf32>, tensor<256x64x1x1xf32>) outs(%f : tensor<2x256x3x20xf32>) -> tensor<2x256x3x20xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%z, %w2 : tensor<2x128x3x20xf32>, tensor<256x128x1x1xf32>) outs(%f : tensor<2x256x3x20xf32>) -> tensor<2x256x3x20xf32>
  // CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<2x256x1x60xf32>, tensor<2x256x1x60xf32>)
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b : tensor<2x256x3x20xf32>, tensor<2x256x3x20xf32>) outs(%e : tensor<2x256x3x20xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<2x256x3x20xf32>
  // CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[ADD]] : tensor<2x256x1x60xf32>)
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<2x256x3x20xf32>) outs(%e : tensor<2x256x3x20xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<2x256x3x20xf32>
  // CHECK: %[[YC:.*]] = tensor.collapse_shape %[[RELU]]
  // CHECK: %[[Y:.*]] = tensor.expand_shape %[[YC]] {{.*}} output_shape [2, 256, 3, 20]
  // CHECK: return %[[Y]]
  return %y : tensor<2x256x3x20xf32>
}

// -----

// Tests that a 1x1 conv 128 -> 64 on 8x24 rows (192 pixels) runs on rows
// of 64 pixels, [1, 64, 3, 64], with its ReLU, and is viewed back for the
// padded 3x3 conv reading it; the same conv whose result is padded for a
// depthwise conv keeps its shape (the pad folds into the depthwise conv's
// kernel with it).

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @rows
func.func @rows(%x: tensor<1x128x8x24xf32>) -> (tensor<1x64x8x24xf32>, tensor<1x64x8x24xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = graph.constant dense<0.5> : tensor<64x128x1x1xf32>
  %w3 = graph.constant dense<0.5> : tensor<64x64x3x3xf32>
  %dw = graph.constant dense<0.5> : tensor<64x3x3xf32>
  %e = tensor.empty() : tensor<1x64x8x24xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x8x24xf32>) -> tensor<1x64x8x24xf32>
  // CHECK: %[[A:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x128x3x64xf32>, tensor<64x128x1x1xf32>) {{.*}} -> tensor<1x64x3x64xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x128x8x24xf32>, tensor<64x128x1x1xf32>) outs(%f : tensor<1x64x8x24xf32>) -> tensor<1x64x8x24xf32>
  // CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<1x64x3x64xf32>)
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : tensor<1x64x8x24xf32>) outs(%e : tensor<1x64x8x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<1x64x8x24xf32>
  // CHECK: %[[RC:.*]] = tensor.collapse_shape %[[R]]
  // CHECK: %[[RV:.*]] = tensor.expand_shape %[[RC]] {{.*}} output_shape [1, 64, 8, 24]
  // CHECK: tensor.pad %[[RV]]
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x64x8x24xf32> to tensor<1x64x10x26xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w3 : tensor<1x64x10x26xf32>, tensor<64x64x3x3xf32>) outs(%f : tensor<1x64x8x24xf32>) -> tensor<1x64x8x24xf32>
  // CHECK: %[[B:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x128x8x24xf32>, tensor<64x128x1x1xf32>) {{.*}} -> tensor<1x64x8x24xf32>
  // CHECK-NEXT: tensor.pad %[[B]]
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x128x8x24xf32>, tensor<64x128x1x1xf32>) outs(%f : tensor<1x64x8x24xf32>) -> tensor<1x64x8x24xf32>
  %q = tensor.pad %b low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x64x8x24xf32> to tensor<1x64x10x26xf32>
  %d = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%q, %dw : tensor<1x64x10x26xf32>, tensor<64x3x3xf32>) outs(%f : tensor<1x64x8x24xf32>) -> tensor<1x64x8x24xf32>
  return %c, %d : tensor<1x64x8x24xf32>, tensor<1x64x8x24xf32>
}
