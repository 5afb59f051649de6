"""``shopterm attach list|add|save``: the attachments of a promotion from a shell."""

from __future__ import annotations

import hashlib

from tests.cli.test_imports_cli import db, run, shop_template  # noqa: F401 - fixtures


def test_attach_add_list_save_and_refuse(db, tmp_path):
    from shopterm.services import Services
    from shopterm.store.db import normalise_url

    items = tmp_path / "items.csv"
    items.write_text("code,name,unit,pack_size,tax_rate,cost_usd\nPARA500,Paracetamol 500 mg,BOX,100,16,1.60\n")
    assert run("import", "items", str(items), "--db", db, "--user", "admin").exit_code == 0
    svc = Services.open(normalise_url(db))
    try:
        admin = svc.users.login("admin", "9999")
        svc.masters.create_promotion(admin, item="PARA500", reason="SUPP", cost_centre="SHOP",
                                     scheme_date="2026-11-01", ranges=[{"min_qty": "10", "free_qty": "1"}],
                                     locations=["AXP"])
    finally:
        svc.db.dispose()
    letter = tmp_path / "offer.txt"
    letter.write_text("buy 10 get 1\n")
    digest = hashlib.sha256(b"buy 10 get 1\n").hexdigest()
    result = run("attach", "add", "promotion", "sp000001", str(letter), "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout) == (0, f"attached offer.txt (13 B, sha256 {digest}) as 1\n")
    result = run("attach", "list", "promotion", "SP000001", "--db", db, "--user", "admin")
    assert result.stdout.split("\t")[:5] == ["1", "offer.txt", "13 B", digest, "admin"]
    out = tmp_path / "copy.txt"
    result = run("attach", "save", "1", "--to", str(out), "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout, out.read_text()) == (0, f"saved {out.resolve()}\n", "buy 10 get 1\n")
    result = run("attach", "add", "promotion", "SP000001", str(tmp_path / "none.pdf"), "--db", db, "--user", "admin")
    assert result.exit_code == 1 and f"File {tmp_path / 'none.pdf'} not found" in result.stderr
