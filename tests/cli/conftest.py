"""Credentials for the CLI tests.

A headless command acts as a user only with a credential (DESIGN §10): the tests
give the PIN of the user named by ``--user`` (or ``SHOPTERM_USER``) through
``SHOPTERM_PIN``, as a script would, unless the test gives a PIN or a token itself.
The test shops use the demo's users and PINs.
"""

from __future__ import annotations

PINS = {"cashier": "1111", "manager": "2222", "admin": "9999"}


def with_pin(args, env: dict | None = None) -> dict:
    """``env`` plus ``SHOPTERM_PIN`` for the user the command acts as, when it gives no credential itself."""
    env = dict(env or {})
    args = list(args)
    if "--pin" in args or env.get("SHOPTERM_PIN") or env.get("SHOPTERM_TOKEN") or "--token" in args:
        return env
    user = env.get("SHOPTERM_USER")
    if "--user" in args:
        i = args.index("--user")
        user = args[i + 1] if i + 1 < len(args) else None
    if user in PINS:
        env["SHOPTERM_PIN"] = PINS[user]
    return env
