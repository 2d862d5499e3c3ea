//===- QuantizeModel.cpp - QDQ insertion into an ONNX model ---------------===//
//
// The graph edit of `aicc quantize`, on the ONNX protobuf (the output is an
// ONNX model, not aicc IR):
//
//   x -> Conv(W, B) -> y
// becomes
//   x -> Q -> DQ -> Conv(DQ(Wq), DQ(Bq)) -> y -> Q -> DQ
//
// Every float activation that is an input or an output of a node of a
// quantized op type gets one QuantizeLinear/DequantizeLinear pair (shared by
// all of its consumers, which then read the DequantizeLinear output). A
// graph output keeps its name: its producer writes `<name>_QuantizeLinear_
// Input` and the DequantizeLinear writes `<name>`. Weights of Conv,
// ConvTranspose, Gemm and MatMul become int8 initializers (symmetric, zero
// point 0, per tensor or per output channel) behind a DequantizeLinear;
// their biases int32 with scale input_scale * weight_scale. Names follow
// ONNX Runtime's quantizer so tools that know its models read ours.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/OnnxTensor.h"
#include "compiler/quantize/Quantize.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/printer.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <google/protobuf/io/coded_stream.h>
#include <limits>
#include <sstream>

using llvm::StringRef;

namespace aicc {
namespace quantize {

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<CalibrationMethod> parseCalibrationMethod(StringRef name) {
  if (name == "minmax")
    return CalibrationMethod::MinMax;
  if (name == "percentile")
    return CalibrationMethod::Percentile;
  if (name == "entropy")
    return CalibrationMethod::Entropy;
  return std::nullopt;
}

const std::vector<std::string> &defaultOpTypes() {
  // ONNX Runtime's default for quantize_static: the keys of its QLinear and
  // QDQ registries.
  static const std::vector<std::string> types = {"Add",
                                                 "ArgMax",
                                                 "AveragePool",
                                                 "BatchNormalization",
                                                 "Clip",
                                                 "Concat",
                                                 "Conv",
                                                 "ConvTranspose",
                                                 "CumSum",
                                                 "Flatten",
                                                 "Gather",
                                                 "GatherElements",
                                                 "Gemm",
                                                 "GlobalAveragePool",
                                                 "InstanceNormalization",
                                                 "LayerNormalization",
                                                 "LeakyRelu",
                                                 "MatMul",
                                                 "MaxPool",
                                                 "Mul",
                                                 "Pad",
                                                 "Relu",
                                                 "Reshape",
                                                 "Resize",
                                                 "Sigmoid",
                                                 "Slice",
                                                 "Softmax",
                                                 "Split",
                                                 "Squeeze",
                                                 "TopK",
                                                 "Transpose",
                                                 "Unsqueeze",
                                                 "Where"};
  return types;
}

namespace {

/// Which inputs of a node are quantized activations, and which are weights.
struct OpRole {
  /// Input positions that are activations; empty: every input.
  std::vector<int> dataInputs;
  int weightInput = -1;
  int biasInput = -1;
};

OpRole getOpRole(const onnx::NodeProto &node) {
  StringRef type = node.op_type();
  if (type == "Conv" || type == "ConvTranspose" || type == "Gemm")
    return {{0}, 1, 2};
  if (type == "MatMul")
    return {{0, 1}, 1, -1};
  if (type == "Add" || type == "Mul" || type == "Concat")
    return {{}, -1, -1};
  if (type == "Where")
    return {{1, 2}, -1, -1};
  return {{0}, -1, -1};
}

bool isDefaultDomain(const onnx::NodeProto &node) {
  return node.domain().empty() || node.domain() == "ai.onnx";
}

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node,
                                          StringRef name) {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// Names of tensors that are constant: initializers and Constant outputs.
llvm::StringSet<> constantNames(const onnx::GraphProto &graph) {
  llvm::StringSet<> names;
  for (const onnx::TensorProto &t : graph.initializer())
    names.insert(t.name());
  for (const onnx::NodeProto &n : graph.node())
    if (n.op_type() == "Constant" && isDefaultDomain(n))
      for (const std::string &o : n.output())
        names.insert(o);
  return names;
}

llvm::StringSet<> quantizedTypes(const QuantizeOptions &options) {
  llvm::StringSet<> set;
  for (const std::string &t :
       options.opTypes.empty() ? defaultOpTypes() : options.opTypes)
    set.insert(t);
  return set;
}

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      return o.version();
  return 1;
}

/// Float values of an initializer (FLOAT only: raw_data or float_data).
bool readFloats(const onnx::TensorProto &t, std::vector<float> &out) {
  if (t.data_type() != onnx::TensorProto::FLOAT ||
      t.data_location() == onnx::TensorProto::EXTERNAL)
    return false;
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  out.resize(count);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != count * sizeof(float))
      return false;
    std::memcpy(out.data(), t.raw_data().data(), t.raw_data().size());
    return true;
  }
  if (t.float_data_size() != count)
    return false;
  std::copy(t.float_data().begin(), t.float_data().end(), out.begin());
  return true;
}

/// Round half to even, like QuantizeLinear.
double roundEven(double v) { return std::nearbyint(v); }

struct QParams {
  float scale;
  int32_t zeroPoint;
};

QParams activationParams(double lo, double hi, bool symmetric) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (symmetric) {
    double a = std::max(-lo, hi);
    return {a > 0 ? float(a / 127.0) : 1.0f, 0};
  }
  if (hi - lo <= 0)
    return {1.0f, 0};
  float scale = float((hi - lo) / 255.0);
  int32_t zp = int32_t(roundEven(-lo / scale));
  return {scale, std::clamp(zp, 0, 255)};
}

/// Collision-free names for new tensors.
class NameTable {
public:
  explicit NameTable(const onnx::GraphProto &graph) {
    for (const onnx::ValueInfoProto &v : graph.input())
      used.insert(v.name());
    for (const onnx::ValueInfoProto &v : graph.output())
      used.insert(v.name());
    for (const onnx::TensorProto &t : graph.initializer())
      used.insert(t.name());
    for (const onnx::NodeProto &n : graph.node()) {
      for (const std::string &s : n.input())
        used.insert(s);
      for (const std::string &s : n.output())
        used.insert(s);
      if (!n.name().empty())
        used.insert(n.name());
    }
  }
  std::string make(const std::string &base) {
    std::string name = base;
    for (int i = 1; !used.insert(name).second; ++i)
      name = base + "_" + std::to_string(i);
    return name;
  }

private:
  llvm::StringSet<> used;
};

onnx::TensorProto scalarOrVector(const std::string &name, int32_t type,
                                 const std::vector<int64_t> &dims) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims)
    t.add_dims(d);
  return t;
}

template <typename T>
void setRaw(onnx::TensorProto &t, const std::vector<T> &values) {
  t.set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                             values.size() * sizeof(T)));
}

onnx::NodeProto makeNode(const std::string &type, const std::string &name,
                         std::vector<std::string> inputs,
                         const std::string &output, int64_t axis = INT64_MIN) {
  onnx::NodeProto n;
  n.set_op_type(type);
  n.set_name(name);
  for (std::string &i : inputs)
    n.add_input(i);
  n.add_output(output);
  if (axis != INT64_MIN) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(axis);
  }
  return n;
}

} // namespace

/// QDQ needs opset 10, its axis (per channel) opset 13.
static llvm::Error checkOpset(const onnx::ModelProto &model,
                              const QuantizeOptions &options) {
  int64_t opset = defaultOpset(model);
  if (opset < 10)
    return makeError("the model's opset " + llvm::Twine(opset) +
                     " has no QuantizeLinear (opset 10 or later needed)");
  if (options.perChannel && opset < 13)
    return makeError("--per-channel needs opset 13 or later (the model's "
                     "is " +
                     llvm::Twine(opset) +
                     "); quantize per tensor or convert the model");
  return llvm::Error::success();
}

QuantizationPlan planQuantization(const onnx::ModelProto &model,
                                  const QuantizeOptions &options) {
  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> constants = constantNames(graph);
  llvm::StringSet<> types = quantizedTypes(options);
  QuantizationPlan plan;
  llvm::StringSet<> seen;
  auto add = [&](const std::string &name) {
    if (name.empty() || constants.contains(name))
      return;
    if (seen.insert(name).second)
      plan.activations.push_back(name);
  };
  // Graph inputs first, then in node order: the order QDQ nodes appear.
  llvm::StringSet<> consumedInputs;
  for (const onnx::NodeProto &n : graph.node()) {
    if (!isDefaultDomain(n) || !types.contains(n.op_type()))
      continue;
    OpRole role = getOpRole(n);
    for (int i = 0; i < n.input_size(); ++i) {
      bool data =
          role.dataInputs.empty() || llvm::is_contained(role.dataInputs, i);
      if (data)
        consumedInputs.insert(n.input(i));
    }
  }
  for (const onnx::ValueInfoProto &v : graph.input())
    if (consumedInputs.contains(v.name()))
      add(v.name());
  // A tensor read only by Relu/Clip is not quantized itself: its activation
  // is applied before the Q (DQ -> Conv -> Relu -> Q), where ONNX Runtime
  // folds it away, and an int8 kernel fuses it into the requantization.
  llvm::StringMap<unsigned> readers, activationReaders;
  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &i : n.input()) {
      readers[i]++;
      if (isDefaultDomain(n) && types.contains(n.op_type()) &&
          (n.op_type() == "Relu" || n.op_type() == "Clip") && i == n.input(0))
        activationReaders[i]++;
    }
  llvm::StringSet<> outputs;
  for (const onnx::ValueInfoProto &v : graph.output())
    outputs.insert(v.name());
  llvm::StringSet<> producedByQuantized;
  for (const onnx::NodeProto &n : graph.node())
    if (isDefaultDomain(n) && types.contains(n.op_type()))
      for (const std::string &o : n.output())
        producedByQuantized.insert(o);
  auto feedsOnlyActivations = [&](const std::string &name) {
    return producedByQuantized.contains(name) && !outputs.contains(name) &&
           readers.lookup(name) &&
           readers.lookup(name) == activationReaders.lookup(name);
  };
  for (const onnx::NodeProto &n : graph.node()) {
    if (!isDefaultDomain(n) || !types.contains(n.op_type()))
      continue;
    OpRole role = getOpRole(n);
    for (int i = 0; i < n.input_size(); ++i)
      if ((role.dataInputs.empty() || llvm::is_contained(role.dataInputs, i)) &&
          !feedsOnlyActivations(n.input(i)))
        add(n.input(i));
    for (const std::string &o : n.output())
      if (!feedsOnlyActivations(o))
        add(o);
  }
  return plan;
}

llvm::Error
insertQDQ(onnx::ModelProto &model,
          const std::map<std::string, std::pair<double, double>> &ranges,
          const QuantizeOptions &options) {
  onnx::GraphProto &graph = *model.mutable_graph();
  if (llvm::Error e = checkOpset(model, options))
    return e;

  NameTable names(graph);
  llvm::StringSet<> types = quantizedTypes(options);
  llvm::StringSet<> graphOutputs;
  for (const onnx::ValueInfoProto &v : graph.output())
    graphOutputs.insert(v.name());
  llvm::StringSet<> graphInputs;
  for (const onnx::ValueInfoProto &v : graph.input())
    graphInputs.insert(v.name());
  std::map<std::string, int> initializerIndex;
  for (int i = 0; i < graph.initializer_size(); ++i)
    initializerIndex[graph.initializer(i).name()] = i;

  int32_t actType = options.symmetricActivations ? onnx::TensorProto::INT8
                                                 : onnx::TensorProto::UINT8;
  std::vector<onnx::TensorProto> newInitializers;
  std::vector<onnx::NodeProto> prologue; // weight DQs and graph-input QDQs
  // Per quantized activation: the QDQ nodes and the tensor consumers read.
  struct Activation {
    QParams params;
    std::string scale, zeroPoint, dequantized;
  };
  std::map<std::string, Activation> activations;
  std::map<std::string, std::vector<onnx::NodeProto>> after; // by producer out
  std::map<std::string, std::string> renamedOutputs;         // producer renames

  auto makeQDQ =
      [&](const std::string &tensor) -> std::vector<onnx::NodeProto> {
    auto [lo, hi] = ranges.at(tensor);
    Activation a;
    a.params = activationParams(lo, hi, options.symmetricActivations);
    a.scale = names.make(tensor + "_scale");
    a.zeroPoint = names.make(tensor + "_zero_point");
    onnx::TensorProto s = scalarOrVector(a.scale, onnx::TensorProto::FLOAT, {});
    setRaw(s, std::vector<float>{a.params.scale});
    onnx::TensorProto z = scalarOrVector(a.zeroPoint, actType, {});
    if (options.symmetricActivations)
      setRaw(z, std::vector<int8_t>{int8_t(a.params.zeroPoint)});
    else
      setRaw(z, std::vector<uint8_t>{uint8_t(a.params.zeroPoint)});
    newInitializers.push_back(std::move(s));
    newInitializers.push_back(std::move(z));
    std::string input = tensor;
    if (graphOutputs.contains(tensor)) {
      // The graph output keeps its name and becomes the DQ's output.
      input = names.make(tensor + "_QuantizeLinear_Input");
      renamedOutputs[tensor] = input;
      a.dequantized = tensor;
    } else {
      a.dequantized = names.make(tensor + "_DequantizeLinear_Output");
    }
    std::string quantized = names.make(tensor + "_QuantizeLinear_Output");
    std::vector<onnx::NodeProto> nodes;
    nodes.push_back(makeNode("QuantizeLinear",
                             names.make(tensor + "_QuantizeLinear"),
                             {input, a.scale, a.zeroPoint}, quantized));
    nodes.push_back(makeNode("DequantizeLinear",
                             names.make(tensor + "_DequantizeLinear"),
                             {quantized, a.scale, a.zeroPoint}, a.dequantized));
    activations[tensor] = a;
    return nodes;
  };

  // Activation QDQ pairs: graph inputs in the prologue, the others after
  // their producer.
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string &o : graph.node(i).output())
      producer[o] = i;
  for (const onnx::ValueInfoProto &v : graph.input()) {
    // An input that is also an output stays float (nothing to rename).
    if (!ranges.count(v.name()) || initializerIndex.count(v.name()) ||
        graphOutputs.contains(v.name()))
      continue;
    for (onnx::NodeProto &n : makeQDQ(v.name()))
      prologue.push_back(std::move(n));
  }
  for (const auto &[tensor, range] : ranges) {
    if (activations.count(tensor) || !producer.count(tensor))
      continue;
    after[tensor] = makeQDQ(tensor);
  }

  // Weights and biases of the quantized Conv/ConvTranspose/Gemm/MatMul.
  struct Weight {
    std::string dequantized;
    std::vector<float> scales;
  };
  std::map<std::pair<std::string, int64_t>, Weight> weights; // (name, axis)
  llvm::DenseSet<int> weightUsers;
  for (int ni = 0; ni < graph.node_size(); ++ni) {
    onnx::NodeProto &n = *graph.mutable_node(ni);
    if (!isDefaultDomain(n) || !types.contains(n.op_type()))
      continue;
    OpRole role = getOpRole(n);
    if (role.weightInput < 0 || n.input_size() <= role.weightInput)
      continue;
    auto wIt = initializerIndex.find(n.input(role.weightInput));
    if (wIt == initializerIndex.end() || graphInputs.contains(wIt->first))
      continue;
    const onnx::TensorProto &w = graph.initializer(wIt->second);
    std::vector<float> values;
    if (!readFloats(w, values) || w.dims_size() < 1)
      continue;
    int64_t rank = w.dims_size();
    int64_t axis = -1;
    if (options.perChannel) {
      StringRef type = n.op_type();
      if (type == "Conv")
        axis = 0;
      else if (type == "ConvTranspose")
        axis = 1;
      else if (type == "Gemm") {
        const onnx::AttributeProto *transB = findAttribute(n, "transB");
        axis = transB && transB->i() ? 0 : 1;
      } else if (type == "MatMul")
        axis = rank - 1;
      if (axis >= rank || rank < 2)
        axis = -1;
    }
    auto key = std::make_pair(w.name(), axis);
    auto found = weights.find(key);
    if (found == weights.end()) {
      int64_t channels = axis < 0 ? 1 : w.dims(axis);
      int64_t inner = 1;
      for (int64_t d = axis + 1; axis >= 0 && d < rank; ++d)
        inner *= w.dims(d);
      std::vector<float> absMax(channels, 0.0f);
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t c = axis < 0 ? 0 : (int64_t(i) / inner) % channels;
        absMax[c] = std::max(absMax[c], std::fabs(values[i]));
      }
      Weight weight;
      for (float m : absMax)
        weight.scales.push_back(m > 0 ? m / 127.0f : 1.0f);
      std::vector<int8_t> q(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t c = axis < 0 ? 0 : (int64_t(i) / inner) % channels;
        q[i] = int8_t(
            std::clamp(roundEven(values[i] / weight.scales[c]), -127.0, 127.0));
      }
      std::string qName = names.make(w.name() + "_quantized");
      std::string sName = names.make(w.name() + "_scale");
      std::string zName = names.make(w.name() + "_zero_point");
      weight.dequantized = names.make(w.name() + "_DequantizeLinear_Output");
      std::vector<int64_t> scaleDims;
      if (axis >= 0)
        scaleDims.push_back(channels);
      onnx::TensorProto qt = scalarOrVector(qName, onnx::TensorProto::INT8,
                                            {w.dims().begin(), w.dims().end()});
      setRaw(qt, q);
      onnx::TensorProto st =
          scalarOrVector(sName, onnx::TensorProto::FLOAT, scaleDims);
      setRaw(st, weight.scales);
      onnx::TensorProto zt =
          scalarOrVector(zName, onnx::TensorProto::INT8, scaleDims);
      setRaw(zt, std::vector<int8_t>(channels, 0));
      newInitializers.push_back(std::move(qt));
      newInitializers.push_back(std::move(st));
      newInitializers.push_back(std::move(zt));
      prologue.push_back(makeNode("DequantizeLinear",
                                  names.make(w.name() + "_DequantizeLinear"),
                                  {qName, sName, zName}, weight.dequantized,
                                  axis >= 0 ? axis : INT64_MIN));
      found = weights.emplace(key, std::move(weight)).first;
    }
    const Weight &weight = found->second;
    n.set_input(role.weightInput, weight.dequantized);
    weightUsers.insert(ni);

    // The bias, when the activation is quantized too: int32, zero point 0,
    // scale input_scale * weight_scale per output channel.
    if (role.biasInput < 0 || n.input_size() <= role.biasInput)
      continue;
    auto act = activations.find(n.input(0));
    auto bIt = initializerIndex.find(n.input(role.biasInput));
    if (act == activations.end() || bIt == initializerIndex.end() ||
        graphInputs.contains(bIt->first))
      continue;
    const onnx::TensorProto &b = graph.initializer(bIt->second);
    std::vector<float> bias;
    if (!readFloats(b, bias) || b.dims_size() != 1)
      continue;
    size_t channels = weight.scales.size();
    if (channels != 1 && channels != bias.size())
      continue;
    std::vector<float> scales(bias.size());
    std::vector<int32_t> q(bias.size());
    for (size_t i = 0; i < bias.size(); ++i) {
      scales[i] =
          act->second.params.scale * weight.scales[channels == 1 ? 0 : i];
      double v = scales[i] > 0 ? roundEven(bias[i] / scales[i]) : 0.0;
      q[i] = int32_t(std::clamp(v, double(INT32_MIN + 1), double(INT32_MAX)));
    }
    std::string qName = names.make(b.name() + "_quantized");
    std::string sName = names.make(b.name() + "_quantized_scale");
    std::string zName = names.make(b.name() + "_quantized_zero_point");
    std::string dqName = names.make(b.name() + "_DequantizeLinear_Output");
    std::vector<int64_t> dims = {int64_t(bias.size())};
    bool perChannelBias = channels != 1;
    onnx::TensorProto qt =
        scalarOrVector(qName, onnx::TensorProto::INT32, dims);
    setRaw(qt, q);
    onnx::TensorProto st =
        scalarOrVector(sName, onnx::TensorProto::FLOAT,
                       perChannelBias ? dims : std::vector<int64_t>{});
    setRaw(st, perChannelBias ? scales : std::vector<float>{scales[0]});
    onnx::TensorProto zt =
        scalarOrVector(zName, onnx::TensorProto::INT32,
                       perChannelBias ? dims : std::vector<int64_t>{});
    setRaw(zt, std::vector<int32_t>(perChannelBias ? bias.size() : 1, 0));
    newInitializers.push_back(std::move(qt));
    newInitializers.push_back(std::move(st));
    newInitializers.push_back(std::move(zt));
    prologue.push_back(makeNode(
        "DequantizeLinear", names.make(b.name() + "_DequantizeLinear"),
        {qName, sName, zName}, dqName, perChannelBias ? 0 : INT64_MIN));
    n.set_input(role.biasInput, dqName);
  }

  // Consumers read the dequantized activations; producers of quantized graph
  // outputs write the renamed tensor.
  std::vector<onnx::NodeProto> nodes;
  nodes.reserve(graph.node_size() + prologue.size() + 2 * after.size());
  for (onnx::NodeProto &n : prologue)
    nodes.push_back(std::move(n));
  for (int ni = 0; ni < graph.node_size(); ++ni) {
    onnx::NodeProto &n = *graph.mutable_node(ni);
    for (int i = 0; i < n.input_size(); ++i) {
      auto a = activations.find(n.input(i));
      if (a != activations.end())
        n.set_input(i, a->second.dequantized);
    }
    for (int i = 0; i < n.output_size(); ++i) {
      auto r = renamedOutputs.find(n.output(i));
      if (r != renamedOutputs.end())
        n.set_output(i, r->second);
    }
    std::vector<std::string> outputs(n.output().begin(), n.output().end());
    nodes.push_back(std::move(n));
    for (const std::string &o : outputs) {
      std::string original = o;
      for (const auto &[from, to] : renamedOutputs)
        if (to == o)
          original = from;
      auto q = after.find(original);
      if (q == after.end())
        continue;
      for (onnx::NodeProto &qn : q->second)
        nodes.push_back(std::move(qn));
    }
  }
  graph.clear_node();
  for (onnx::NodeProto &n : nodes)
    *graph.add_node() = std::move(n);

  // Float weights no node reads any more are dropped.
  llvm::StringSet<> read;
  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &i : n.input())
      read.insert(i);
  for (const onnx::ValueInfoProto &v : graph.output())
    read.insert(v.name());
  std::vector<onnx::TensorProto> kept;
  for (onnx::TensorProto &t : *graph.mutable_initializer())
    if (read.contains(t.name()) || graphInputs.contains(t.name()))
      kept.push_back(std::move(t));
  graph.clear_initializer();
  for (onnx::TensorProto &t : kept)
    *graph.add_initializer() = std::move(t);
  for (onnx::TensorProto &t : newInitializers)
    *graph.add_initializer() = std::move(t);
  return llvm::Error::success();
}

llvm::Error quantizeModel(onnx::ModelProto &model,
                          const QuantizeOptions &options) {
  // Checked before the calibration runs, not after.
  if (llvm::Error e = checkOpset(model, options))
    return e;
  QuantizationPlan plan = planQuantization(model, options);
  llvm::Expected<std::vector<Sample>> samples =
      loadCalibrationData(model, options.calibrationDir);
  if (!samples)
    return samples.takeError();
  llvm::Expected<llvm::StringMap<TensorStats>> stats =
      calibrate(model, *samples, plan.activations, options);
  if (!stats)
    return stats.takeError();
  std::map<std::string, std::pair<double, double>> ranges;
  for (const std::string &name : plan.activations) {
    auto it = stats->find(name);
    if (it != stats->end() && it->second.seen)
      ranges[name] = chooseRange(it->second, options);
  }
  // Ops that only move or select values keep their input's scale and zero
  // point (ONNX Runtime does the same), so an int8 kernel needs no
  // requantization: the output's values are among (or averages of) the
  // input's.
  static const llvm::StringSet<> sameRange = {
      "AveragePool", "Flatten",   "Gather", "GatherElements", "MaxPool",
      "Reshape",     "Resize",    "Slice",  "Split",          "Squeeze",
      "Transpose",   "Unsqueeze", "TopK"};
  for (const onnx::NodeProto &n : model.graph().node()) {
    if (!isDefaultDomain(n) || !sameRange.contains(n.op_type()) ||
        n.input_size() == 0)
      continue;
    auto in = ranges.find(n.input(0));
    if (in == ranges.end())
      continue;
    for (const std::string &o : n.output())
      if (ranges.count(o))
        ranges[o] = in->second;
  }
  return insertQDQ(model, ranges, options);
}

llvm::Error readModel(StringRef path, onnx::ModelProto &model) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/true);
  if (!file)
    return makeError("cannot read '" + path +
                     "': " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (path.ends_with(".onnxtxt")) {
    auto status = onnx::OnnxParser::Parse(model, bytes.data());
    if (!status.IsOK())
      return makeError("'" + path + "' is not valid ONNX text syntax: " +
                       status.ErrorMessage());
  } else {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    stream.SetTotalBytesLimit(INT_MAX);
    if (bytes.empty() || !model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage() || !model.has_graph())
      return makeError("'" + path +
                       "' is not an ONNX model (the protobuf does not parse)");
  }
  // External data is read in (through the importer's checked reader), so
  // the quantized model is self-contained wherever it is written.
  std::string baseDir = llvm::sys::path::parent_path(path).str();
  mlir::MLIRContext context;
  for (onnx::TensorProto &t : *model.mutable_graph()->mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    auto unsupported = [&](StringRef why) {
      return makeError("'" + path + "': cannot read external data of '" +
                       t.name() + "': " + why);
    };
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
      break;
    default:
      return unsupported("its element type is not supported by aicc quantize");
    }
    std::string error;
    mlir::ElementsAttr attr = onnx_import::convertTensor(
        &context, t, baseDir, std::numeric_limits<int64_t>::max(), error);
    auto dense = llvm::dyn_cast_if_present<mlir::DenseElementsAttr>(attr);
    if (!dense)
      return unsupported(error.empty() ? "not a dense tensor" : error);
    llvm::ArrayRef<char> raw = dense.getRawData();
    std::string bytes;
    if (dense.isSplat()) {
      for (int64_t i = 0, e = dense.getNumElements(); i < e; ++i)
        bytes.append(raw.data(), raw.size());
    } else {
      bytes.assign(raw.data(), raw.size());
    }
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
    t.set_raw_data(std::move(bytes));
  }
  return llvm::Error::success();
}

llvm::Error writeModel(StringRef path, const onnx::ModelProto &model) {
  std::string bytes;
  if (path.ends_with(".onnxtxt")) {
    std::ostringstream os;
    os << "<ir_version: " << model.ir_version() << ", opset_import: [";
    for (int i = 0; i < model.opset_import_size(); ++i)
      os << (i ? ", " : "") << "\"" << model.opset_import(i).domain()
         << "\" : " << model.opset_import(i).version();
    os << "]>\n";
    // The printer leaves out initializers and reads only typed fields: the
    // initializer list is written here, raw data converted.
    const onnx::GraphProto &graph = model.graph();
    os << (graph.name().empty() ? "g" : graph.name()) << " " << graph.input()
       << " => " << graph.output() << "\n<";
    for (int i = 0; i < graph.initializer_size(); ++i) {
      const onnx::TensorProto &t = graph.initializer(i);
      std::string values;
      auto each = [&](auto zero, auto repeated, const char *type) -> bool {
        using T = decltype(zero);
        os << (i ? ", " : "") << type;
        if (t.dims_size()) {
          os << "[";
          for (int d = 0; d < t.dims_size(); ++d)
            os << (d ? "," : "") << t.dims(d);
          os << "]";
        }
        os << " " << t.name() << " = {";
        const std::string &raw = t.raw_data();
        size_t count =
            t.has_raw_data() ? raw.size() / sizeof(T) : size_t(repeated.size());
        for (size_t o = 0; o < count; ++o) {
          T v;
          if (t.has_raw_data())
            std::memcpy(&v, raw.data() + o * sizeof(T), sizeof(T));
          else
            v = T(repeated.Get(int(o)));
          os << (o ? ", " : "");
          if constexpr (std::is_floating_point_v<T>) {
            char text[32];
            std::snprintf(text, sizeof(text), "%.9g", double(v));
            os << text;
          } else
            os << int64_t(v);
        }
        os << "}";
        return true;
      };
      switch (t.data_type()) {
      case onnx::TensorProto::FLOAT:
        each(float(), t.float_data(), "float");
        break;
      case onnx::TensorProto::INT8:
        each(int8_t(), t.int32_data(), "int8");
        break;
      case onnx::TensorProto::UINT8:
        each(uint8_t(), t.int32_data(), "uint8");
        break;
      case onnx::TensorProto::INT32:
        each(int32_t(), t.int32_data(), "int32");
        break;
      case onnx::TensorProto::INT64:
        each(int64_t(), t.int64_data(), "int64");
        break;
      default:
        return makeError("cannot write initializer '" + t.name() +
                         "' as ONNX text; write a .onnx file");
      }
    }
    os << ">\n{\n";
    for (const onnx::NodeProto &n : graph.node())
      os << "  " << n << "\n";
    os << "}\n";
    bytes = os.str();
  } else if (!model.SerializeToString(&bytes)) {
    return makeError("cannot serialize the quantized model (over 2 GiB?)");
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << bytes;
  os.close();
  if (os.has_error()) {
    std::error_code err = os.error();
    os.clear_error();
    return makeError("cannot write '" + path + "': " + err.message());
  }
  return llvm::Error::success();
}

} // namespace quantize
} // namespace aicc
