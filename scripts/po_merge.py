"""Git merge driver for the translation catalogues: the union of both sides' entries.

Two branches that each add strings to ``shopterm.po`` touch neighbouring lines of a
sorted file; a line merge then conflicts although nothing contradicts. This driver
keeps every entry of both sides. An entry one side changed and the other left as it
was in the common ancestor takes the change (a rebased commit's new translation is
kept); when both changed it differently, ours wins; a translation wins over an empty
one. Set up once per clone:

    git config merge.pounion.name "union of gettext catalogues"
    git config merge.pounion.driver "python3 scripts/po_merge.py %O %A %B"

(``.gitattributes`` names the driver for ``*.po``; without the config git merges lines.)
Standard library only: it runs with whatever Python git finds.
"""

from __future__ import annotations

import ast
import re
import sys


def entries(text: str) -> tuple[str, dict[tuple[str, str], str]]:
    """``(header block, {(msgctxt, msgid): block})``."""
    header = ""
    found: dict[tuple[str, str], str] = {}
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        if not block.strip():
            continue
        fields: dict[str, str] = {}
        key = None
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
            elif line and not line.startswith("#"):
                key, _, rest = line.partition(" ")
                fields[key] = ast.literal_eval(rest.strip()) if rest.strip() else ""
        if fields.get("msgid", None) == "" and "msgctxt" not in fields:
            header = header or block
            continue
        found[(fields.get("msgctxt", ""), fields.get("msgid", ""))] = block
    return header, found


def translated(block: str) -> bool:
    if "#, fuzzy" in block:
        return False
    return any(line.startswith("msgstr") and not line.rstrip().endswith('""') for line in block.splitlines()) \
        or bool(re.search(r'^msgstr.*\n"[^"]', block, re.M))


def main(base: str, ours: str, theirs: str) -> int:
    try:
        with open(base, encoding="utf-8") as fh:
            _base_header, ancestor = entries(fh.read())
    except OSError:
        ancestor = {}
    with open(ours, encoding="utf-8") as fh:
        ours_header, mine = entries(fh.read())
    with open(theirs, encoding="utf-8") as fh:
        theirs_header, other = entries(fh.read())
    merged = dict(mine)
    for key, block in other.items():
        if key not in merged or (not translated(merged[key]) and translated(block)):
            merged[key] = block
        elif translated(block) and block != merged[key] and ancestor.get(key) == merged[key]:
            merged[key] = block  # only theirs changed it since the ancestor: their change
    out = [ours_header or theirs_header] + [merged[k] for k in sorted(merged, key=lambda k: (k[1], k[0]))]
    with open(ours, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(b.strip("\n") for b in out if b) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
