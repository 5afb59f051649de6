"""Pieces shared by the ledger screens (not a menu screen: the name starts with ``_``).

* :class:`LedgerScreen` — a read-mostly :class:`DocumentScreen`: filters are
  not "unsaved changes", the body is as wide as the terminal; the screen opens
  on its first filter field and Enter from the last filter goes on to the
  :class:`~shopterm.widgets.ledger_view.LedgerView` (a screen opened on a
  given customer or account starts in the view).
* :class:`FilterRow` — one line of labelled filters.
* :class:`DateTimeInput` — "changed since": ``yyyy-mm-dd`` or
  ``yyyy-mm-dd hh:mm`` in local time (an aware datetime comes out).
* :func:`short_type` — the voucher type in 8 characters for the row (the
  detail line shows the service's full label).
* :func:`balance_words` — a balance said in words (owes us / credit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, ProgressBar, Static

from shopterm.core import i18n, money, narration
from shopterm.core.i18n import N_, _, pgettext
from shopterm.core.money import format_amount
from shopterm.core.payments import method_label
from shopterm.screens.base.document import DocumentScreen
from shopterm.screens.base.counter import run_preview
from shopterm.widgets.inputs import CodeInput, DateInput, ShopInput
from shopterm.widgets.ledger_view import LedgerView
from shopterm.widgets.progress import LongWork
from shopterm.widgets.voucher_view import VoucherView

if TYPE_CHECKING:
    from shopterm.services import Status
    from shopterm.services.context import Actor
    from shopterm.services.documents.views import DocumentView
    from shopterm.services.ledger.entries import MatchInfo

ZERO = Decimal("0.00")
DEBOUNCE_SECONDS = 0.25
#: A (date, id) key after every row: ``before_key`` for the last page of a keyset-paged report.
END_KEY = (dt.date(9999, 12, 31), 2**62)

_SHORT = {
    "Sales invoice": N_("Invoice"),
    "Provisional invoice": N_("Prov.inv"),
    "Invoice reversal": N_("Reversal"),
    "Credit note/return": N_("Return"),
    "Return reversal": N_("Reversal"),
    "Refund": N_("Refund"),
    "Payment on account": N_("On acct"),
    "Payment reversal": N_("Reversal"),
}


def short_type(label: str) -> str:
    """``"Payment on account"`` → ``"On acct"`` (at most 8 characters)."""
    if label == "Payment received":  # "Payment" alone is also the shop's money going out (Décaissement)
        return pgettext("ledger type", "Payment")
    return _(_SHORT[label]) if label in _SHORT else _(label)[:8]


def usd(value: Decimal | None) -> str:
    return "" if value is None else f"{format_amount(value)} USD"


def balance_words(balance: Decimal) -> str:
    """Positive: the customer owes us; negative: a credit (we owe the customer)."""
    if balance > 0:
        return _("Owes us {amount} USD").format(amount=format_amount(balance))
    if balance < 0:
        return _("Credit {amount} USD (we owe them)").format(amount=format_amount(-balance))
    return _("Balance {amount} USD: nothing owed").format(amount=format_amount(Decimal("0.00")))


def local_time(ts: dt.datetime | None) -> str:
    if ts is None:
        return ""
    if ts.tzinfo is not None:
        ts = ts.astimezone()
    return i18n.format_datetime(ts)


class DateTimeInput(ShopInput):
    """A moment: ``yyyy-mm-dd`` (midnight) or ``yyyy-mm-dd hh:mm``, local time."""

    DEFAULT_KIND = "time"

    def __init__(self, value: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", i18n.date_hint().lower() + " hh:mm")
        kwargs.setdefault("max_length", 16)
        super().__init__(value, **kwargs)

    def _parse(self, text: str) -> dt.datetime:
        day_text, _sep, time_text = text.strip().replace("T", " ").partition(" ")
        try:
            day = i18n.parse_date(day_text)
            clock = dt.time.fromisoformat(time_text.strip()) if time_text.strip() else dt.time(0, 0)
            value = dt.datetime.combine(day, clock)
        except ValueError:
            raise money.MoneyError(_("{label}: {text!r} is not a date and time (type {hint})").format(
                label=self.label, text=text, hint=i18n.date_hint().lower() + " hh:mm")) from None
        if value.tzinfo is None:
            value = value.astimezone()  # the shop's local time
        return value

    @property
    def datetime_value(self) -> dt.datetime | None:
        return self.parsed_value


class FilterRow(Horizontal):
    """One line of the filter area: ``Label [widget]  Label [widget] …``."""

    def __init__(self, *parts: tuple[str, Widget] | Widget, id: str | None = None) -> None:
        super().__init__(id=id, classes="lg-filters")
        self._parts = parts

    def compose(self) -> ComposeResult:
        for part in self._parts:
            if isinstance(part, tuple):
                label, widget = part
                if label:
                    yield Label(_(label), classes="lg-label")
                yield widget
            else:
                yield part


class LedgerScreen(DocumentScreen):
    """Base of the ledger screens (module docstring).

    A subclass calls :meth:`schedule_reload` when a filter changes (debounced);
    :meth:`apply_filters` then runs — rebuild the view's source there.
    """

    SUPPORTS: ClassVar[frozenset[str]] = frozenset()
    FILTER_IDS: ClassVar[tuple[str, ...]] = ()
    #: The date fields the business date fills when they are blank as the screen opens
    #: (:meth:`open_with_status`): ``(selector, "day")``, or ``"month"`` for the 1st of its month.
    STATUS_DATES: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The id of the code field (account, customer) whose F2 pick or Enter chooses what the
    #: screen shows: :meth:`code_chosen` (a name or a phone typed opens the F2 lookup instead).
    CODE_FIELD: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._filter_timer: Timer | None = None
        self._report_work: LongWork | None = None
        self._next_read: tuple[Callable[[Any], Any], Callable[[Any], None]] | None = None
        self.exporting = False

    def is_dirty(self) -> bool:
        return False  # filters are not unsaved work

    # -- a whole report the screen waits for: a progress bar, Esc cancels (issue 16) ----------

    @staticmethod
    def progress_bar() -> Horizontal:
        """The screen's progress bar and counts (yield it in ``compose_document``): shown while a
        report is read."""
        row = Horizontal(ProgressBar(total=None, show_eta=True, id="lg-progress"),
                         Static("", id="lg-progress-counts", markup=False), id="lg-progress-row")
        row.display = False
        return row

    @property
    def reading(self) -> bool:
        return self._report_work is not None and self._report_work.running

    def read_report(self, call: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """``call(on_progress)`` (a service report) in a thread under the screen's progress bar; then
        ``done(report)``. Esc while it runs cancels it (the screen stays, says so, F5 reads again); a newer
        read (the filters changed) stops the running one and starts when it has stopped."""
        if self._report_work is None:
            self._report_work = LongWork(self, self.query_one("#lg-progress", ProgressBar), group="report",
                                         cancelled=N_("Cancelled: the report was not read · F5 reads it again"),
                                         counts=self.query_one("#lg-progress-counts", Static))
        self._next_read = (call, done)
        if not self._report_work.cancel():
            self._start_read()

    def _start_read(self) -> None:
        assert self._report_work is not None and self._next_read is not None
        call, done = self._next_read
        self._next_read = None
        self.query_one("#lg-progress-row").display = True
        self._report_work.start(call, lambda report: self._read_done(done, report), self._read_failed)

    def _read_done(self, done: Callable[[Any], None], report: Any) -> None:
        if self._next_read is not None:  # the filters changed meanwhile: read again
            self._start_read()
            return
        self.query_one("#lg-progress-row").display = False
        done(report)

    def _read_failed(self, error: BaseException) -> None:
        if self._next_read is not None:
            self._start_read()
            return
        self.query_one("#lg-progress-row").display = False
        if LongWork.was_cancelled(error):
            self.show_info(str(error))
        else:
            self.show_error(error)

    def action_back(self) -> None:
        """Esc: while a report is read, cancel it (the screen stays usable); else back."""
        if self._report_work is not None and self._report_work.cancel():
            self._next_read = None
            self.show_info(_("Cancelling…"))
            return
        super().action_back()

    def action_export(self) -> None:
        """Ctrl+O: the whole report to a file (:mod:`.export_dialog`), when the screen has one."""
        request = self.export_request()
        if request is None:
            return
        from shopterm.screens.ledgers.export_dialog import open_export

        self.exporting = True  # a screen that reads again on resume need not (see Receivables)
        open_export(self, *request)

    def export_request(self) -> tuple[str, str, Callable[[Any], Any]] | None:
        """(title, default file name, ``build(on_progress)``) of the report shown; None: nothing to export."""
        return None

    @property
    def view(self) -> LedgerView:
        return self.query_one(LedgerView)

    # -- filters ---------------------------------------------------------------

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.input.id in self.FILTER_IDS:
            self.schedule_reload()

    def schedule_reload(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(DEBOUNCE_SECONDS, self._filters_due)

    def _filters_due(self) -> None:
        self._filter_timer = None
        fields = [w for w in self.query(ShopInput) if w.id in self.FILTER_IDS]
        if not self.check_fields(fields):
            return
        if self.filter_values() == getattr(self, "_applied_filters", None):
            return  # e.g. a default put in the field, already applied
        self.apply_filters()

    def filter_values(self) -> tuple[str, ...]:
        return tuple(w.value.strip() for w in self.query(Input) if w.id in self.FILTER_IDS)

    def remember_filters(self) -> None:
        """Call from :meth:`apply_filters`: what is applied now (a later Changed for it is ignored)."""
        self._applied_filters = self.filter_values()

    def apply_filters(self) -> None:  # pragma: no cover - overridden
        pass

    def action_reload(self) -> None:
        self.apply_filters()

    # -- the code field ----------------------------------------------------------

    def code_chosen(self, code: str) -> None:  # pragma: no cover - overridden with CODE_FIELD
        pass

    def code_shown(self, text: str) -> bool:
        """Enter on the code field: True when ``text`` is what is shown already (nothing to load)."""
        return False

    @on(CodeInput.Picked)
    def _code_picked(self, event: CodeInput.Picked) -> None:
        if self.CODE_FIELD and event.input.id == self.CODE_FIELD:
            event.stop()
            self.code_chosen(event.row.code)

    @on(Input.Submitted)
    def _code_entered(self, event: Input.Submitted) -> None:
        if not self.CODE_FIELD or event.input.id != self.CODE_FIELD:
            return
        event.stop()
        field = self.query_one(f"#{self.CODE_FIELD}", CodeInput)
        if self.code_shown(field.value):
            return
        code = code_typed(self, field)
        if code:
            self.code_chosen(code)

    # -- the view --------------------------------------------------------------

    @on(LedgerView.LoadFailed)
    def _load_failed(self, event: LedgerView.LoadFailed) -> None:
        event.stop()
        self.show_error(event.error)
        self._load_error = True

    @on(LedgerView.PageLoaded)
    def _page_loaded(self, event: LedgerView.PageLoaded) -> None:
        if getattr(self, "_load_error", False):  # the filters that failed were fixed
            self._load_error = False
            if self.message_bar.kind == "error":
                self.clear_message()

    def focus_view(self) -> None:
        self.view.focus()

    def line_or_say(self) -> Any:
        """The line under the view's cursor, or None, said in the message bar."""
        row = self.view.cursor_row
        if row is None:
            self.show_error(_("No line selected"))
        return row

    # -- opening -----------------------------------------------------------------

    def open_with_status(self) -> None:
        """From ``on_mount``: focus the first of ``STATUS_DATES`` (the first field that takes typing;
        Enter goes on to the view), then read the status off the loop for :meth:`status_loaded`."""
        self.query_one(self.STATUS_DATES[0][0], DateInput).focus()
        load_status(self, self.status_loaded)

    def status_loaded(self, status: Status) -> None:
        """The business date into the blank ``STATUS_DATES`` (what was typed while the screen opened
        stays), then the filters apply."""
        day = status.business_date
        for selector, unit in self.STATUS_DATES:
            field = self.query_one(selector, DateInput)
            if not field.value:
                field.set_value(day.replace(day=1) if unit == "month" else day)
        self.apply_filters()


class AtDateScreen(LedgerScreen):
    """A report at one date (trial balance, receivables): its At field opens with the business date."""

    AUTO_FOCUS = None
    FILTER_IDS = ("field-at",)
    STATUS_DATES = (("#field-at", "day"),)
    #: Ctrl+O: the export's title (``{date}``) and file name (``<EXPORT_NAME>-<date>.csv``).
    EXPORT_TITLE: ClassVar[str] = ""
    EXPORT_NAME: ClassVar[str] = ""

    def report_at(self, actor: Actor, at: dt.date | None, progress: Callable[[Any], Any]) -> Any:
        """The service's report at ``at`` (in a worker thread; ``progress`` is its ``on_progress``)."""
        raise NotImplementedError  # pragma: no cover - every report screen says which

    def read_at(self, done: Callable[[Any], None]) -> None:
        """Read the report at the date typed (progress bar, Esc cancels), then ``done(report)``."""
        at, actor = self.at, self.actor
        self.read_report(lambda progress: self.report_at(actor, at, progress), done)

    def export_request(self) -> tuple[str, str, Callable[[Any], Any]] | None:
        at, actor = self.at, self.actor
        if at is None:
            return None
        return (_(self.EXPORT_TITLE).format(date=i18n.format_date(at)), f"{self.EXPORT_NAME}-{at.isoformat()}.csv",
                lambda progress: self.report_at(actor, at, progress))

    @staticmethod
    def at_field() -> tuple[str, DateInput]:
        """The At field, for the screen's :class:`FilterRow`."""
        return (N_("At"), DateInput(id="field-at", label=_("At date"), field_name="at", classes="lg-date"))

    @property
    def at(self) -> dt.date | None:
        return self.query_one("#field-at", DateInput).date_value

    def on_mount(self) -> None:
        super().on_mount()
        self.open_with_status()


def on_loop(screen: Any, call: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None] | None = None, *, group: str = "ledger") -> None:
    """Run ``call()`` in a thread and hand the result to ``done`` on the event loop (the counter
    screens' :func:`run_preview`: the latest call per ``group`` wins); errors go to the message bar."""
    run_preview(screen, call, done, failed or screen.show_error, group=group)


def code_typed(screen: Any, field: CodeInput) -> str | None:
    """Enter in a code field: the code typed, or None after opening the F2 lookup on what was typed
    (a name or a phone is not a code: search for it)."""
    text = field.value.strip()
    if not text:
        return None
    if field.code is None:
        field.error = None
        field.remove_class("-error")
        screen.clear_message()
        field.focus()
        field.action_lookup()
        return None
    return field.code


class VoucherOnEnter:
    """Screen mixin: Enter on a line, or F9, shows the line's voucher (rows with ``number``)."""

    def on_ledger_view_selected(self, event: LedgerView.Selected) -> None:  # a mixin: named handler, not @on
        event.stop()
        show_entry_voucher(self, event.row.number)

    def action_voucher(self) -> None:
        row = self.view.cursor_row  # type: ignore[attr-defined]
        if row is not None:
            show_entry_voucher(self, row.number)


# -- Enter on a ledger line: the voucher, the document and the match groups -----------------


def document_text(view: DocumentView) -> str:
    """The document behind a ledger line, in a few lines (header, totals, items)."""
    from shopterm.core.doctypes import DOC_TYPES

    refund = view.doc_type == "RC" and view.subtype == "refund"  # an RC is a receipt or a refund
    kind = _("Refund") if refund else _(DOC_TYPES.get(view.doc_type, view.doc_type))
    lines = [_("{kind} {number} · {date} · {status} · at {location}").format(
        kind=kind, number=view.number or _("(draft)"), date=i18n.format_date(view.date), status=_(view.status),
        location=view.location)]
    who = f"{view.customer} {view.customer_name}" if view.customer else _("no customer")
    rate = money.format_rate(view.rate)
    lines.append(_("Customer {who} · {currency} at {rate} CDF/USD").format(who=who, currency=view.currency, rate=rate))
    t = view.totals
    extra = view.extra or {}
    if view.lines:
        lines.append(_("Net {net} {currency} ({net_usd} USD) · receivable {receivable} {currency}").format(
            net=format_amount(t.net), currency=view.currency, net_usd=format_amount(t.net_usd),
            receivable=format_amount(t.receivable)))
        for ln in view.lines[:8]:
            lines.append(f"  {ln.line_no:>2} {str(ln.item or ''):<8} {money.format_qty(ln.qty):>7} × "
                         f"{format_amount(ln.price):>9} = {format_amount(ln.line_net):>10}")
        if len(view.lines) > 8:
            lines.append("  " + _("… {count} more lines").format(count=len(view.lines) - 8))
    elif t.receivable:
        lines.append(_amount_text(view, _kind_label(extra.get("method"), view.subtype)))
    if view.narration:
        lines.append(_("Narration: {text}").format(text=narration.shown(view.narration)))
    if view.posted_by:
        lines.append(_("Posted by {name} {when}").format(name=view.posted_by, when=local_time(view.posted_at)).rstrip())
    return "\n".join(lines)


def _amount_text(view: DocumentView, kind: str) -> str:
    """A cash document's amount. A receipt's (refund's) USD figure is not a second total but the
    cash the till kept (paid out) for it: 54.86 USD settled by 50 USD + 13,900 CDF at 2850 = 54.88 USD."""
    t = view.totals
    amount, usd = format_amount(t.receivable), format_amount(t.receivable_usd)
    if view.doc_type == "RC" and view.subtype == "receipt":
        return _("Settles {amount} {currency} · cash taken in, less change, worth {usd} USD").format(
            amount=amount, currency=view.currency, usd=usd)
    if view.doc_type == "RC" and view.subtype == "refund":
        return _("Refunds {amount} {currency} · cash paid out worth {usd} USD").format(
            amount=amount, currency=view.currency, usd=format_amount(abs(t.receivable_usd)))
    if view.currency == "USD":  # its USD value is the amount itself
        text = _("Amount {amount} {currency}").format(amount=amount, currency=view.currency)
    else:
        text = _("Amount {amount} {currency} ({usd} USD)").format(amount=amount, currency=view.currency, usd=usd)
    return text + (f" · {kind}" if kind else "")


def _kind_label(method: str | None, subtype: str | None) -> str:
    """What kind of cash document a voucher is, in the reader's language: the payment method of a
    payment on account, else a receipt's or shop entry's kind (receipt, refund, payment)."""
    if method:
        return method_label(method)
    kinds = {"receipt": pgettext("voucher kind", "receipt"), "refund": pgettext("voucher kind", "refund"),
             "payment": pgettext("voucher kind", "payment")}
    return kinds.get(subtype or "", method_label(subtype))


def match_text(info: MatchInfo) -> str:
    """One match group: its id, kind, date and the entries with their amounts."""
    if info.unmatched_on:
        head = _("Match {id} ({kind}, {date}, unmatched {undone})").format(
            id=info.match_id, kind=_(info.kind), date=i18n.format_date(info.date),
            undone=i18n.format_date(info.unmatched_on))
    else:
        head = _("Match {id} ({kind}, {date})").format(id=info.match_id, kind=_(info.kind),
                                                       date=i18n.format_date(info.date))
    parts = [f"  {number}  {'Dr' if amt > 0 else 'Cr'} {format_amount(abs(amt)):>10} USD" for _eid, number, amt in info.lines]
    return "\n".join([head, *parts])


def show_entry_voucher(screen: Any, number: str, match_ids: tuple[int, ...] = ()) -> None:
    """Enter on a ledger line: load the document and its match groups in a worker, then show the
    F9 voucher view (Dr/Cr lines) with the document and the match groups under it."""
    actor = screen.actor

    def load() -> tuple[DocumentView, list[MatchInfo]]:
        services = screen.services
        view = services.sales.document(number)
        matches = [services.ledger.match_info(actor, m) for m in match_ids]
        return view, matches

    def loaded(result: tuple[DocumentView, list[MatchInfo]]) -> None:
        view, matches = result
        screen.app.push_screen(EntryVoucherView(view, matches))

    screen.run_service(load, loaded, busy_text=None)


class EntryVoucherView(VoucherView):
    """The voucher view of a ledger line: Dr/Cr lines, then the document and its match groups."""

    def __init__(self, view: DocumentView, matches: list[MatchInfo]) -> None:
        super().__init__(_("Voucher · {number}").format(number=view.number), view.journal)
        self.document = view
        self.matches = matches
        self.body.append("\n\n" + document_text(view))
        for info in matches:
            self.body.append("\n\n" + match_text(info))


def load_status(screen: Any, apply: Callable[[Status], None]) -> None:
    """Read the status (location, business date, system rate) off the event loop for a screen's defaults.
    Keys typed meanwhile wait; a default then put in the focused field is selected, so what was typed
    replaces it (a date typed as the report opens is never lost under the business date)."""
    actor = screen.actor
    screen.hold_keys("status")

    def done(status: Status) -> None:
        try:
            apply(status)
            focused = screen.focused
            if isinstance(focused, Input) and focused.value:
                focused.select_all()
        finally:
            screen.release_keys("status")

    def failed(exc: BaseException) -> None:
        screen.release_keys("status")
        screen.show_error(exc)

    on_loop(screen, lambda: screen.services.status(actor), done, failed, group="status")
