"""The bench's report: bench/RESULTS.md, results.json and the chart of ratios and peak RSS (see run.py)."""
import json
import os
import subprocess
import time
from pathlib import Path

from benchlib import FULL, REPS, ROOT, WAN_BUFFER_KIB, WAN_DELAY_MS, WAN_RATE_MIB
from cases import Tools


# ---- report ----------------------------------------------------------------------------------------------

def versions(tools: Tools, binary: Path) -> dict:
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, env=tools.env, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "not found"
    def module_version(module):
        return subprocess.run([tools.python, "-c", f"import {module} as m; print(m.__version__)"], capture_output=True, text=True).stdout.strip()
    return {
        "service-backup": (f"{first_line(['git', '-C', str(ROOT), 'describe', '--always', '--dirty'])} of this checkout, "
                           if binary.is_relative_to(ROOT) else "") + f"{binary}, built "
                          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(binary.stat().st_mtime))} UTC",
        "aws-cli": first_line([tools.aws, "--version"]), "rclone": first_line(["rclone", "version"]),
        "azure-storage-blob": module_version("azure.storage.blob"), "google-cloud-storage": module_version("google.cloud.storage"),
        "curl": first_line(["curl", "--version"]), "OpenSSH": first_line(["ssh", "-V"]),
    }


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "cpu": cpu,
            "kernel": os.uname().release, "memory": memory, "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "scale": "full" if FULL else "small", "reps": REPS}


def write_report(out: Path, rows: list[dict], info: dict, tools_versions: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"machine": info, "versions": tools_versions, "rows": rows}, indent=1))
    lines = [
        "# Benchmark results", "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Each client ran against the same local server",
        f"with the same data, alternating order, {info['reps']} times. Ratio = the client's median time / ours: above 1, we are faster.",
        "Peak RSS is the largest of the runs (the kernel's rusage of the client and its children); CPU is user+sys",
        "(median); server CPU is the sink's (or sshd's) over the run; connections are the TCP connections the client opened.", "",
        f"- Date: {info['date']}; scale: {info['scale']}" + (" (BENCH_SCALE=small: a quick run with 64 MiB files, not the figures "
                                                            "to quote)" if info["scale"] == "small" else "") + f"; load average at the end: {info['load']}",
        f"- Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']}, Linux {info['kernel']}",
    ]
    lines += [f"- {name}: {version}" for name, version in tools_versions.items()]
    lines += [
        f"- WAN profile: bench/wanproxy.c, {2 * WAN_DELAY_MS} ms of round trip, {WAN_RATE_MIB} MiB/s per connection and direction, "
        f"{WAN_BUFFER_KIB} KiB buffered per direction.",
        "- Sink: bench/sink.c (C, a thread per connection, bodies counted and dropped); the `curl -T` rows are its ceiling.",
        "", "![ratios and peak RSS](results.png)", "",
        "| case | client | median s | spread s | MiB/s | ratio peer/us | peak RSS MiB | CPU s | server CPU s | connections |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["case"] == "idle":
            continue
        client = row["client"].replace("|", "\\|")   # a pipe would end the cell
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ("—" if not row["ours"] else "1 (us)")
        lines.append(
            f"| {row['title']} | {client} | {row['median_s']:.2f} | {row['min_s']:.2f}–{row['max_s']:.2f} | "
            f"{row['mib_s']:.1f} | {ratio} | {row['rss_mib']:.1f} | {row['cpu_s']:.2f} | {row['server_cpu_s']:.2f} | {row['connections']:g} |")
    for row in rows:
        if row["case"] == "idle":
            lines += ["", f"**{row['title']}** (schedule `0 0 1 1 *`): RSS {row['rss_mib']:.1f} MiB (peak {row['peak_rss_mib']:.1f} MiB), "
                      f"{row['context_switches']} context switches over all {row['threads']} threads "
                      f"({row['wakeups_per_s']:.2f} per second; {row['threads_started']} threads started or ended meanwhile), CPU {row['cpu_s']:.2f} s."]
    lines += [""]
    (out / "RESULTS.md").write_text("\n".join(lines))
    chart(out / "results.png", rows)


def chart(path: Path, rows: list[dict]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    peers = [r for r in rows if r["ratio"] is not None]
    measured = [r for r in rows if r["case"] != "idle"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, max(4, 0.32 * max(len(peers), len(measured)) + 1.5)))
    labels = [f"{r['title']}: {r['client']}" for r in peers]
    ratios = [r["ratio"] for r in peers]
    left.barh(labels, ratios, color=["tab:gray" if "ceiling" in r["client"] else "tab:green" if r["ratio"] >= 1 else "tab:red" for r in peers])
    left.axvline(1, color="black", linewidth=0.8)
    left.set_xscale("log")
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 8, 16) if min(ratios + [1]) / 1.5 <= t <= max(ratios + [1]) * 1.5]
    left.set_xticks(ticks, [f"{t:g}" for t in ticks])
    left.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    for y, value in enumerate(ratios):
        left.text(value, y, f" {value:.2f}", va="center", fontsize=7)
    left.set_xlabel("peer time / our time (log; > 1: we are faster; gray: the ceiling)")
    left.invert_yaxis()
    left.tick_params(axis="y", labelsize=7)
    right.barh([f"{r['title']}: {r['client']}" for r in measured], [r["rss_mib"] for r in measured],
               color=["tab:blue" if r["ours"] else "tab:gray" for r in measured])
    right.axvline(64, color="tab:red", linewidth=0.8, linestyle="--")
    right.set_xlabel("peak RSS, MiB (ours blue; dashed: the 64 MiB bound)")
    right.invert_yaxis()
    right.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
