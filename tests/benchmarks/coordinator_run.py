"""One build as a whole process, for the coordinator benchmarks; runs against this tree's medc or, with
`--code DIR`, against an older medc extracted there (the baseline the issue names).

    python -m tests.benchmarks.coordinator_run noop IN_DIR OUT_DIR --workers 2      # prints {"units": .., ...}
    python -m tests.benchmarks.coordinator_run sleepy IN_DIR OUT_DIR --workers 4 --code /tmp/old

Tasks: `noop` parses nothing (the coordinator's own cost: walk, dispatch, record); `sleepy` takes 0.5 s a unit
and kills its worker on a unit whose text says CRASH.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def noop(unit):
    return ()


def sleepy(unit):
    if b"CRASH" in unit.data:
        os._exit(139)
    time.sleep(0.5)
    return ()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["noop", "sleepy"])
    parser.add_argument("inputs")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--code", default="")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
    from medc.build import SourceSpec, run_build
    from medc.records import document_schema

    task = {"noop": noop, "sleepy": sleepy}[args.task]
    spec = SourceSpec("papers", task, document_schema("papers", internal=True), [args.inputs], lambda n: True)
    last = [0.0]

    def progress(name, result):
        last[0] = time.perf_counter()

    start, cpu = time.perf_counter(), time.process_time()  # process_time: this process only, not the workers
    manifest = run_build(
        args.out, [spec], kind="bench", parse_settings={}, workers=args.workers, fresh=True, progress=progress
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, reaped when the pool closed
    workers_cpu = children.ru_utime + children.ru_stime
    units = sum(manifest["units"].values())
    stage = last[0] - start  # until the last unit was recorded: pool start-up included, finalize not
    timings = {"seconds": seconds, "stage": stage, "cpu": cpu, "workers_cpu": workers_cpu}
    print(json.dumps({"units": units, **timings, **manifest["rejections"]}))


if __name__ == "__main__":
    main()
