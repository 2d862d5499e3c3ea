//===- OnnxLegacy.cpp - Older ONNX opsets to the newest form -------------===//

#include "compiler/onnx/OnnxLegacy.h"
#include "compiler/onnx/OnnxTensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "onnx/onnx_pb.h"

using namespace mlir;

namespace aicc::onnx_import {
namespace {

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     llvm::StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

void removeAttr(onnx::NodeProto &node, llvm::StringRef name) {
  auto *attrs = node.mutable_attribute();
  for (int i = 0; i < attrs->size(); ++i)
    if (attrs->Get(i).name() == name) {
      attrs->DeleteSubrange(i, 1);
      return;
    }
}

/// Places `name` at input position `index`, padding with empty inputs.
void setInput(onnx::NodeProto &node, int index, const std::string &name) {
  while (node.input_size() <= index)
    node.add_input("");
  node.set_input(index, name);
}

ElementsAttr i64Tensor(OpBuilder &b, llvm::ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  return DenseElementsAttr::get(type, values);
}

/// Moves an INTS attribute to a 1-D int64 constant input.
void intsAttrToInput(onnx::NodeProto &node, llvm::StringRef attr, int index,
                     OpBuilder &b, const ConstantFactory &make) {
  const onnx::AttributeProto *a = findAttr(node, attr);
  if (!a)
    return;
  llvm::SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
  std::string name = make(i64Tensor(b, v));
  removeAttr(node, attr);
  setInput(node, index, name);
}

/// Moves a FLOAT attribute to a scalar input of float type.
void floatAttrToInput(onnx::NodeProto &node, llvm::StringRef attr, int index,
                      OpBuilder &b, const ConstantFactory &make) {
  const onnx::AttributeProto *a = findAttr(node, attr);
  if (!a)
    return;
  auto type = RankedTensorType::get({}, b.getF32Type());
  std::string name = make(DenseElementsAttr::get(type, a->f()));
  removeAttr(node, attr);
  setInput(node, index, name);
}

bool isReduce(llvm::StringRef op) {
  return op.starts_with("Reduce");
}

} // namespace

LegacyResult normalizeLegacyNode(onnx::NodeProto &node, int64_t opset,
                                 OpBuilder &b, const ConstantFactory &make,
                                 std::string &error) {
  llvm::StringRef op = node.op_type();
  LegacyResult result = LegacyResult::Unchanged;
  auto rewritten = [&] { result = LegacyResult::Rewritten; };

  // Attributes that no longer exist and never changed the result at
  // inference time.
  for (llvm::StringRef obsolete : {"consumed_inputs", "is_test"})
    if (findAttr(node, obsolete)) {
      removeAttr(node, obsolete);
      rewritten();
    }
  if (const auto *a = findAttr(node, "spatial");
      a && op == "BatchNormalization") {
    if (a->i() != 1) {
      error = "BatchNormalization with spatial=0 is not supported";
      return LegacyResult::Error;
    }
    removeAttr(node, "spatial");
    rewritten();
  }
  if (opset < 7 && findAttr(node, "broadcast")) {
    if (findAttr(node, "axis") && op != "Gemm") {
      error = "legacy broadcasting with an 'axis' attribute is not supported";
      return LegacyResult::Error;
    }
    removeAttr(node, "broadcast");
    rewritten();
  }

  if ((op == "Squeeze" || op == "Unsqueeze") && opset < 13) {
    intsAttrToInput(node, "axes", 1, b, make);
    rewritten();
  } else if (isReduce(op) &&
             ((op == "ReduceSum" && opset < 13) ||
              (op != "ReduceSum" && opset < 18))) {
    intsAttrToInput(node, "axes", 1, b, make);
    rewritten();
  } else if (op == "Split" && opset < 13) {
    intsAttrToInput(node, "split", 1, b, make);
    rewritten();
  } else if (op == "Slice" && opset < 10) {
    intsAttrToInput(node, "starts", 1, b, make);
    intsAttrToInput(node, "ends", 2, b, make);
    intsAttrToInput(node, "axes", 3, b, make);
    rewritten();
  } else if (op == "Pad" && opset < 11) {
    const auto *value = findAttr(node, "value");
    intsAttrToInput(node, "paddings", 1, b, make);
    intsAttrToInput(node, "pads", 1, b, make);
    if (value)
      floatAttrToInput(node, "value", 2, b, make);
    rewritten();
  } else if (op == "Clip" && opset < 11) {
    floatAttrToInput(node, "min", 1, b, make);
    floatAttrToInput(node, "max", 2, b, make);
    rewritten();
  } else if (op == "TopK" && opset < 10) {
    if (const auto *k = findAttr(node, "k")) {
      std::string name = make(i64Tensor(b, {k->i()}));
      removeAttr(node, "k");
      setInput(node, 1, name);
    }
    rewritten();
  } else if (op == "Reshape" && opset < 5) {
    intsAttrToInput(node, "shape", 1, b, make);
    rewritten();
  } else if (op == "Dropout" && opset < 12) {
    removeAttr(node, "ratio");
    rewritten();
  } else if (op == "Concat" && opset < 4 && !findAttr(node, "axis")) {
    auto *a = node.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(1);
    rewritten();
  } else if (op == "Cast" && opset < 6) {
    const auto *to = findAttr(node, "to");
    if (to && to->type() == onnx::AttributeProto::STRING) {
      std::string name = to->s();
      int code = 0;
      for (int c = 1; c <= 16 && !code; ++c) {
        std::string n = onnxDataTypeName(c);
        std::string upper;
        for (char ch : n)
          upper += toupper(ch);
        if (upper == name)
          code = c;
      }
      if (!code) {
        error = "Cast to '" + name + "' is not a known type";
        return LegacyResult::Error;
      }
      removeAttr(node, "to");
      auto *a = node.add_attribute();
      a->set_name("to");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(code);
      rewritten();
    }
  } else if (op == "Upsample" || (op == "Resize" && opset < 11)) {
    // Upsample(X, scales) and Resize-10(X, scales) → Resize(X, "", scales)
    // with the asymmetric coordinates and floor rounding they used.
    if (op == "Upsample" && opset < 9)
      floatAttrToInput(node, "scales", 1, b, make);
    if (node.input_size() >= 2) {
      std::string scales = node.input(1);
      node.set_input(1, "");
      setInput(node, 2, scales);
    }
    node.set_op_type("Resize");
    auto setString = [&](llvm::StringRef name, llvm::StringRef value) {
      removeAttr(node, name);
      auto *a = node.add_attribute();
      a->set_name(name.str());
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(value.str());
    };
    const auto *mode = findAttr(node, "mode");
    std::string m = mode ? mode->s() : "nearest";
    if (m == "bilinear")
      m = "linear";
    setString("mode", m);
    setString("coordinate_transformation_mode", "asymmetric");
    if (m == "nearest")
      setString("nearest_mode", "floor");
    rewritten();
  } else if (op == "DFT" && opset < 20) {
    // DFT-17's axis attribute (default 1) became a scalar input.
    int64_t axis = 1;
    if (const auto *a = findAttr(node, "axis"))
      axis = a->i();
    removeAttr(node, "axis");
    auto type = RankedTensorType::get({}, b.getI64Type());
    setInput(node, 2, make(DenseElementsAttr::get(type, axis)));
    rewritten();
  } else if (op == "Scatter") {
    node.set_op_type("ScatterElements");
    rewritten();
  }
  return result;
}

ElementsAttr convertConstantNode(const onnx::NodeProto &node, OpBuilder &b,
                                 llvm::StringRef baseDir, std::string &error) {
  if (node.attribute_size() != 1) {
    error = "Constant must have exactly one value attribute";
    return {};
  }
  const auto &a = node.attribute(0);
  llvm::StringRef name = a.name();
  if (name == "value")
    return convertTensor(b.getContext(), a.t(), baseDir,
                         /*inlineLimit=*/1024, error);
  if (name == "value_float")
    return DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                  a.f());
  if (name == "value_int")
    return DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                  (int64_t)a.i());
  if (name == "value_floats") {
    llvm::SmallVector<float> v(a.floats().begin(), a.floats().end());
    return DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        llvm::ArrayRef<float>(v));
  }
  if (name == "value_ints") {
    llvm::SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    return i64Tensor(b, v);
  }
  error = "Constant attribute '" + name.str() +
          "' is not supported (strings and sparse tensors are not)";
  return {};
}

} // namespace aicc::onnx_import
