#!/usr/bin/python3
"""Reads one token per line on stdin and answers one line per token on stdout: "valid <sub> <jti>" or
"invalid <reason>". Configured by environment (see README.md); the project's tests drive it."""

import os
import sys

from latchkey_verifier import LatchkeyVerifier, Refused


def env(name, fallback=None):
    value = os.environ.get(name)
    if value:
        return value
    if fallback is None:
        sys.exit(f"{name} is required")
    return fallback


def main():
    verifier = LatchkeyVerifier(
        url=env("LATCHKEY_URL"),
        client_id=env("LATCHKEY_CLIENT_ID"),
        client_secret=env("LATCHKEY_CLIENT_SECRET"),
        issuer=env("LATCHKEY_ISSUER"),
        audience=env("LATCHKEY_AUDIENCE", "latchkey"),
        leeway=float(env("LATCHKEY_LEEWAY_SECONDS", "30")),
        lease=float(env("LATCHKEY_LEASE_SECONDS", "15")),
        unknown_kid_retry=float(env("LATCHKEY_UNKNOWN_KID_RETRY_SECONDS", "5")),
    )
    for line in sys.stdin:
        try:
            verified = verifier.verify(line.strip())
            print("valid", verified.sub, verified.jti, flush=True)
        except Refused as refused:
            print("invalid", refused, flush=True)
    verifier.close()


if __name__ == "__main__":
    main()
