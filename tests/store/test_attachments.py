"""Attachments of Sales Promotion and Discount Slabs: stored in the database (name, size,
SHA-256, bytes), listed, saved out, opened with the system viewer when there is one, audited;
bad paths and files too big are refused with a clear message and nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from shopterm.services.errors import PermissionDenied, ValidationError
from shopterm.services.masters import attachments as att_module
from shopterm.store.models import Attachment, AuditLog


@pytest.fixture
def promo(services, manager):
    return services.masters.create_promotion(
        manager, item="PARA500", reason="SUPP", cost_centre="SHOP", scheme_date=dt.date(2026, 11, 1),
        ranges=[{"min_qty": "10", "max_qty": "", "free_qty": "1"}], locations=["AXP"]).scheme_no


def test_attach_list_save_out_and_open(services, manager, cashier, promo, tmp_path, monkeypatch):
    letter = tmp_path / "supplier letter.pdf"
    letter.write_bytes(b"%PDF-1.4 offer 10+1\n")
    info = services.masters.attach(manager, "promotion", promo, str(letter))
    assert (info.name, info.size, info.sha256, info.created_by) == (
        "supplier letter.pdf", 20, hashlib.sha256(b"%PDF-1.4 offer 10+1\n").hexdigest(), "manager")
    sheet = tmp_path / "slabs.csv"
    sheet.write_text("from,to,pct\n100,499,3\n")
    services.masters.attach(manager, "discount_slab", "DS0001", sheet)
    assert [a.name for a in services.masters.attachments("promotion", promo)] == ["supplier letter.pdf"]
    assert [(a.name, a.size) for a in services.masters.attachments("discount_slab", "DS0001")] == [("slabs.csv", 22)]
    with services.db.read() as s:
        assert s.execute(select(Attachment.data).where(Attachment.id == info.id)).scalar_one() == letter.read_bytes()

    (tmp_path / "out").mkdir()
    out = services.masters.save_attachment(manager, info.id, tmp_path / "out")  # a folder: the file's own name
    assert out == (tmp_path / "out" / "supplier letter.pdf").resolve() and out.read_bytes() == letter.read_bytes()
    default = services.masters.save_attachment(manager, info.id)
    assert default.name == "supplier letter.pdf" and default.parent.name == f"promotion-{promo}"
    assert default.read_bytes() == letter.read_bytes()

    monkeypatch.setattr(att_module.shutil, "which", lambda name: None)
    opened = services.masters.open_attachment(manager, info.id)
    assert (opened.path, opened.viewer) == (default, "")
    calls = []
    monkeypatch.setattr(att_module.shutil, "which", lambda name: "/usr/bin/xdg-open")
    monkeypatch.setattr(att_module.subprocess, "Popen", lambda args, **kw: calls.append(args))
    opened = services.masters.open_attachment(manager, info.id)
    assert calls == [["/usr/bin/xdg-open", str(default)]] and opened.viewer == "/usr/bin/xdg-open"

    with services.db.read() as s:
        actions = s.execute(select(AuditLog.action, AuditLog.summary).where(
            AuditLog.action.in_(["attach", "save_attachment", "open_attachment"])).order_by(AuditLog.id)).all()
    assert [a for a, _ in actions] == ["attach", "attach", "save_attachment", "save_attachment", "save_attachment",
                                       "save_attachment", "open_attachment"]
    assert actions[0][1].startswith("attached supplier letter.pdf (20 B, sha256 ")
    assert [h.action for h in services.masters.history("promotion", promo)][-1] == "open_attachment"
    with pytest.raises(PermissionDenied):
        services.masters.attach(cashier, "promotion", promo, str(letter))


def test_bad_paths_and_files_too_big_store_nothing(services, manager, promo, tmp_path, monkeypatch):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "scan.tiff"
    big.write_bytes(b"x" * 2049)
    (tmp_path / "ok.txt").write_text("fine")
    monkeypatch.setattr(att_module, "MAX_BYTES", 1536)
    for path, message in (
            ("", "File: type the path of the file to attach"),
            (str(tmp_path / "nope.pdf"), f"File {tmp_path / 'nope.pdf'} not found"),
            (str(tmp_path), f"{tmp_path} is not a file"),
            (str(empty), "File empty.txt is empty"),
            (str(big), "File scan.tiff is too big: 2.0 KB, at most 1.5 KB")):
        with pytest.raises(ValidationError) as exc:
            services.masters.attach(manager, "promotion", promo, path)
        assert (exc.value.field, exc.value.message) == ("path", message)
    with pytest.raises(ValidationError) as exc:
        services.masters.attach(manager, "customer", "C0001", str(tmp_path / "ok.txt"))
    assert exc.value.message == "Attachments: one of promotion, discount_slab, not customer"
    with services.db.read() as s:
        assert s.execute(select(Attachment)).first() is None
