"""Command-line values read without pydantic (Typer's plain parameter types).

Typer (0.29) coerces every parameter's value through a pydantic ``TypeAdapter`` built on first use: the
first option a command line gives (``--db``) imports pydantic, its plugin loader and importlib.metadata
and builds adapters — 84–91 ms CPU for every command, before it opens a database. Every option and
argument of shopterm is a ``str``, ``bool``, ``int`` or ``list[str]`` without a parser or bounds.

:func:`install` makes Typer build, for exactly those, a runtime parameter that reads the value the way
the adapter would read it when the answer is certain (a text for ``str``; ``true``/``no``/… for a
``bool``; digits for an ``int``; texts for ``list[str]``). Any other value (``--count 1.0``, a bool
spelt ``"maybe"``) is handed to Typer's own adapter, built then: its result and its error message are
Typer's. Any other type (``Path``, choices, bounds, a parser) never comes here.
tests/cli/test_command_params.py checks both readings agree, and that a command line loads no pydantic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_INT = re.compile(r"[+-]?[0-9]+")
# pydantic's lax booleans (strings are matched lower-cased, as pydantic-core does)
_TRUE = frozenset(("1", "on", "t", "true", "y", "yes"))
_FALSE = frozenset(("0", "off", "f", "false", "n", "no"))
_UNSURE = object()


def _str(value: Any) -> Any:
    return value if value.__class__ is str else _UNSURE


def _bool(value: Any) -> Any:
    if value.__class__ is bool:
        return value
    if value.__class__ is str:
        text = value.strip().lower()
        if text == "":
            return False  # Typer reads an empty text as False before pydantic sees it
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return _UNSURE


def _int(value: Any) -> Any:
    if value.__class__ is int:
        return value
    if value.__class__ is str and len(value) <= 18 and _INT.fullmatch(value):
        return int(value)
    return _UNSURE


def _str_list(value: Any) -> Any:
    items = value if isinstance(value, (list, tuple)) else [value]
    return list(items) if all(v.__class__ is str for v in items) else _UNSURE


def reader_for(annotation: Any) -> Any:
    """The plain reading of a parameter of this type, or None (Typer's adapter reads it)."""
    if annotation is str:
        return _str
    if annotation is bool:
        return _bool
    if annotation is int:
        return _int
    if annotation == list[str]:
        return _str_list
    return None


def install(typer: Any) -> None:
    """Make ``typer`` (imported) read plain parameter types without pydantic; once, and only where Typer
    has the hook this relies on (another Typer version keeps its own reading)."""
    core = getattr(typer, "core", None)
    build = getattr(core, "build_runtime_param", None)
    if build is None or getattr(build, "_shopterm", False):
        return
    from typer._coercion import RuntimeParam

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        """A value of a plain type read as Typer's adapter reads it; anything else, by that adapter."""

        descriptor: Any = None
        read: Any = None
        _adapter: list = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            got = self.read(value)
            if got is not _UNSURE:
                return got
            if not self._adapter:
                self._adapter.append(build(self.descriptor))
            return self._adapter[0]._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        info = descriptor.parameter_info
        read = reader_for(descriptor.annotation)
        if (read is None or descriptor.file_annotation is not None or info.parser is not None
                or info.min is not None or info.max is not None or info.clamp or descriptor.is_path
                or descriptor.is_choice):
            return build(descriptor)
        return PlainParam(parameter_info=info, annotation=descriptor.annotation, descriptor=descriptor, read=read)

    build_runtime_param._shopterm = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
