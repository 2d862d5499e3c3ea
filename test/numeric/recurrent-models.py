#!/usr/bin/env python3
"""Small PyTorch LSTM/GRU/RNN models through aicc, against ONNX Runtime.

Attribute combinations built with onnx.helper (peepholes, clip,
input_forget, partial sequence_lens, reverse, linear_before_reset,
activations with alpha/beta) and models exported by torch.onnx with random
weights (constants, as in a real model): a streaming voice-activity-style
LSTM cell (one time step, the state passed in and out as graph inputs and
outputs), a 2-layer bidirectional batch-first LSTM, a bidirectional GRU, a
ReLU RNN and a 100-step LSTM. Every output must match ONNX Runtime within
rtol 1e-4, atol 1e-5. Without torch the torch models are skipped (with a
note).

usage: recurrent-models.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
                           [--target avx512] [--model NAME]...
"""
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import onnxruntime as ort

from aicc_cli import tool_parser


def build_models():
    import torch

    torch.manual_seed(0)

    class StreamingVad(torch.nn.Module):
        """A voice-activity-style head: LSTM over one chunk's features with
        the state carried between calls, then a linear decision."""

        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(64, 64)
            self.out = torch.nn.Linear(64, 1)

        def forward(self, x, h, c):
            y, (h1, c1) = self.lstm(x, (h, c))
            return torch.sigmoid(self.out(y)), h1, c1

    class BiLstm(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(16, 24, num_layers=2,
                                      bidirectional=True, batch_first=True)

        def forward(self, x):
            return self.lstm(x)[0]

    class BiGru(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(12, 20, bidirectional=True)

        def forward(self, x, h):
            y, h1 = self.gru(x, h)
            return y, h1

    class ReluRnn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.RNN(8, 16, nonlinearity="relu")

        def forward(self, x):
            return self.rnn(x)

    r = np.random.default_rng(0)

    def f32(*shape):
        return r.standard_normal(shape).astype(np.float32)

    return {
        "streaming_vad": (StreamingVad(),
                          {"x": f32(1, 1, 64), "h": f32(1, 1, 64),
                           "c": f32(1, 1, 64)}),
        "bilstm_2layer": (BiLstm(), {"x": f32(3, 7, 16)}),
        "bigru": (BiGru(), {"x": f32(5, 2, 12), "h": f32(2, 2, 20)}),
        "relu_rnn": (ReluRnn(), {"x": f32(6, 3, 8)}),
        # 100 steps: Y joins more states than one kernel has buffers for.
        "lstm_seq100": (torch.nn.LSTM(16, 32), {"x": f32(100, 2, 16)}),
    }


def helper_models():
    """Attribute combinations torch does not export, built with onnx.helper:
    a bidirectional LSTM with peepholes, clip, input_forget and partial
    sequence lengths, and a reverse GRU with linear_before_reset and
    non-default activations."""
    from onnx import TensorProto, helper

    r = np.random.default_rng(1)

    def f32(*shape):
        return (r.standard_normal(shape) * 0.5).astype(np.float32)

    def make(op, inputs, outputs, attrs, feeds, consts):
        node = helper.make_node(op, [i for i, _ in inputs],
                                [o for o, _ in outputs], name="rec", **attrs)
        graph = helper.make_graph(
            [node], op,
            [helper.make_tensor_value_info(k, TensorProto.INT32
                                           if feeds[k].dtype == np.int32
                                           else TensorProto.FLOAT,
                                           list(feeds[k].shape))
             for k, _ in inputs if k in feeds],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, shape)
             for o, shape in outputs],
            initializer=[helper.make_tensor(k, TensorProto.FLOAT,
                                            list(v.shape), v.flatten())
                         for k, v in consts.items()])
        return helper.make_model(
            graph, ir_version=8,
            opset_imports=[helper.make_opsetid("", 14)])

    seq, batch, inp, hid = 5, 3, 4, 6
    lstm_feeds = {"x": f32(seq, batch, inp),
                  "lens": np.array([5, 2, 4], dtype=np.int32),
                  "h0": f32(2, batch, hid), "c0": f32(2, batch, hid)}
    lstm_consts = {"w": f32(2, 4 * hid, inp), "r": f32(2, 4 * hid, hid),
                   "b": f32(2, 8 * hid), "p": f32(2, 3 * hid)}
    lstm = make("LSTM",
                [("x", 0), ("w", 0), ("r", 0), ("b", 0), ("lens", 0),
                 ("h0", 0), ("c0", 0), ("p", 0)],
                [("y", [seq, 2, batch, hid]), ("yh", [2, batch, hid]),
                 ("yc", [2, batch, hid])],
                {"hidden_size": hid, "direction": "bidirectional",
                 "clip": 1.5, "input_forget": 1},
                lstm_feeds, lstm_consts)
    gru_feeds = {"x": f32(seq, batch, inp)}
    gru_consts = {"w": f32(1, 3 * hid, inp), "r": f32(1, 3 * hid, hid),
                  "b": f32(1, 6 * hid)}
    gru = make("GRU", [("x", 0), ("w", 0), ("r", 0), ("b", 0)],
               [("y", [seq, 1, batch, hid]), ("yh", [1, batch, hid])],
               {"hidden_size": hid, "direction": "reverse",
                "linear_before_reset": 1,
                "activations": ["HardSigmoid", "LeakyRelu"],
                "activation_alpha": [0.3, 0.2],
                "activation_beta": [0.6]},
               gru_feeds, gru_consts)
    return {"lstm_options": (lstm, lstm_feeds), "gru_options": (gru, gru_feeds)}


def export(module, inputs, path):
    import torch

    warnings.filterwarnings("ignore")

    names = list(inputs)
    with torch.no_grad():
        torch.onnx.export(module, tuple(torch.from_numpy(v)
                                        for v in inputs.values()),
                          path, input_names=names, opset_version=14)


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    parser.add_argument("--model", action="append",
                        help="only this model (repeat)")
    parser.add_argument("--keep", metavar="DIR",
                        help="write the models and files to DIR")
    args = parser.parse_args()
    models = helper_models()
    try:
        models.update(build_models())
    except ImportError as e:
        print(f"recurrent-models: torch models skipped, no torch ({e})")
    names = args.model or list(models)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            tmp = args.keep
        for name in names:
            module, inputs = models[name]
            path = os.path.join(tmp, name + ".onnx")
            if hasattr(module, "graph"):
                import onnx
                onnx.save(module, path)
            else:
                export(module, inputs, path)
            session = ort.InferenceSession(
                path, providers=["CPUExecutionProvider"])
            out_names = [o.name for o in session.get_outputs()]
            want = session.run(None, inputs)
            artifact = os.path.join(tmp, name + ".aicc")
            run = [args.aicc_run, artifact]
            for k, v in inputs.items():
                p = os.path.join(tmp, f"{name}.{k}.npy")
                np.save(p, v)
                run += ["--input", f"{k}=@{p}"]
            outs = [os.path.join(tmp, f"{name}.out{i}.npy")
                    for i in range(len(out_names))]
            for o, p in zip(out_names, outs):
                run += ["--output", f"{o}=@{p}"]
            error = None
            for cmd in ([args.aicc, path, "--target=" + args.target, "-o",
                         artifact], run):
                res = subprocess.run(cmd, capture_output=True, text=True)
                if res.returncode != 0:
                    error = f"{os.path.basename(cmd[0])} rc={res.returncode}:" \
                            f" {res.stderr.strip()}"
                    break
            if error:
                print(f"FAIL {name}: {error}")
                failures += 1
                continue
            worst = 0.0
            ok = True
            for o, p, w in zip(out_names, outs, want):
                got = np.load(p)
                if got.shape != w.shape or not np.allclose(
                        got, w, rtol=1e-4, atol=1e-5):
                    ok = False
                    err = np.max(np.abs(got - w)) if got.shape == w.shape \
                        else f"shape {got.shape} != {w.shape}"
                    print(f"FAIL {name}: output {o}: max error {err}")
                else:
                    worst = max(worst, float(np.max(np.abs(got - w))))
            if ok:
                print(f"PASS {name} (max abs error {worst:.2e})")
            else:
                failures += 1
    print(f"{len(names) - failures} of {len(names)} recurrent models match "
          f"ONNX Runtime")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
