"""``python -m genesis_worker.genesis openapi [FILE]``: write the OpenAPI document of the worker's REST API
(Connect's routes and Genesis's)."""

from __future__ import annotations

import sys

import orjson

from genesis_worker.genesis.layer import worker_openapi_document


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "openapi" or len(argv) > 2:
        print("usage: python -m genesis_worker.genesis openapi [FILE]", file=sys.stderr)
        return 2
    text = orjson.dumps(worker_openapi_document(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    if len(argv) == 2:
        with open(argv[1], "wb") as f:
            f.write(text + b"\n")
    else:
        sys.stdout.write(text.decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
