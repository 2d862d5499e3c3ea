#!/usr/bin/env python3
"""A GPT-2-shaped decoder with symbolic `sequence` and `past_sequence`,
compiled ONCE by aicc and run at many lengths, against ONNX Runtime.

The model is scripts/export-models.py's GPT2 with past key/values (random
weights, torch.manual_seed(0)), small: 2 layers, hidden 64, 4 heads, vocab
512, 96 positions (fewer than sequence + past can reach, so the causal mask
slice is `min(past + sequence, 96) - past`, assumed equal to `sequence`
and checked at run time). One artifact, compiled with
`--dim batch=1 --dim sequence=1..64 --dim past_sequence=0..64`, must:

- match ONNX Runtime (logits and every present.N.key/value, rtol 1e-4,
  atol 1e-4) for (sequence, past_sequence) pairs including both bounds and
  a past of 0;
- reject a sequence outside 1..64 and a past longer than 64 with a non-zero
  exit and an error naming the range, and past + sequence > 96 with the
  failed assumption;
- with `aicc-run --generate 16`, print exactly the tokens of ONNX Runtime's
  greedy loop over the same model (prefill, then one token at a time with
  present fed back as past);
- compiled again with `--kv-cache=auto` (the cache becomes session state
  updated in place; the present outputs leave the signature), print the
  same tokens for `--generate 32` and report that the last step moved at
  most 1.1x the new tokens' K/V for the cache (the runtime's count);
- the same with `--kv-cache-layout=paged:block=8` (the cache in blocks
  through a block table; `--warmup 1` resets the generator first, so the
  measured sequence gets its blocks back from the free list in another
  order, a real indirection), whose committed KV memory (aicc-run's `kv
  memory` figure) grows with the sequence (`--generate 4` < `--generate
  32` < the reserved maximum), while the contiguous layout's is the whole
  state from the start.

usage: dynamic-decoder.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
                          [--target avx512] [--keep DIR]
Without torch the test is skipped (exit 0 with a note).
"""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from aicc_cli import run_artifact, tool_parser  # noqa: E402

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LAYERS, HIDDEN, HEADS, VOCAB, MAX_POS = 2, 64, 4, 512, 96
SEQ_MAX, PAST_MAX = 64, 64


def export(path):
    import torch
    spec = importlib.util.spec_from_file_location(
        "export_models", os.path.join(REPO, "scripts", "export-models.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    model = module.GPT2(layers=LAYERS, hidden=HIDDEN, heads=HEADS, vocab=VOCAB,
                        max_pos=MAX_POS, with_past=True).eval()
    # Default init with tied embeddings makes greedy decoding repeat the last
    # token; larger block weights give a sequence that tests the cache.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".fc." in name or ".proj." in name or "c_attn" in name:
                p.mul_(4.0)
    past_names, present_names = [], []
    for i in range(LAYERS):
        past_names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_names += [f"present.{i}.key", f"present.{i}.value"]
    ids = torch.randint(0, VOCAB, (1, 3))
    past = tuple(torch.randn(1, HEADS, 5, HIDDEN // HEADS) for _ in past_names)
    dyn = {"input_ids": {0: "batch", 1: "sequence"},
           "logits": {0: "batch", 1: "sequence"}}
    for n in past_names:
        dyn[n] = {0: "batch", 2: "past_sequence"}
    for n in present_names:
        dyn[n] = {0: "batch", 2: "total_sequence"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, *past), path,
                          input_names=["input_ids"] + past_names,
                          output_names=["logits"] + present_names,
                          dynamic_axes=dyn, opset_version=17,
                          do_constant_folding=True)
    return past_names, present_names


def feeds_for(rng, seq, past, past_names):
    feeds = {"input_ids": rng.integers(0, VOCAB, (1, seq), dtype=np.int64)}
    for n in past_names:
        feeds[n] = rng.standard_normal(
            (1, HEADS, past, HIDDEN // HEADS)).astype(np.float32)
    return feeds


def greedy_ort(session, prompt, past_names, steps):
    feeds = {"input_ids": prompt}
    for n in past_names:
        feeds[n] = np.zeros((1, HEADS, 0, HIDDEN // HEADS), np.float32)
    tokens = []
    names = [o.name for o in session.get_outputs()]
    for _ in range(steps):
        out = dict(zip(names, session.run(None, feeds)))
        token = int(np.argmax(out["logits"][0, -1]))
        tokens.append(token)
        feeds = {"input_ids": np.array([[token]], np.int64)}
        for i, n in enumerate(past_names):
            feeds[n] = out[n.replace("past_key_values", "present")]
    return tokens


KV_MEMORY_RE = re.compile(r"kv memory (\d+) of (\d+) bytes committed")


def check_in_place(args, model, session, past_names, rng, work,
                   layout="contiguous"):
    """--kv-cache=auto: the same greedy tokens, the cache moved in place."""
    tag = "--kv-cache" if layout == "contiguous" else \
        f"--kv-cache-layout={layout}"
    artifact = os.path.join(work, f"decoder-kv-{layout.replace(':', '-')}.aicc")
    cmd = [args.aicc, model, "--target=" + args.target, "--dim", "batch=1",
           "--dim", f"sequence=1..{SEQ_MAX}", "--dim",
           f"past_sequence=0..{PAST_MAX}", "--kv-cache=auto",
           f"--kv-cache-layout={layout}", "-o", artifact]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL: compile {tag}:", " ".join(cmd), "\n", r.stderr)
        return 1
    failures = 0
    r = subprocess.run([args.aicc_run, artifact, "--inspect"],
                       capture_output=True, text=True)
    outs = re.search(r"^outputs: \d+\n((?:  .*\n)*)", r.stdout, re.M)
    if r.returncode != 0 or not outs or "present." in outs.group(1):
        print(f"FAIL {tag}: the present outputs should leave the "
              f"signature:\n{r.stdout}{r.stderr}")
        failures += 1
    prompt = rng.integers(0, VOCAB, (1, 5), dtype=np.int64)
    prompt_path = os.path.join(work, "prompt-kv.npy")
    np.save(prompt_path, prompt)
    steps = 32
    want = greedy_ort(session, prompt, past_names, steps)
    # Twice in one process (--warmup 1 resets the generator): a reset must
    # start the next sequence from an empty cache.
    r = subprocess.run([args.aicc_run, artifact, "--generate", str(steps),
                        "--warmup", "1", "--input",
                        f"input_ids=@{prompt_path}"],
                       capture_output=True, text=True)
    m = re.search(r"^tokens:((?: \d+)*)$", r.stdout, re.M)
    got = [int(t) for t in m.group(1).split()] if m else None
    moved = re.search(r"^kv cache: in place .* moved (\d+) bytes for (\d+) "
                      r"new", r.stdout, re.M)
    if r.returncode != 0 or got != want:
        print(f"FAIL {tag} --generate {steps}: rc={r.returncode} got "
              f"{got}, ONNX Runtime {want}\n{r.stderr.strip()}")
        failures += 1
    elif not moved or int(moved.group(1)) > 1.1 * int(moved.group(2)):
        print(f"FAIL {tag}: expected a step to move <= 1.1x the new "
              f"K/V for the cache:\n{r.stdout}")
        failures += 1
    else:
        print(f"ok {tag} --generate {steps}: {' '.join(map(str, got))}")
        print("\n".join(l for l in r.stdout.splitlines()
                        if not l.startswith("tokens:")))
    # The committed KV memory: the whole state (contiguous), or the blocks
    # of the sequence (paged), growing with it.
    committed = {}
    for n in (4, steps):
        r = subprocess.run([args.aicc_run, artifact, "--generate", str(n),
                            "--input", f"input_ids=@{prompt_path}"],
                           capture_output=True, text=True)
        m = KV_MEMORY_RE.search(r.stdout)
        if r.returncode != 0 or not m:
            print(f"FAIL {tag} --generate {n}: no kv memory figure "
                  f"(rc={r.returncode}):\n{r.stdout}{r.stderr}")
            return failures + 1
        committed[n] = (int(m.group(1)), int(m.group(2)))
    (short, reserved), (long, _) = committed[4], committed[steps]
    paged = layout != "contiguous"
    if paged and not 0 < short < long < reserved:
        print(f"FAIL {tag}: committed KV memory should grow with the "
              f"sequence: {short} bytes at {prompt.shape[1] + 3} tokens, "
              f"{long} at {prompt.shape[1] + steps - 1}, {reserved} reserved")
        failures += 1
    elif not paged and not short == long == reserved:
        print(f"FAIL {tag}: the contiguous state should be committed whole: "
              f"{short}, {long} of {reserved}")
        failures += 1
    else:
        print(f"ok {tag}: committed KV memory {short} bytes at "
              f"{prompt.shape[1] + 3} tokens, {long} at "
              f"{prompt.shape[1] + steps - 1}, of {reserved} reserved")
    return failures


def main():
    ap = tool_parser(__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="keep the files in this directory")
    args = ap.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        print("note: torch is not installed; the dynamic decoder test is "
              "skipped")
        return 0
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        return check(args, args.keep)
    with tempfile.TemporaryDirectory(prefix="aicc-dyn-") as work:
        return check(args, work)


def check(args, work):
    """Runs every check with its files in `work`; the exit status."""
    model = os.path.join(work, "decoder.onnx")
    past_names, present_names = export(model)
    artifact = os.path.join(work, "decoder.aicc")
    cmd = [args.aicc, model, "--target=" + args.target, "--dim", "batch=1",
           "--dim", f"sequence=1..{SEQ_MAX}", "--dim",
           f"past_sequence=0..{PAST_MAX}", "-o", artifact]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: compile:", " ".join(cmd), "\n", r.stderr)
        return 1
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    outputs = ["logits"] + present_names
    rng = np.random.default_rng(0)
    failures = 0
    cases = [(1, 0), (7, 0), (SEQ_MAX, 0), (1, 1), (1, 37), (1, PAST_MAX),
             (5, 17), (32, PAST_MAX), (2, 63)]
    for seq, past in cases:
        feeds = feeds_for(rng, seq, past, past_names)
        got, r = run_artifact(args.aicc_run, artifact, feeds, outputs, work,
                              f"s{seq}p{past}")
        if got is None:
            print(f"FAIL sequence={seq} past={past}: aicc-run rc="
                  f"{r.returncode}: {r.stderr.strip()}")
            failures += 1
            continue
        want = dict(zip(outputs, session.run(outputs, feeds)))
        for name in outputs:
            if got[name].shape != want[name].shape or not np.allclose(
                    got[name], want[name], rtol=1e-4, atol=1e-4):
                err = (np.abs(got[name] - want[name]).max()
                       if got[name].shape == want[name].shape else "shape")
                print(f"FAIL sequence={seq} past={past} {name}: got "
                      f"{got[name].shape}, want {want[name].shape}, max "
                      f"error {err}")
                failures += 1
                break
        else:
            print(f"ok sequence={seq} past={past}")
    for seq, past, needle in [(SEQ_MAX + 1, 0, f"1..{SEQ_MAX}"),
                              (1, PAST_MAX + 1, f"0..{PAST_MAX}"),
                              (SEQ_MAX, PAST_MAX, "assumption")]:
        feeds = feeds_for(rng, seq, past, past_names)
        got, r = run_artifact(args.aicc_run, artifact, feeds, outputs, work,
                              "bad")
        if got is not None or needle not in r.stderr:
            print(f"FAIL sequence={seq} past={past}: expected an error naming "
                  f"{needle}, got rc={r.returncode} {r.stderr.strip()!r}")
            failures += 1
        else:
            print(f"ok sequence={seq} past={past} rejected: "
                  f"{r.stderr.strip().splitlines()[-1]}")
    prompt = rng.integers(0, VOCAB, (1, 6), dtype=np.int64)
    prompt_path = os.path.join(work, "prompt.npy")
    np.save(prompt_path, prompt)
    steps = 16
    want = greedy_ort(session, prompt, past_names, steps)
    r = subprocess.run([args.aicc_run, artifact, "--generate", str(steps),
                        "--input", f"input_ids=@{prompt_path}"],
                       capture_output=True, text=True)
    m = re.search(r"^tokens:((?: \d+)*)$", r.stdout, re.M)
    got = [int(t) for t in m.group(1).split()] if m else None
    if r.returncode != 0 or got != want:
        print(f"FAIL --generate {steps}: rc={r.returncode} got {got}, ONNX "
              f"Runtime {want}\n{r.stderr.strip()}")
        failures += 1
    else:
        print(f"ok --generate {steps}: {' '.join(map(str, got))}")
        print("\n".join(l for l in r.stdout.splitlines()
                        if not l.startswith("tokens:")))
    failures += check_in_place(args, model, session, past_names, rng, work)
    failures += check_in_place(args, model, session, past_names, rng, work,
                               layout="paged:block=8")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
