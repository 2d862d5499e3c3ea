#!/usr/bin/env python3
# ===- gen_graph_ops.py - Generate the graph dialect's ONNX ops ----------=== #
#
# The graph dialect mirrors the ONNX default domain one op per ONNX op. Rather
# than maintaining ~180 near-identical ODS definitions by hand, this script
# reads the op schemas of the pinned `onnx` package and writes:
#
#   GraphOnnxOps.td      ODS definitions (operands, attributes, results,
#                        element-type constraints, docs)
#   GraphOnnxOpsInfer.inc result-type inference for ops whose shape rule is
#                        one of a few families (unary, unary-to-bool,
#                        broadcast, compare; ShapeInference.cpp); the other
#                        ops' rules are hand-written in ShapeRulesTensor.cpp
#                        and, for NN ops, one ShapeRules<Family>.cpp per op
#                        family (Conv, Pooling, ...)
#   OnnxOpTable.inc      the operand/result/attribute layout of every op,
#                        read by the importer to map ONNX nodes generically
#
# The outputs are checked in, so a build needs no Python. Re-run after bumping
# the pinned onnx version:  .venv/bin/python dialects/graph/gen_graph_ops.py
# See docs/GraphDialect.md for the rationale.
#
# ===----------------------------------------------------------------------=== #
import os
import re
import sys

import onnx
import onnx.defs
from onnx import AttributeProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))

# Ops deliberately not in the dialect, with the reason the importer reports.
EXCLUDED = {
    "Constant": "imported as graph.constant",
    "If": "hand-written region op graph.If (GraphOps.td), inlined by aicc-graph-inline-control-flow",
    "Loop": "hand-written region op graph.Loop (GraphOps.td), unrolled by aicc-graph-inline-control-flow",
    "Scan": "hand-written region op graph.Scan (GraphOps.td), unrolled by aicc-graph-inline-control-flow",
    "SequenceMap": "sequence ops are not supported",
    "ImageDecoder": "image decoding is not supported",
    "OptionalGetElement": "optional ops are not supported",
    "OptionalHasElement": "optional ops are not supported",
}

# Result-type inference families; ops not listed have a hand-written rule.
UNARY = """Abs Acos Acosh Asin Asinh Atan Atanh Ceil Cos Cosh Elu Erf Exp Floor
HardSigmoid HardSwish Identity LeakyRelu Log Mish Neg Reciprocal Relu Round
Selu Sigmoid Sign Sin Sinh Softplus Softsign Sqrt Tan Tanh ThresholdedRelu
Celu Gelu Shrink BitwiseNot Not Swish CumSum CumProd
MeanVarianceNormalization LRN Clip Trilu InstanceNormalization
GroupNormalization ReverseSequence Scatter ScatterElements ScatterND
RMSNormalization""".split()
# Same shape as the input, with an `axis` attribute checked against its rank.
UNARY_AXIS = "Softmax LogSoftmax Hardmax LpNormalization".split()
UNARY_BOOL = "IsInf IsNaN".split()
BROADCAST = """Add Sub Mul Div Pow Mod BitShift BitwiseAnd BitwiseOr BitwiseXor
Max Min Sum Mean PRelu And Or Xor""".split()
COMPARE = "Equal Greater GreaterOrEqual Less LessOrEqual".split()
# Ops with a folder in GraphFolders.cpp (shape arithmetic and constants).
FOLDABLE = set("""Abs Add And Cast Ceil Concat ConstantOfShape Div Equal Expand
Flatten Floor Gather Greater Identity Less Max Min Mod Mul Neg Not Or Range
ReduceMax ReduceMin ReduceProd ReduceSum Relu Reshape Shape Size Slice Sqrt Squeeze
Sub Tile Transpose Unsqueeze Where""".split())
NOT_PURE = {"RandomNormal", "RandomNormalLike", "RandomUniform",
            "RandomUniformLike", "Bernoulli", "Multinomial", "Dropout"}

ELEM = {
    "float": "F32", "double": "F64", "float16": "F16", "bfloat16": "BF16",
    "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64",
    "uint8": "UI8", "uint16": "UI16", "uint32": "UI32", "uint64": "UI64",
    "bool": "I1", "complex64": "Complex<F32>", "complex128": "Complex<F64>",
    "float8e4m3fn": "F8E4M3FN", "float8e4m3fnuz": "F8E4M3FNUZ",
    "float8e5m2": "F8E5M2", "float8e5m2fnuz": "F8E5M2FNUZ",
    "float8e8m0": "F8E8M0FNU", "float4e2m1": "F4E2M1FN",
    "int4": "I<4>", "uint4": "UI<4>", "int2": "I<2>", "uint2": "UI<2>",
}
ORDER = list(ELEM)

ATTR = {
    AttributeProto.INT: ("I64Attr", "Int"),
    AttributeProto.FLOAT: ("F32Attr", "Float"),
    AttributeProto.STRING: ("StrAttr", "String"),
    AttributeProto.INTS: ("DenseI64ArrayAttr", "Ints"),
    AttributeProto.FLOATS: ("DenseF32ArrayAttr", "Floats"),
    AttributeProto.STRINGS: ("StrArrayAttr", "Strings"),
    AttributeProto.TENSOR: ("ElementsAttr", "Tensor"),
}


def elem_types(schema, type_str):
    """Element types allowed for a formal parameter, or None if it takes no
    plain tensor (sequence/optional/map-only parameters)."""
    allowed = [type_str]
    for tc in schema.type_constraints:
        if tc.type_param_str == type_str:
            allowed = list(tc.allowed_type_strs)
    out = []
    for t in allowed:
        m = re.fullmatch(r"tensor\((\w+)\)", t)
        if m and m.group(1) in ELEM:
            out.append(m.group(1))
    return sorted(set(out), key=ORDER.index) or None


def default_literal(attr):
    """ODS default value for an attribute, or None when it has none."""
    v = attr.default_value
    if not v.name and v.type == 0:
        return None
    kind = v.type
    if kind == AttributeProto.INT:
        return f'"{v.i}"' 
    if kind == AttributeProto.FLOAT:
        f = repr(float(v.f))
        if f in ("inf", "-inf", "nan"):
            return None
        return f'"{f}"'
    if kind == AttributeProto.STRING:
        return '"\\"' + v.s.decode() + '\\""'
    if kind == AttributeProto.INTS:
        return '"{' + ", ".join(str(i) for i in v.ints) + '}"'
    if kind == AttributeProto.FLOATS:
        return '"{' + ", ".join(repr(float(f)) for f in v.floats) + '}"'
    return None


def camel(name):
    return name[0].upper() + name[1:]


def first_paragraph(doc):
    doc = (doc or "").strip()
    para = doc.split("\n\n")[0] if doc else ""
    para = para.replace("]}", "] }").replace("{[", "{ [").replace("}]", "} ]").replace("[{", "[ {")
    return para


def op_infos():
    schemas = {s.name: s for s in onnx.defs.get_all_schemas()
               if s.domain == "" and not s.deprecated}
    ops, skipped = [], {}
    for name in sorted(schemas):
        s = schemas[name]
        if name in EXCLUDED:
            skipped[name] = EXCLUDED[name]
            continue
        reason = None
        for a in s.attributes.values():
            if a.type not in ATTR:
                reason = "has a subgraph or type attribute"
        ins, outs = [], []
        for p in s.inputs:
            t = elem_types(s, p.type_str)
            if t is None:
                reason = "takes sequences, optionals, maps or strings"
            ins.append((p.name, str(p.option).split(".")[-1], t))
        for p in s.outputs:
            t = elem_types(s, p.type_str)
            if t is None:
                reason = "returns sequences, optionals, maps or strings"
            outs.append((p.name, str(p.option).split(".")[-1], t))
        if reason:
            skipped[name] = reason
            continue
        ops.append((s, ins, outs))
    return ops, skipped


def constraint_name(types, cache):
    key = tuple(types)
    if key not in cache:
        cache[key] = "Graph_T_" + "_".join(
            re.sub(r"[^A-Za-z0-9]", "", ELEM[t]) for t in types)
    return cache[key]


def gen(ops, skipped):
    td, infer, table = [], [], []
    constraints = {}
    version = onnx.__version__
    opset = onnx.defs.onnx_opset_version()
    for s, ins, outs in ops:
        name = s.name
        traits = []
        if name not in NOT_PURE:
            traits.append("Pure")
        n_multi = sum(1 for _, o, _ in ins if o != "Single")
        variadic_out = any(o == "Variadic" for _, o, _ in outs)
        if n_multi > 1:
            traits.append("AttrSizedOperandSegments")
        if not variadic_out:
            traits.append("InferTypeOpAdaptorWithIsCompatible")
        args, fmt, used = [], [], set()
        for pname, opt, types in ins:
            c = constraint_name(types, constraints)
            wrap = {"Single": c, "Optional": f"Optional<{c}>",
                    "Variadic": f"Variadic<{c}>"}[opt]
            args.append(f"{wrap}:${pname}")
            used.add(pname)
            if opt == "Optional" and n_multi > 1:
                fmt.append(f"(`{pname}` `(` ${pname}^ `)`)?")
            else:
                fmt.append(("`,` " if any(not f.startswith("(") for f in fmt) else "") + f"${pname}")
        for aname, a in sorted(s.attributes.items()):
            base, _ = ATTR[a.type]
            assert aname not in used, (name, aname)
            d = default_literal(a)
            if a.required:
                args.append(f"{base}:${aname}")
            elif d is not None:
                args.append(f"DefaultValuedAttr<{base}, {d}>:${aname}")
            else:
                args.append(f"OptionalAttr<{base}>:${aname}")
        results = []
        for pname, opt, types in outs:
            c = constraint_name(types, constraints)
            results.append(f"Variadic<{c}>:${pname}" if opt == "Variadic"
                           else f"{c}:${pname}")
        doc = first_paragraph(s.doc)
        asm = " ".join(fmt) if n_multi > 1 else "operands"
        nl = chr(10)
        fold = (nl + "  let hasFolder = 1;") if name in FOLDABLE else ""
        if variadic_out:
            fold += nl + "  let hasVerifier = 1;"
        td.append(f"""def Graph_{name}Op : Graph_OnnxOp<"{name}", {s.since_version}, [{", ".join(traits)}]> {{
  let summary = "ONNX {name} (opset {s.since_version})";
  let description = [{{
{doc}

Example:

```mlir
{example(name, ins, outs)}
```
  }}];
  let arguments = (ins
    {("," + nl + "    ").join(args)}
  );
  let results = (outs {", ".join(results)});
  let assemblyFormat = "{asm} attr-dict `:` functional-type(operands, results)";{fold}
}}
""")
        fam = ("Unary" if name in UNARY else "UnaryBool" if name in UNARY_BOOL
               else "Broadcast" if name in BROADCAST else "Compare"
               if name in COMPARE else None)
        if not variadic_out:
            infer.append(f"""bool {name}Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {{
  return areCompatibleReturnTypes(l, r);
}}
""")
        if name in UNARY_AXIS:
            infer.append(f"""LogicalResult {name}Op::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {{
  return inferUnaryAxis(context, location, adaptor.getOperands(),
                        adaptor.getAxis(), inferredReturnTypes);
}}
""")
        if fam:
            infer.append(f"""LogicalResult {name}Op::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {{
  return infer{fam}(context, location, adaptor.getOperands(),
                    inferredReturnTypes);
}}
""")
        def params(lst):
            return ", ".join(f'{{"{p}", OnnxParam::{o}}}' for p, o, _ in lst)
        attrs = ", ".join(
            f'{{"{k}", OnnxAttr::{ATTR[a.type][1]}, {"true" if a.required else "false"}}}'
            for k, a in sorted(s.attributes.items()))
        table.append(f'  {{"{name}", {s.since_version}, {{{params(ins)}}}, '
                     f'{{{params(outs)}}}, {{{attrs}}}}},')
    cdefs = "".join(
        f'def {n} : TensorOf<[{", ".join(ELEM[t] for t in k)}]>;\n'
        for k, n in sorted(constraints.items(), key=lambda kv: kv[1]))
    header = (f"// Generated by dialects/graph/gen_graph_ops.py from onnx {version} "
              f"(default domain, opset {opset}). Do not edit.\n")
    with open(os.path.join(HERE, "GraphOnnxOps.td"), "w") as f:
        f.write(header + "\n#ifndef AICC_GRAPH_ONNX_OPS_TD\n#define AICC_GRAPH_ONNX_OPS_TD\n\n"
                'include "dialects/graph/GraphBase.td"\n\n' + cdefs + "\n" +
                "\n".join(td) + "\n#endif // AICC_GRAPH_ONNX_OPS_TD\n")
    with open(os.path.join(HERE, "GraphOnnxOpsInfer.inc"), "w") as f:
        f.write(header + "\n" + "\n".join(infer))
    skipped_rows = "\n".join(f'  {{"{k}", "{v}"}},' for k, v in sorted(skipped.items()))
    with open(os.path.join(HERE, "OnnxOpTable.inc"), "w") as f:
        f.write(header + f"// ONNX_OPSET_VERSION {opset}\n"
                f"static constexpr int kOnnxOpsetVersion = {opset};\n"
                "// clang-format off\n"
                "static const OnnxOpInfo kOnnxOps[] = {\n" + "\n".join(table) + "\n};\n\n"
                "static const OnnxSkippedOp kOnnxSkippedOps[] = {\n" + skipped_rows + "\n};\n"
                "// clang-format on\n")


def example(name, ins, outs):
    operands = []
    for p, o, _ in ins:
        if o == "Single":
            operands.append("%" + p.lower())
    ops = ", ".join(operands)
    return f'%r = graph.{name} {ops} : (...) -> ...'


if __name__ == "__main__":
    ops, skipped = op_infos()
    gen(ops, skipped)
    print(f"{len(ops)} ops generated, {len(skipped)} skipped", file=sys.stderr)
