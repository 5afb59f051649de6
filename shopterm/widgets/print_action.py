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


def print_document(screen: Any, number: str | None, *, reprint: bool = False, kind: str | None = None,
                   format: str | None = None, usd: bool | None = None,
                   on_done: Callable[[Any], Any] | None = None) -> Any:
    """Print the posted document ``number`` from ``screen`` (a :class:`ShopScreen`). Returns the worker
    (None when nothing was started: no number, or the screen is busy)."""
    if not number:
        screen.show_error("Drafts cannot be printed: save it first")
        return None
    actor = screen.actor

    def call() -> Any:
        return screen.services.printing.print(actor, number, format=format, usd=usd, kind=kind)

    def done(printed: Any) -> None:
        screen.show_ok(printed.message())
        if on_done is not None:
            on_done(printed)

    what = "Re-printing" if reprint else "Printing"
    return screen.run_service(call, done, busy_text=f"{what} {number}…")


__all__ = ["print_document"]
