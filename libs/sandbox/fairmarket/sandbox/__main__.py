"""python -m fairmarket.sandbox --host H --port P [--seed N]"""

import argparse
import os

import uvicorn

from fairmarket.sandbox.app import create_app

parser = argparse.ArgumentParser(description="fairmarket sandbox marketplace")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8010)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument(
    "--count",
    type=int,
    default=int(os.environ.get("FAIRMARKET_SANDBOX_COUNT", "60")),
    help="listings per matching query (FAIRMARKET_SANDBOX_COUNT)",
)
args = parser.parse_args()
uvicorn.run(
    create_app(seed=args.seed, count=args.count),
    host=args.host,
    port=args.port,
    access_log=False,
    log_level="warning",
)
