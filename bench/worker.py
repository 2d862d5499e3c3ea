#!/usr/bin/env python3
"""One measurement of one peer system, in a process of its own (bench/run).

    worker.py SPEC.json

SPEC: {"system": "ort" | "openvino" | "iree", "artifact": path (.onnx, or
.vmfb for IREE), "inputs": [[name, file.npy], ...] in graph-input order,
"outputs": [name, ...], "threads": N, "warmup": W, "iters": K,
"save_outputs": path.npz or null, "options": {...}}.

Prints one JSON line on stdout: load_ms (artifact to first result, in this
process, after the imports), compile_ms (the part of it spent building the
session or compiling; ORT and OpenVINO compile when they load), first_ms,
times_ms (K timed runs after W untimed ones), rss_base_kib (VmRSS after the
imports, before the artifact is touched), or {"error": "..."}. The parent
reads this process's peak RSS with wait4.
"""
import json
import sys
import time


def vm_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def ort_session(spec):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = spec["threads"]
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(spec["artifact"], opts, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]

    def run(feeds):
        return sess.run(None, {n: feeds[n] for n in names})
    return run


def openvino_session(spec):
    import openvino as ov
    core = ov.Core()
    config = {"PERFORMANCE_HINT": "LATENCY",
              "INFERENCE_NUM_THREADS": spec["threads"]}
    precision = spec["options"].get("ov_precision", "f32")
    if precision != "default":
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = core.compile_model(core.read_model(spec["artifact"]), "CPU", config)
    request = compiled.create_infer_request()
    port_names = [p.get_any_name() for p in compiled.inputs]

    def run(feeds):
        request.infer({n: feeds[n] for n in port_names}, share_inputs=True)
        return [request.get_output_tensor(i).data.copy() for i in range(len(compiled.outputs))]
    return run


def iree_session(spec):
    import iree.runtime as rt
    rt.flags.parse_flags(f"--task_topology_group_count={spec['threads']}")
    config = rt.Config("local-task")
    ctx = rt.SystemContext(config=config)
    module = rt.VmModule.mmap(config.vm_instance, spec["artifact"])
    ctx.add_vm_module(module)
    entry = [f for f in module.function_names
             if not f.startswith("__") and not f.endswith("$async")][0]
    fn = ctx.modules[module.name][entry]
    names = [n for n, _ in spec["inputs"]]

    def run(feeds):
        result = fn(*[feeds[n] for n in names])
        if not isinstance(result, (list, tuple)):
            result = [result]
        return [r.to_host() if hasattr(r, "to_host") else r for r in result]
    return run


SESSIONS = {"ort": ort_session, "openvino": openvino_session, "iree": iree_session}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    spec.setdefault("options", {})
    import numpy as np
    feeds = {n: np.load(p) for n, p in spec["inputs"]}
    # Import the system's module before the base RSS and the load clock.
    {"ort": lambda: __import__("onnxruntime"), "openvino": lambda: __import__("openvino"),
     "iree": lambda: __import__("iree.runtime")}[spec["system"]]()
    out = {"rss_base_kib": vm_kib("VmRSS")}
    try:
        t0 = time.perf_counter()
        run = SESSIONS[spec["system"]](spec)
        t1 = time.perf_counter()
        result = run(feeds)
        t2 = time.perf_counter()
        out.update(compile_ms=1e3 * (t1 - t0), first_ms=1e3 * (t2 - t1), load_ms=1e3 * (t2 - t0))
        if spec.get("save_outputs"):
            np.savez(spec["save_outputs"],
                     **{n: np.asarray(r) for n, r in zip(spec["outputs"], result)})
        for _ in range(spec["warmup"]):
            run(feeds)
        times = []
        for _ in range(spec["iters"]):
            t = time.perf_counter()
            run(feeds)
            times.append(1e3 * (time.perf_counter() - t))
        out["times_ms"] = times
    except Exception as e:  # reported in the table, not raised
        msg = " ".join(str(e).split())
        out["error"] = f"{type(e).__name__}: {msg[:400]}"
    out["rss_peak_self_kib"] = vm_kib("VmHWM")
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
