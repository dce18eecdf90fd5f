#!/usr/bin/env python3
"""Container health check: exit 0 when URL answers over HTTP, 1 otherwise.

    nightshift-healthcheck URL [--any-status]

By default only a 2xx answer is healthy (the Prefect server's /api/health, the worker's
/health, the simulator's /simulator/config). ``--any-status`` accepts any HTTP answer: a
server that answers 401 or 404 on ``/`` is up. Standard library only, so it runs in any image.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_S = 4.0


def healthy(url: str, any_status: bool) -> bool:
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"nightshift-healthcheck: not an http(s) URL: {url!r}")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310
            return bool(200 <= response.status < 300)
    except urllib.error.HTTPError:
        return any_status
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--any-status"]
    if len(args) != 1:
        print("usage: nightshift-healthcheck URL [--any-status]", file=sys.stderr)
        return 2
    ok = healthy(args[0], "--any-status" in argv)
    print(f"{'healthy' if ok else 'unhealthy'}: {args[0]}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
