// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that a broadcast operand is read through a projected map, without
// a materialized broadcast.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]]
  // CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>)
  // CHECK: arith.addf
  // CHECK-NOT: graph.
  %0 = graph.Add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that a size-1 dim that is broadcast is collapsed away first.
// CHECK-DAG: #[[$MAP:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @mul_unit_dims
func.func @mul_unit_dims(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$MAP]], #{{.*}}]
  // CHECK-SAME: ins(%{{.*}}, %[[C]] :
  // CHECK: arith.mulf
  %0 = graph.Mul %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that unsigned arithmetic runs on the signless type with the unsigned
// variant, and that the tensors keep their unsigned type.
// CHECK-LABEL: func @div_unsigned
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // CHECK: linalg.generic
  // CHECK: ^bb0(%[[X:.*]]: ui8, %[[Y:.*]]: ui8, %{{.*}}: ui8):
  // CHECK-DAG: %[[XS:.*]] = builtin.unrealized_conversion_cast %[[X]] : ui8 to i8
  // CHECK-DAG: %[[YS:.*]] = builtin.unrealized_conversion_cast %[[Y]] : ui8 to i8
  // CHECK: %[[Q:.*]] = arith.divui %[[XS]], %[[YS]] : i8
  // CHECK: %[[R:.*]] = builtin.unrealized_conversion_cast %[[Q]] : i8 to ui8
  // CHECK: linalg.yield %[[R]] : ui8
  // CHECK: -> tensor<4xui8>
  %0 = graph.Div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Tests the scalar semantics of Round (half to even), Cast float -> int
// (truncation), Max (NaN propagating) and integer Mod (divisor's sign).
// CHECK-LABEL: func @scalar_semantics
func.func @scalar_semantics(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>) {
  // CHECK: math.roundeven
  %0 = graph.Round %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %1 = graph.Cast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
  // CHECK: arith.maximumf
  %2 = graph.Max %x, %0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %[[R:.*]] = arith.remsi
  // CHECK: %[[SUM:.*]] = arith.addi %[[R]]
  // CHECK: arith.select %{{.*}}, %[[SUM]], %[[R]]
  %3 = graph.Mod %i, %1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Tests that Clip with only a max reads the scalar max as a rank-0 operand.
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @clip_max_only
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[HI:.*]]: tensor<f32>)
func.func @clip_max_only(%x: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
  // CHECK-SAME: ins(%[[X]], %[[HI]] :
  // CHECK-NOT: arith.maximumf
  // CHECK: arith.minimumf
  %0 = graph.Clip %x max(%hi) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that Where broadcasts its three operands into one select.
// CHECK-LABEL: func @where
// CHECK-SAME: (%[[C:.*]]: tensor<4x4xi1>, %[[X:.*]]: tensor<4x4xf32>, %[[Y:.*]]: tensor<f32>)
func.func @where(%c: tensor<4x4xi1>, %x: tensor<4x4xf32>, %y: tensor<f32>) -> tensor<4x4xf32> {
  // CHECK: linalg.generic {{.*}} ins(%[[C]], %[[X]], %[[Y]] :
  // CHECK: arith.select
  %0 = graph.Where %c, %x, %y : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that CastLike reads only its input (the second operand gives the
// type and is not broadcast into the result).
// CHECK-LABEL: func @castlike_scalar
// CHECK-SAME: (%[[S:.*]]: tensor<f64>, %{{.*}}: tensor<3x4xf32>)
func.func @castlike_scalar(%s: tensor<f64>, %like: tensor<3x4xf32>) -> tensor<f32> {
  // CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<f64>) outs(%{{.*}} : tensor<f32>)
  // CHECK: arith.truncf
  %0 = graph.CastLike %s, %like : (tensor<f64>, tensor<3x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that Cast between integer types extends by the source signedness.
// CHECK-LABEL: func @cast_int
func.func @cast_int(%x: tensor<4xui8>) -> tensor<4xi32> {
  // CHECK: builtin.unrealized_conversion_cast %{{.*}} : ui8 to i8
  // CHECK: arith.extui %{{.*}} : i8 to i32
  %0 = graph.Cast %x {to = 6 : i64} : (tensor<4xui8>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests that BitShift RIGHT of a signed type shifts arithmetically, also
// when the amount is out of range.
// CHECK-LABEL: func @bitshift_signed
func.func @bitshift_signed(%x: tensor<3xi8>, %y: tensor<3xi8>) -> tensor<3xi8> {
  // CHECK: arith.shrsi
  // CHECK: arith.shrsi
  // CHECK: arith.cmpi uge
  // CHECK-NOT: arith.shrui
  %0 = graph.BitShift %x, %y {direction = "RIGHT"} : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

// Tests that each unary float op is one generic around its math or arith op.
// CHECK-LABEL: func @unary_math
func.func @unary_math(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: linalg.generic
  // CHECK: math.floor
  %0 = graph.Floor %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.ceil
  %1 = graph.Ceil %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.sqrt
  %2 = graph.Sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  %3 = graph.Exp %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.log
  %4 = graph.Log %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.tanh
  %5 = graph.Tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.erf
  %6 = graph.Erf %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.sin
  %7 = graph.Sin %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.cos
  %8 = graph.Cos %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.tan
  %9 = graph.Tan %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.asin
  %10 = graph.Asin %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.acos
  %11 = graph.Acos %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.atan
  %12 = graph.Atan %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.sinh
  %13 = graph.Sinh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.cosh
  %14 = graph.Cosh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.asinh
  %15 = graph.Asinh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.acosh
  %16 = graph.Acosh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.atanh
  %17 = graph.Atanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.divf
  %18 = graph.Reciprocal %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.absf
  %19 = graph.Abs %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.negf
  %20 = graph.Neg %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.select
  %21 = graph.Sign %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that every activation lowers to its scalar formula in one generic.
// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: linalg.generic
  // CHECK: arith.maximumf
  %0 = graph.Relu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: arith.divf
  %1 = graph.Sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.minimumf
  // CHECK: arith.maximumf
  %2 = graph.HardSigmoid %x {alpha = 2.000000e-01 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.minimumf
  // CHECK: arith.maximumf
  // CHECK: arith.mulf
  %3 = graph.HardSwish %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf oge
  // CHECK: arith.select
  %4 = graph.LeakyRelu %x {alpha = 1.000000e-01 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf ogt
  // CHECK: arith.select
  %5 = graph.ThresholdedRelu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: arith.select
  %6 = graph.Elu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: arith.select
  %7 = graph.Selu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: arith.minimumf
  %8 = graph.Celu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.log1p
  %9 = graph.Softplus %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.absf
  // CHECK: arith.divf
  %10 = graph.Softsign %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.log1p
  // CHECK: math.tanh
  %11 = graph.Mish %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: arith.mulf
  %12 = graph.Swish %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.erf
  %13 = graph.Gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.tanh
  %14 = graph.Gelu %x {approximate = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf ogt
  // CHECK: arith.cmpf olt
  %15 = graph.Shrink %x {lambd = 1.500000e+00 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that the broadcasting binary and variadic ops lower to their arith op.
// CHECK-LABEL: func @binary
func.func @binary(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: linalg.generic
  // CHECK: arith.addf
  %0 = graph.Add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.subf
  %1 = graph.Sub %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.mulf
  %2 = graph.Mul %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.divf
  %3 = graph.Div %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.powf
  %4 = graph.Pow %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf olt
  %5 = graph.PRelu %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.maximumf
  %6 = graph.Max %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.minimumf
  %7 = graph.Min %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.addf
  %8 = graph.Sum %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: arith.divf
  %9 = graph.Mean %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that comparisons lower to cmpf with the ordered predicate and an i1 result.
// CHECK-LABEL: func @comparisons
func.func @comparisons(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // CHECK: linalg.generic
  // CHECK: arith.cmpf oeq
  %0 = graph.Equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf olt
  %1 = graph.Less %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf ole
  %2 = graph.LessOrEqual %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf ogt
  %3 = graph.Greater %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf oge
  %4 = graph.GreaterOrEqual %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf uno
  %5 = graph.IsNaN %x : (tensor<4xf32>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: math.isinf
  // CHECK: arith.cmpf ogt
  // CHECK: arith.andi
  %6 = graph.IsInf %x {detect_negative = 0 : i64} : (tensor<4xf32>) -> tensor<4xi1>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Tests that logic ops lower to the bitwise arith op on i1.
// CHECK-LABEL: func @logic
func.func @logic(%p: tensor<4xi1>, %q: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // CHECK: linalg.generic
  // CHECK: arith.andi
  %0 = graph.And %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.ori
  %1 = graph.Or %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.xori
  %2 = graph.Xor %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK: arith.constant true
  // CHECK: arith.xori
  %3 = graph.Not %p : (tensor<4xi1>) -> tensor<4xi1>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Tests that bitwise ops lower to arith on the signless integer, BitShift LEFT to shli.
// CHECK-LABEL: func @bitwise
func.func @bitwise(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  // CHECK: linalg.generic
  // CHECK: arith.andi
  %0 = graph.BitwiseAnd %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: linalg.generic
  // CHECK: arith.ori
  %1 = graph.BitwiseOr %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: linalg.generic
  // CHECK: arith.xori
  %2 = graph.BitwiseXor %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: linalg.generic
  // CHECK: arith.constant -1 : i32
  // CHECK: arith.xori
  %3 = graph.BitwiseNot %a : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: linalg.generic
  // CHECK: arith.shli
  // CHECK: arith.cmpi uge
  %4 = graph.BitShift %a, %b {direction = "LEFT"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// Tests that Identity and inference Dropout forward their input and that the
// Dropout mask is all true.
// CHECK-LABEL: func @identity_dropout
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @identity_dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  // CHECK: %[[TRUE:.*]] = arith.constant true
  // CHECK: %[[MASK:.*]] = linalg.fill ins(%[[TRUE]] : i1)
  // CHECK: return %[[X]], %[[X]], %[[MASK]]
  %0 = graph.Identity %x : (tensor<4xf32>) -> tensor<4xf32>
  %1, %2 = graph.Dropout %x : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}
