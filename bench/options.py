#!/usr/bin/env python3
"""What a change of the platform's schema would buy the default collectors, measured: option A of
bench/findings.md (bookings.teacher_id, kept by the platform's triggers).

    bench/options.py BASE [--runs 5] [--keep]     (connection from PGHOST, PGPORT, PGUSER, PGPASSWORD: a superuser)

BASE is a database loaded by bench/load.sh. The script copies it to BASE_teacher_id (CREATE DATABASE ... TEMPLATE),
runs bench/owner-options/bookings-teacher-id.sql there, then on that one copy:
1. checks that every collector of bench/owner-options/teacher-id.yml returns the same row as the default collector of the
   same name, both run in one transaction (one now()), and prints it ("same row: NAME: a|b|c"); exits 1 otherwise;
2. measures every default collector and the option's replacements as bench/bench.py does (prepared with the
   settings' values, EXPLAIN (ANALYZE, TIMING OFF, SUMMARY) EXECUTE in a session set up as the exporter's, one
   warm-up round, the median of --runs), and prints both per full cycle.
Both sets run on the same copy, so the only difference is the SQL. The copy is dropped at the end unless --keep."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from history import EnvironmentCluster  # noqa: E402

OPTIONS = Path(__file__).resolve().parent / "owner-options"


def option_queries(defaults: list[bench.Query]) -> list[bench.Query]:
    """The default queries with the option's SQL in place of those it names."""
    overlay = {c["name"]: c["sql"] for c in bench.yaml.safe_load((OPTIONS / "teacher-id.yml").read_text())["collectors"]}
    unknown = set(overlay) - {q.name for q in defaults}
    if unknown:
        raise SystemExit(f"options.py: teacher-id.yml names no default collector: {', '.join(sorted(unknown))}")
    return [bench.Query(q.name, overlay.get(q.name, q.sql), q.parameters, q.interval, "option") for q in defaults]


def compare_rows(cluster: EnvironmentCluster, database: str, pairs: list[tuple[bench.Query, bench.Query]]) -> dict[str, tuple[str, str]]:
    """Each collector's row from the default SQL and from the option's, run in one transaction (psql's -At text)."""
    lines = ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;", bench.SESSION_SETUP]
    for i, (default, option) in enumerate(pairs):
        for tag, query in (("d", default), ("o", option)):
            lines.append(f"PREPARE {tag}{i} AS {query.sql};")
            lines.append(f"\\echo @@{tag}{i}")
            lines.append(f"EXECUTE {tag}{i}{bench.execute_arguments(query)};")
    lines.append("COMMIT;")
    out = cluster.psql(database, "\n".join(lines) + "\n")
    results: dict[str, str] = {}
    for block in out.split("@@")[1:]:
        tag, _, body = block.partition("\n")
        results[tag.strip()] = body.strip()
    return {default.name: (results[f"d{i}"], results[f"o{i}"]) for i, (default, _) in enumerate(pairs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the copy BASE_teacher_id")
    args = parser.parse_args()
    cluster = EnvironmentCluster()
    copy = f"{args.base}_teacher_id"
    cluster.psql("postgres", f"SET client_min_messages = warning; DROP DATABASE IF EXISTS {copy};")
    cluster.psql("postgres", f"CREATE DATABASE {copy} TEMPLATE {args.base};")
    try:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", copy, "-f", str(OPTIONS / "bookings-teacher-id.sql")],
                       check=True, stdout=subprocess.DEVNULL)
        _, defaults = bench.load_collectors()
        options = option_queries(defaults)
        changed = [(d, o) for d, o in zip(defaults, options) if d.sql != o.sql]
        rows = compare_rows(cluster, copy, changed)
        for name, (default_row, option_row) in rows.items():
            if default_row != option_row:
                print(f"options.py: {name}: the option's SQL returns {option_row}, the default SQL {default_row}", file=sys.stderr)
                return 1
            print(f"same row: {name}: {default_row}")
        measured = {group: bench.measure_queries(cluster, copy, queries, args.runs, bench.SESSION_SETUP)
                    for group, queries in (("default", defaults), ("option", options))}
        print(f"{'collector':32} {'default ms':>10} {'option ms':>10} {'ratio':>7}")
        total = {"default": 0.0, "option": 0.0}
        for query in defaults:
            a = measured["default"][query.name]["median_ms"]
            b = measured["option"][query.name]["median_ms"]
            total["default"] += a
            total["option"] += b
            print(f"{query.name:32} {a:10.1f} {b:10.1f} {b / a if a else float('nan'):6.2f}x")
        a, b = total["default"], total["option"]
        print(f"{'per full cycle':32} {a:10.1f} {b:10.1f} {b / a:6.2f}x")
    finally:
        if not args.keep:
            cluster.psql("postgres", f"DROP DATABASE IF EXISTS {copy};")
    return 0


if __name__ == "__main__":
    sys.exit(main())
