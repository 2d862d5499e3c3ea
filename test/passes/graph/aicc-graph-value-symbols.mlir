// RUN: aicc-opt %s -split-input-file --aicc-graph-value-symbols | FileCheck %s

// Tests that a Reshape whose shape is a graph input gets one value symbol
// per output dim (0 copies the input dim, -1 divides the element count by
// the product of the others, a symbol of its own), a validity symbol, and
// the element-count assumption.
func.func @reshape(%x: tensor<2x3x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %r = graph.Reshape %x, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32> loc("r")
  return %r : tensor<?x?x?xf32>
}

// -----

// Tests that constant axes and steps fold: each output dim of a Slice is
// the length of its entry, untouched dims stay static, and the parameters
// are symbols (CONST ones for untouched dims).
func.func @slice_const_axes(%x: tensor<20x10x5xf32>, %st: tensor<1xi64>, %en: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %ax = graph.constant dense<1> : tensor<1xi64>
  %sp = graph.constant dense<-1> : tensor<1xi64>
  %r = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<20x10x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x?xf32> loc("s")
  return %r : tensor<?x?x?xf32>
}

// -----

// Tests that ReduceSum with axes from an input gets kept/extents params and
// keepdims = 0 the dims that are not reduced.
func.func @reduce(%x: tensor<3x4x5xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %r = graph.ReduceSum %x, %a {keepdims = 0 : i64} : (tensor<3x4x5xf32>, tensor<1xi64>) -> tensor<?x?xf32> loc("red")
  return %r : tensor<?x?xf32>
}

// -----

// Tests that an empty axes input is a known value: the ReduceSum becomes
// static with no value symbols (reduce everything).
func.func @reduce_empty_axes(%x: tensor<3x4x5xf32>, %a: tensor<0xi64>) -> tensor<*xf32> {
  %r = graph.ReduceSum %x, %a {keepdims = 1 : i64} : (tensor<3x4x5xf32>, tensor<0xi64>) -> tensor<*xf32> loc("red")
  return %r : tensor<*xf32>
}

// -----

// Tests that Resize by float scales multiplies each dim with FMULFLOOR.
func.func @resize_scales(%x: tensor<1x1x2x3xf32>, %sc: tensor<4xf32>) -> tensor<?x?x?x?xf32> {
  %r = graph.Resize %x scales(%sc) {mode = "nearest"} : (tensor<1x1x2x3xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32> loc("rs")
  return %r : tensor<?x?x?x?xf32>
}

// -----

// Tests that a later op sees the value symbols of an earlier one: the
// Unsqueeze after a Reshape by values.
func.func @chain(%x: tensor<6xf32>, %s: tensor<2xi64>, %a: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %r = graph.Reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  %u = graph.Unsqueeze %r, %a : (tensor<?x?xf32>, tensor<1xi64>) -> tensor<?x?x?xf32> loc("u")
  return %u : tensor<?x?x?xf32>
}

// -----

// Tests that a shape operand that is not a graph input (computed by an Add)
// is left alone (aicc-graph-check-static-shapes reports it).
func.func @not_value_input(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %t = graph.Add %s, %s : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %r = graph.Reshape %x, %t : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  return %r : tensor<?x?xf32>
}

// -----

// Tests that an invalid constant part is an error naming the node: step 0.
func.func @zero_step(%x: tensor<20xf32>, %st: tensor<1xi64>, %en: tensor<1xi64>) -> tensor<?xf32> {
  %ax = graph.constant dense<0> : tensor<1xi64>
  %sp = graph.constant dense<0> : tensor<1xi64>
  %r = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<20xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32> loc("s")
  return %r : tensor<?xf32>
}
