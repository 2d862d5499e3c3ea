//===- OnnxImporter.cpp - ONNX protobuf to graph dialect -----------------===//
//
// The importer maps nodes generically through the op layout table generated
// from the ONNX schemas (OnnxSchema.h): inputs to operand segments,
// attributes by kind. Older opsets are first rewritten to the newest form
// (OnnxLegacy.cpp). Each op's result types come from its inference rule; If,
// Loop and Scan become region ops with their subgraphs as regions. The
// importer only translates: the graph pipeline (passes/graph) inlines and
// unrolls control flow, re-infers types and folds shape computations
// (Shape → Gather → Concat → Reshape, ConstantOfShape, Range...) into
// constants, and reports shapes that stay unknown.
//
// Errors never stop at the first: every unsupported node is reported, then
// import fails.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/OnnxLegacy.h"
#include "compiler/onnx/OnnxSchema.h"
#include "compiler/onnx/OnnxTensor.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "passes/graph/SymbolicShapes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "Npy.h"
#include <google/protobuf/io/coded_stream.h>

using namespace mlir;

namespace aicc {

LogicalResult parseInputShape(StringRef spec, ImportOptions &options,
                              std::string &error) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || !spec.contains(':')) {
    error = "--input-shape expects <name>:<d0>x<d1>x..., got '" + spec.str() +
            "'";
    return failure();
  }
  SmallVector<int64_t> shape;
  if (!dims.empty()) {
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef p : parts) {
      int64_t d;
      if (p.getAsInteger(10, d) || d < 0) {
        error = "--input-shape for '" + name.str() + "': '" + p.str() +
                "' is not a non-negative dim";
        return failure();
      }
      shape.push_back(d);
    }
  }
  auto [it, inserted] = options.inputShapes.try_emplace(name, shape);
  if (!inserted && it->second != shape) {
    auto str = [](ArrayRef<int64_t> dims) {
      std::string s;
      for (auto [i, d] : llvm::enumerate(dims))
        s += (i ? "x" : "") + std::to_string(d);
      return s;
    };
    error = "--input-shape for '" + name.str() + "' given twice, " +
            str(it->second) + " and " + str(shape);
    return failure();
  }
  return success();
}

LogicalResult parseDimValue(StringRef spec, ImportOptions &options,
                            std::string &error) {
  auto [name, value] = spec.split('=');
  auto syntax = [&] {
    error = "--dim expects <symbol>=<N> or <symbol>=<LO>..<HI> with "
            "0 <= LO <= HI, got '" +
            spec.str() + "'";
    return failure();
  };
  if (name.empty() || !spec.contains('='))
    return syntax();
  auto range = [](int64_t lo, int64_t hi) {
    return std::to_string(lo) + ".." + std::to_string(hi);
  };
  if (value.contains("..")) {
    auto [loText, hiText] = value.split("..");
    int64_t lo, hi;
    if (loText.getAsInteger(10, lo) || hiText.getAsInteger(10, hi) || lo < 0 ||
        hi < 0)
      return syntax();
    if (lo > hi) {
      error = "--dim gives '" + name.str() + "' the empty range " +
              range(lo, hi) + " (LO > HI)";
      return failure();
    }
    if (lo < hi) {
      if (auto fixed = options.dimValues.find(name);
          fixed != options.dimValues.end()) {
        error = "--dim gives '" + name.str() + "' both the value " +
                std::to_string(fixed->second) + " and the range " +
                range(lo, hi);
        return failure();
      }
      auto [it, inserted] = options.dimRanges.try_emplace(name, lo, hi);
      if (!inserted && it->second != std::make_pair(lo, hi)) {
        error = "--dim gives '" + name.str() + "' two ranges, " +
                range(it->second.first, it->second.second) + " and " +
                range(lo, hi);
        return failure();
      }
      return success();
    }
    value = loText; // LO..LO: one value.
  }
  int64_t v;
  if (value.getAsInteger(10, v) || v < 0)
    return syntax();
  if (auto ranged = options.dimRanges.find(name);
      ranged != options.dimRanges.end()) {
    error = "--dim gives '" + name.str() + "' both the range " +
            range(ranged->second.first, ranged->second.second) +
            " and the value " + std::to_string(v);
    return failure();
  }
  auto [it, inserted] = options.dimValues.try_emplace(name, v);
  if (!inserted && it->second != v) {
    error = "--dim gives '" + name.str() + "' two values, " +
            std::to_string(it->second) + " and " + std::to_string(v);
    return failure();
  }
  return success();
}

LogicalResult parseInputValue(StringRef spec, ImportOptions &options,
                              std::string &error) {
  auto [name, value] = spec.split('=');
  if (name.empty() || !spec.contains('=') || value.empty()) {
    error = "--input-value expects <name>=@<file.npy> or <name>=<v0>,<v1>,..."
            ", got '" +
            spec.str() + "'";
    return failure();
  }
  auto [it, inserted] = options.inputValues.try_emplace(name, value.str());
  if (!inserted && it->second != value) {
    error = "--input-value for '" + name.str() + "' given twice, " +
            it->second + " and " + value.str();
    return failure();
  }
  return success();
}

namespace {

using onnx_import::OnnxAttr;
using onnx_import::OnnxOpInfo;
using onnx_import::OnnxParam;

/// "node 'conv1' (ai.onnx::Conv, opset 17)"; unnamed nodes are named by
/// their first output.
std::string describeNode(const onnx::NodeProto &node,
                         const onnx::ModelProto &model) {
  bool isDefault = node.domain().empty() || node.domain() == "ai.onnx";
  std::string domain = isDefault ? "ai.onnx" : node.domain();
  int64_t version = 0;
  for (const auto &o : model.opset_import()) {
    bool oDefault = o.domain().empty() || o.domain() == "ai.onnx";
    if (oDefault == isDefault && (isDefault || o.domain() == node.domain()))
      version = o.version();
  }
  std::string name =
      !node.name().empty()
          ? "node '" + node.name() + "'"
          : "unnamed node producing '" +
                (node.output_size() ? node.output(0) : std::string()) + "'";
  return name + " (" + domain + "::" + node.op_type() + ", opset " +
         std::to_string(version) + ")";
}

class Importer {
public:
  Importer(MLIRContext &ctx, const onnx::ModelProto &model,
           const ImportOptions &options)
      : ctx(ctx), model(model), options(options), builder(&ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  LogicalResult readOpsets();
  /// Every tensor name has one definition (a graph input, an initializer or
  /// one node output), and graph inputs and outputs are listed once, as ONNX
  /// Runtime requires ("Duplicate definition"); reports every violation.
  LogicalResult checkUniqueNames();
  LogicalResult importInitializers();
  LogicalResult createFunction();
  /// Checks the shape of an --input-value against the declared shape of the
  /// graph input (--input-shape, else the model's); reports a mismatch.
  LogicalResult checkInputValueShape(const onnx::ValueInfoProto &in,
                                     ShapedType given);
  /// The constant given with --input-value for graph input `name`.
  ElementsAttr inputValue(StringRef name, RankedTensorType declared,
                          StringRef spec);
  /// Imports one node; failures are reported and counted, not fatal.
  void importNode(const onnx::NodeProto &node);
  /// Builds the graph op of `node` (normalised from `original`) from its
  /// layout `info`.
  void importOp(const onnx::NodeProto &original, const onnx::NodeProto &node,
                const onnx_import::OnnxOpInfo *info);
  /// If, Loop and Scan become graph.If, graph.Loop and graph.Scan with
  /// their subgraphs as regions; aicc-graph-inline-control-flow inlines or
  /// unrolls them.
  void importIf(const onnx::NodeProto &node);
  void importLoop(const onnx::NodeProto &node);
  void importScan(const onnx::NodeProto &node);
  /// Imports `body`'s initializers and nodes into a new block of `region`
  /// whose arguments (of `argTypes`) are the body's inputs, ending it with a
  /// graph.yield of its outputs. Names the body defines are visible only
  /// inside it. Fails (reported) when the body does not import.
  LogicalResult importSubgraph(const onnx::NodeProto &node,
                               const onnx::GraphProto &body, Region &region,
                               TypeRange argTypes);
  /// Binds the node's outputs to `op`'s results and records the node's
  /// description for the diagnostics of the passes that inline `op`.
  void finishRegionOp(const onnx::NodeProto &node, Operation *op);
  const onnx::GraphProto *graphAttr(const onnx::NodeProto &node,
                                    StringRef name);
  /// Records the dynamic --dim symbols on the function (kSymbolsAttrName)
  /// and each dynamic argument's shape over them (kArgShapeAttrName).
  void recordSymbols(ArrayRef<const onnx::ValueInfoProto *> inputProtos);
  /// The --dim symbols some graph input uses.
  llvm::StringSet<> usedDims;
  Attribute convertAttribute(const onnx::AttributeProto &attr,
                             const OnnxAttr &schema, std::string &error);
  Location nodeLoc(const onnx::NodeProto &node) {
    StringRef name = node.name();
    if (name.empty() && node.output_size())
      name = node.output(0);
    return NameLoc::get(builder.getStringAttr(name));
  }
  InFlightDiagnostic nodeError(const onnx::NodeProto &node) {
    ++errors;
    return emitError(nodeLoc(node)) << describeNode(node, model) << ": ";
  }
  Type tensorTypeFromProto(const onnx::TypeProto &type, StringRef name,
                           bool isInput);

  MLIRContext &ctx;
  const onnx::ModelProto &model;
  const ImportOptions &options;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  int64_t opset = 0;
  int errors = 0;
  llvm::StringMap<Value> values;
};

OwningOpRef<ModuleOp> Importer::run() {
  module = ModuleOp::create(UnknownLoc::get(&ctx));
  builder.setInsertionPointToStart(module->getBody());
  if (!model.has_graph()) {
    emitError(UnknownLoc::get(&ctx)) << "the model has no graph";
    return nullptr;
  }
  if (failed(readOpsets()) || failed(checkUniqueNames()) ||
      failed(createFunction()) || failed(importInitializers()))
    return nullptr;

  // Nodes in topological order (ONNX requires it; some exporters don't).
  const auto &graph = model.graph();
  std::vector<int> order;
  {
    llvm::StringSet<> defined;
    for (auto &kv : values)
      defined.insert(kv.first());
    std::vector<bool> done(graph.node_size(), false);
    bool progress = true;
    while (progress && (int)order.size() < graph.node_size()) {
      progress = false;
      for (int i = 0; i < graph.node_size(); ++i) {
        if (done[i])
          continue;
        const auto &node = graph.node(i);
        bool ready = llvm::all_of(node.input(), [&](const std::string &in) {
          return in.empty() || defined.contains(in);
        });
        if (!ready)
          continue;
        done[i] = true;
        progress = true;
        order.push_back(i);
        for (const auto &out : node.output())
          defined.insert(out);
      }
    }
    for (int i = 0; i < graph.node_size(); ++i) {
      if (done[i])
        continue;
      const auto &node = graph.node(i);
      for (const auto &in : node.input())
        if (!in.empty() && !defined.contains(in)) {
          nodeError(node) << "input '" << in
                          << "' is not produced by any node, initializer or "
                             "graph input (or the graph has a cycle)";
          break;
        }
    }
    if (errors)
      return nullptr;
  }

  builder.setInsertionPointToEnd(&func.getBody().front());
  for (int i : order)
    importNode(graph.node(i));
  if (errors) {
    emitError(UnknownLoc::get(&ctx))
        << errors << " node" << (errors == 1 ? "" : "s")
        << " could not be imported";
    return nullptr;
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(UnknownLoc::get(&ctx))
          << "graph output '" << out.name() << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(it->second);
    resultTypes.push_back(it->second.getType());
  }
  func::ReturnOp::create(builder, UnknownLoc::get(&ctx), results);
  func.setFunctionType(builder.getFunctionType(
      func.getFunctionType().getInputs(), resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "graph.name", builder.getStringAttr(out.name()));

  if (failed(verify(*module)))
    return nullptr;
  return std::move(module);
}

LogicalResult Importer::checkUniqueNames() {
  const auto &graph = model.graph();
  Location loc = UnknownLoc::get(&ctx);
  bool ok = true;
  // Before IR version 4 initializers were also listed as inputs: a name
  // that is both is one definition.
  llvm::StringMap<std::string> definedBy;
  llvm::StringSet<> inputs, outputs;
  for (const auto &in : graph.input()) {
    if (!inputs.insert(in.name()).second) {
      emitError(loc) << "graph input '" << in.name() << "' is listed twice";
      ok = false;
    }
    definedBy.try_emplace(in.name(), "graph input");
  }
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer()) {
    if (!initializers.insert(init.name()).second) {
      emitError(loc) << "duplicate definition of tensor '" << init.name()
                     << "' (two initializers)";
      ok = false;
    }
    definedBy.try_emplace(init.name(), "initializer");
  }
  for (const auto &node : graph.node()) {
    std::string self = node.name().empty()
                           ? "unnamed " + node.op_type() + " node"
                           : "node " + node.name();
    for (const auto &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = definedBy.try_emplace(out, self);
      if (inserted)
        continue;
      InFlightDiagnostic diag = emitError(nodeLoc(node));
      diag << "duplicate definition of tensor '" << out << "' (";
      if (it->second == self)
        diag << self << " lists it twice)";
      else if (StringRef(it->second).starts_with("node "))
        diag << "nodes " << StringRef(it->second).drop_front(5) << " and "
             << (node.name().empty() ? self : node.name()) << ")";
      else
        diag << it->second << " and " << self << ")";
      ok = false;
    }
  }
  for (const auto &out : graph.output())
    if (!outputs.insert(out.name()).second) {
      emitError(loc) << "graph output '" << out.name() << "' is listed twice";
      ok = false;
    }
  return success(ok);
}

LogicalResult Importer::readOpsets() {
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  }
  if (opset == 0) {
    // IR version 1-2 models predate opset_import: opset 1.
    if (model.opset_import_size() == 0 && model.ir_version() <= 2)
      opset = 1;
    else {
      emitError(UnknownLoc::get(&ctx))
          << "the model imports no version of the default ONNX domain";
      return failure();
    }
  }
  if (opset > onnx_import::latestOnnxOpset()) {
    emitError(UnknownLoc::get(&ctx))
        << "the model uses ONNX opset " << opset << "; aicc supports opsets "
        << "1 to " << onnx_import::latestOnnxOpset();
    return failure();
  }
  return success();
}

Type Importer::tensorTypeFromProto(const onnx::TypeProto &type,
                                   StringRef name, bool isInput) {
  Location loc = UnknownLoc::get(&ctx);
  StringRef what = isInput ? "graph input" : "graph output";
  if (!type.has_tensor_type()) {
    emitError(loc) << what << " '" << name
                   << "' is not a tensor (sequences, maps and optionals are "
                      "not supported)";
    return {};
  }
  const auto &tt = type.tensor_type();
  Type elem = graph::onnxDataTypeToType(&ctx, tt.elem_type());
  if (!elem) {
    emitError(loc) << what << " '" << name << "' has element type '"
                   << onnx_import::onnxDataTypeName(tt.elem_type())
                   << "', which is not supported";
    return {};
  }
  if (isa<ComplexType>(elem)) {
    emitError(loc) << what << " '" << name << "' has element type '"
                   << onnx_import::onnxDataTypeName(tt.elem_type())
                   << "', which is not supported";
    return {};
  }
  auto sizeChecked = [&](Type t) -> Type {
    if (failed(graph::checkTensorSize(loc, t,
                                      (what + " '" + name + "' shape").str())))
      return {};
    return t;
  };
  auto given = options.inputShapes.find(name);
  if (given != options.inputShapes.end()) {
    if (tt.has_shape() && tt.shape().dim_size() != (int)given->second.size()) {
      emitError(loc) << "--input-shape gives '" << name << "' rank "
                     << given->second.size() << ", the model declares rank "
                     << tt.shape().dim_size();
      return {};
    }
    if (tt.has_shape())
      for (int i = 0; i < tt.shape().dim_size(); ++i) {
        const auto &d = tt.shape().dim(i);
        if (d.has_dim_value() && d.dim_value() != given->second[i]) {
          emitError(loc) << "--input-shape gives '" << name << "' dim " << i
                         << " = " << given->second[i]
                         << ", the model fixes it to " << d.dim_value();
          return {};
        }
      }
    return sizeChecked(RankedTensorType::get(given->second, elem));
  }
  if (!tt.has_shape()) {
    emitError(loc) << what << " '" << name
                   << "' has an unknown rank; give its shape with "
                      "--input-shape="
                   << name << ":<d0>x<d1>x...";
    return {};
  }
  SmallVector<int64_t> dims;
  std::string unknown, symbols;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto &d = tt.shape().dim(i);
    if (d.has_dim_value() && d.dim_value() >= 0) {
      dims.push_back(d.dim_value());
      continue;
    }
    if (d.has_dim_param()) {
      auto given = options.dimValues.find(d.dim_param());
      if (given != options.dimValues.end()) {
        if (isInput)
          usedDims.insert(d.dim_param());
        dims.push_back(given->second);
        continue;
      }
      if (options.dimRanges.count(d.dim_param())) {
        // Stays dynamic; createFunction records the symbol.
        if (isInput)
          usedDims.insert(d.dim_param());
        dims.push_back(ShapedType::kDynamic);
        continue;
      }
      symbols += " --dim " + d.dim_param() + "=N";
    }
    dims.push_back(ShapedType::kDynamic);
    if (!unknown.empty())
      unknown += ", ";
    unknown += std::to_string(i) +
               (d.has_dim_param() ? " ('" + d.dim_param() + "')" : "");
  }
  if (!unknown.empty() && isInput) {
    std::string example;
    for (size_t i = 0; i < dims.size(); ++i)
      example += (i ? "x" : "") + (ShapedType::isDynamic(dims[i])
                                       ? std::string("N")
                                       : std::to_string(dims[i]));
    emitError(loc) << "graph input '" << name << "' has unknown dim"
                   << (StringRef(unknown).contains(',') ? "s " : " ") << unknown
                   << "; aicc compiles static shapes: specialize it with "
                   << (symbols.empty() ? ""
                                       : StringRef(symbols).ltrim().str() +
                                             " (for every input using "
                                             "the symbol) or ")
                   << "--input-shape=" << name << ":" << example
                   << (symbols.empty()
                           ? ""
                           : ", or keep a symbol dynamic with --dim "
                             "<symbol>=<LO>..<HI>");
    return {};
  }
  return sizeChecked(RankedTensorType::get(dims, elem));
}

LogicalResult Importer::createFunction() {
  const auto &graph = model.graph();
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  SmallVector<const onnx::ValueInfoProto *> inputProtos;
  SmallVector<std::pair<std::string, ElementsAttr>> frozen;
  bool failedInput = false;
  llvm::StringSet<> graphInputs;
  for (const auto &in : graph.input()) {
    // Before IR version 4 initializers were also listed as inputs.
    if (initializers.contains(in.name()))
      continue;
    graphInputs.insert(in.name());
    auto given = options.inputValues.find(in.name());
    if (given != options.inputValues.end()) {
      // A value fixes the shape too: only the element type is needed.
      Type elem = in.type().has_tensor_type()
                      ? graph::onnxDataTypeToType(
                            &ctx, in.type().tensor_type().elem_type())
                      : Type();
      ElementsAttr value =
          elem ? inputValue(in.name(), RankedTensorType::get({}, elem),
                            given->second)
               : ElementsAttr();
      if (!value) {
        if (!elem)
          emitError(UnknownLoc::get(&ctx))
              << "--input-value: graph input '" << in.name()
              << "' is not a tensor of a supported type";
        failedInput = true;
        continue;
      }
      if (failed(checkInputValueShape(in, cast<ShapedType>(value.getType())))) {
        failedInput = true;
        continue;
      }
      frozen.push_back({in.name(), value});
      continue;
    }
    Type t = tensorTypeFromProto(in.type(), in.name(), /*isInput=*/true);
    if (!t) {
      failedInput = true;
      continue;
    }
    inputTypes.push_back(t);
    inputNames.push_back(in.name());
    inputProtos.push_back(&in);
  }
  for (auto &kv : options.inputValues)
    if (!llvm::any_of(graph.input(), [&](const onnx::ValueInfoProto &in) {
          return in.name() == kv.first();
        })) {
      emitError(UnknownLoc::get(&ctx))
          << "--input-value names '" << kv.first()
          << "', which is not a graph input";
      failedInput = true;
    }
  for (auto &kv : options.dimValues)
    if (!failedInput && !usedDims.contains(kv.first())) {
      emitError(UnknownLoc::get(&ctx))
          << "--dim names '" << kv.first()
          << "', which no graph input uses as a symbolic dim";
      failedInput = true;
    }
  for (auto &kv : options.dimRanges)
    if (!failedInput && !usedDims.contains(kv.first())) {
      emitError(UnknownLoc::get(&ctx))
          << "--dim names '" << kv.first()
          << "', which no graph input uses as a symbolic dim";
      failedInput = true;
    }
  // An input whose --input-shape was rejected above is still a graph input:
  // check the name against the graph, not against the accepted inputs.
  for (auto &kv : options.inputShapes)
    if (!graphInputs.contains(kv.first())) {
      emitError(UnknownLoc::get(&ctx))
          << "--input-shape names '" << kv.first()
          << "', which is not a graph input";
      failedInput = true;
    }
  if (failedInput)
    return failure();
  std::string funcName = "main";
  func = func::FuncOp::create(builder, UnknownLoc::get(&ctx), funcName,
                              builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(inputNames)) {
    func.setArgAttr(i, "graph.name", builder.getStringAttr(name));
    values[name] = entry->getArgument(i);
  }
  recordSymbols(inputProtos);
  builder.setInsertionPointToStart(entry);
  for (auto &[name, value] : frozen)
    values[name] = graph::ConstantOp::create(
        builder, NameLoc::get(builder.getStringAttr(name)), value);
  return success();
}

void Importer::recordSymbols(
    ArrayRef<const onnx::ValueInfoProto *> inputProtos) {
  // The dynamic symbols in name order (a DictionaryAttr sorts its entries):
  // symbol i of every affine expression is the i-th.
  SmallVector<NamedAttribute> symbols;
  for (auto &kv : options.dimRanges)
    if (usedDims.contains(kv.first()))
      symbols.push_back(builder.getNamedAttr(
          kv.first(),
          builder.getDenseI64ArrayAttr({kv.second.first, kv.second.second})));
  if (symbols.empty())
    return;
  DictionaryAttr dict = builder.getDictionaryAttr(symbols);
  func->setAttr(kSymbolsAttrName, dict);
  for (auto [i, in] : llvm::enumerate(inputProtos)) {
    auto type = cast<RankedTensorType>(func.getArgumentTypes()[i]);
    if (type.hasStaticShape())
      continue;
    const auto &shape = in->type().tensor_type().shape();
    SmallVector<AffineExpr> exprs;
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      if (!ShapedType::isDynamic(size)) {
        exprs.push_back(builder.getAffineConstantExpr(size));
        continue;
      }
      const std::string &param = shape.dim(d).dim_param();
      auto pos = llvm::find_if(
          dict, [&](NamedAttribute a) { return a.getName() == param; });
      exprs.push_back(
          builder.getAffineSymbolExpr(std::distance(dict.begin(), pos)));
    }
    func.setArgAttr(i, kArgShapeAttrName,
                    AffineMapAttr::get(AffineMap::get(0, dict.size(), exprs,
                                                      builder.getContext())));
  }
}

LogicalResult Importer::checkInputValueShape(const onnx::ValueInfoProto &in,
                                             ShapedType given) {
  // The declared shape: --input-shape when given, else the model's (when it
  // has one); -1 stands for a symbolic or unknown dim.
  SmallVector<int64_t> declared;
  SmallVector<std::string> declaredText;
  auto shape = options.inputShapes.find(in.name());
  if (shape != options.inputShapes.end()) {
    for (int64_t d : shape->second) {
      declared.push_back(d);
      declaredText.push_back(std::to_string(d));
    }
  } else if (in.type().tensor_type().has_shape()) {
    for (const auto &d : in.type().tensor_type().shape().dim()) {
      bool fixed = d.has_dim_value() && d.dim_value() >= 0;
      declared.push_back(fixed ? d.dim_value() : -1);
      declaredText.push_back(fixed               ? std::to_string(d.dim_value())
                             : d.has_dim_param() ? d.dim_param()
                                                 : std::string("?"));
    }
  } else {
    return success(); // Unknown rank: any value fits.
  }
  bool matches = given.getRank() == (int64_t)declared.size();
  for (int64_t i = 0; matches && i < given.getRank(); ++i)
    matches = declared[i] < 0 || declared[i] == given.getDimSize(i);
  if (matches)
    return success();
  InFlightDiagnostic diag = emitError(UnknownLoc::get(&ctx));
  diag << "--input-value gives '" << in.name() << "' shape [";
  llvm::interleave(given.getShape(), diag, ",");
  diag << "], the "
       << (shape != options.inputShapes.end() ? "--input-shape" : "model")
       << " declares [";
  llvm::interleave(declaredText, diag, ",");
  diag << "]";
  if (given.getRank() == 1 && declared.size() > 1 &&
      !StringRef(options.inputValues.lookup(in.name())).starts_with("@"))
    diag << " (a comma-separated list is 1-D; give other shapes as a .npy "
            "file)";
  return failure();
}

ElementsAttr Importer::inputValue(StringRef name, RankedTensorType declared,
                                  StringRef spec) {
  Location loc = UnknownLoc::get(&ctx);
  Type elem = declared.getElementType();
  if (spec.starts_with("@")) {
    npy::Array array;
    std::string error;
    if (!npy::readFile(spec.drop_front().str(), &array, &error)) {
      emitError(loc) << "--input-value for '" << name << "': " << error;
      return {};
    }
    // bool, float4, int4 and int2 take one byte per element in .npy files
    // (docs/Artifact.md).
    unsigned bits = std::max(8u, elem.getIntOrFloatBitWidth());
    if (npy::elementSize(array.elementType) * 8 != bits) {
      emitError(loc) << "--input-value for '" << name << "': the .npy holds "
                     << npy::dtypeDescr(array.elementType)
                     << " values, the input is " << elem;
      return {};
    }
    auto type = RankedTensorType::get(array.shape, elem);
    if (elem.getIntOrFloatBitWidth() < 8 && !elem.isInteger(1)) {
      // int4/int2 values (float4: bit patterns), checked, never wrapped.
      auto it = dyn_cast<IntegerType>(elem);
      bool isSigned = it && !it.isUnsigned();
      unsigned width = elem.getIntOrFloatBitWidth();
      int64_t lo = isSigned ? -(int64_t(1) << (width - 1)) : 0;
      int64_t hi = isSigned ? (int64_t(1) << (width - 1)) - 1
                            : (int64_t(1) << width) - 1;
      SmallVector<APInt> values;
      for (auto [i, byte] : llvm::enumerate(array.data)) {
        int64_t v = array.elementType == AICC_ELEMENT_TYPE_I8
                        ? int64_t(int8_t(byte))
                        : int64_t(byte);
        if (v < lo || v > hi) {
          emitError(loc) << "--input-value for '" << name << "': element " << i
                         << " is " << v << ", outside the range [" << lo << ", "
                         << hi << "] of " << elem;
          return {};
        }
        values.push_back(APInt(width, v, isSigned, /*implicitTrunc=*/true));
      }
      if (it)
        return DenseElementsAttr::get(type, values);
      SmallVector<APFloat> floats;
      for (const APInt &v : values)
        floats.push_back(APFloat(cast<FloatType>(elem).getFloatSemantics(), v));
      return DenseElementsAttr::get(type, floats);
    }
    if (elem.isInteger(1)) {
      SmallVector<bool> bools(array.data.begin(), array.data.end());
      return DenseElementsAttr::get(type, ArrayRef<bool>(bools));
    }
    ArrayRef<char> raw(reinterpret_cast<const char *>(array.data.data()),
                       array.data.size());
    bool splat;
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat)) {
      emitError(loc) << "--input-value for '" << name
                     << "': the data does not match its shape";
      return {};
    }
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  // A comma-separated list: a 1-D tensor (a scalar when the model says so).
  SmallVector<StringRef> parts;
  spec.split(parts, ',');
  const onnx::ValueInfoProto *info = nullptr;
  for (const auto &in : model.graph().input())
    if (in.name() == name)
      info = &in;
  bool scalar = info && info->type().tensor_type().has_shape() &&
                info->type().tensor_type().shape().dim_size() == 0;
  if (scalar && parts.size() != 1) {
    emitError(loc) << "--input-value for '" << name
                   << "': the input is a scalar";
    return {};
  }
  auto type = scalar ? RankedTensorType::get({}, elem)
                     : RankedTensorType::get({(int64_t)parts.size()}, elem);
  if (auto ft = dyn_cast<FloatType>(elem)) {
    SmallVector<APFloat> values;
    for (StringRef p : parts) {
      double d;
      if (p.trim().getAsDouble(d)) {
        emitError(loc) << "--input-value for '" << name << "': '" << p
                       << "' is not a number";
        return {};
      }
      APFloat v(d);
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto it = dyn_cast<IntegerType>(elem);
  if (!it) {
    emitError(loc) << "--input-value for '" << name << "': element type "
                   << elem << " needs a .npy file";
    return {};
  }
  SmallVector<APInt> values;
  for (StringRef p : parts) {
    int64_t v;
    if (p.trim().getAsInteger(10, v)) {
      emitError(loc) << "--input-value for '" << name << "': '" << p
                     << "' is not an integer";
      return {};
    }
    values.push_back(APInt(it.getWidth(), v, !it.isUnsigned(), true));
  }
  return DenseElementsAttr::get(type, values);
}

LogicalResult Importer::importInitializers() {
  builder.setInsertionPointToStart(&func.getBody().front());
  std::string baseDir = options.baseDir;
  for (const auto &init : model.graph().initializer()) {
    std::string error;
    ElementsAttr value = onnx_import::convertTensor(
        &ctx, init, baseDir, options.inlineConstantLimit, error);
    Location loc = NameLoc::get(builder.getStringAttr(init.name()));
    if (!value) {
      emitError(loc) << "initializer '" << init.name() << "': " << error;
      ++errors;
      continue;
    }
    values[init.name()] = graph::ConstantOp::create(builder, loc, value);
  }
  return success(errors == 0);
}

Attribute Importer::convertAttribute(const onnx::AttributeProto &attr,
                                     const OnnxAttr &schema,
                                     std::string &error) {
  auto kindName = [](OnnxAttr::Kind k) {
    static const char *names[] = {"int", "float", "string", "ints",
                                  "floats", "strings", "tensor"};
    return names[k];
  };
  auto mismatch = [&]() -> Attribute {
    error = "attribute '" + attr.name() + "' should be " +
            kindName(schema.kind);
    return {};
  };
  // Exporters sometimes leave `type` unset; infer it from the payload.
  switch (schema.kind) {
  case OnnxAttr::Int:
    if (attr.type() == onnx::AttributeProto::FLOAT)
      return mismatch();
    return builder.getI64IntegerAttr(attr.i());
  case OnnxAttr::Float:
    if (attr.type() == onnx::AttributeProto::INT)
      return builder.getF32FloatAttr((float)attr.i());
    return builder.getF32FloatAttr(attr.f());
  case OnnxAttr::String:
    if (attr.type() != onnx::AttributeProto::STRING && !attr.has_s())
      return mismatch();
    return builder.getStringAttr(attr.s());
  case OnnxAttr::Ints:
    if (attr.type() != onnx::AttributeProto::INTS &&
        attr.type() != onnx::AttributeProto::UNDEFINED)
      return mismatch();
    return builder.getDenseI64ArrayAttr(
        SmallVector<int64_t>(attr.ints().begin(), attr.ints().end()));
  case OnnxAttr::Floats:
    if (attr.type() != onnx::AttributeProto::FLOATS &&
        attr.type() != onnx::AttributeProto::UNDEFINED)
      return mismatch();
    return builder.getDenseF32ArrayAttr(
        SmallVector<float>(attr.floats().begin(), attr.floats().end()));
  case OnnxAttr::Strings: {
    SmallVector<Attribute> strs;
    for (const auto &s : attr.strings())
      strs.push_back(builder.getStringAttr(s));
    return builder.getArrayAttr(strs);
  }
  case OnnxAttr::Tensor: {
    if (!attr.has_t())
      return mismatch();
    return onnx_import::convertTensor(&ctx, attr.t(), options.baseDir,
                                      options.inlineConstantLimit, error);
  }
  }
  return mismatch();
}

void Importer::importNode(const onnx::NodeProto &original) {
  // ONNX Runtime's quantized contrib ops (com.microsoft) have their own
  // table; they have one version and no legacy forms.
  const OnnxOpInfo *contrib = nullptr;
  if (!original.domain().empty() && original.domain() != "ai.onnx") {
    contrib =
        onnx_import::lookupContribOp(original.domain(), original.op_type());
    if (!contrib) {
      if (original.domain() == onnx_import::kContribDomain)
        nodeError(original)
            << "op is not supported: of the com.microsoft domain aicc "
               "supports the quantized ops of ONNX Runtime's quantization "
               "tool only (docs/SupportedOps.md)";
      else
        nodeError(original) << "domain '" << original.domain()
                            << "' is not supported (only the default ONNX "
                               "domain and ONNX Runtime's quantized "
                               "com.microsoft ops are)";
      return;
    }
  }
  // Rewrite older opsets to the newest form; may add constant inputs.
  onnx::NodeProto node = original;
  if (contrib) {
    importOp(original, node, contrib);
    return;
  }
  std::string legacyError;
  auto constantFor = [&](ElementsAttr value) -> std::string {
    std::string name = "__aicc_const_" + std::to_string(values.size());
    values[name] = graph::ConstantOp::create(builder, nodeLoc(original), value);
    return name;
  };
  onnx_import::LegacyResult legacy = onnx_import::normalizeLegacyNode(
      node, opset, builder, constantFor, legacyError);
  if (legacy == onnx_import::LegacyResult::Error) {
    nodeError(original) << legacyError;
    return;
  }
  if (node.op_type() == "If") {
    importIf(node);
    return;
  }
  if (node.op_type() == "Loop") {
    importLoop(node);
    return;
  }
  if (node.op_type() == "Scan") {
    importScan(node);
    return;
  }
  if (node.op_type() == "Constant") {
    std::string error;
    ElementsAttr value =
        onnx_import::convertConstantNode(node, builder, options.baseDir,
                                         error);
    if (!value) {
      nodeError(original) << error;
      return;
    }
    if (node.output_size() > 0)
      values[node.output(0)] =
          graph::ConstantOp::create(builder, nodeLoc(original), value);
    return;
  }

  const OnnxOpInfo *info = onnx_import::lookupOnnxOp(node.op_type());
  if (!info) {
    if (const char *reason = onnx_import::lookupSkippedOnnxOp(node.op_type()))
      nodeError(original) << "op is not supported: " << reason;
    else
      nodeError(original) << "unknown op '" << node.op_type() << "'";
    return;
  }
  importOp(original, node, info);
}

void Importer::importOp(const onnx::NodeProto &original,
                        const onnx::NodeProto &node, const OnnxOpInfo *info) {

  // A node fed by a node that failed is skipped silently: the producer's
  // error is the one worth reading.
  for (const auto &in : node.input())
    if (!in.empty() && !values.count(in))
      return;

  // Inputs to operand segments.
  SmallVector<Value> operands;
  SmallVector<int32_t> segments;
  int next = 0, numInputs = node.input_size();
  for (const OnnxParam &p : info->inputs) {
    auto valueOf = [&](int i) -> Value {
      auto it = values.find(node.input(i));
      return it == values.end() ? Value() : it->second;
    };
    if (p.option == OnnxParam::Variadic) {
      int count = 0;
      for (; next < numInputs; ++next, ++count) {
        if (node.input(next).empty()) {
          nodeError(original) << "variadic input " << next << " is empty";
          return;
        }
        operands.push_back(valueOf(next));
      }
      segments.push_back(count);
      continue;
    }
    bool present = next < numInputs && !node.input(next).empty();
    if (!present && p.option == OnnxParam::Single) {
      nodeError(original) << "missing required input '" << p.name
                          << "' (#" << next << ")";
      return;
    }
    if (present)
      operands.push_back(valueOf(next));
    segments.push_back(present ? 1 : 0);
    ++next;
  }
  if (next < numInputs) {
    nodeError(original) << "has " << numInputs << " inputs, the op takes at "
                        << "most " << next;
    return;
  }

  // Attributes by schema kind.
  OperationState state(nodeLoc(original), "graph." + node.op_type());
  state.addOperands(operands);
  for (const auto &attr : node.attribute()) {
    const OnnxAttr *schema = info->findAttribute(attr.name());
    if (!schema) {
      nodeError(original) << "unknown attribute '" << attr.name() << "'";
      return;
    }
    std::string error;
    Attribute value = convertAttribute(attr, *schema, error);
    if (!value) {
      nodeError(original) << error;
      return;
    }
    state.addAttribute(attr.name(), value);
  }
  for (const OnnxAttr &a : info->attributes)
    if (a.required && !state.attributes.get(a.name)) {
      nodeError(original) << "missing required attribute '" << a.name << "'";
      return;
    }
  int numMulti = llvm::count_if(info->inputs, [](const OnnxParam &p) {
    return p.option != OnnxParam::Single;
  });
  if (numMulti > 1)
    state.addAttribute("operandSegmentSizes",
                       builder.getDenseI32ArrayAttr(segments));

  // Results: all declared outputs (optional ones included) or, for
  // variadic results, as many as the node has.
  bool variadicResults = llvm::any_of(info->outputs, [](const OnnxParam &p) {
    return p.option == OnnxParam::Variadic;
  });
  unsigned numResults =
      variadicResults ? node.output_size() : info->outputs.size();
  if (!variadicResults && node.output_size() > (int)numResults) {
    nodeError(original) << "has " << node.output_size()
                        << " outputs, the op has " << numResults;
    return;
  }
  state.addTypes(SmallVector<Type>(numResults, builder.getNoneType()));
  Operation *op = builder.create(state);
  llvm::scope_exit eraseOnError([&] {
    if (op)
      op->erase();
  });

  // Result types from the op's rule, then the verifier; their diagnostics
  // are re-emitted prefixed with the node, op type and opset.
  SmallVector<Type> types;
  SmallVector<std::string> messages;
  LogicalResult ok = failure();
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        messages.push_back(diag.str());
      return success();
    });
    if (auto iface = dyn_cast<InferTypeOpInterface>(op))
      ok = iface.inferReturnTypes(
          &ctx, op->getLoc(), op->getOperands(), op->getRawDictionaryAttrs(),
          op->getPropertiesStorage(), op->getRegions(), types);
    else if (auto split = dyn_cast<graph::SplitOp>(op))
      ok = graph::inferSplitResultTypes(
          op->getLoc(), split.getInput(), split.getSplit(), split.getAxis(),
          split.getNumOutputs(), numResults, types);
    for (auto [i, t] : llvm::enumerate(types))
      if (succeeded(ok))
        ok = graph::checkTensorSize(op->getLoc(), t,
                                    "output " + std::to_string(i) + " shape");
    if (succeeded(ok)) {
      for (auto [r, t] : llvm::zip(op->getResults(), types))
        r.setType(t);
      ok = verify(op);
    }
  }
  if (failed(ok)) {
    if (messages.empty())
      messages.push_back("cannot infer the result types");
    for (const std::string &m : messages)
      nodeError(original) << m;
    return;
  }

  eraseOnError.release();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = op->getResult(i);
}

const onnx::GraphProto *Importer::graphAttr(const onnx::NodeProto &node,
                                            StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name && a.has_g())
      return &a.g();
  return nullptr;
}

LogicalResult Importer::importSubgraph(const onnx::NodeProto &node,
                                       const onnx::GraphProto &body,
                                       Region &region, TypeRange argTypes) {
  if (body.input_size() != (int)argTypes.size())
    return nodeError(node) << "the body takes " << body.input_size()
                           << " inputs, the op gives it " << argTypes.size();
  Block *block = new Block();
  region.push_back(block);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(block);
  // Body names shadow outer ones only inside the body.
  llvm::StringMap<Value> outer = values;
  llvm::scope_exit restore([&] { values = std::move(outer); });
  for (auto [in, type] : llvm::zip(body.input(), argTypes))
    values[in.name()] = block->addArgument(type, nodeLoc(node));
  for (const auto &init : body.initializer()) {
    std::string error;
    ElementsAttr value = onnx_import::convertTensor(
        &ctx, init, options.baseDir, options.inlineConstantLimit, error);
    if (!value)
      return nodeError(node)
             << "initializer '" << init.name() << "': " << error;
    values[init.name()] = graph::ConstantOp::create(
        builder, NameLoc::get(builder.getStringAttr(init.name())), value);
  }
  int before = errors;
  for (const auto &inner : body.node())
    importNode(inner);
  SmallVector<Value> results;
  for (const auto &out : body.output()) {
    Value v = values.lookup(out.name());
    if (!v) {
      if (errors == before)
        nodeError(node) << "the body's output '" << out.name()
                        << "' is not produced by any of its nodes";
      break;
    }
    results.push_back(v);
  }
  // The block always ends with a terminator, so the op can be erased
  // cleanly when import fails.
  graph::YieldOp::create(builder, nodeLoc(node), results);
  return success(errors == before);
}

void Importer::finishRegionOp(const onnx::NodeProto &node, Operation *op) {
  // aicc-graph-inline-control-flow names the node in its diagnostics as
  // the importer does (named or not, domain, opset).
  op->setAttr("graph.onnx_node",
              builder.getStringAttr(describeNode(node, model)));
  for (int i = 0; i < node.output_size() && i < (int)op->getNumResults(); ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = op->getResult(i);
}

/// The type of a region op's result that takes the value `yielded` in its
/// region(s) and starts from `initial` (if any): that type where they agree,
/// else an unranked tensor (aicc-graph-refine-types infers it once the op is
/// inlined).
static Type regionResultType(Type yielded, Type other) {
  if (yielded == other)
    return yielded;
  auto shaped = dyn_cast<ShapedType>(yielded);
  return UnrankedTensorType::get(shaped ? shaped.getElementType() : yielded);
}

static Value yieldedValue(Region &region, unsigned i) {
  Operation *yield = region.front().getTerminator();
  return i < yield->getNumOperands() ? yield->getOperand(i) : Value();
}

void Importer::importIf(const onnx::NodeProto &node) {
  Value cond = node.input_size() ? values.lookup(node.input(0)) : Value();
  if (!cond)
    return; // its producer failed and was reported
  const onnx::GraphProto *thenBranch = graphAttr(node, "then_branch");
  const onnx::GraphProto *elseBranch = graphAttr(node, "else_branch");
  if (!thenBranch || !elseBranch) {
    nodeError(node) << "If has no " << (thenBranch ? "else" : "then")
                    << "_branch subgraph";
    return;
  }
  for (const onnx::GraphProto *branch : {thenBranch, elseBranch})
    if (branch->output_size() != node.output_size()) {
      nodeError(node) << "the " << (branch == thenBranch ? "then" : "else")
                      << "_branch has " << branch->output_size()
                      << " outputs, the If has " << node.output_size();
      return;
    }
  auto placeholder = UnrankedTensorType::get(builder.getF32Type());
  auto op = graph::IfOp::create(
      builder, nodeLoc(node),
      SmallVector<Type>(node.output_size(), placeholder), cond);
  if (failed(importSubgraph(node, *thenBranch, op.getThenBranch(), {})) ||
      failed(importSubgraph(node, *elseBranch, op.getElseBranch(), {}))) {
    op->erase();
    return;
  }
  for (OpResult r : op->getResults())
    r.setType(regionResultType(
        yieldedValue(op.getThenBranch(), r.getResultNumber()).getType(),
        yieldedValue(op.getElseBranch(), r.getResultNumber()).getType()));
  finishRegionOp(node, op);
}

void Importer::importLoop(const onnx::NodeProto &node) {
  const onnx::GraphProto *body = graphAttr(node, "body");
  if (!body) {
    nodeError(node) << "Loop has no body";
    return;
  }
  auto input = [&](int i) -> Value {
    return i < node.input_size() && !node.input(i).empty()
               ? values.lookup(node.input(i))
               : Value();
  };
  SmallVector<Value> carried;
  for (int i = 2; i < node.input_size(); ++i) {
    carried.push_back(input(i));
    if (!carried.back())
      return; // a producer failed and was reported
  }
  if (body->output_size() < 1 + (int)carried.size()) {
    nodeError(node) << "the Loop body returns too few values";
    return;
  }
  SmallVector<Type> argTypes = {RankedTensorType::get({}, builder.getI64Type()),
                                RankedTensorType::get({}, builder.getI1Type())};
  for (Value v : carried)
    argTypes.push_back(v.getType());
  auto placeholder = UnrankedTensorType::get(builder.getF32Type());
  auto op = graph::LoopOp::create(
      builder, nodeLoc(node),
      SmallVector<Type>(body->output_size() - 1, placeholder), input(0),
      input(1), carried);
  if (failed(importSubgraph(node, *body, op.getBody(), argTypes))) {
    op->erase();
    return;
  }
  for (OpResult r : op->getResults()) {
    unsigned i = r.getResultNumber();
    Type yielded = yieldedValue(op.getBody(), 1 + i).getType();
    // A scan output's type gains the iteration axis: unknown until unrolled.
    r.setType(regionResultType(
        yielded, i < carried.size() ? carried[i].getType() : Type()));
  }
  finishRegionOp(node, op);
}

void Importer::importScan(const onnx::NodeProto &node) {
  const onnx::GraphProto *body = graphAttr(node, "body");
  int64_t numScanInputs = -1;
  DenseI64ArrayAttr inAxes, inDirs, outAxes, outDirs;
  for (const auto &a : node.attribute()) {
    if (a.name() == "num_scan_inputs")
      numScanInputs = a.i();
    auto ints = [&](DenseI64ArrayAttr &v) {
      v = builder.getDenseI64ArrayAttr(
          SmallVector<int64_t>(a.ints().begin(), a.ints().end()));
    };
    if (a.name() == "scan_input_axes")
      ints(inAxes);
    else if (a.name() == "scan_input_directions")
      ints(inDirs);
    else if (a.name() == "scan_output_axes")
      ints(outAxes);
    else if (a.name() == "scan_output_directions")
      ints(outDirs);
  }
  if (!body || numScanInputs < 0 || opset < 9) {
    nodeError(node) << "Scan needs a body and num_scan_inputs (opset >= 9)";
    return;
  }
  int numInputs = node.input_size();
  int numStates = numInputs - numScanInputs;
  if (numScanInputs == 0 || numStates < 0) {
    nodeError(node) << "Scan has no scan inputs";
    return;
  }
  if (body->output_size() < numStates) {
    nodeError(node) << "the Scan body returns too few values";
    return;
  }
  SmallVector<Value> inputs;
  SmallVector<Type> argTypes;
  for (int i = 0; i < numInputs; ++i) {
    Value v = values.lookup(node.input(i));
    if (!v)
      return; // its producer failed and was reported
    inputs.push_back(v);
    if (i < numStates) {
      argTypes.push_back(v.getType());
      continue;
    }
    // A scan input's slice: the input without its scanned axis.
    int64_t k = i - numStates;
    auto shape = graph::getShape(v);
    Type elem = graph::getElementType(v);
    if (!shape) {
      argTypes.push_back(UnrankedTensorType::get(elem));
      continue;
    }
    int64_t axis = inAxes && k < (int64_t)inAxes.size() ? inAxes[k] : 0;
    int64_t rank = shape->size();
    if (axis < -rank || axis >= rank) {
      nodeError(node) << "Scan input " << k << " has no axis " << axis;
      return;
    }
    shape->erase(shape->begin() + (axis < 0 ? axis + rank : axis));
    argTypes.push_back(RankedTensorType::get(*shape, elem));
  }
  auto placeholder = UnrankedTensorType::get(builder.getF32Type());
  auto op =
      graph::ScanOp::create(builder, nodeLoc(node),
                            SmallVector<Type>(body->output_size(), placeholder),
                            inputs, builder.getI64IntegerAttr(numScanInputs),
                            inAxes, inDirs, outAxes, outDirs);
  if (failed(importSubgraph(node, *body, op.getBody(), argTypes))) {
    op->erase();
    return;
  }
  for (OpResult r : op->getResults()) {
    unsigned i = r.getResultNumber();
    Type yielded = yieldedValue(op.getBody(), i).getType();
    r.setType(regionResultType(yielded, (int)i < numStates ? inputs[i].getType()
                                                           : Type()));
  }
  finishRegionOp(node, op);
}

} // namespace

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context,
                                      const onnx::ModelProto &model,
                                      const ImportOptions &options) {
  context.loadDialect<graph::GraphDialect, func::FuncDialect>();
  return Importer(context, model, options).run();
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context, StringRef path,
                                     ImportOptions options) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/
                                                 true);
  if (!file) {
    emitError(loc) << "cannot open '" << path
                   << "': " << file.getError().message();
    return nullptr;
  }
  if (options.baseDir.empty())
    options.baseDir = llvm::sys::path::parent_path(path).str();
  onnx::ModelProto model;
  StringRef bytes = (*file)->getBuffer();
  if (path.ends_with(".onnxtxt")) {
    auto status = onnx::OnnxParser::Parse(model, bytes.data());
    if (!status.IsOK()) {
      emitError(loc) << "'" << path << "' is not valid ONNX text syntax: "
                     << status.ErrorMessage();
      return nullptr;
    }
  } else {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    stream.SetTotalBytesLimit(INT_MAX);
    if (bytes.empty() || !model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage()) {
      emitError(loc) << "'" << path
                     << "' is not an ONNX model (the protobuf does not parse; "
                        "the file may be truncated or of another format)";
      return nullptr;
    }
    if (!model.has_graph() || model.ir_version() <= 0) {
      emitError(loc) << "'" << path
                     << "' is not an ONNX model (no graph or IR version)";
      return nullptr;
    }
  }
  return importOnnxModel(context, model, options);
}

} // namespace aicc
