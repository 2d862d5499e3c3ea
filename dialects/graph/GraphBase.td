//===- GraphBase.td - Graph dialect definition and op base -*- tablegen -*-===//
//
// The `graph` dialect: tensor ops with ONNX semantics and value semantics.
// Every ONNX default-domain op is one `graph.<OnnxName>` op (generated into
// GraphOnnxOps.td); a few ops of aicc's own (graph.constant) live in
// GraphOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_GRAPH_BASE_TD
#define AICC_GRAPH_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::aicc::graph";
  let summary = "Tensor ops with ONNX semantics";
  let description = [{
    One op per ONNX operator of the default domain, with the operands,
    attributes and semantics of the newest opset the pinned onnx package
    knows. The importer normalises older opsets (attributes that became
    inputs, changed defaults) to this form. Shapes are static after import;
    result types are inferred from operand types, attributes and constant
    operands.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
}

/// Base class of ops generated from ONNX schemas. `sinceVersion` is the
/// opset of the ONNX schema the op mirrors.
class Graph_OnnxOp<string mnemonic, int sinceVersion, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits> {
  int onnxSinceVersion = sinceVersion;
  let hasVerifier = 0;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

#endif // AICC_GRAPH_BASE_TD
