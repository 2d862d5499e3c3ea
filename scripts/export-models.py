#!/usr/bin/env python3
"""Exports the real-model import checks' models to ONNX with PyTorch.

    scripts/export-models.py --out DIR [--small] [--only NAME[,NAME...]] [--force]

Random weights (torch.manual_seed(0)), eval mode, opset 17, torch.onnx.export
(TorchScript exporter; Debian's torch 1.13).  Models:

  resnet50.onnx       torchvision ResNet-50, input [1,3,224,224] (--small: 64x64)
  mobilenet_v2.onnx   torchvision MobileNetV2, same input
  bert.onnx           BERT-base-shaped encoder (hidden 768, 12 heads, 12 layers;
                      --small: 2), inputs input_ids/attention_mask int64
                      [batch, sequence] (dynamic), output last_hidden_state
  gpt2.onnx           GPT-2-small-shaped decoder (768, 12 heads, 12 layers;
                      --small: 2), input_ids [batch, sequence] -> logits
  gpt2_past.onnx      the same with past_key_values.{i}.key/.value inputs
                      [batch, 12, past_sequence, 64], outputs logits and
                      present.{i}.key/.value (past concatenated along axis 2)
  dyn_cnn.onnx        small CNN, input [batch, 3, height, width] all symbolic

A models.json next to them records, per model, the --input-shape flags aicc
needs (used by scripts/check-real-models.sh).
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
VENV_DIR = os.path.join(REPO_ROOT, ".venv")

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    venv_python = os.path.join(VENV_DIR, "bin", "python")
    if os.path.exists(venv_python) and not os.environ.get("AICC_EXPORT_REEXEC"):
        os.environ["AICC_EXPORT_REEXEC"] = "1"
        os.execv(venv_python, [venv_python, os.path.realpath(__file__)] + sys.argv[1:])
    raise

OPSET = 17


# ---------------------------------------------------------------------------
# BERT-base-shaped encoder
# ---------------------------------------------------------------------------

class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)

    def split_heads(self, x):
        # [B, S, H] -> [B, heads, S, head_dim]; sizes from x.size() so the
        # exported graph computes the shape (Shape/Gather/Concat/Reshape).
        b, s = x.size(0), x.size(1)
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask_bias):
        q = self.split_heads(self.query(x))
        k = self.split_heads(self.key(x))
        v = self.split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores + mask_bias, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(ctx.size(0), ctx.size(1), self.heads * self.head_dim)
        return self.out(ctx)


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.attn = BertSelfAttention(hidden, heads)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.fc1 = nn.Linear(hidden, ffn)
        self.fc2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)
        self.gelu = nn.GELU()  # exact (erf) GELU

    def forward(self, x, mask_bias):
        x = self.ln1(x + self.attn(x, mask_bias))
        return self.ln2(x + self.fc2(self.gelu(self.fc1(x))))


class BertEncoder(nn.Module):
    def __init__(self, layers=12, hidden=768, heads=12, ffn=3072, vocab=30522,
                 max_pos=512, type_vocab=2):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(type_vocab, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, ffn) for _ in range(layers))

    def forward(self, input_ids, attention_mask):
        seq = input_ids.size(1)
        pos_ids = torch.arange(seq, dtype=torch.long, device=input_ids.device).unsqueeze(0)
        type_ids = torch.zeros_like(input_ids)
        x = self.word(input_ids) + self.pos(pos_ids) + self.token_type(type_ids)
        x = self.ln(x)
        # [B, S] -> [B, 1, 1, S] additive bias
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return x


# ---------------------------------------------------------------------------
# GPT-2-small-shaped decoder
# ---------------------------------------------------------------------------

class GPT2Attention(nn.Module):
    def __init__(self, hidden, heads, max_pos):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.c_attn = nn.Linear(hidden, 3 * hidden)
        self.c_proj = nn.Linear(hidden, hidden)
        # Causal mask as a buffer, sliced per call (as HF GPT-2 does).
        self.register_buffer(
            "bias", torch.tril(torch.ones(max_pos, max_pos, dtype=torch.uint8))
            .view(1, 1, max_pos, max_pos), persistent=False)

    def split_heads(self, x):
        b, s = x.size(0), x.size(1)
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, past_key=None, past_value=None):
        q, k, v = self.c_attn(x).split(x.size(-1), dim=2)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        if past_key is not None:
            k = torch.cat((past_key, k), dim=2)
            v = torch.cat((past_value, v), dim=2)
        present = (k, v)
        q_len, k_len = q.size(-2), k.size(-2)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = self.bias[:, :, k_len - q_len:k_len, :k_len].bool()
        w = torch.where(causal, w, torch.tensor(-1e4, dtype=w.dtype))
        w = torch.softmax(w, dim=-1)
        a = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
        a = a.view(a.size(0), a.size(1), self.heads * self.head_dim)
        return self.c_proj(a), present


class GPT2Block(nn.Module):
    def __init__(self, hidden, heads, max_pos):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden, eps=1e-5)
        self.attn = GPT2Attention(hidden, heads, max_pos)
        self.ln_2 = nn.LayerNorm(hidden, eps=1e-5)
        self.fc = nn.Linear(hidden, 4 * hidden)
        self.proj = nn.Linear(4 * hidden, hidden)

    def forward(self, x, past_key=None, past_value=None):
        a, present = self.attn(self.ln_1(x), past_key, past_value)
        x = x + a
        h = F.gelu(self.fc(self.ln_2(x)), approximate="tanh")  # gelu_new
        return x + self.proj(h), present


class GPT2(nn.Module):
    def __init__(self, layers=12, hidden=768, heads=12, vocab=50257, max_pos=1024,
                 with_past=False):
        super().__init__()
        self.with_past = with_past
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(max_pos, hidden)
        self.h = nn.ModuleList(GPT2Block(hidden, heads, max_pos) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden, eps=1e-5)

    def forward(self, input_ids, *past):
        past_len = past[0].size(2) if self.with_past else 0
        seq = input_ids.size(1)
        pos = torch.arange(past_len, past_len + seq, dtype=torch.long,
                           device=input_ids.device).unsqueeze(0)
        x = self.wte(input_ids) + self.wpe(pos)
        presents = []
        for i, block in enumerate(self.h):
            if self.with_past:
                x, present = block(x, past[2 * i], past[2 * i + 1])
            else:
                x, present = block(x)
            presents.extend(present)
        x = self.ln_f(x)
        logits = torch.matmul(x, self.wte.weight.t())  # tied LM head
        if self.with_past:
            return (logits, *presents)
        return logits


# ---------------------------------------------------------------------------
# CNN with symbolic batch and spatial dims
# ---------------------------------------------------------------------------

class DynCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.down = nn.Sequential(nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32),
                                  nn.ReLU(), nn.MaxPool2d(2))
        self.fuse = nn.Conv2d(48, 16, 1)
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        s = self.stem(x)
        d = self.down(s)
        # Upsample back to the input's (symbolic) size: Resize with sizes
        # computed from Shape(x).
        u = F.interpolate(d, size=(x.size(2), x.size(3)), mode="nearest")
        f = torch.relu(self.fuse(torch.cat([s, u], dim=1)))
        seg = f.mean(dim=1, keepdim=True)                            # [B,1,H,W]
        pooled = F.adaptive_avg_pool2d(f, 1).view(f.size(0), -1)     # [B,16]
        return self.head(pooled), seg


# ---------------------------------------------------------------------------

def export(model, args, path, input_names, output_names, dynamic_axes=None):
    model.eval()
    t0 = time.time()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, path, opset_version=OPSET,
                          input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, do_constant_folding=True)
    mb = os.path.getsize(path) / 2**20
    print(f"  {os.path.basename(path)}: {mb:.1f} MiB, {time.time() - t0:.1f} s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--small", action="store_true",
                    help="64x64 images, 2 transformer layers")
    ap.add_argument("--only", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="re-export existing files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)

    img = 64 if args.small else 224
    layers = 2 if args.small else 12
    seq, batch = 128, 1
    past_seq = 16

    specs = {}

    def want(name):
        if args.only and name not in args.only.split(","):
            return False
        path = os.path.join(args.out, name + ".onnx")
        return args.force or not os.path.exists(path)

    import torchvision
    specs["resnet50"] = []
    if want("resnet50"):
        torch.manual_seed(0)
        export(torchvision.models.resnet50(), torch.randn(1, 3, img, img),
               os.path.join(args.out, "resnet50.onnx"), ["input"], ["logits"])
    specs["mobilenet_v2"] = []
    if want("mobilenet_v2"):
        torch.manual_seed(0)
        export(torchvision.models.mobilenet_v2(), torch.randn(1, 3, img, img),
               os.path.join(args.out, "mobilenet_v2.onnx"), ["input"], ["logits"])

    specs["bert"] = [f"input_ids:{batch}x{seq}", f"attention_mask:{batch}x{seq}"]
    if want("bert"):
        torch.manual_seed(0)
        ids = torch.randint(0, 30522, (batch, seq))
        mask = torch.ones(batch, seq, dtype=torch.long)
        export(BertEncoder(layers=layers), (ids, mask), os.path.join(args.out, "bert.onnx"),
               ["input_ids", "attention_mask"], ["last_hidden_state"],
               {"input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "last_hidden_state": {0: "batch", 1: "sequence"}})

    specs["gpt2"] = [f"input_ids:{batch}x{seq}"]
    if want("gpt2"):
        torch.manual_seed(0)
        ids = torch.randint(0, 50257, (batch, seq))
        export(GPT2(layers=layers), (ids,), os.path.join(args.out, "gpt2.onnx"),
               ["input_ids"], ["logits"],
               {"input_ids": {0: "batch", 1: "sequence"},
                "logits": {0: "batch", 1: "sequence"}})

    past_names, present_names = [], []
    for i in range(layers):
        past_names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_names += [f"present.{i}.key", f"present.{i}.value"]
    specs["gpt2_past"] = ["input_ids:1x1"] + [f"{n}:1x12x{past_seq}x64" for n in past_names]
    if want("gpt2_past"):
        torch.manual_seed(0)
        ids = torch.randint(0, 50257, (batch, 1))
        past = tuple(torch.randn(batch, 12, past_seq, 64) for _ in past_names)
        dyn = {"input_ids": {0: "batch", 1: "sequence"},
               "logits": {0: "batch", 1: "sequence"}}
        for n in past_names:
            dyn[n] = {0: "batch", 2: "past_sequence"}
        for n in present_names:
            dyn[n] = {0: "batch", 2: "total_sequence"}
        export(GPT2(layers=layers, with_past=True), (ids, *past),
               os.path.join(args.out, "gpt2_past.onnx"),
               ["input_ids"] + past_names, ["logits"] + present_names, dyn)

    specs["dyn_cnn"] = ["input:2x3x96x128"]
    if want("dyn_cnn"):
        torch.manual_seed(0)
        export(DynCNN(), torch.randn(2, 3, 64, 64), os.path.join(args.out, "dyn_cnn.onnx"),
               ["input"], ["logits", "seg"],
               {"input": {0: "batch", 2: "height", 3: "width"},
                "logits": {0: "batch"}, "seg": {0: "batch", 2: "height", 3: "width"}})

    meta_path = os.path.join(args.out, "models.json")
    meta = {"small": args.small, "models": {}}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta["models"].update(json.load(f).get("models", {}))
    for name, shapes in specs.items():
        if not args.only or name in args.only.split(","):
            meta["models"][name] = {"file": name + ".onnx", "input_shapes": shapes}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
