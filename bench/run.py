#!/usr/bin/env python3
"""The side-by-side benchmark (`make bench`; not a test). Each case runs our release binary and its peers
against the same local server with the same data, in alternating order, BENCH_REPS times (3), and reports
each client's median time, spread, peak RSS, CPU (user+sys, from the kernel's rusage of the child), the
server's CPU over the run and the connections the client opened. Writes bench/RESULTS.md, bench/results.json
and bench/results.png.

    bench/run.py BINARY BUILD_DIR       (scripts/bench.sh builds the sink, the proxy and the venv, then calls this)

Environment: BENCH_SCALE=small (64 MiB files, 500 small files, 10 s idle) or full (the default: 1 GiB,
5,000 files, 4 GiB, 60 s idle); BENCH_REPS (3); BENCH_CASES, a comma-separated subset of the case ids
(s3-1g, s3-many, s3-4g, azure-1g, gcs-1g, scp, restore, idle, wan-s3, wan-azure); BENCH_OUT (bench/) for the results;
BENCH_BIG_MIB and BENCH_HUGE_MIB override the sizes of the "1 GiB" and "4 GiB" files.
"""
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import BIG_MIB, FULL, HUGE_MIB, MANY, REPS, ROOT, SCP_FILES, SCP_MIB, Sink, WanProxy, log, pattern_file, small_files  # noqa: E402
from cases import Tools, azure_cases, gcs_cases, idle_case, restore_case, s3_cases, scp_case, wan_cases  # noqa: E402
from report import machine, versions, write_report  # noqa: E402


# ---- main ------------------------------------------------------------------------------------------------

def main() -> None:
    binary, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    selected = {c for c in os.environ.get("BENCH_CASES", "").split(",") if c}
    wanted = lambda case: not selected or case in selected  # noqa: E731
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench"))
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=os.environ.get("BENCH_WORK")))
    work.chmod(0o700)
    tools = Tools(binary, build, work)
    sink = Sink(build)
    proxy = None
    rows: list[dict] = []
    started = time.monotonic()
    try:
        log(f"scale {'full' if FULL else 'small'}, {REPS} repetitions, work in {work}")
        data = {}
        data["big_dir"] = work / "big"
        data["big_dir"].mkdir()
        data["big"] = data["big_dir"] / "big.bin"
        pattern_file(data["big"], BIG_MIB, 1)
        if wanted("s3-many"):
            data["many"] = work / "many"
            small_files(data["many"], MANY)
        if wanted("s3-4g") or wanted("restore"):
            data["huge_dir"] = work / "huge"
            data["huge_dir"].mkdir()
            data["huge"] = data["huge_dir"] / "huge.bin"
            pattern_file(data["huge"], HUGE_MIB, 2)
        if wanted("scp"):
            data["scp"] = work / "scp"
            data["scp"].mkdir()
            for index in range(SCP_FILES):
                pattern_file(data["scp"] / f"part-{index}.bin", SCP_MIB // SCP_FILES, 10 + index)
        rows += s3_cases(tools, sink, data, wanted)
        rows += azure_cases(tools, sink, data, wanted)
        rows += gcs_cases(tools, sink, data, wanted)
        if wanted("scp"):
            rows += scp_case(tools, data)
        if wanted("restore"):
            rows += restore_case(tools, sink, data)
        if wanted("idle"):
            rows += idle_case(tools, sink, data)
        if wanted("wan-s3") or wanted("wan-azure"):
            proxy = WanProxy(build, sink.port, work)
            rows += wan_cases(tools, sink, proxy, data, wanted)
        write_report(out, rows, machine(), versions(tools, binary))
        log(f"wrote {out / 'RESULTS.md'} and {out / 'results.png'} in {time.monotonic() - started:.0f} s")
    finally:
        if proxy:
            proxy.stop()
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
