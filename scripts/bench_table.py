#!/usr/bin/env python3
"""The table of scripts/bench.sh: gpufm_MODEL.json and torch_MODEL_MODE.json in a folder (one JSON
line each, from `gpufm bench` and torch_ref.py) as one Markdown table, a row per model: training
wall time and steady images per second of each, gpufm's speed-up over each PyTorch mode by wall
time, gpufm's step time and the kernels its captured training step launches, and the test
accuracies. Missing runs leave empty cells.

Usage: bench_table.py FOLDER
"""
import glob
import json
import os
import sys

MODES = ("eager", "compile", "graphs")


def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def cell(value, form):
    return "" if value is None else form.format(value)


def table(folder):
    models = sorted(os.path.basename(p)[len("gpufm_"):-len(".json")] for p in glob.glob(os.path.join(folder, "gpufm_*.json")))
    torch_versions, devices = set(), set()
    header = ["model", "epochs", "gpufm s"] + [f"{m} s" for m in MODES] + ["gpufm img/s"] + [f"{m} img/s" for m in MODES]
    header += [f"vs {m}" for m in MODES] + ["gpufm ms/step", "kernels/step", "gpufm acc"] + [f"{m} acc" for m in MODES]
    rows = []
    for model in models:
        ours = load(os.path.join(folder, f"gpufm_{model}.json")) or {}
        devices.add(ours.get("device"))
        theirs = {m: load(os.path.join(folder, f"torch_{model}_{m}.json")) or {} for m in MODES}
        torch_versions.update(t["torch"] for t in theirs.values() if "torch" in t)
        speedups = [t["train_s"] / ours["train_s"] if ours.get("train_s") and t.get("train_s") else None for t in theirs.values()]
        rows.append([model, cell(ours.get("epochs"), "{}"), cell(ours.get("train_s"), "{:.2f}")]
                    + [cell(t.get("train_s"), "{:.2f}") for t in theirs.values()]
                    + [cell(ours.get("images_per_s_steady"), "{:,.0f}")]
                    + [cell(t.get("images_per_s_steady"), "{:,.0f}") for t in theirs.values()]
                    + [cell(s, "{:.1f}x") for s in speedups]
                    + [cell(ours.get("ms_per_step"), "{:.3f}"), cell(ours.get("kernels_per_step"), "{}")]
                    + [cell(ours.get("test_acc"), "{:.4f}")] + [cell(t.get("test_acc"), "{:.4f}") for t in theirs.values()])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "s: training wall time, every epoch with its validation pass; img/s: training images a second over the epochs "
              "after the first; vs MODE: PyTorch's wall time over gpufm's; kernels/step: of gpufm's training step, "
              "captured as a CUDA graph (empty with --eager).",
              f"Device: {', '.join(sorted(d for d in devices if d)) or 'unknown'}; PyTorch {', '.join(sorted(torch_versions)) or 'unknown'}"]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(table(sys.argv[1]))
