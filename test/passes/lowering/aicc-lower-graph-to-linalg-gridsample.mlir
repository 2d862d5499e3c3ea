// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that bilinear GridSample with zeros padding is one parallel generic
// over the output that reads the two grid components (x: the last input dim
// first), floors each coordinate and blends the 4 neighbours, zeroing those
// outside the input.
// CHECK-LABEL: func.func @grid_sample_linear
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-2: tensor.extract %{{.*}} : tensor<1x2x3x2xf32>
// CHECK-COUNT-2: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x4x5xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @grid_sample_linear(%x: tensor<1x1x4x5xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32> {
  %0 = graph.GridSample %x, %g : (tensor<1x1x4x5xf32>, tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}

// -----

// Tests that nearest GridSample rounds half to even and reads one element,
// and that cubic mode reads 16 neighbours in 2-D.
// CHECK-LABEL: func.func @grid_sample_nearest
// CHECK: math.roundeven
// CHECK: tensor.extract %{{.*}} : tensor<1x1x4x5xf32>
// CHECK-NOT: tensor.extract %{{.*}} : tensor<1x1x4x5xf32>
// CHECK-LABEL: func.func @grid_sample_cubic
// CHECK-COUNT-16: tensor.extract %{{.*}} : tensor<1x1x4x5xf32>
// CHECK-NOT: tensor.extract %{{.*}} : tensor<1x1x4x5xf32>
func.func @grid_sample_nearest(%x: tensor<1x1x4x5xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32> {
  %0 = graph.GridSample %x, %g {mode = "nearest", padding_mode = "border"} : (tensor<1x1x4x5xf32>, tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}
func.func @grid_sample_cubic(%x: tensor<1x1x4x5xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32> {
  %0 = graph.GridSample %x, %g {mode = "cubic", padding_mode = "reflection", align_corners = 1 : i64} : (tensor<1x1x4x5xf32>, tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}

// -----

// Tests that an unknown mode is left with its reason.
// CHECK-LABEL: func.func @grid_sample_bad_mode
// CHECK: graph.GridSample {{.*}}aicc.unsupported = "mode='area' is not supported"
func.func @grid_sample_bad_mode(%x: tensor<1x1x4x5xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32> {
  %0 = graph.GridSample %x, %g {mode = "area"} : (tensor<1x1x4x5xf32>, tensor<1x2x3x2xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}

// -----

// Tests that RoiAlign (avg, sampling_ratio 2) is one parallel generic over
// the output reading the roi and its clamped batch index, and averaging 4
// bilinear samples of 4 corners each in f64.
// CHECK-LABEL: func.func @roi_align
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<3x4xf32>
// CHECK: tensor.extract %{{.*}} : tensor<3xi64>
// CHECK-COUNT-16: tensor.extract %{{.*}} : tensor<1x2x6x6xf32>
// CHECK-NOT: tensor.extract
// CHECK: arith.constant 4.000000e+00 : f64
// CHECK: arith.divf
// CHECK: arith.truncf
func.func @roi_align(%x: tensor<1x2x6x6xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  %0 = graph.RoiAlign %x, %r, %i {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64} : (tensor<1x2x6x6xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}
