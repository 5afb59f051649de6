"""Regenerate ``shopterm/screens/menu.json``, the menu's list of screens, from the screen modules.

The menu shows every screen without importing their modules (``screens.registry.discover``); a
screen's module is imported when it is first opened. After adding a screen or changing what a screen
registers (key, title, group, roles, hotkey, help) run::

    .venv/bin/python scripts/regen_screen_menu.py           # write the file
    .venv/bin/python scripts/regen_screen_menu.py --check   # exit 1 if it differs (tests/ui/test_screen_menu.py)
"""

from __future__ import annotations

import json
import sys


def render() -> str:
    """The file's text: one menu row a line (key, module, title, group, roles, hotkey, help), in menu
    order, then the package's modules that register no screen."""
    from shopterm.screens import registry

    errors = registry.discover_all()
    if errors:
        raise SystemExit(f"screen modules failed to import: {errors}")
    rows = ",\n".join(f"    {json.dumps(list(row), ensure_ascii=False)}" for row in registry.menu_rows())
    quiet = ",\n".join(f"    {json.dumps(m)}" for m in registry.modules_without_entry())
    return f'{{\n  "menu": [\n{rows}\n  ],\n  "no_entry": [\n{quiet}\n  ]\n}}\n'


def main(argv: list[str]) -> int:
    from shopterm.screens.registry import MENU_FILE

    text = render()
    if "--check" in argv:
        current = MENU_FILE.read_text(encoding="utf-8") if MENU_FILE.exists() else ""
        if current != text:
            print(f"{MENU_FILE.name} differs from the screen modules: run scripts/regen_screen_menu.py",
                  file=sys.stderr)
            return 1
        return 0
    MENU_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MENU_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
