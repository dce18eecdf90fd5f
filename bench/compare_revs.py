"""Masking throughput of two versions of the code, measured in one run, in alternation.

    python bench/compare_revs.py 1357d98                  # a snapshot of 1357d98 vs the work tree
    python bench/compare_revs.py 1357d98 --against HEAD   # two snapshots
    python bench/compare_revs.py 5a532d2 --rounds 5 -- --count 1000 --seed 7
    python bench/compare_revs.py 1357d98 --wait-quiet 60  # each run waits for a quiet machine

Each version runs its own ``bench/masking.py`` (default arguments ``--count 2000 --seed 101
--workers 1``; anything after ``--`` replaces them) in a fresh process, A then B, then B then
A, and so on: ``--rounds`` runs of each. A revision is a ``git archive`` snapshot extracted
into a temporary directory; it runs with this interpreter (the same venv) but with the
editable install of the work tree taken off the import path (its finder in ``sys.meta_path``
and its path hook), so the snapshot's own code is what runs. The report gives documents/s of
one process for every run (wall time, as bench/masking.py reports it, and per CPU-second of
the masking process, which other processes on the machine disturb less), the 1-minute load
average before each run and, with
``--wait-quiet S``, the cores other processes were using when it started (it waits up to S
seconds for them to drop under 0.3): the machine may be shared, so compare only rounds taken
at a similar load. Then the best of each side.

Nothing is asserted: the figures are for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ARGS = ["--count", "2000", "--seed", "101", "--workers", "1"]
WORK_TREE = "work tree"


def _strip_editable_install() -> None:
    """Take the editable install (``__editable__`` finder, path hook, path entries) off the
    import machinery, so the code under ``sys.path[0]`` is the code that runs."""

    def editable(thing: object) -> bool:
        name = getattr(thing, "__module__", "") or getattr(thing, "__name__", "")
        return "__editable__" in str(name) or "__editable__" in repr(thing)

    sys.meta_path[:] = [finder for finder in sys.meta_path if not editable(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not editable(hook)]
    sys.path[:] = [entry for entry in sys.path if "__editable__" not in entry]
    sys.path_importer_cache.clear()


def run_in(root: Path, script_args: list[str]) -> None:
    """Run ``root``'s bench/masking.py in this process, with ``root`` first on the path."""
    _strip_editable_install()
    here = Path(__file__).resolve().parent  # this bench/ is sys.path[0]: not the snapshot's
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    sys.path.insert(0, str(root))
    import compliance  # the snapshot's own, or this does not measure what it says

    if not Path(compliance.__file__ or "").resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"compliance comes from {compliance.__file__}, not from {root}")
    calls = _time_mask_many()
    script = root / "bench" / "masking.py"
    sys.argv = [str(script), *script_args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:  # the last in-process batch is the throughput's
        if calls:
            print(f"{_CPU_MARK}{json.dumps(calls[-1])}", file=sys.stderr, flush=True)


_CPU_MARK = "compare_revs cpu: "


def _time_mask_many() -> list[dict[str, float]]:
    """Record the CPU time of each in-process ``Masker.mask_many`` call (both versions have
    it: the benchmark's throughput is its last call)."""
    from compliance.masking import Masker

    calls: list[dict[str, float]] = []
    original = Masker.mask_many

    def timed(self: Any, items: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        result = original(self, items, *args, **kwargs)
        workers = kwargs.get("workers", args[0] if args else 1)
        if workers <= 1:
            calls.append({"documents": len(items), "cpu_s": time.process_time() - started})
        return result

    Masker.mask_many = timed  # type: ignore[method-assign]
    return calls


def snapshot(rev: str, into: Path) -> Path:
    """``git archive rev`` extracted under ``into``; returns its directory."""
    commit = _git("rev-parse", "--short", f"{rev}^{{commit}}")
    target = into / commit
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(root: Path, script_args: list[str], wait_quiet: float) -> dict[str, Any]:
    """One run of ``root``'s bench/masking.py in a fresh process: documents/s of one process."""
    quiet: dict[str, Any] = {}
    if wait_quiet:
        from common import wait_for_quiet  # bench/common.py (not imported in the runs)

        quiet["other_cores"] = wait_for_quiet(wait_quiet)
    load = os.getloadavg()[0]
    command = [sys.executable, str(Path(__file__).resolve()), "--run-in", str(root), "--"]
    done = subprocess.run(
        [*command, *script_args, "--json"], check=True, capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    one = next(row for row in report["throughput"] if row["workers"] == 1)
    cpu = [line for line in done.stderr.splitlines() if line.startswith(_CPU_MARK)]
    timed = json.loads(cpu[-1][len(_CPU_MARK) :]) if cpu else None
    per_cpu_s = round(timed["documents"] / timed["cpu_s"], 1) if timed else None
    return {
        "documents_per_s": one["documents_per_s"],
        "documents_per_cpu_s": per_cpu_s,
        "loadavg_1m": round(load, 2),
        **quiet,
    }


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("rev", nargs="?", help="the revision to compare (side A)")
    parser.add_argument("--against", default=None, help="side B's revision (default: work tree)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side")
    parser.add_argument(
        "--wait-quiet", type=float, default=0.0, metavar="S", help="wait up to S s before a run"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument("--run-in", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ours, script_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    args = _parser().parse_args(ours)
    if args.run_in is not None:
        run_in(args.run_in, script_args)
        return 0
    if args.rev is None:
        raise SystemExit("name a revision to compare, e.g. 1357d98")
    script_args = script_args or DEFAULT_ARGS
    if "--workers" not in script_args:
        script_args = [*script_args, "--workers", "1"]
    temp = Path(tempfile.mkdtemp(prefix="compare-revs-"))
    try:
        sides = {_git("rev-parse", "--short", args.rev): snapshot(args.rev, temp)}
        if args.against is None:
            sides[WORK_TREE] = REPO
        else:
            sides[_git("rev-parse", "--short", args.against)] = snapshot(args.against, temp / "b")
        names = list(sides)
        runs: list[dict[str, Any]] = []
        for round_ in range(1, args.rounds + 1):
            for name in names if round_ % 2 else reversed(names):
                measured = measure(sides[name], script_args, args.wait_quiet)
                runs.append({"round": round_, "side": name, **measured})
                if not args.json:
                    row = runs[-1]
                    others = row.get("other_cores", "-")
                    print(
                        f"round {round_}  {name:>10}  {row['documents_per_s']:7.1f} docs/s, "
                        f"{row['documents_per_cpu_s']} per CPU-s  (load {row['loadavg_1m']}, "
                        f"other processes {others} cores)",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    _report(args, names, runs, script_args)
    return 0


def _report(
    args: argparse.Namespace, names: list[str], runs: list[dict[str, Any]], script_args: list[str]
) -> None:
    best = {name: max(r["documents_per_s"] for r in runs if r["side"] == name) for name in names}
    best_cpu = {
        name: max((r["documents_per_cpu_s"] or 0.0) for r in runs if r["side"] == name)
        for name in names
    }
    result = {
        "command": ["bench/masking.py", *script_args],
        "work_tree_commit": _git("rev-parse", "--short", "HEAD"),
        "runs": runs,
        "best": best,
        "ratio_b_to_a": round(best[names[1]] / best[names[0]], 3),
        "best_per_cpu_s": best_cpu,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"bench/masking.py {' '.join(script_args)}; work tree at {result['work_tree_commit']}")
    quiet = any("other_cores" in r for r in runs)
    extra = " other cores |" if quiet else ""
    head = "".join(f" {name} docs/s | per CPU-s | load |{extra}" for name in names)
    print(f"| round |{head}")
    print("|---:|" + "---:|---:|---:|" * len(names) + ("---:|" * len(names) if quiet else ""))
    for round_ in range(1, args.rounds + 1):
        cells = []
        for name in names:
            run = next(r for r in runs if r["round"] == round_ and r["side"] == name)
            cells += [f"{run['documents_per_s']:.1f}", f"{run['documents_per_cpu_s'] or ''}"]
            cells += [f"{run['loadavg_1m']:.2f}"]
            cells += [f"{run.get('other_cores', '')}"] if quiet else []
        print(f"| {round_} | " + " | ".join(cells) + " |")
    print(
        f"best of {args.rounds}: {names[0]} {best[names[0]]:.1f}, {names[1]} "
        f"{best[names[1]]:.1f} documents/s ({result['ratio_b_to_a']:.2f}x); per CPU-second: "
        f"{best_cpu[names[0]]:.1f}, {best_cpu[names[1]]:.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
