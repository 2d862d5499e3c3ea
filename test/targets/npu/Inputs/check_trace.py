"""Checks that a file is a Chrome trace a trace viewer opens: valid JSON
with a traceEvents list whose complete events ("ph": "X") have a name, pid,
tid, a numeric ts and a non-negative dur, metadata events name the process
and the three RNPU queues, and events of one queue do not overlap. Prints a
one-line summary; exits 1 with the reason otherwise."""
import json
import sys


def main(path):
    try:
        with open(path) as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("not a valid JSON trace: %s" % e)
    events = trace.get("traceEvents") if isinstance(trace, dict) else None
    if not isinstance(events, list) or not events:
        sys.exit("no traceEvents list")
    complete = [e for e in events if e.get("ph") == "X"]
    threads = {e["args"]["name"] for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    for e in complete:
        for key in ("name", "pid", "tid", "ts", "dur"):
            if key not in e:
                sys.exit("event without %s: %s" % (key, e))
        if not isinstance(e["ts"], (int, float)) or e["dur"] < 0:
            sys.exit("bad ts/dur: %s" % e)
    by_queue = {}
    for e in complete:
        by_queue.setdefault((e["pid"], e["tid"]), []).append(e)
    for queue, evs in by_queue.items():
        evs.sort(key=lambda e: e["ts"])
        for a, b in zip(evs, evs[1:]):
            if a["ts"] + a["dur"] > b["ts"] + 1e-6:
                sys.exit("overlapping events on queue %s: %s and %s" %
                         (queue, a, b))
    names = sorted({e["name"].split(": ")[-1] for e in complete})
    print("valid Chrome trace: %d complete events on %d queues (%s); "
          "opcodes: %s" % (len(complete), len(by_queue),
                           ", ".join(sorted(threads)), ", ".join(names)))


if __name__ == "__main__":
    main(sys.argv[1])
