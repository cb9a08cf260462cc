"""Draws bench/run's bar chart: python3 chart.py DATA.json OUT.png (needs matplotlib).

DATA is a list of {"name", "winsync", "wine", "baseline", "baseline_name"}, each value a
{"median", "min", "max"} in nanoseconds or null. Log scale: Wine is ~1000x slower.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)

SERIES = [("winsync", "winsync", "#1f77b4"), ("wine", "Wine 8", "#d62728"),
          ("baseline", "POSIX baseline", "#2ca02c")]


def main(data_path, png_path):
    with open(data_path) as f:
        rows = json.load(f)
    fig, ax = plt.subplots(figsize=(9, 0.9 * len(rows) + 1.5))
    height = 0.27
    for offset, (key, label, color) in enumerate(SERIES):
        ys, medians, errors = [], [], [[], []]
        for index, row in enumerate(rows):
            stats = row.get(key)
            if not stats:
                continue
            ys.append(index + (offset - 1) * height)
            medians.append(stats["median"])
            errors[0].append(stats["median"] - stats["min"])
            errors[1].append(stats["max"] - stats["median"])
        ax.barh(ys, medians, height, xerr=errors, label=label, color=color, capsize=2)
    labels = [row["name"] + (f"\n(vs {row['baseline_name']})" if row.get("baseline_name") else "")
              for row in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("nanoseconds per operation or round trip (log scale; median, min-max bars)")
    ax.set_title("winsync vs Wine vs POSIX baselines (lower is faster)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
