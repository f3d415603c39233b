"""A stand-in child for the supervisor and stack tests: a tiny HTTP server, or a migration.

    standin.py serve [--port P] [--crash-times N --state FILE] [--exit-code C]
                     [--never-ready] [--ignore-term] [--grandchild FILE] [--check-infra]
    standin.py migrate          (records one row per run in the stack's database)

`serve` answers GET /healthz and /readyz on FAIRMARKET_HOST/FAIRMARKET_PORT (as a
service does) or --host/--port (as the sandbox does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def database_socket_dir() -> str:
    url = urlparse(os.environ["FAIRMARKET_DATABASE_URL"])
    return parse_qs(url.query)["host"][0]


def infra_problem() -> str | None:
    """What a real service's /readyz checks: the database and the broker are reachable."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(os.path.join(database_socket_dir(), ".s.PGSQL.5432"))
        host, port = os.environ["FAIRMARKET_KAFKA_BOOTSTRAP"].rsplit(":", 1)
        socket.create_connection((host, int(port)), timeout=1).close()
    except (OSError, KeyError) as exc:
        return repr(exc)
    return None


def serve(args: argparse.Namespace) -> None:
    if args.state:
        state = Path(args.state)
        runs = int(state.read_text()) + 1 if state.exists() else 1
        # Written aside then renamed: a run stopped mid-write must leave the count readable.
        scratch = state.with_suffix(".tmp")
        scratch.write_text(str(runs))
        os.replace(scratch, state)
        if runs <= args.crash_times:
            print(f"standin run {runs}: crashing on purpose", flush=True)
            sys.exit(args.exit_code)
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.grandchild:
        stubborn = (
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
        )
        child = subprocess.Popen([sys.executable, "-c", stubborn])  # outlives its parent's SIGTERM
        Path(args.grandchild).write_text(str(child.pid))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            problem = None
            if self.path == "/readyz":
                problem = "never ready" if args.never_ready else None
                problem = problem or (infra_problem() if args.check_infra else None)
            elif self.path != "/healthz":
                problem = "not found"
            body = (problem or "ok").encode()
            self.send_response(503 if problem else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    host = args.host or os.environ.get("FAIRMARKET_HOST", "127.0.0.1")
    port = args.port or int(os.environ["FAIRMARKET_PORT"])
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"standin serving on {host}:{port}", flush=True)
    server.serve_forever()


async def migrate() -> None:
    import asyncpg

    conn = await asyncpg.connect(host=database_socket_dir(), user="postgres", database="postgres")
    await conn.execute("CREATE TABLE IF NOT EXISTS standin_migrations (at timestamptz)")
    await conn.execute("INSERT INTO standin_migrations VALUES (now())")
    await conn.close()
    print("standin migrated", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "migrate"])
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--crash-times", type=int, default=0)
    parser.add_argument("--state")
    parser.add_argument("--exit-code", type=int, default=3)
    parser.add_argument("--never-ready", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--grandchild")
    parser.add_argument("--check-infra", action="store_true")
    args = parser.parse_args()
    if args.mode == "migrate":
        asyncio.run(migrate())
    else:
        serve(args)


if __name__ == "__main__":
    main()
