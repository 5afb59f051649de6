"""Attachments of master records (seed: the Attachment tab of Sales Promotion and Discount Slabs).

A file is stored **in the database** (table ``attachment``): its name, size, SHA-256 and bytes,
so a backup or a copy of the database carries it and a second till sees it. Attaching, saving
out and opening are audited on the record (``attach``, ``save_attachment``, ``open_attachment``).

* :meth:`AttachmentMasters.attach` reads a file (at most :data:`MAX_BYTES`); a missing path, a
  folder, an unreadable or empty file, or one too big is refused with a message naming it and
  nothing is stored.
* :meth:`AttachmentMasters.save_attachment` writes the bytes out (to a path given, or to
  ``<data dir>/attachments/<entity>-<key>/<name>``), after checking they still match their hash.
* :meth:`AttachmentMasters.open_attachment` saves it out, then opens it with the system viewer
  (``xdg-open``) when there is one; without one it says where the file was saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from shopterm.core.i18n import N_, _, localize_number
from ...store import models as m
from ..admin import audit
from ..context import Actor
from ..errors import NotFound, ValidationError
from .base import ENTITIES, MastersBase, get_or_404

#: the masters that take attachments (seed: Sales Promotion, Discount Slabs)
ATTACHABLE = ("promotion", "discount_slab")
#: the largest file attached (5 MB): a scanned letter or a price list, not a video
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    entity: str
    key: str
    name: str
    size: int
    sha256: str
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OpenedAttachment:
    path: Path  # where it was saved out
    viewer: str  # the command that opened it ('' when the system has no viewer)


def size_text(size: int, *, neutral: bool = False) -> str:
    """``532 B``, ``12.4 KB``, ``1.5 MB`` for a person (``12,4 Ko`` in French); ``neutral``: always the
    English form (stored text such as the audit log's summary)."""
    if size < 1024:
        number, unit = str(size), N_("B")
    elif size < 1024 * 1024:
        number, unit = f"{size / 1024:.1f}", N_("KB")
    else:
        number, unit = f"{size / 1024 / 1024:.1f}", N_("MB")
    if neutral:
        return f"{number} {unit}"
    return f"{localize_number(number)} {_(unit)}"


class AttachmentMasters(MastersBase):
    def _record(self, session: Session, entity: str, key: str) -> Any:
        if entity not in ATTACHABLE:
            raise ValidationError("Attachments: one of {names}, not {entity}", field="entity",
                                  params={"names": ", ".join(ATTACHABLE), "entity": entity})
        return get_or_404(session, ENTITIES[entity], key)

    def attach(self, actor: Actor, entity: str, key: str, path: str | Path) -> AttachmentInfo:
        """Store the file at ``path`` on the record (all or nothing)."""
        raw = str(path or "").strip()
        if not raw:
            raise ValidationError("File: type the path of the file to attach", field="path")
        file = Path(raw).expanduser()
        if not file.exists():
            raise ValidationError("File {path} not found", field="path", params={"path": str(file)})
        if not file.is_file():
            raise ValidationError("{path} is not a file", field="path", params={"path": str(file)})
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError("File {name} is too big: {size}, at most {limit}", field="path",
                                  params={"name": file.name, "size": size_text(size), "limit": size_text(MAX_BYTES)})
        if size == 0:
            raise ValidationError("File {name} is empty", field="path", params={"name": file.name})
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ValidationError("Cannot read {path}: {reason}", field="path",
                                  params={"path": str(file), "reason": exc.strerror or exc}) from None
        digest = hashlib.sha256(data).hexdigest()
        with self._write(actor, "masters", N_("Attachments")) as session:
            row = self._record(session, entity, key)
            att = m.Attachment(entity=entity, entity_id=row.id, name=file.name[:200], size=len(data), sha256=digest,
                               data=data, created_by=actor.user_id)
            session.add(att)
            session.flush()
            audit.record(session, actor, "attach", entity, row.id,
                         after={"attachment": att.id, "name": att.name, "size": att.size, "sha256": digest},
                         summary=f"attached {att.name} ({size_text(att.size, neutral=True)}, sha256 {digest[:12]})")
            return self._info(session, att, key)

    def attachments(self, entity: str, key: str) -> list[AttachmentInfo]:
        with self.db.read() as session:
            row = self._record(session, entity, key)
            found = session.exec(select(m.Attachment).where(m.Attachment.entity == entity,
                                                            m.Attachment.entity_id == row.id)
                                 .order_by(col(m.Attachment.id))).all()
            return [self._info(session, a, key) for a in found]

    def save_attachment(self, actor: Actor, attachment_id: int, target: str | Path | None = None) -> Path:
        """Write the attachment out: to ``target`` (a folder or a file), else the attachments folder."""
        actor.require("masters", N_("Attachments"))
        with self.db.read() as session:
            att = session.get(m.Attachment, attachment_id)
            if att is None:
                raise NotFound("Attachment {id} not found", field="attachment", params={"id": attachment_id})
            key = getattr(session.get(ENTITIES[att.entity].model, att.entity_id), ENTITIES[att.entity].key)
            name, data, digest, entity, entity_id = att.name, bytes(att.data), att.sha256, att.entity, att.entity_id
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValidationError("Attachment {name} does not match its hash: not saved", field="attachment",
                                  params={"name": name})
        if target is None or not str(target).strip():
            path = self.s.printing.data_dir() / "attachments" / f"{entity}-{key}" / name
        else:
            path = Path(str(target).strip()).expanduser()
            if path.is_dir():
                path = path / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise ValidationError("Cannot write {path}: {reason}", field="path",
                                  params={"path": str(path), "reason": exc.strerror or exc}) from None
        with self.db.write() as session:
            audit.record(session, actor, "save_attachment", entity, entity_id,
                         after={"attachment": attachment_id, "name": name, "path": str(path)},
                         summary=f"saved {name} to {path}")
        return path.resolve()

    def open_attachment(self, actor: Actor, attachment_id: int) -> OpenedAttachment:
        """Save the attachment out, then open it with the system viewer (``xdg-open``) if there is one."""
        path = self.save_attachment(actor, attachment_id)
        viewer = shutil.which("xdg-open")
        if viewer is None:
            return OpenedAttachment(path, "")
        try:
            subprocess.Popen([viewer, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise ValidationError("Cannot open {path} with {viewer}: {reason}", field="attachment",
                                  params={"path": str(path), "viewer": viewer, "reason": exc.strerror or exc}) from None
        with self.db.read() as session:
            att = session.get(m.Attachment, attachment_id)
            entity, entity_id, name = att.entity, att.entity_id, att.name
        with self.db.write() as session:
            audit.record(session, actor, "open_attachment", entity, entity_id,
                         after={"attachment": attachment_id, "name": name, "viewer": viewer},
                         summary=f"opened {name} with {viewer}")
        return OpenedAttachment(path, viewer)

    @staticmethod
    def _info(session: Session, a: m.Attachment, key: str) -> AttachmentInfo:
        user = session.get(m.User, a.created_by) if a.created_by else None
        return AttachmentInfo(a.id, a.entity, key, a.name, a.size, a.sha256, user.name if user else "",
                              a.created_at)


__all__ = ["ATTACHABLE", "AttachmentInfo", "AttachmentMasters", "MAX_BYTES", "OpenedAttachment", "size_text"]
