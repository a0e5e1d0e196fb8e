#!/usr/bin/env python3
"""The default collectors' database time on two databases loaded by bench/load.sh, side by side: a platform
three times as large (bench/load.sh DB 3) grows its recent activity with it; one with three times the history
(bench/load.sh DB 1 3) keeps the activity of scale 1 and three years of it. Which queries follow the tables and
which follow the activity shows in the ratio.

    bench/history.py BASE OTHER [--runs 5]      (connection from PGHOST, PGPORT, PGUSER, PGPASSWORD)

Each query as bench/bench.py measures it: prepared with the settings' values, EXPLAIN (ANALYZE, TIMING OFF,
SUMMARY) EXECUTE in a session set up as the exporter's, one warm-up round, the median of --runs."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


class EnvironmentCluster:
    """The cluster named by the PG* variables (bench.Cluster's psql, without starting one)."""

    def psql(self, database: str, sql: str, *extra: str) -> str:
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", database, *extra],
                              input=sql, text=True, capture_output=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("other")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _, queries = bench.load_collectors()
    cluster = EnvironmentCluster()
    results = {db: bench.measure_queries(cluster, db, queries, args.runs, bench.SESSION_SETUP) for db in (args.base, args.other)}
    counts = {db: cluster.psql(db, "SELECT (SELECT count(*) FROM lessons) || ' ' || (SELECT count(*) FROM bookings WHERE status = 'active')"
                                   " || ' ' || (SELECT count(*) FROM chat_rooms WHERE created_at >= now() - interval '7 days')"
                                   " || ' ' || (SELECT count(*) FROM messages WHERE created_at >= now() - interval '24 hours')").strip()
              for db in (args.base, args.other)}
    for db in (args.base, args.other):
        lessons, active, week_rooms, day_messages = counts[db].split()
        print(f"{db}: lessons {lessons}, active bookings {active}, rooms created in 7 days {week_rooms}, messages in 24 h {day_messages}")
    print(f"{'collector':32} {args.base + ' ms':>10} {args.other + ' ms':>10} {'ratio':>7}")
    total = {db: 0.0 for db in results}
    for query in queries:
        a = results[args.base][query.name]["median_ms"]
        b = results[args.other][query.name]["median_ms"]
        total[args.base] += a
        total[args.other] += b
        print(f"{query.name:32} {a:10.1f} {b:10.1f} {b / a if a else float('nan'):6.2f}x")
    a, b = total[args.base], total[args.other]
    print(f"{'per full cycle':32} {a:10.1f} {b:10.1f} {b / a:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
