"""Markdown tables of the demo checkpoints' held-out evaluation (the JSON that `recon eval --out` writes).

    python bench/demo_table.py bench/results/demo_heldout_proposed.json bench/results/demo_heldout_baseline.json
"""

from __future__ import annotations

import json
import sys


def _row(name: str, values: dict, acc) -> str:
    cells = " | ".join(f"{values[t]:.3f}" for t in ("0.3", "0.4", "0.5"))
    return f"| {name} | {cells} | {'–' if acc is None else f'{acc:.3f}'} |"


def main(paths: list[str]) -> None:
    reports = [json.load(open(p)) for p in paths]
    print("| model | IoU@0.3 | IoU@0.4 | IoU@0.5 | accuracy |")
    print("|---|---:|---:|---:|---:|")
    for rep in reports:
        model = next(r for r in rep["rows"] if r["name"] != "mean-shape")
        print(_row(f"{model['name']} (class-averaged)", model["class_mean"], model.get("accuracy")))
    ref = next(r for r in reports[0]["rows"] if r["name"] == "mean-shape")
    print(_row("mean shape of the true class", ref["class_mean"], None))
    print()
    classes = reports[0]["classes"]
    names = [next(r for r in rep["rows"] if r["name"] != "mean-shape")["name"] for rep in reports]
    print("| class | " + " | ".join(f"{n} IoU@0.4" for n in names) + " | mean shape IoU@0.4 | accuracy |")
    print("|---|" + "---:|" * (len(names) + 2))
    for c in classes:
        cells = []
        acc = None
        for rep in reports:
            model = next(r for r in rep["rows"] if r["name"] != "mean-shape")
            cells.append(f"{model['per_class'][c]['0.4']:.3f}")
            if model.get("class_accuracy"):
                acc = model["class_accuracy"][c]
        print(f"| {c} | " + " | ".join(cells) + f" | {ref['per_class'][c]['0.4']:.3f} | {'–' if acc is None else f'{acc:.3f}'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
