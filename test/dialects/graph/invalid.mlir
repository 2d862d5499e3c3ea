// RUN: aicc-opt %s -split-input-file -verify-diagnostics

// Tests that concat rejects inputs of different ranks.
func.func @case0(%a: tensor<2x3xf32>, %b: tensor<2x3x4xf32>) {
  // expected-error @+2 {{Concat inputs have different ranks: 2 and 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that concat rejects mismatched dims outside the axis.
func.func @case1(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{Concat inputs differ in dim 1 (3 vs 4) outside the concat axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that concat rejects scalars.
func.func @case2(%a: tensor<f32>) {
  // expected-error @+2 {{Concat inputs must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Concat %a {axis = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// Tests that concat needs an input.
func.func @case3() {
  // expected-error @+2 {{Concat needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Concat {axis = 0 : i64} : () -> tensor<f32>
  return
}

// -----

// Tests that axes are range-checked.
func.func @case4(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that broadcasting rejects incompatible shapes.
func.func @case5(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operand shapes are not broadcast-compatible: [2, 3] [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Tests that cast rejects unknown ONNX dtypes.
func.func @case6(%a: tensor<2xf32>) {
  // expected-error @+2 {{'to' 99 is not a supported ONNX tensor element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Cast %a {to = 99 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// Tests that bitCast to a wider type needs a matching last dim.
func.func @case7(%a: tensor<2x3xi8>) {
  // expected-error @+2 {{BitCast from 8 to 32 bits needs a last dim of 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.BitCast %a {to = 1 : i64} : (tensor<2x3xi8>) -> tensor<2xf32>
  return
}

// -----

// Tests that eyeLike needs a matrix.
func.func @case8(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{EyeLike input must be 2-D, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.EyeLike %a : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

// Tests that gather needs data of rank >= 1.
func.func @case9(%a: tensor<f32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{Gather data must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Gather %a, %i : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

// Tests that gatherElements needs equal ranks.
func.func @case10(%a: tensor<2x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{GatherElements data and indices ranks differ: 2 vs 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.GatherElements %a, %i : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

// Tests that gatherND needs indices of rank >= 1.
func.func @case11(%a: tensor<2x3xf32>, %i: tensor<i64>) {
  // expected-error @+2 {{GatherND indices must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.GatherND %a, %i : (tensor<2x3xf32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

// Tests that gatherND index depth must fit the data.
func.func @case12(%a: tensor<2x3xf32>, %i: tensor<4x3xi64>) {
  // expected-error @+2 {{GatherND batch_dims 0 and index depth 3 do not fit data rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.GatherND %a, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return
}

// -----

// Tests that gemm needs matrices.
func.func @case13(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{Gemm operands must be 2-D, got ranks 3 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Tests that gemm checks the contraction dim.
func.func @case14(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{Gemm contraction dims differ: 3 vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Tests that matMul rejects scalars.
func.func @case15(%a: tensor<f32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{MatMul operands must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.MatMul %a, %b : (tensor<f32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

// -----

// Tests that matMul checks the contraction dim.
func.func @case16(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{MatMul contraction dims differ: 3 vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.MatMul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Tests that oneHot needs a positive depth.
func.func @case17(%i: tensor<3xi64>, %v: tensor<2xf32>) {
  %d = graph.constant dense<0> : tensor<1xi64>
  // expected-error @+2 {{OneHot depth must be one value >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.OneHot %i, %d, %v : (tensor<3xi64>, tensor<1xi64>, tensor<2xf32>) -> tensor<3x1xf32>
  return
}

// -----

// Tests that range rejects a zero delta.
func.func @case18() {
  %s = graph.constant dense<0> : tensor<i64>
  %l = graph.constant dense<4> : tensor<i64>
  %d = graph.constant dense<0> : tensor<i64>
  // expected-error @+2 {{Range delta must not be zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  return
}

// -----

// Tests that reshape allows one -1.
func.func @case19(%a: tensor<2x3xf32>) {
  %s = graph.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+2 {{Reshape shape has more than one -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<6xf32>
  return
}

// -----

// Tests that reshape rejects negative dims.
func.func @case20(%a: tensor<2x3xf32>) {
  %s = graph.constant dense<[-2, 3]> : tensor<2xi64>
  // expected-error @+2 {{Reshape shape has invalid dim -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

// Tests that reshape 0 copies an existing dim.
func.func @case21(%a: tensor<2x3xf32>) {
  %s = graph.constant dense<[1, 1, 0]> : tensor<3xi64>
  // expected-error @+2 {{Reshape shape copies dim 2 (0) beyond the input rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Reshape %a, %s : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<1x1x6xf32>
  return
}

// -----

// Tests that reshape -1 must divide the element count.
func.func @case22(%a: tensor<2x3xf32>) {
  %s = graph.constant dense<[4, -1]> : tensor<2xi64>
  // expected-error @+2 {{Reshape cannot infer -1: 6 elements are not divisible by 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

// Tests that reshape keeps the element count.
func.func @case23(%a: tensor<2x3xf32>) {
  %s = graph.constant dense<[4, 2]> : tensor<2xi64>
  // expected-error @+2 {{Reshape from 6 to 8 elements}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

// Tests that slice starts and ends match.
func.func @case24(%a: tensor<4x3xf32>) {
  %s = graph.constant dense<[0]> : tensor<1xi64>
  %e = graph.constant dense<[1, 2]> : tensor<2xi64>
  // expected-error @+2 {{Slice starts and ends differ in length: 1 vs 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Slice %a, %s, %e : (tensor<4x3xf32>, tensor<1xi64>, tensor<2xi64>) -> tensor<1x3xf32>
  return
}

// -----

// Tests that slice axes and steps match starts.
func.func @case25(%a: tensor<4x3xf32>) {
  %s = graph.constant dense<[0]> : tensor<1xi64>
  %e = graph.constant dense<[1]> : tensor<1xi64>
  %x = graph.constant dense<[0, 1]> : tensor<2xi64>
  // expected-error @+2 {{Slice starts, ends, axes and steps must have the same length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Slice %a, %s, %e axes(%x) : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<1x3xf32>
  return
}

// -----

// Tests that slice axes are unique.
func.func @case26(%a: tensor<4x3xf32>) {
  %s = graph.constant dense<[0, 0]> : tensor<2xi64>
  %e = graph.constant dense<[1, 1]> : tensor<2xi64>
  %x = graph.constant dense<[0, 0]> : tensor<2xi64>
  // expected-error @+2 {{Slice axis 0 repeats}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Slice %a, %s, %e axes(%x) : (tensor<4x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x3xf32>
  return
}

// -----

// Tests that slice steps are non-zero.
func.func @case27(%a: tensor<4x3xf32>) {
  %s = graph.constant dense<[0]> : tensor<1xi64>
  %e = graph.constant dense<[1]> : tensor<1xi64>
  %x = graph.constant dense<[0]> : tensor<1xi64>
  %t = graph.constant dense<[0]> : tensor<1xi64>
  // expected-error @+2 {{Slice step must not be zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Slice %a, %s, %e axes(%x) steps(%t) : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x3xf32>
  return
}

// -----

// Tests that squeeze drops only unit dims.
func.func @case28(%a: tensor<4x3xf32>) {
  %x = graph.constant dense<[1]> : tensor<1xi64>
  // expected-error @+2 {{Squeeze axis 1 has size 3, not 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Squeeze %a, %x : (tensor<4x3xf32>, tensor<1xi64>) -> tensor<4xf32>
  return
}

// -----

// Tests that unsqueeze axes are unique.
func.func @case29(%a: tensor<4x3xf32>) {
  %x = graph.constant dense<[1, 1]> : tensor<2xi64>
  // expected-error @+2 {{Unsqueeze axis 1 repeats}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Unsqueeze %a, %x : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x1x1x3xf32>
  return
}

// -----

// Tests that tile repeats match the rank.
func.func @case30(%a: tensor<4x3xf32>) {
  %r = graph.constant dense<[2]> : tensor<1xi64>
  // expected-error @+2 {{Tile repeats has 1 values for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Tile %a, %r : (tensor<4x3xf32>, tensor<1xi64>) -> tensor<8x3xf32>
  return
}

// -----

// Tests that tile repeats are non-negative.
func.func @case31(%a: tensor<4x3xf32>) {
  %r = graph.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+2 {{Tile repeats must be >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Tile %a, %r : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<8x3xf32>
  return
}

// -----

// Tests that topK K is one non-negative value.
func.func @case32(%a: tensor<4x3xf32>) {
  %k = graph.constant dense<[1, 2]> : tensor<2xi64>
  // expected-error @+2 {{TopK K must be one value >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.TopK %a, %k : (tensor<4x3xf32>, tensor<2xi64>) -> (tensor<4x1xf32>, tensor<4x1xi64>)
  return
}

// -----

// Tests that topK K fits the axis.
func.func @case33(%a: tensor<4x3xf32>) {
  %k = graph.constant dense<[5]> : tensor<1xi64>
  // expected-error @+2 {{TopK K = 5 exceeds axis size 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.TopK %a, %k : (tensor<4x3xf32>, tensor<1xi64>) -> (tensor<4x5xf32>, tensor<4x5xi64>)
  return
}

// -----

// Tests that transpose perm has one entry per dim.
func.func @case34(%a: tensor<4x3xf32>) {
  // expected-error @+2 {{Transpose perm has 1 entries for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Transpose %a {perm = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that transpose perm is a permutation.
func.func @case35(%a: tensor<4x3xf32>) {
  // expected-error @+2 {{Transpose perm is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Transpose %a {perm = array<i64: 0, 0>} : (tensor<4x3xf32>) -> tensor<4x4xf32>
  return
}

// -----

// Tests that multinomial needs a matrix.
func.func @case36(%a: tensor<4xf32>) {
  // expected-error @+2 {{Multinomial input must be 2-D}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Multinomial %a : (tensor<4xf32>) -> tensor<4x1xi32>
  return
}

// -----

// Tests that split results add up to the input.
func.func @split0(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'graph.Split' op result sizes along axis 0 add up to 3, input has 4}}
  graph.Split %a {axis = 0 : i64} : (tensor<4x3xf32>) -> (tensor<1x3xf32>, tensor<2x3xf32>)
  return
}

// -----

// Tests that split results keep the rank.
func.func @split1(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'graph.Split' op result rank 1 differs from input rank 2}}
  graph.Split %a {axis = 0 : i64} : (tensor<4x3xf32>) -> (tensor<4xf32>)
  return
}

// -----

// Tests that split has a result.
func.func @split2(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'graph.Split' op needs at least one result}}
  graph.Split %a {axis = 0 : i64} : (tensor<4x3xf32>) -> ()
  return
}

// -----

// Tests that ConstantOfShape rejects negative dims.
func.func @constant_of_shape_negative() {
  %s = graph.constant dense<[-3, 2]> : tensor<2xi64>
  // expected-error @+2 {{ConstantOfShape dims must be >= 0, got -3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.ConstantOfShape %s : (tensor<2xi64>) -> tensor<3x2xf32>
  return
}

// -----

// Tests that a constant Gather index must be inside the axis.
func.func @gather_out_of_range(%a: tensor<3xf32>) {
  %i = graph.constant dense<[5]> : tensor<1xi64>
  // expected-error @+2 {{Gather index 5 is out of range for an axis of size 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Gather %a, %i : (tensor<3xf32>, tensor<1xi64>) -> tensor<1xf32>
  return
}

// -----

// Tests that an If's branches yield one value per result.
func.func @if_yield_count(%c: tensor<i1>, %x: tensor<2xf32>) {
  // expected-error @+1 {{else_branch yields 0 values, the op has 1 results}}
  %y = graph.If %c : tensor<i1> -> tensor<2xf32> then {
    graph.yield %x : tensor<2xf32>
  } else {
    graph.yield
  }
  return
}

// -----

// Tests that an If's condition has one element.
func.func @if_cond_elements(%c: tensor<2xi1>, %x: tensor<2xf32>) {
  // expected-error @+1 {{condition must have one element, it has 2}}
  %y = graph.If %c : tensor<2xi1> -> tensor<2xf32> then {
    graph.yield %x : tensor<2xf32>
  } else {
    graph.yield %x : tensor<2xf32>
  }
  return
}

// -----

// Tests that a Loop body takes the iteration number, the condition and the
// loop-carried values.
func.func @loop_body_arguments(%x: tensor<2xf32>) {
  // expected-error @+1 {{body takes 2 arguments, expected 3 (iteration number, condition and 1 loop-carried values)}}
  %r = graph.Loop carried %x : tensor<2xf32> -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>):
    graph.yield %c, %x : tensor<i1>, tensor<2xf32>
  }
  return
}

// -----

// Tests that a Loop has a result per loop-carried value.
func.func @loop_results(%x: tensor<2xf32>) {
  // expected-error @+1 {{has 0 results, fewer than its 1 loop-carried values}}
  graph.Loop carried %x : tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    graph.yield %c : tensor<i1>
  }
  return
}

// -----

// Tests that a Loop body yields the condition and a value per result.
func.func @loop_yield_count(%x: tensor<2xf32>) {
  // expected-error @+1 {{body yields 1 values, expected 2 (condition and one per result)}}
  %r = graph.Loop carried %x : tensor<2xf32> -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    graph.yield %c : tensor<i1>
  }
  return
}

// -----

// Tests that a Scan has at least one scan input.
func.func @scan_no_scan_input(%x: tensor<2xf32>) {
  // expected-error @+1 {{num_scan_inputs 0 must be between 1 and the number of operands, 1}}
  %s = graph.Scan %x {num_scan_inputs = 0 : i64} : (tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%st: tensor<2xf32>):
    graph.yield %st : tensor<2xf32>
  }
  return
}

// -----

// Tests that a Scan body takes one argument per operand.
func.func @scan_body_arguments(%x: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{body takes 1 arguments, the op has 2 operands}}
  %s = graph.Scan %x, %xs {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32> {
  ^bb0(%st: tensor<2xf32>):
    graph.yield %st : tensor<2xf32>
  }
  return
}

// -----

// Tests that a Scan has a result per state.
func.func @scan_results(%x: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{has 0 results, fewer than its 1 states}}
  graph.Scan %x, %xs {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<3x2xf32>) -> () {
  ^bb0(%st: tensor<2xf32>, %e: tensor<2xf32>):
    graph.yield
  }
  return
}

// -----

// Tests that a Scan body yields one value per result.
func.func @scan_yield_count(%x: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{body yields 2 values, the op has 1 results}}
  %s = graph.Scan %x, %xs {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32> {
  ^bb0(%st: tensor<2xf32>, %e: tensor<2xf32>):
    graph.yield %st, %e : tensor<2xf32>, tensor<2xf32>
  }
  return
}

// -----

// Tests that graph.yield ends only control-flow regions.
func.func @yield_parent() {
  // expected-error @+1 {{expects parent op to be one of}}
  graph.yield
}
