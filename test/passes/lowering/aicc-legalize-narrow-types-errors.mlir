// RUN: aicc-opt %s -split-input-file --aicc-legalize-narrow-types -verify-diagnostics

#map = affine_map<(d0) -> (d0)>

// Tests that arithmetic on a float8 value, which no kernel can compute, is an
// error on the op (the ONNX node's location) rather than a silent retype.
func.func @add_f8(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  %0 = tensor.empty() : tensor<4xf8E4M3FN>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf8E4M3FN>) outs(%0 : tensor<4xf8E4M3FN>) {
  ^bb0(%in: f8E4M3FN, %out: f8E4M3FN):
    // expected-error @below {{'arith.addf' on 'f8E4M3FN' is not supported (only conversions)}}
    %2 = arith.addf %in, %in : f8E4M3FN
    linalg.yield %2 : f8E4M3FN
  } -> tensor<4xf8E4M3FN>
  return %1 : tensor<4xf8E4M3FN>
}

// -----

#map = affine_map<(d0) -> (d0)>

// Tests that a math op on a float4 value is an error too.
func.func @abs_f4(%x: tensor<4xf4E2M1FN>) -> tensor<4xf4E2M1FN> {
  %0 = tensor.empty() : tensor<4xf4E2M1FN>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf4E2M1FN>) outs(%0 : tensor<4xf4E2M1FN>) {
  ^bb0(%in: f4E2M1FN, %out: f4E2M1FN):
    // expected-error @below {{'math.absf' on 'f4E2M1FN' is not supported (only conversions)}}
    %2 = math.absf %in : f4E2M1FN
    linalg.yield %2 : f4E2M1FN
  } -> tensor<4xf4E2M1FN>
  return %1 : tensor<4xf4E2M1FN>
}
