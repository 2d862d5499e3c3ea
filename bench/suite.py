"""What bench/run measures: the whole models and the single-op kernel suite.

Whole models come from scripts/export-models.py (exported, never
downloaded); each is rewritten here with static input shapes (the bench's
shapes, the same file for every system) and its useful FLOPs counted (Conv,
ConvTranspose, MatMul, Gemm: 2 per multiply-add, from ONNX shape inference).
Kernel-suite models are single ONNX ops built with onnx.helper.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
OPSET = 17
IR_VERSION = 8

# name -> (exported file, {input: shape}, description)
MODELS = {
    "resnet50": ("resnet50", {"input": [1, 3, 224, 224]}, "ResNet-50 (torchvision), 1×3×224×224"),
    "mobilenet_v2": ("mobilenet_v2", {"input": [1, 3, 224, 224]},
                     "MobileNetV2 (torchvision), 1×3×224×224"),
    "bert": ("bert", {"input_ids": [1, 128], "attention_mask": [1, 128]},
             "BERT-base-shaped encoder, seq 128"),
    "gpt2_prefill": ("gpt2", {"input_ids": [1, 128]}, "GPT-2-small-shaped decoder, prefill 128"),
    "gpt2_decode": ("gpt2_past", None, "GPT-2-small-shaped decoder, 1 token, past 128"),
}
# int8 rows: name -> the float model quantized by ONNX Runtime's
# quantize_static (QDQ, per channel, u8 activations / s8 weights, MinMax on 4
# random batches; what scripts/check-quantized-models checks). Only aicc and
# ONNX Runtime run them (INT8_SYSTEMS).
INT8 = {"resnet50_int8": "resnet50", "mobilenet_v2_int8": "mobilenet_v2", "bert_int8": "bert"}
for _name, _float in INT8.items():
    MODELS[_name] = (MODELS[_float][0], MODELS[_float][1],
                     MODELS[_float][2].replace(",", " int8 (QDQ),", 1))
INT8_SYSTEMS = ("aicc", "ort")
SMALL_SHAPES = {"resnet50": {"input": [1, 3, 64, 64]}, "mobilenet_v2": {"input": [1, 3, 64, 64]}}
for _name, _float in INT8.items():
    if _float in SMALL_SHAPES:
        SMALL_SHAPES[_name] = SMALL_SHAPES[_float]
PAST = 128


def model_shapes(name, model, small):
    shapes = MODELS[name][1]
    if small and name in SMALL_SHAPES:
        shapes = SMALL_SHAPES[name]
    if shapes is None:  # gpt2_decode: every past_key_values.* input
        shapes = {"input_ids": [1, 1]}
        for i in model.graph.input:
            if i.name.startswith("past_key_values."):
                shapes[i.name] = [1, 12, PAST, 64]
    return shapes


def export_models(models_dir, names, small):
    """Runs scripts/export-models.py for the exported files that are missing."""
    files = sorted({MODELS[n][0] for n in names
                    if not os.path.exists(os.path.join(models_dir, MODELS[n][0] + ".onnx"))})
    if not files:
        return
    cmd = [sys.executable, os.path.join(REPO, "scripts", "export-models.py"), "--out", models_dir,
           "--only", ",".join(files)] + (["--small"] if small else [])
    print("bench: exporting:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def make_static(src, dst, shapes_fn):
    """Writes SRC with the bench's static input shapes to DST; returns the
    shapes. Symbolic dims of the outputs that the inputs determine are set
    too; the exporter's value_info (symbolic) is dropped."""
    model = onnx.load(src)
    shapes = shapes_fn(model)
    symbols = {}
    inits = {i.name for i in model.graph.initializer}
    for i in model.graph.input:
        if i.name in inits:
            continue
        dims = i.type.tensor_type.shape.dim
        for d, v in zip(dims, shapes[i.name]):
            if d.dim_param:
                symbols[d.dim_param] = v
            d.Clear()
            d.dim_value = v
    for o in model.graph.output:
        for d in o.type.tensor_type.shape.dim:
            if d.dim_param in symbols:
                v = symbols[d.dim_param]
                d.Clear()
                d.dim_value = v
    del model.graph.value_info[:]
    onnx.save(model, dst)
    return shapes


def ort_shapes(model, names, inputs):
    """Shapes of the tensors NAMES from one ONNX Runtime run on INPUTS (for
    what shape inference cannot follow, e.g. GPT-2's sliced causal mask)."""
    import onnxruntime as ort
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.value_info[:]
    known = {o.name for o in m.graph.output}
    for n in names:
        if n not in known:
            m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(names, {n: np.load(p) for n, p in inputs})
    return {n: list(o.shape) for n, o in zip(names, outs)}


def count_flops(path, inputs=None):
    """Useful FLOPs of one inference (2 per multiply-add of Conv,
    ConvTranspose, MatMul, Gemm) and the nodes whose shapes are unknown.
    Shapes come from ONNX shape inference, else from one ONNX Runtime run on
    INPUTS ([name, file.npy] pairs)."""
    raw = onnx.load(path)
    model = onnx.shape_inference.infer_shapes(raw, strict_mode=False, data_prop=True)
    shapes = {}
    for vi in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[vi.name] = [d.dim_value for d in dims]
    for t in model.graph.initializer:
        shapes[t.name] = list(t.dims)
    counted = ("Conv", "ConvTranspose", "MatMul", "Gemm")
    missing = sorted({x for n in model.graph.node if n.op_type in counted
                      for x in list(n.input[:2]) + [n.output[0]] if x not in shapes})
    if missing and inputs:
        try:
            shapes.update(ort_shapes(raw, missing, inputs))
        except Exception as e:  # counted as unknown below
            print(f"bench: shapes of {path} from ONNX Runtime failed: {e}", flush=True)
    total, unknown = 0, []
    for n in model.graph.node:
        if n.op_type not in counted:
            continue
        ins = [shapes.get(x) for x in n.input[:2]]
        out = shapes.get(n.output[0])
        if any(s is None for s in ins) or out is None:
            unknown.append(n.name or n.op_type)
            continue
        if n.op_type == "Conv":
            w = ins[1]  # [Cout, Cin/group, k...]
            total += 2 * int(np.prod(out)) * int(np.prod(w[1:]))
        elif n.op_type == "ConvTranspose":
            w = ins[1]  # [Cin, Cout/group, k...]
            total += 2 * int(np.prod(ins[0])) * int(np.prod(w[1:]))
        elif n.op_type == "MatMul":
            total += 2 * int(np.prod(out)) * ins[0][-1]
        else:
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            k = ins[0][0] if attrs.get("transA", 0) else ins[0][-1]
            total += 2 * int(np.prod(out)) * k
    return total, unknown


def quantize_int8(src, dst, shapes, work_dir):
    """SRC (static shapes) quantized to DST as scripts/check-quantized-models
    does: ONNX Runtime's pre-processing, then quantize_static (QDQ, per
    channel, u8 activations, s8 weights, MinMax over 4 random batches)."""
    from onnxruntime import quantization as oq
    from onnxruntime.quantization.shape_inference import quant_pre_process
    pre = dst + ".pre.onnx"
    quant_pre_process(src, pre, skip_symbolic_shape=True)
    model = onnx.load(pre, load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(4):
        feeds = {}
        for i in model.graph.input:
            if i.name in inits:
                continue
            dtype = helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type)
            shape = shapes[i.name]
            if np.issubdtype(dtype, np.floating):
                feeds[i.name] = rng.standard_normal(shape).astype(dtype)
            elif "mask" in i.name:
                feeds[i.name] = np.ones(shape, dtype)
            else:
                feeds[i.name] = rng.integers(0, 100, shape).astype(dtype)
        batches.append(feeds)

    class Reader(oq.CalibrationDataReader):
        def __init__(self):
            self.it = iter(batches)

        def get_next(self):
            return next(self.it, None)

    oq.quantize_static(pre, dst, Reader(), quant_format=oq.QuantFormat.QDQ, per_channel=True,
                       activation_type=oq.QuantType.QUInt8, weight_type=oq.QuantType.QInt8)
    os.remove(pre)


def make_inputs(model_path, shapes, out_dir, tag):
    """Random inputs (seed 0), the same files for every system; token ids in
    [0, 100), attention masks all ones (as scripts/run-real-models)."""
    model = onnx.load(model_path, load_external_data=False)
    rng = np.random.default_rng(0)
    inits = {i.name for i in model.graph.initializer}
    files = []
    for k, i in enumerate(x for x in model.graph.input if x.name not in inits):
        dtype = helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type)
        shape = shapes.get(i.name) or [d.dim_value for d in i.type.tensor_type.shape.dim]
        if np.issubdtype(dtype, np.floating):
            value = rng.standard_normal(shape).astype(dtype)
        elif "mask" in i.name:
            value = np.ones(shape, dtype)
        else:
            value = rng.integers(0, 100, shape).astype(dtype)
        path = os.path.join(out_dir, f"{tag}.in{k}.npy")
        np.save(path, value)
        files.append([i.name, path])
    outputs = [o.name for o in model.graph.output]
    return files, outputs


def prepare_models(names, models_dir, work_dir, small):
    """Static-shape copies, FLOPs, inputs; returns a list of bench entries."""
    export_models(models_dir, names, small)
    os.makedirs(work_dir, exist_ok=True)
    cache_path = os.path.join(work_dir, "prepared.json")
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    entries = []
    for name in names:
        src = os.path.join(models_dir, MODELS[name][0] + ".onnx")
        dst = os.path.join(work_dir, name + ".onnx")
        key = f"{os.path.realpath(src)}:{os.path.getmtime(src)}:{small}:{PAST}"
        if cache.get(name, {}).get("key") != key or not os.path.exists(dst):
            t0 = time.time()
            shapes = make_static(src, dst, lambda m: model_shapes(name, m, small))
            if name in INT8:
                quantize_int8(dst, dst, shapes, work_dir)
            inputs, _ = make_inputs(dst, shapes, work_dir, name)
            flops, unknown = count_flops(dst, inputs)
            cache[name] = {"key": key, "shapes": shapes, "flops": flops, "unknown": unknown}
            print(f"bench: prepared {name} ({time.time() - t0:.1f} s)", flush=True)
            json.dump(cache, open(cache_path, "w"), indent=1)
        c = cache[name]
        inputs, outputs = make_inputs(dst, c["shapes"], work_dir, name)
        desc = MODELS[name][2]
        if small:
            desc += " (--small: 64×64)" if name in SMALL_SHAPES else " (--small: 2 layers)"
        entry = {"name": name, "desc": desc, "onnx": dst, "inputs": inputs,
                 "outputs": outputs, "flops": c["flops"] if not c["unknown"] else None,
                 "flops_partial": c["flops"], "flops_unknown": c["unknown"]}
        if name in INT8:
            entry["systems"] = list(INT8_SYSTEMS)
            entry["int8"] = True
        entries.append(entry)
    return entries


# ---------------------------------------------------------------------------
# Kernel suite: single-op models
# ---------------------------------------------------------------------------

def _conv(cin, cout, hw, k, stride=1, group=1, relu=False):
    def build(rng):
        pad = k // 2
        ho = (hw + 2 * pad - k) // stride + 1
        w = (rng.standard_normal((cout, cin // group, k, k)) *
             np.sqrt(2.0 / (cin // group * k * k))).astype(np.float32)
        b = (0.1 * rng.standard_normal(cout)).astype(np.float32)
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["conv" if relu else "y"],
                                  kernel_shape=[k, k], pads=[pad] * 4, strides=[stride] * 2,
                                  group=group)]
        if relu:
            nodes.append(helper.make_node("Relu", ["conv"], ["y"]))
        inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
        flops = 2 * cout * ho * ho * (cin // group) * k * k
        return nodes, inits, [1, cin, hw, hw], [1, cout, ho, ho], flops
    return build


def _matmul(m, k, n):
    def build(rng):
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
        return nodes, [numpy_helper.from_array(w, "w")], [m, k], [m, n], 2 * m * k * n
    return build


# The single-op table of issue 8 (same ops and shapes); convs carry a bias
# (not counted in FLOPs), pads keep 3x3 "same".
KERNELS = [
    ("conv3x3", "Conv 3×3, 64→64, 56×56", _conv(64, 64, 56, 3)),
    ("conv3x3_relu", "Conv 3×3 + ReLU, same", _conv(64, 64, 56, 3, relu=True)),
    ("conv3x3_s2", "Conv 3×3 stride 2, 64→128, 56×56", _conv(64, 128, 56, 3, stride=2)),
    ("conv1x1", "Conv 1×1, 256→64, 56×56", _conv(256, 64, 56, 1)),
    ("dwconv3x3", "depthwise 3×3, 144 ch, 56×56", _conv(144, 144, 56, 3, group=144)),
    ("matmul_gemv", "MatMul 1×768×3072 (GEMV)", _matmul(1, 768, 3072)),
    ("matmul_128", "MatMul 128×768×768", _matmul(128, 768, 768)),
    # ResNet-50's layer4 shapes (alone, their weights stay in the L3; in the
    # model they stream from DRAM).
    ("conv3x3_7", "Conv 3×3 + ReLU, 512→512, 7×7", _conv(512, 512, 7, 3, relu=True)),
    ("conv1x1_7", "Conv 1×1 + ReLU, 2048→512, 7×7", _conv(2048, 512, 7, 1, relu=True)),
]


def prepare_kernels(names, work_dir):
    os.makedirs(work_dir, exist_ok=True)
    entries = []
    for i, (name, desc, build) in enumerate(KERNELS):
        if names and name not in names:
            continue
        nodes, inits, xshape, yshape, flops = build(np.random.default_rng(i))
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, xshape)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, yshape)], inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="aicc-bench")
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model)
        path = os.path.join(work_dir, name + ".onnx")
        onnx.save(model, path)
        inputs, outputs = make_inputs(path, {}, work_dir, name)
        entries.append({"name": name, "desc": desc, "onnx": path, "inputs": inputs,
                        "outputs": outputs, "flops": flops})
    return entries
