"""Module attributes built on first use, once (store/tables.py's tables)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def on_first_use(namespace: dict[str, Any], builders: dict[str, Callable[[], Any]]
                 ) -> tuple[Callable[[], None], Callable[[str], Any]]:
    """``(build_all, __getattr__)`` for a module whose attributes ``builders`` make: ``__getattr__(name)``
    builds one when first asked for and keeps it in ``namespace`` (the module's globals), once even
    when two threads ask at the same moment; ``build_all()`` builds every one."""
    lock = threading.Lock()

    def get(name: str) -> Any:
        build = builders.get(name)
        if build is None:
            raise AttributeError(f"module {namespace.get('__name__')!r} has no attribute {name!r}")
        with lock:
            value = namespace.get(name)
            if value is None:
                value = namespace[name] = build()
        return value

    def build_all() -> None:
        for name in builders:
            get(name)

    return build_all, get
