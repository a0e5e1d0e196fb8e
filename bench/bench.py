#!/usr/bin/env python3
"""chat-exporter's benchmark: database cost, scrape speed, memory and start-up, side by side with its peers.

Run through bench/run.sh, which installs the tools, builds the release binary and calls this with the
paths it found. This script starts its own throwaway PostgreSQL cluster (scripts/pg-cluster.sh), loads
the data (bench/load.sh at the base scale and at 3x it), measures, prints the table, writes the report
and stops everything it started, whatever happens. Every run also leaves its figures in results.json (in the work
directory, kept with --keep); bench/last-run.json is the one docs/benchmarks.md was written from, and
`python3 bench/bench.py --render bench/last-run.json --output docs/benchmarks.md` writes the report again from it
(after editing bench/findings.md, for example) without measuring anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PASSWORD = "bench-" + str(os.getpid())

# The collectors whose SQL the peers run: the headline metrics.
HEADLINE = ["chat_triggers", "chat_rooms", "chat_room_lag", "chat_bookings_without_room", "chat_audit"]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("check", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(cmd, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


# --------------------------------------------------------------------------------------------------------
# Processes: everything started is stopped at exit.

class Processes:
    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def start(self, cmd: list[str], env: dict | None = None, log_path: Path | None = None, **kwargs) -> subprocess.Popen:
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        self.children.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc in self.children:
            self.children.remove(proc)

    def stop_all(self) -> None:
        for proc in list(self.children):
            self.stop(proc)


def memory(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM and the anonymous / file-backed split, in MiB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            values[key] = int(rest.split()[0]) / 1024
    return values


# --------------------------------------------------------------------------------------------------------
# PostgreSQL.

class Cluster:
    def __init__(self, work: Path) -> None:
        self.dir = work / "pg"
        self.port = free_port()
        self.env = dict(os.environ, PGCLUSTER_PASSWORD=PASSWORD, PGHOST="127.0.0.1", PGPORT=str(self.port),
                        PGUSER="postgres", PGPASSWORD=PASSWORD)

    def start(self) -> None:
        script = str(ROOT / "scripts/pg-cluster.sh")
        run(["bash", script, "start", str(self.dir), str(self.port)], env=self.env, stdout=subprocess.DEVNULL)
        # A bigger buffer cache than the 128 MB default (the data of scale 1 fits), and a bulk-load-friendly WAL.
        with open(self.dir / "data/postgresql.conf", "a") as conf:
            conf.write("\n# bench/bench.py\nshared_buffers = '1GB'\nmax_wal_size = '16GB'\ncheckpoint_timeout = '1h'\n"
                       "wal_level = minimal\nmax_wal_senders = 0\n")
        run(["bash", script, "restart", str(self.dir)], env=self.env, stdout=subprocess.DEVNULL)

    def destroy(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts/pg-cluster.sh"), "destroy", str(self.dir)], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, database: str, sql: str, *extra: str) -> str:
        return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", database, *extra],
                   input=sql, env=self.env).stdout

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def load(self, database: str, scale: float) -> dict[str, str]:
        out = run(["bash", str(BENCH / "load.sh"), database, format_scale(scale)], env=self.env).stdout
        line = [l for l in out.splitlines() if l.startswith("load: ")][-1]
        return dict(item.split("=", 1) for item in line[len("load: "):].split())


def format_scale(scale: float) -> str:
    return f"{scale:g}"


# --------------------------------------------------------------------------------------------------------
# The queries: the default collectors and the seed's SQL.

class Query:
    def __init__(self, name: str, sql: str, parameters: list[str | None], interval: float, group: str) -> None:
        self.name, self.sql, self.parameters, self.interval, self.group = name, sql.strip().rstrip(";"), parameters, interval, group


def parse_duration(text: str | None, default: float) -> float:
    if text is None:
        return default
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", str(text)):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    return total


def parameter_value(parameter: dict, settings: dict) -> str | None:
    """The text a collector's parameter binds, as the exporter binds it: a setting's value or a literal; None (YAML's
    null) is SQL NULL."""
    value = settings[parameter["setting"]] if "setting" in parameter else parameter.get("value")
    return None if value is None else str(value)


def load_collectors(path: Path = ROOT / "collectors/default.yml") -> tuple[dict, list[Query]]:
    config = yaml.safe_load(path.read_text())
    default_interval = parse_duration(config.get("global", {}).get("interval"), 60)
    settings = config.get("settings", {})
    queries = []
    for collector in config["collectors"]:
        values = [parameter_value(parameter, settings) for parameter in collector.get("parameters", [])]
        queries.append(Query(collector["name"], collector["sql"], values,
                             parse_duration(collector.get("interval"), default_interval), "collector"))
    return config, queries


def load_seed_queries() -> list[Query]:
    text = (BENCH / "seed-002.sql").read_text()
    queries = []
    for chunk in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = chunk.partition("\n")
        sql = "\n".join(l for l in body.splitlines() if not l.startswith("--")).strip()
        queries.append(Query(name.strip(), sql, [], 60, "seed"))
    return queries


def sql_literal(value: str | None) -> str:
    """An untyped literal, as the exporter binds a value (None, YAML's null, is NULL)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


# What chat-exporter's session sets that changes plans (Sources/PostgresClient/PostgresConnection.swift).
SESSION_SETUP = "SET jit = off; SET max_parallel_workers_per_gather = 0;"


def execute_arguments(query: Query) -> str:
    """The argument list of `EXECUTE` for a prepared query: its parameters' values as untyped literals, bound the
    way the exporter binds them (empty without parameters)."""
    return f"({', '.join(sql_literal(v) for v in query.parameters)})" if query.parameters else ""


def measure_queries(cluster: Cluster, database: str, queries: list[Query], runs: int, setup: str = "") -> dict[str, dict]:
    """Server-side time of each query: PREPARE with the parameters' values bound the way the exporter binds
    them (an untyped parameter the server infers, a custom plan each time as for libpq's unnamed statement),
    then EXPLAIN (ANALYZE, TIMING OFF, SUMMARY) EXECUTE, planning + execution; one warm-up round, then `runs`
    rounds, each running every query once; the median."""
    lines = ["SET plan_cache_mode = force_custom_plan;", setup]
    for i, query in enumerate(queries):
        lines.append(f"PREPARE q{i} AS {query.sql};")
    for round_number in range(runs + 1):
        for i, query in enumerate(queries):
            lines.append(f"\\echo @@{round_number} {i}")
            lines.append(f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY, FORMAT JSON) EXECUTE q{i}{execute_arguments(query)};")
    out = cluster.psql(database, "\n".join(lines) + "\n")
    samples: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    jit: dict[int, float] = {i: 0.0 for i in range(len(queries))}
    for block in re.split(r"^@@", out, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        round_number, index = (int(x) for x in header.split())
        plan = json.loads(body)[0]
        if round_number == 0:
            continue
        samples[index].append(plan["Planning Time"] + plan["Execution Time"])
        if "JIT" in plan:
            jit[index] = max(jit[index], float(plan["JIT"].get("Functions", 1)))
    result = {}
    for i, query in enumerate(queries):
        result[query.name] = {"median_ms": statistics.median(samples[i]), "min_ms": min(samples[i]),
                              "max_ms": max(samples[i]), "runs": len(samples[i]), "interval_s": query.interval,
                              "jit_ms": jit[i]}
    return result


def postmaster_cpu_ms(cluster: Cluster) -> float:
    """CPU time (user + system) of the postmaster's exited children, in ms: the backends and parallel workers that
    have ended, from /proc/PID/stat's cutime and cstime (clock ticks)."""
    pid = (cluster.dir / "data/postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure_cpu(cluster: Cluster, database: str, queries: list[Query], runs: int, setup: str = "") -> dict[str, float]:
    """CPU each query takes on the server, parallel workers included: per query, one session runs it once (warm-up),
    then another runs it `runs` times, and the postmaster's exited children's CPU grows by what that session's
    backend (and any worker) used, read once the backend has exited. Without parallel workers it should match the
    EXPLAIN figure; a plan with workers shows here what their wall clock hides. A session's own cost (start-up and
    authentication, measured on empty sessions) is subtracted. Clock-tick resolution (10 ms) divided by `runs`:
    meaningless for sub-millisecond queries; an autovacuum worker ending meanwhile adds its CPU."""
    def session(sql: str) -> None:
        backend = cluster.psql(database, "SELECT pg_backend_pid();\n" + sql).split("\n", 1)[0].strip()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{backend}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    # What a session costs without a query (start-up, SCRAM authentication), subtracted: the median of 9, so that
    # a backend of an earlier session reaped meanwhile (EXPLAIN's, seconds of CPU) does not count as one.
    costs = []
    for _ in range(9):
        before = postmaster_cpu_ms(cluster)
        session("")
        costs.append(postmaster_cpu_ms(cluster) - before)
    empty_session = statistics.median(costs)
    result = {}
    for query in queries:
        args = execute_arguments(query)
        prepare = "\n".join(["SET plan_cache_mode = force_custom_plan;", setup, f"PREPARE q AS {query.sql};", ""])
        session(prepare + f"EXECUTE q{args};\n")
        before = postmaster_cpu_ms(cluster)
        session(prepare + f"EXECUTE q{args};\n" * runs)
        result[query.name] = max(0.0, postmaster_cpu_ms(cluster) - before - empty_session) / runs
    return result


def per_minute(results: dict[str, dict]) -> float:
    return sum(r["median_ms"] * 60 / r["interval_s"] for r in results.values())


def per_cycle(results: dict[str, dict]) -> float:
    return sum(r["median_ms"] for r in results.values())


# --------------------------------------------------------------------------------------------------------
# The peers' configuration: the same SQL for the headline collectors.

def unpivoted_sql(collector: dict, settings: dict, value_name: str = "value") -> tuple[str, list[str]]:
    """The collector's SQL, its parameters replaced by the settings' literals, run once in a CTE and turned
    into rows (metric, labels..., value): one metric family per collector for tools that make a family of a
    query. Returns the SQL and the label columns."""
    sql = collector["sql"].strip().rstrip(";")
    for number in range(len(collector.get("parameters", [])), 0, -1):
        parameter = collector["parameters"][number - 1]
        sql = re.sub(rf"\${number}(?!\d)", sql_literal(parameter_value(parameter, settings)), sql)
    labels: list[str] = []
    for metric in collector["metrics"]:
        for label in list(metric.get("labels", [])) + list(metric.get("const_labels", {}).keys()):
            if label not in labels:
                labels.append(label)
    selects = []
    for metric in collector["metrics"]:
        columns = [f"{sql_literal(metric['name'])}::text AS metric"]
        for label in labels:
            if label in metric.get("labels", []):
                columns.append(f'coalesce(c."{label}"::text, \'\') AS "{label}"')
            elif label in metric.get("const_labels", {}):
                columns.append(f'{sql_literal(str(metric["const_labels"][label]))}::text AS "{label}"')
            else:
                columns.append(f"''::text AS \"{label}\"")
        columns.append(f'c."{metric["value"]}"::float8 AS "{value_name}"')
        selects.append("SELECT " + ", ".join(columns) + " FROM c")
    body = "\n  UNION ALL ".join(selects)
    return (f"WITH c AS MATERIALIZED (\n{sql}\n)\nSELECT * FROM (\n  {body}\n) AS u WHERE \"{value_name}\" IS NOT NULL", labels)


def write_peer_configs(config: dict, work: Path, dsn: str) -> dict[str, Path]:
    settings = config.get("settings", {})
    default_interval = parse_duration(config.get("global", {}).get("interval"), 60)
    by_name = {c["name"]: c for c in config["collectors"]}
    qe = {"databases": {"bench": {"dsn": dsn.replace("postgresql://", "postgresql+psycopg2://")}},
          "metrics": {}, "queries": {}}
    sqlx = {"jobs": []}
    pge = {}
    for name in HEADLINE:
        collector = by_name[name]
        sql, labels = unpivoted_sql(collector, settings)
        interval = parse_duration(collector.get("interval"), default_interval)
        family = f"bench_{name}"
        qe["metrics"][family] = {"type": "gauge", "description": collector.get("description", name),
                                 "labels": ["metric", *labels]}
        qe["queries"][name] = {"interval": int(interval), "databases": ["bench"], "metrics": [family],
                               "sql": unpivoted_sql(collector, settings, family)[0]}
        sqlx["jobs"].append({"name": name, "interval": f"{int(interval)}s",
                             "connections": [dsn.replace("postgresql://", "postgres://")],
                             "queries": [{"name": family, "help": collector.get("description", name),
                                          "labels": ["metric", *labels], "values": ["value"], "query": sql}]})
        pge[family] = {"query": sql, "master": True,
                       "metrics": [{"metric": {"usage": "LABEL", "description": "the chat-exporter metric"}}]
                       + [{label: {"usage": "LABEL", "description": label}} for label in labels]
                       + [{"value": {"usage": "GAUGE", "description": collector.get("description", name)}}]}
    paths = {"query-exporter": work / "query-exporter.yaml", "sql_exporter": work / "sql_exporter.yml",
             "postgres_exporter": work / "postgres_exporter.yaml"}
    paths["query-exporter"].write_text(yaml.safe_dump(qe, sort_keys=False))
    paths["sql_exporter"].write_text(yaml.safe_dump(sqlx, sort_keys=False))
    paths["postgres_exporter"].write_text(yaml.safe_dump(pge, sort_keys=False))
    return paths


# --------------------------------------------------------------------------------------------------------
# Scrapes.

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_latency(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")


def wrk(url: str, connections: int, seconds: float, gzip_script: Path | None) -> dict:
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
           "--timeout", "10s"]
    if gzip_script:
        cmd += ["-s", str(gzip_script)]
    out = run(cmd + [url], check=False, stderr=subprocess.STDOUT).stdout
    result = {"rps": float("nan"), "p50_ms": float("nan"), "p99_ms": float("nan"), "errors": 0, "requests": 0}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(line.split()[1])
        elif re.match(r"^50(\.0+)?%\s", line):
            result["p50_ms"] = parse_latency(line.split()[1])
        elif re.match(r"^99(\.0+)?%\s", line):
            result["p99_ms"] = parse_latency(line.split()[1])
        elif "requests in" in line:
            result["requests"] = int(line.split()[0])
        elif line.startswith("Non-2xx"):
            result["errors"] += int(line.split()[-1])
        elif line.startswith("Socket errors"):  # connect, read, write, timeout
            result["errors"] += sum(int(x) for x in re.findall(r"\d+", line))
    if result["requests"] == 0:
        result["raw"] = out[-500:]
    return result


def payload(url: str) -> dict:
    status, plain, _ = http_get(url)
    gz_status, gz_body, headers = http_get(url, {"Accept-Encoding": "gzip"})
    encoding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "")
    return {"status": status, "bytes": len(plain), "gzip_bytes": len(gz_body) if encoding == "gzip" else None,
            "plain": plain, "gzip": gz_body if encoding == "gzip" else None}


def scrape_suite(url: str, seconds: float, gzip_script: Path) -> dict:
    results = {}
    for connections in (1, 50):
        for compressed in (False, True):
            key = f"c{connections}{'_gzip' if compressed else ''}"
            results[key] = wrk(url, connections, seconds, gzip_script if compressed else None)
    return results


def wait_until(predicate, timeout: float, interval: float = 0.005) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if predicate():
                return time.monotonic() - start
        except (OSError, urllib.error.URLError, ConnectionError):
            pass
        time.sleep(interval)
    return None


# --------------------------------------------------------------------------------------------------------
# Targets.

class Target:
    def __init__(self, name: str, proc_name: str) -> None:
        self.name, self.proc_name = name, proc_name
        self.skipped: str | None = None
        self.startup_s: float | None = None
        self.scrapes: dict = {}
        self.mem_ready: dict = {}
        self.mem_steady: dict = {}
        self.payload: dict = {}
        self.note = ""
        self.version = ""
        self.user = ""


def as_service_user(binary: str, work: Path) -> tuple[list[str], str]:
    """How to start `binary` as production does: as an unprivileged user that cannot write the executable
    (systemd's DynamicUser, a non-root container). Run as root, the kernel lets a process page out the cached pages
    of any file it could open for writing, its own executable included, which a service user cannot; measuring as
    root would credit chat-exporter with memory a deployment never gets back. Under root: a copy of the binary in a
    directory `nobody` can reach, started through setpriv as `nobody`. Otherwise: as is, by the current user."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return [binary], f"as uid {os.geteuid()}"
    directory = work / "bin"
    directory.mkdir(exist_ok=True)
    for path in (work, directory):
        path.chmod(0o755)
    copy = directory / f"chat-exporter-{len(list(directory.iterdir()))}"
    shutil.copy2(binary, copy)
    copy.chmod(0o755)
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(copy)]
    probe = subprocess.run(command + ["--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        # A work directory under a path nobody cannot traverse (TMPDIR): say so, and measure as root.
        log(f"cannot run chat-exporter as nobody ({(probe.stderr or probe.stdout).strip()[:120]}); measuring as root")
        return [binary], "as root (nobody could not run it from the work directory)"
    return command, "as nobody (setpriv)"


def run_target(target: Target, processes: Processes, cmd: list[str], env: dict, url: str, ready, work: Path,
               seconds: float, gzip_script: Path, startup_timeout: float, after_ready=None) -> None:
    log(f"{target.name}: starting")
    t0 = time.monotonic()
    try:
        proc = processes.start(cmd, env=env, log_path=work / f"{target.name}.log", cwd=str(work))
    except OSError as error:
        target.skipped = f"could not start: {error}"
        return
    try:
        elapsed = wait_until(lambda: proc.poll() is None and ready(), startup_timeout)
        if elapsed is None:
            tail = (work / f"{target.name}.log").read_text(errors="replace")[-600:]
            target.skipped = f"not ready after {startup_timeout:g}s: " + " ".join(tail.split())[-160:]
            log(f"{target.name}: {target.skipped}")
            return
        target.startup_s = time.monotonic() - t0
        time.sleep(0.5)
        target.mem_ready = memory(proc.pid)
        if after_ready:
            after_ready()
        target.payload = payload(url)
        log(f"{target.name}: ready in {target.startup_s:.3f}s, {target.payload['bytes']} bytes; wrk")
        target.scrapes = scrape_suite(url, seconds, gzip_script)
        time.sleep(1)
        target.mem_steady = memory(proc.pid)
    finally:
        processes.stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks.md"))
    parser.add_argument("--binary", default="")
    parser.add_argument("--query-exporter", default="", help="query-exporter executable, or empty")
    parser.add_argument("--skip", action="append", default=[], help="NAME=REASON: a peer that could not be installed")
    parser.add_argument("--build-info", default="")
    parser.add_argument("--variant", action="append", default=[],
                        help="LABEL=PATH: another chat-exporter build measured like the first (scrapes, memory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--render", default="", help="results.json of an earlier run: write its report again, measure nothing")
    args = parser.parse_args()
    if args.render:
        return render(args)
    args.binary = str(Path(args.binary).resolve())
    if args.query_exporter:
        args.query_exporter = str(Path(args.query_exporter).resolve())

    runs = 3 if args.quick else 7
    seconds = 1.0 if args.quick else 10.0
    scales = [args.scale, args.scale * 3]
    skipped = dict(item.split("=", 1) for item in args.skip)

    work = Path(tempfile.mkdtemp(prefix="chat-exporter-bench-"))
    work.chmod(0o755)
    processes = Processes()
    cluster = Cluster(work)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)

    try:
        return measure(args, work, processes, cluster, runs, seconds, scales, skipped)
    finally:
        processes.stop_all()
        cluster.destroy()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def measure(args, work: Path, processes: Processes, cluster: Cluster, runs: int, seconds: float,
            scales: list[float], skipped: dict[str, str]) -> int:
    started = dt.datetime.now(dt.timezone.utc)
    log(f"work directory {work}")
    cluster.start()
    config, collectors = load_collectors()
    seeds = load_seed_queries()

    databases = {}
    loads = {}
    for scale in scales:
        database = "bench_" + format_scale(scale).replace(".", "_")
        log(f"loading scale {format_scale(scale)} into {database}")
        loads[scale] = cluster.load(database, scale)
        databases[scale] = database
        log(f"loaded: {loads[scale]}")

    db_costs = {}
    for scale in scales:
        log(f"database cost at scale {format_scale(scale)} ({runs} runs each)")
        # The loads leave gigabytes of dirty buffers: write them out first, so no checkpoint runs beside the queries.
        cluster.psql("postgres", "CHECKPOINT;")
        # Both with the exporter's session settings (jit = off, no parallel workers; PostgresConnection): SQL against SQL.
        db_costs[scale] = {"collectors": measure_queries(cluster, databases[scale], collectors, runs, SESSION_SETUP),
                           "seed": measure_queries(cluster, databases[scale], seeds, runs, SESSION_SETUP)}
        for group, queries in (("collectors", collectors), ("seed", seeds)):
            for name, cpu in measure_cpu(cluster, databases[scale], queries, runs, SESSION_SETUP).items():
                db_costs[scale][group][name]["cpu_ms"] = cpu

    base_db = databases[scales[0]]
    dsn = cluster.dsn(base_db)
    gzip_script = work / "gzip.lua"
    gzip_script.write_text('wrk.headers["Accept-Encoding"] = "gzip"\n')
    startup_timeout = 60 if args.quick else 300

    targets: list[Target] = []

    # chat-exporter.
    exporter = Target("chat-exporter", "chat-exporter")
    port = free_port()
    env = dict(os.environ, DATA_SOURCE_NAME=f"host=127.0.0.1 port={cluster.port} dbname={base_db} user=postgres password={PASSWORD}")
    base = f"http://127.0.0.1:{port}"
    observed: dict[str, float] = {}

    def collector_durations():
        body = http_get(base + "/metrics")[1].decode()
        for match in re.finditer(r'^chat_exporter_collector_duration_seconds\{collector="([^"]+)"\} (\S+)$', body, re.M):
            observed[match.group(1)] = float(match.group(2)) * 1000

    exporter.version = run([args.binary, "--version"], check=False, stderr=subprocess.STDOUT).stdout.strip()
    command, exporter.user = as_service_user(args.binary, work)
    run_target(exporter, processes, command + ["--web.listen-address", f"127.0.0.1:{port}", "--log.level", "warn"],
               env, base + "/metrics", lambda: http_get(base + "/-/ready", timeout=1)[0] == 200, work, seconds,
               gzip_script, startup_timeout, after_ready=collector_durations)
    exporter.note = f"answers from the snapshot rendered after the last collector run; runs {exporter.user}"
    targets.append(exporter)

    # Other builds of chat-exporter (bench/run.sh: the dynamically linked one), measured the same way.
    for variant in args.variant:
        label, _, path = variant.partition("=")
        other = Target(f"chat-exporter ({label})", "chat-exporter")
        if not os.access(path, os.X_OK):
            other.skipped = f"no binary at {path}"
            targets.append(other)
            continue
        other_port = free_port()
        other_base = f"http://127.0.0.1:{other_port}"
        other.version = run([path, "--version"], check=False, stderr=subprocess.STDOUT).stdout.strip()
        command, other.user = as_service_user(path, work)
        run_target(other, processes, command + ["--web.listen-address", f"127.0.0.1:{other_port}", "--log.level", "warn"],
                   env, other_base + "/metrics", lambda b=other_base: http_get(b + "/-/ready", timeout=1)[0] == 200,
                   work, seconds, gzip_script, startup_timeout)
        other.note = f"the same code, {label}; runs {other.user}"
        targets.append(other)

    # nginx: the same bytes as chat-exporter's /metrics, and their gzip, as static files.
    nginx = Target("nginx (same bytes)", "nginx")
    if "nginx" in skipped:
        nginx.skipped = skipped["nginx"]
    elif not exporter.payload:
        nginx.skipped = "chat-exporter served no payload to copy"
    elif not shutil.which("nginx"):
        nginx.skipped = "nginx is not installed"
    else:
        root = work / "www"
        root.mkdir()
        root.chmod(0o755)
        (root / "metrics").write_bytes(exporter.payload["plain"])
        (root / "metrics.gz").write_bytes(exporter.payload["gzip"] or gzip.compress(exporter.payload["plain"]))
        nginx_port = free_port()
        (work / "nginx.conf").write_text(f"""
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {work}/nginx-tmp;
    proxy_temp_path {work}/nginx-tmp;
    fastcgi_temp_path {work}/nginx-tmp;
    uwsgi_temp_path {work}/nginx-tmp;
    scgi_temp_path {work}/nginx-tmp;
    server {{
        listen 127.0.0.1:{nginx_port};
        root {root};
        default_type "text/plain; version=0.0.4; charset=utf-8";
        gzip_static on;
        location = /metrics {{ }}
    }}
}}
""")
        nginx.version = run(["nginx", "-v"], check=False, stderr=subprocess.STDOUT).stdout.strip()
        nginx_url = f"http://127.0.0.1:{nginx_port}/metrics"
        run_target(nginx, processes, ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)], os.environ.copy(),
                   nginx_url, lambda: http_get(nginx_url, timeout=1)[0] == 200, work, seconds, gzip_script, 30)
        nginx.note = "static files, gzip_static; the physical limit of serving this payload here"
    targets.append(nginx)

    # The peers, with the same SQL for the headline collectors.
    peer_configs = write_peer_configs(config, work, dsn)

    def complete(url: str, marker) -> bool:
        status, body, _ = http_get(url, timeout=30)
        text = body.decode(errors="replace")
        return status == 200 and all(marker(name) in text for name in HEADLINE)

    qe = Target("query-exporter", "query-exporter")
    if "query-exporter" in skipped:
        qe.skipped = skipped["query-exporter"]
    elif not args.query_exporter:
        qe.skipped = "query-exporter is not installed"
    else:
        qe_port = free_port()
        qe.version = run([args.query_exporter, "--version"], check=False, stderr=subprocess.STDOUT).stdout.strip()
        qe_url = f"http://127.0.0.1:{qe_port}/metrics"
        run_target(qe, processes, [args.query_exporter, "--config", str(peer_configs["query-exporter"]), "-H", "127.0.0.1",
                                   "-p", str(qe_port), "-L", "warning"], os.environ.copy(), qe_url,
                   lambda: complete(qe_url, lambda n: f"bench_{n}{{"), work, seconds, gzip_script, startup_timeout)
        qe.note = "runs the SQL on its schedule (the collectors' intervals)"
    targets.append(qe)

    sqlx = Target("sql_exporter", "prometheus-sql-exporter")
    if "sql_exporter" in skipped:
        sqlx.skipped = skipped["sql_exporter"]
    elif not shutil.which("prometheus-sql-exporter"):
        sqlx.skipped = "prometheus-sql-exporter is not installed"
    else:
        sx_port = free_port()
        sqlx.version = " ".join(run(["prometheus-sql-exporter", "-version"], check=False, stderr=subprocess.STDOUT).stdout.split()[:3])
        sqlx.version = "prometheus-sql-exporter " + (run(["dpkg-query", "-W", "-f", "${Version}", "prometheus-sql-exporter"], check=False).stdout.strip())
        sx_url = f"http://127.0.0.1:{sx_port}/metrics"
        run_target(sqlx, processes, ["prometheus-sql-exporter", "-config.file", str(peer_configs["sql_exporter"]),
                                     "-web.listen-address", f"127.0.0.1:{sx_port}"],
                   dict(os.environ, LOGLEVEL="warn"), sx_url,
                   lambda: complete(sx_url, lambda n: f"sql_bench_{n}{{"), work, seconds, gzip_script, startup_timeout)
        sqlx.note = "runs the SQL on its schedule (one job per collector, the collectors' intervals)"
    targets.append(sqlx)

    pge = Target("postgres_exporter", "prometheus-postgres-exporter")
    if "postgres_exporter" in skipped:
        pge.skipped = skipped["postgres_exporter"]
    elif not shutil.which("prometheus-postgres-exporter"):
        pge.skipped = "prometheus-postgres-exporter is not installed"
    else:
        pg_port = free_port()
        pge.version = "prometheus-postgres-exporter " + run(["dpkg-query", "-W", "-f", "${Version}", "prometheus-postgres-exporter"], check=False).stdout.strip()
        pg_url = f"http://127.0.0.1:{pg_port}/metrics"
        run_target(pge, processes, ["prometheus-postgres-exporter", "--web.listen-address", f"127.0.0.1:{pg_port}",
                                    "--disable-default-metrics", "--disable-settings-metrics",
                                    "--no-collector.database", "--no-collector.bgwriter",
                                    "--extend.query-path", str(peer_configs["postgres_exporter"]), "--log.level", "warn"],
                   dict(os.environ, DATA_SOURCE_NAME=dsn), pg_url,
                   lambda: complete(pg_url, lambda n: f"bench_{n}_value{{"), work, seconds, gzip_script, startup_timeout)
        pge.note = "runs every query on every scrape (its default: no cache_seconds)"
    targets.append(pge)

    report = Report(args, started, scales, loads, db_costs, targets, observed, runs, seconds)
    text = report.markdown()
    print(report.console())
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text)
    results = json.dumps(report.json(), indent=1, default=str)
    (work / "results.json").write_text(results)
    if Path(args.output).resolve() == (ROOT / "docs/benchmarks.md").resolve():
        # Kept beside the report it was written from: --render writes the report again once findings.md changes.
        (BENCH / "last-run.json").write_text(results)
        log(f"wrote {BENCH / 'last-run.json'}")
    if args.keep:
        log(f"kept {work}")
    log(f"wrote {args.output}")
    return 0


# --------------------------------------------------------------------------------------------------------
# The report.

def fmt(value, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}{suffix}"
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def ratio(a, b) -> float | None:
    if a is None or b is None or b != b or a != a or b == 0 or a == 0:
        return None
    return a / b


class Report:
    def __init__(self, args, started, scales, loads, db_costs, targets, observed, runs, seconds) -> None:
        self.args, self.started, self.scales, self.loads = args, started, scales, loads
        self.db_costs, self.targets, self.observed, self.runs, self.seconds = db_costs, targets, observed, runs, seconds

    def target(self, name: str) -> Target:
        return next(t for t in self.targets if t.name.startswith(name))

    def machine(self) -> dict[str, str]:
        if getattr(self, "saved_machine", None):
            return self.saved_machine
        cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                    if l.startswith("model name")), platform.processor())
        mem_kb = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")))

        def version(cmd):
            try:
                return run(cmd, check=False, stderr=subprocess.STDOUT).stdout.strip().splitlines()[0]
            except (OSError, IndexError):
                return "–"
        revision = run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], check=False).stdout.strip() or "–"
        # Changes to the measured code, not to this run's own outputs.
        dirty = run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", ".",
                     ":(exclude)bench/last-run.json", ":(exclude)docs/benchmarks.md"], check=False).stdout.strip()
        return {
            "date": self.started.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1048576:.1f} GiB memory, Linux {platform.release()}",
            "os": version(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "postgresql": version(["psql", "--version"]) + " (server: the same binaries; shared_buffers 1GB, fsync off; the queries run with jit = off and without parallel workers, as chat-exporter's sessions do)",
            "swift": version(["swift", "--version"]),
            "chat-exporter": f"{self.target('chat-exporter').version.splitlines()[0] if self.target('chat-exporter').version else '–'}"
                             f" (tree {revision}{' + uncommitted changes' if dirty else ''}){' ' + self.args.build_info if self.args.build_info else ''}",
            "peers": "; ".join(f"{t.name}: {t.version.splitlines()[0] if t.version else '–'}" for t in self.targets if not t.name.startswith("chat-exporter")),
            "wrk": version(["wrk", "-v"]).split(" Copyright")[0],
        }

    # --- figures

    def headline(self) -> dict:
        ce, ng, qe = self.target("chat-exporter"), self.target("nginx"), self.target("query-exporter")
        s1, s3 = self.scales
        c1 = per_cycle(self.db_costs[s1]["collectors"])
        c3 = per_cycle(self.db_costs[s3]["collectors"])
        seed1 = per_cycle(self.db_costs[s1]["seed"])
        get = lambda t, k, f: t.scrapes.get(k, {}).get(f) if t.scrapes else None
        return {
            "rps50_vs_nginx": ratio(get(ce, "c50", "rps"), get(ng, "c50", "rps")),
            "rps50_gzip_vs_nginx": ratio(get(ce, "c50_gzip", "rps"), get(ng, "c50_gzip", "rps")),
            "rps50_vs_qe": ratio(get(ce, "c50", "rps"), get(qe, "c50", "rps")),
            "rps50_gzip_vs_qe": ratio(get(ce, "c50_gzip", "rps"), get(qe, "c50_gzip", "rps")),
            "p99_50": get(ce, "c50", "p99_ms"),
            "p99_50_gzip": get(ce, "c50_gzip", "p99_ms"),
            "rss_steady": ce.mem_steady.get("VmRSS"),
            "cycle_s1": c1, "cycle_s3": c3, "growth": ratio(c3, c1), "seed_s1": seed1, "vs_seed": ratio(seed1, c1),
        }

    def goals(self) -> list[tuple[str, str, bool | None]]:
        h = self.headline()
        def check(value, ok):
            return None if value is None else ok(value)
        worst_nginx = min(x for x in (h["rps50_vs_nginx"], h["rps50_gzip_vs_nginx"]) if x is not None) if h["rps50_vs_nginx"] is not None else None
        worst_qe = min(x for x in (h["rps50_vs_qe"], h["rps50_gzip_vs_qe"]) if x is not None) if h["rps50_vs_qe"] is not None else None
        worst_p99 = max(x for x in (h["p99_50"], h["p99_50_gzip"]) if x is not None) if h["p99_50"] is not None else None
        return [
            ("scrape throughput at 50 connections ≥ 0.5× nginx on the same bytes",
             f"{fmt(h['rps50_vs_nginx'], 2)}× plain, {fmt(h['rps50_gzip_vs_nginx'], 2)}× gzip", check(worst_nginx, lambda v: v >= 0.5)),
            ("scrape throughput at 50 connections ≥ 30× query-exporter",
             f"{fmt(h['rps50_vs_qe'])}× plain, {fmt(h['rps50_gzip_vs_qe'])}× gzip", check(worst_qe, lambda v: v >= 30)),
            ("p99 ≤ 5 ms at 50 connections", f"{fmt(h['p99_50'], 2)} ms plain, {fmt(h['p99_50_gzip'], 2)} ms gzip",
             check(worst_p99, lambda v: v <= 5)),
            ("RSS ≤ 20 MB (19.1 MiB) at steady state", f"{fmt(h['rss_steady'])} MiB" + "".join(
                f"; {t.name.removeprefix('chat-exporter ')}: {fmt(t.mem_steady.get('VmRSS'))} MiB"
                for t in self.targets[1:] if t.name.startswith("chat-exporter") and t.mem_steady),
             check(h["rss_steady"], lambda v: v * 2**20 <= 20e6)),
            (f"database time ≤ 100 ms per full cycle at scale {format_scale(self.scales[0])}", f"{fmt(h['cycle_s1'])} ms",
             check(h["cycle_s1"], lambda v: v <= 100)),
            (f"growth ≤ 2× from scale {format_scale(self.scales[0])} to {format_scale(self.scales[1])}",
             f"{fmt(h['growth'], 2)}× ({fmt(h['cycle_s1'])} → {fmt(h['cycle_s3'])} ms)", check(h["growth"], lambda v: v <= 2)),
            ("≥ 10× less database time per cycle than the seeds' own SQL (002)",
             f"{fmt(h['vs_seed'])}× ({fmt(h['seed_s1'])} ms vs {fmt(h['cycle_s1'])} ms)", check(h["vs_seed"], lambda v: v >= 10)),
        ]

    # --- tables

    def db_table(self) -> list[list[str]]:
        s1, s3 = self.scales
        rows = []
        for group, title in (("collectors", "collector"), ("seed", "seed 002")):
            for name, r1 in self.db_costs[s1][group].items():
                r3 = self.db_costs[s3][group][name]
                runs_per_min = 60 / r1["interval_s"]
                observed = fmt(self.observed.get(name), 2) if group == "collectors" else ""
                rows.append([f"{title}: {name}", f"{r1['interval_s']:g}s", fmt(r1["median_ms"], 2), fmt(r1.get("cpu_ms"), 0),
                             fmt(r3["median_ms"], 2), fmt(ratio(r3["median_ms"], r1["median_ms"]), 2) + "×",
                             fmt(r1["median_ms"] * runs_per_min, 1), observed])
            c1, c3 = per_cycle(self.db_costs[s1][group]), per_cycle(self.db_costs[s3][group])
            m1 = per_minute(self.db_costs[s1][group])
            m3 = per_minute(self.db_costs[s3][group])
            label = "default collectors" if group == "collectors" else "seed 002 SQL (each once a minute)"
            cpu1 = [r.get("cpu_ms") for r in self.db_costs[s1][group].values()]
            cpu_cycle = f"**{fmt(sum(cpu1), 0)}**" if None not in cpu1 else "–"
            rows.append([f"**{label}: one full cycle**", "", f"**{fmt(c1, 1)}**", cpu_cycle, f"**{fmt(c3, 1)}**",
                         f"**{fmt(ratio(c3, c1), 2)}×**", "", ""])
            rows.append([f"**{label}: per minute of schedule**", "", "", "", "", "",
                         f"**{fmt(m1, 1)}** ({fmt(m1 / 600, 2)} % of a core; scale {format_scale(s3)}: {fmt(m3 / 600, 2)} %)", ""])
        return rows

    def scrape_table(self) -> list[list[str]]:
        rows = []
        ce = self.target("chat-exporter")
        for t in self.targets:
            if t.skipped:
                rows.append([t.name, f"skipped: {t.skipped}"] + [""] * (len(self.SCRAPE_HEADER) - 2))
                continue
            s = t.scrapes
            cells = [t.name]
            for key in ("c1", "c50", "c1_gzip", "c50_gzip"):
                r = s.get(key, {})
                if not r.get("requests"):
                    cells.append(f"no request completed in the {self.seconds:g} s run")
                    continue
                cells.append(f"{fmt(r.get('rps'))} / {fmt(r.get('p50_ms'), 2)} / {fmt(r.get('p99_ms'), 2)}"
                             + (f" ({r['errors']} errors/timeouts)" if r.get("errors") else ""))
            cells.append(fmt(ratio(ce.scrapes.get("c50", {}).get("rps"), s.get("c50", {}).get("rps")), 2) + "×" if ce.scrapes else "–")
            cells.append(fmt(ratio(ce.scrapes.get("c50_gzip", {}).get("rps"), s.get("c50_gzip", {}).get("rps")), 2) + "×" if ce.scrapes else "–")
            cells.append(f"{t.payload.get('bytes', '–')} / {t.payload.get('gzip_bytes') or 'no gzip'}")
            cells.append(fmt(t.startup_s, 3) + " s" if t.startup_s is not None else "–")
            m = t.mem_steady
            cells.append(f"{fmt(m.get('VmRSS'))} ({fmt(m.get('RssAnon'))} anon + {fmt(m.get('RssFile'))} file)")
            cells.append(fmt(m.get("VmHWM")))
            cells.append(t.note)
            rows.append(cells)
        return rows

    SCRAPE_HEADER = ["target", "1 conn: req/s / p50 / p99 ms", "50 conns", "1 conn, gzip", "50 conns, gzip",
                     "chat-exporter ÷ it, 50 conns", "… gzip", "payload bytes / gzip", "start-up to complete",
                     "RSS steady MiB", "peak (VmHWM) MiB", "how it serves"]
    DB_HEADER = ["query", "interval", f"median ms, scale A", "CPU ms, scale A", f"median ms, scale B", "B ÷ A",
                 "ms per minute, scale A", "exporter-observed ms"]

    def console(self) -> str:
        def table(header, rows):
            widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
            lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths))]
            lines.append("  ".join("-" * w for w in widths))
            lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
            return "\n".join(lines)
        s1, s3 = self.scales
        db_header = [h.replace("scale A", f"scale {format_scale(s1)}").replace("scale B", f"scale {format_scale(s3)}") for h in self.DB_HEADER]
        out = ["", "== Database cost (server-side, planning + execution, median of %d) ==" % self.runs,
               table(db_header, [[c.replace("**", "") for c in r] for r in self.db_table()]),
               "", f"== Scrapes (wrk, {self.seconds:g}s each) and memory ==",
               table(self.SCRAPE_HEADER[:1] + self.SCRAPE_HEADER[1:], self.scrape_table()), "", "== Targets =="]
        for name, value, ok in self.goals():
            out.append(f"{'MET ' if ok else 'MISS' if ok is False else 'n/a '}  {name}: {value}")
        return "\n".join(out)

    def markdown(self) -> str:
        def table(header, rows):
            esc = lambda c: str(c).replace("|", "\\|")
            return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                             + ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows])
        s1, s3 = self.scales
        m = self.machine()
        ce = self.target("chat-exporter")
        loads = "\n".join(
            f"| {format_scale(s)} | {l.get('users')} | {l.get('lessons')} | {l.get('bookings')} | {l.get('rooms')} | "
            f"{l.get('messages')} | {l.get('audit_logs')} | {l.get('size_mb')} | {l.get('total_s')} s |"
            for s, l in self.loads.items())
        db_header = [h.replace("scale A", f"scale {format_scale(s1)}").replace("scale B", f"scale {format_scale(s3)}") for h in self.DB_HEADER]
        goals = "\n".join(f"| {name} | {value} | {'met' if ok else 'MISSED' if ok is False else 'n/a'} |"
                          for name, value, ok in self.goals())
        mem = ce.mem_ready
        quick = " (quick mode: a smoke run, not figures to quote)" if self.args.quick else ""
        return f"""# Benchmarks{quick}

Produced by `bash bench/run.sh{' --quick' if self.args.quick else ''}{'' if self.scales[0] == 1 or self.args.quick else ' --scale ' + format_scale(self.scales[0])}` on {m['date']}.
The figures are from one run on one machine: compare the ratios (measured side by side, in the same run, on the
same data), not the absolute numbers, which move with the machine and its other load.

| | |
|---|---|
| date | {m['date']} |
| machine | {m['machine']} |
| OS | {m['os']} |
| PostgreSQL | {m['postgresql']} |
| Swift | {m['swift']} |
| chat-exporter | {m['chat-exporter']} |
| peers | {m['peers']} |
| load generator | {m['wrk']} |

## Targets

| target | measured | |
|---|---|---|
{goals}

## Data

`bench/generate.sql` (through `bench/load.sh`): pairs of a teacher and a student booking series of weekly
lessons all through the last year, one booking per lesson, the room created with the first booking (1 % late,
0.5 % missing), 1 % soft deletion, messages over each series, 120 days of audit_logs; then the shipped
`deploy/sql/indexes.sql` and `VACUUM (ANALYZE)`.

| scale | users | lessons | bookings | chat_rooms | messages | audit_logs | database MB | load time |
|---|---|---|---|---|---|---|---|---|
{loads}

## Database cost

Each query is prepared with its parameters bound as the exporter binds them (the settings' values; a custom plan
each run, as libpq's unnamed statement gets) and run as `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY) EXECUTE`: the
figure is the server's planning + execution time, median of {self.runs} runs after a warm-up run, warm cache.
"CPU ms" is the CPU the server's processes took per run of the query itself, without EXPLAIN (the postmaster's
exited children's user and system time over {self.runs} runs in one session, less an empty session's start-up and
authentication, in 10 ms clock ticks): with no parallel workers it stays at or below the median, which includes
EXPLAIN's per-row instrumentation; a parallel plan would show here the CPU its wall clock hides. "Per minute" is
median × runs per minute of the default schedule; divided by 60 000 ms it is the share of one core the database
spends on the exporter. The seed's SQL (`bench/seed-002.sql`: chats today, average/maximum lag, slow creations,
duplicates, bookings without chats, the statistics) is the baseline, counted as run once a minute.
"exporter-observed" is `chat_exporter_collector_duration_seconds` of the release binary's first runs against
the scale-{format_scale(s1)} data, client-side: every collector starts at once on 3 pooled connections and
{os.cpu_count()} CPUs, so it shows start-up contention, not the steady cost. Both sets run with the session
settings chat-exporter gives its connections (`jit = off`, `max_parallel_workers_per_gather = 0`: see Findings), SQL
against SQL; each query runs in one backend, so its time is the CPU it takes (warm cache) and the per-minute share
of a core holds.

{table(db_header, self.db_table())}

## Scrapes, memory, start-up

`wrk --latency` for {self.seconds:g} s per cell (1 connection: 1 thread; 50 connections: 2 threads), on the same
{os.cpu_count()} CPUs as the server, against each target after its first complete result; "gzip" sends
`Accept-Encoding: gzip` (a Lua script). Each cell: requests per second / p50 / p99 latency in ms. nginx serves
the very bytes chat-exporter served (and their gzip, `gzip_static`): the physical limit of serving this payload
here. The peers run the same SQL for the headline collectors ({', '.join(HEADLINE)}), each made into one metric
family (a `metric` label names the chat-exporter metric), with the collectors' intervals; their payload differs
(their own process and runtime metrics). Start-up is from exec to `/-/ready` 200 for chat-exporter and to the
first `/metrics` holding every headline collector's series for the peers. RSS is read from `/proc/PID/status`
after the scrapes (chat-exporter at ready: {fmt(mem.get('VmRSS'))} MiB = {fmt(mem.get('RssAnon'))} anon +
{fmt(mem.get('RssFile'))} file-backed).

{table(self.SCRAPE_HEADER, self.scrape_table())}

## Findings

{FINDINGS.get('text', '(see the report of the run)') if not self.args.quick else 'Quick mode: no findings.'}
"""

    def json(self) -> dict:
        return {"started": self.started.isoformat(), "machine": self.machine(), "runs": self.runs, "seconds": self.seconds,
                "scales": self.scales, "loads": self.loads, "db_costs": self.db_costs, "observed": self.observed,
                "targets": [{k: v for k, v in t.__dict__.items() if k != "payload"} | {"payload": {k: v for k, v in t.payload.items() if k in ("bytes", "gzip_bytes")}} for t in self.targets],
                "headline": self.headline()}


def render(args) -> int:
    """Writes the report of an earlier run again from its results.json (e.g. after editing bench/findings.md)."""
    data = json.loads(Path(args.render).read_text())
    keyed = lambda d: {float(k): v for k, v in d.items()}
    targets = []
    for saved in data["targets"]:
        target = Target(saved["name"], saved["proc_name"])
        target.__dict__.update(saved)
        targets.append(target)
    started = dt.datetime.fromisoformat(data["started"]) if "started" in data else \
        dt.datetime.fromtimestamp(Path(args.render).stat().st_mtime, dt.timezone.utc)
    report = Report(args, started, [float(s) for s in data["scales"]], keyed(data["loads"]), keyed(data["db_costs"]),
                    targets, data.get("observed", {}), data.get("runs", 7), data.get("seconds", 10.0))
    report.saved_machine = data.get("machine")
    if not report.saved_machine:
        # An older results.json: the tree may have moved since the run; name the binary's own revision only.
        machine = report.machine()
        ce = report.target("chat-exporter")
        machine["chat-exporter"] = (ce.version.splitlines()[0] if ce.version else "–") + (f" {args.build_info}" if args.build_info else "")
        report.saved_machine = machine
    Path(args.output).write_text(report.markdown())
    print(report.console())
    return 0


FINDINGS_PATH = BENCH / "findings.md"
FINDINGS = {"text": FINDINGS_PATH.read_text().strip()} if FINDINGS_PATH.exists() else {}

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as interrupt:
        log(f"interrupted ({interrupt})")
        sys.exit(130)
