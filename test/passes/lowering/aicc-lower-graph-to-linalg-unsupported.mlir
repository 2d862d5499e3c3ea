// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that an op without a lowering is left as it is with the reason
// "no lowering for <OpType> yet", while the ops around it are lowered (the
// partial conversion rolls nothing back).
// CHECK-LABEL: func @no_lowering
func.func @no_lowering(%x: tensor<3x2x2xf32>) -> tensor<3x2x2xf32> {
  // CHECK: linalg.generic
  // CHECK: graph.Bernoulli %{{.*}} {aicc.unsupported = "no lowering for Bernoulli yet"}
  // CHECK: linalg.generic
  // CHECK-NOT: graph.Relu
  %0 = graph.Relu %x : (tensor<3x2x2xf32>) -> tensor<3x2x2xf32>
  %1 = graph.Bernoulli %0 : (tensor<3x2x2xf32>) -> tensor<3x2x2xf32>
  %2 = graph.Relu %1 : (tensor<3x2x2xf32>) -> tensor<3x2x2xf32>
  return %2 : tensor<3x2x2xf32>
}

// -----

// Tests that an unsupported attribute value is the reason.
// CHECK-LABEL: func @resize_antialias
func.func @resize_antialias(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %s = graph.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: graph.Resize {{.*}}aicc.unsupported = "antialias is not supported"
  %0 = graph.Resize %x scales(%s) {mode = "cubic", antialias = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Tests that a dynamic shape is the reason, naming the operand and its type.
// CHECK-LABEL: func @dynamic_shape
func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: graph.Relu %{{.*}} {aicc.unsupported = "input 0 has a dynamic shape (tensor<?x4xf32>); only static shapes are supported"}
  %0 = graph.Relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that unsupported attribute values of elementwise ops say so.
// CHECK-LABEL: func @elementwise_checks
func.func @elementwise_checks(%i: tensor<4xi32>, %x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  // CHECK: graph.BitShift {{.*}}aicc.unsupported = "direction='UP' is not supported (only 'LEFT' and 'RIGHT')"
  %0 = graph.BitShift %i, %i {direction = "UP"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: graph.Gelu {{.*}}aicc.unsupported = "approximate='erf' is not supported (only 'none' and 'tanh')"
  %1 = graph.Gelu %x {approximate = "erf"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

