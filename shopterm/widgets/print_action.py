"""Printing from a screen: Ctrl+P "Save and Print", a re-print key, "Print Delivery", "PDF".

A screen calls :func:`print_document` once it has a posted document's number::

    from shopterm.widgets.print_action import print_document

    def _saved(self, result) -> None:            # after Save (Ctrl+P: save, then print)
        self.set_document(result.number, "Posted")
        if self._print_after_save:
            print_document(self, result.number)

    def action_reprint(self) -> None:            # the re-print key on a saved document
        print_document(self, self.document_number, reprint=True)

    print_document(self, number, kind="delivery")   # "Print Delivery" of an invoice
    print_document(self, number, format="pdf")      # "PDF"

The print runs in a worker (``screen.run_service``): the service writes the file
to the location's print folder and runs the Shop Setup's print command, counts
and audits the print. The message bar then says where it went ("Printed
261101SI000001 to /…/prints/AXP/261101SI000001.pdf", or the print command and
its answer); a failure (no number yet, a failing printer command) is shown as an
error and nothing is counted.

``reprint`` only changes the wording while it runs; whether the paper says
"DUPLICATE — RE-PRINT n" is decided by the document's print count (a document
printed before is always marked, a first print never is).
"""

from __future__ import annotations

from typing import Any, Callable

from textual.binding import Binding

from shopterm.core.i18n import N_, _


def print_document(screen: Any, number: str | None, *, reprint: bool = False, kind: str | None = None,
                   format: str | None = None, usd: bool | None = None,
                   on_done: Callable[[Any], Any] | None = None, command: bool = True) -> Any:
    """Print the posted document ``number`` from ``screen`` (a :class:`ShopScreen`). Returns the worker
    (None when nothing was started: no number, or the screen is busy)."""
    if not number:
        screen.show_error(_("Drafts cannot be printed: save it first"))
        return None
    actor = screen.actor

    def call() -> Any:
        if command:
            return screen.services.printing.print(actor, number, format=format, usd=usd, kind=kind)
        return screen.services.printing.print(actor, number, format=format, usd=usd, kind=kind, command=False)

    def done(printed: Any) -> None:
        screen.show_ok(printed.message())
        if on_done is not None:
            on_done(printed)

    busy = _("Re-printing {number}…") if reprint else _("Printing {number}…")
    return screen.run_service(call, done, busy_text=busy.format(number=number))


#: Ctrl+O "PDF" (see :class:`PdfKey`).
PDF_BINDING = Binding("ctrl+o", "pdf", N_("PDF"), id="doc.pdf", key_display="^O")


class PdfKey:
    """Screen mixin (before the DocumentScreen base): Ctrl+O writes the posted document's A4 PDF
    to the location's print folder, whatever the Shop Setup's print layout (the seed's "PDF"
    button); the print command is not run. Shown only while there is a posted document
    (:meth:`print_number`), as F12. The screen lists :data:`PDF_BINDING` in its own ``BINDINGS``
    (Textual reads bindings from widget classes only)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pdf":
            return bool(self.print_number())  # type: ignore[attr-defined]
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_pdf(self) -> None:
        number = self.print_number()  # type: ignore[attr-defined]
        if not number:
            return

        def done(printed: Any) -> None:
            self.show_ok(_("PDF of {number} written to {path}").format(  # type: ignore[attr-defined]
                number=printed.number, path=printed.path))

        print_document(self, number, format="pdf", usd=self.print_usd(),  # type: ignore[attr-defined]
                       on_done=done, command=False)


__all__ = ["PDF_BINDING", "PdfKey", "print_document"]
