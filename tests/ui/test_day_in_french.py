"""The whole counter day in French (issue 14, "Done when"): keys only, at 80×24.

The cashier and the manager of the demo-like shop (tests/store/conftest.py) are switched to
French in their user record; the app starts in English (the default) on the sign-in screen.

    cashier signs in          the menu, the status bar and every screen read in French
    Shop Open, Ctrl+S         the day of 23/11/2026 opened (261101OP000001)
    Facture                   PARA500 ×3, AMOX250 ×2 at 10 %, BAND01 ×4; Ctrl+S posts it and,
                              a cash sale, opens the tendering (the Sales Receipt)
    split tender              30 000 CDF, Enter, 20 USD (typed with a decimal comma: "20,00")
    Ctrl+L, manager signs in  Shop Close: the till counted, Ctrl+S closes the day

Figures by hand (as in test_counter_speed, rate 2850, CDF cash increment 100)::

    lines 7.50 + 14.38 + 5.00 = 26.88, tax 1.20 + 2.30 + 0.00 = 3.50, payable 30.38 USD
    in CDF 30.38 × 2850 = 86,583.00 → rounded to 100: 86,600
    received 20 × 2850 = 57,000 + 30,000 = 87,000 CDF; change 87,000 − 86,600 = 400.00 CDF
    the till: +20.00 USD and +30,000 − 400 = +29,600.00 CDF (opening balances 0)

Shown the French way: 30,38 · 86 600,00 · 400,00 · 29 600,00 (U+00A0 groups thousands), dates
23/11/2026.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from textual.widgets import Footer

from shopterm.app import ScreenCommands, ShoptermApp
from shopterm.core import i18n
from shopterm.screens import registry
from shopterm.screens.home import HomeScreen
from shopterm.screens.login import LoginScreen
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.screens.sales_receipt import SalesReceiptScreen
from shopterm.screens.shop_close import ShopCloseScreen
from shopterm.screens.shop_open import ShopOpenScreen
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.status_bar import StatusBar
from shopterm.widgets.totals_footer import TotalsFooter
from tests.store import conftest as store
from tests.ui.test_print_keys import footer_fits
from tests.ui.waiting import wait_for

NB = "\u00a0"  # the French thousands mark


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    """The demo-like shop, no day open; the cashier (sales person SP02) and the manager read French."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    admin = store.actor(svc, "admin")
    svc.users.update(admin, "cashier", sales_person="SP02", language="fr")
    svc.users.update(admin, "manager", language="fr")
    yield svc
    svc.db.dispose()


@pytest.fixture(autouse=True)
def english_after():
    """The app switches the process's language at sign-in: English again for the next test."""
    yield
    i18n.set_language("en")


def footer(screen) -> str:
    return " ".join(f"{k.key_display} {k.description}" for k in screen.query_one(Footer).query("FooterKey"))


def status(screen) -> str:
    return screen.query_one(StatusBar).text


def text(screen, widget_id: str) -> str:
    return screen.query_one(f"#{widget_id}").text


def title(screen) -> str:
    return str(screen.query_one("#doc-title").render())


def hotkey(key: str) -> str:
    registry.discover()
    return {e.key: k for k, e in registry.hotkeys().items()}[key]


async def sign_in(pilot, app, name: str, pin: str) -> HomeScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen.is_mounted, "sign-in")
    await pilot.press(*name, "enter", *pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.keys, "the menu")
    return app.screen


async def open_entry(pilot, app, key: str, cls: type):
    await pilot.press(hotkey(key))
    await wait_for(pilot, lambda: isinstance(app.screen, cls) and app.keys_ready(), f"{key} open")
    return app.screen


async def test_a_french_cashier_and_manager_do_the_whole_day(shop):
    app = ShoptermApp(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        # -- signing in: the screen is English (the default); the menu is the cashier's French --
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "sign-in")
        assert str(app.screen.query_one("#login-intro").render()) == "Sign in to open the till."
        home = await sign_in(pilot, app, "cashier", "1111")
        assert i18n.current() == "fr"
        assert str(home.query_one("#home-title").render()) == "Menu de cashier : tapez une touche, ou ↑↓ puis Entrée"
        menu = [str(o.prompt) for o in home.query_one("#home-menu")._options]
        assert "── Journée ──" in menu and "── Ventes ──" in menu
        assert any(line.endswith("Ouverture de caisse") for line in menu)
        assert any(line.endswith("Facture") for line in menu)
        await wait_for(pilot, lambda: "CAISSE FERMÉE" in status(home), "the day closed")
        assert "23/11/2026" in status(home) and "cashier (caissier)" in status(home)
        assert "1 USD = 2" + NB + "850 CDF" in status(home)
        # Ctrl+K: the palette asks in French and finds the screens by their French names
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ShopCommandPalette", "the palette")
        assert app.screen.query_one("CommandInput").placeholder == "Aller à un écran…"
        titles = [title for title, *_rest in ScreenCommands._commands(type("P", (), {"app": app})())]
        assert "Ouverture de caisse" in titles and "Facture" in titles and "Accueil" in titles
        # a search that finds no screen says so in French
        await pilot.press(*"zzqx")
        options = app.screen.query_one("CommandList")
        await wait_for(pilot, lambda: any("Aucun écran trouvé" in str(o.prompt) for o in options._options),
                       "no matches, in French")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "back to the menu")

        # -- Shop Open ------------------------------------------------------------------------
        screen = await open_entry(pilot, app, "shop_open", ShopOpenScreen)
        await wait_for(pilot, lambda: screen.query_one("#field-date").value == "23/11/2026", "the date")
        assert title(screen) == "Ouverture de caisse · Nouveau"
        assert text(screen, "document-no") == "(à l'enregistrement)"
        assert [str(label.render()) for label in screen.query(".cf-label")][:4] == [
            "Date doc*", "Point de vente*", "N° document", "Remarques"]
        await wait_for(pilot, lambda: all(k in footer(screen) for k in ("^N Nouv", "^S Enr", "F3 Liste",
                                                                         "Esc Retour")), lambda: footer(screen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "opened")
        assert screen.message_bar.text == "Caisse ouverte le 23/11/2026 : 261101OP000001"
        assert title(screen) == "Ouverture de caisse 261101OP000001 · Comptabilisé"
        await wait_for(pilot, lambda: "CAISSE OUVERTE" in status(screen), "the status bar says open")
        # the longer French day state and role fit 80 columns: the location's name gives way, not the rate
        assert status(screen) == " AXP │ 23/11/2026 │ CAISSE OUVERTE │ cashier (caissier) │ 1 USD = 2" + NB + "850 CDF"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "back to the menu")

        # -- the facture ----------------------------------------------------------------------
        invoice = await open_entry(pilot, app, "sales_invoice", SalesInvoiceScreen)
        await wait_for(pilot, lambda: invoice.customer is not None, "the counter's defaults")
        grid = invoice.query_one(ItemGrid)
        assert title(invoice) == "Facture · Nouveau"
        header = [str(s.render()) for s in invoice.query(".inv-label")]
        for label in ("PdV", "Date", "Vente", "N°", "Client", "Tél", "Taux", "Délégué"):
            assert label in header, (label, header)
        assert str(invoice.query_one("#field-sales-type").render()) == "compt."
        await wait_for(pilot, lambda: str(invoice.query_one("#inv-credit").render()) == "Client comptant · prix de détail",
                       lambda: str(invoice.query_one("#inv-credit").render()))  # not "prix retail"
        assert str(invoice.query_one("#grid-header").render()).split()[:6] == ["#", "Article", "Lot", "Qté", "Prix",
                                                                             "Rem%"]
        await pilot.press(*"PARA500", "enter", "3", "enter", *"AMOX250", "enter", "2", "%", *"10", "enter",
                          *"BAND01", "enter", "4", "enter")
        totals = invoice.query_one(TotalsFooter)
        await wait_for(pilot, lambda: totals.figure("payable") == "30,38",
                       lambda: f"{[l.item for l in grid.lines]} {totals.figure('payable')!r}")
        assert [l.text("price") for l in grid.lines[:3]] == ["2,50", "7,99", "1,25"]
        assert (totals.figure("tax"), totals.figure("net"), totals.figure("payable_cdf")) == (
            "3,50", "30,38", "86" + NB + "600,00")
        labels = [str(s.render()) for s in totals.query(".tf-label")]
        assert ["Qté", "Brut", "Rem.", "Glob", "Taxe", "Net", "Net $", "Net FC", "Arr FC", "À payer", "Dû FC",
                "Dû $", "Libellé"] == labels
        await wait_for(pilot, lambda: "^D Brou" in footer(invoice) and "Esc Retour" in footer(invoice),
                       lambda: footer(invoice))

        # -- Ctrl+S posts it; a cash sale: the tendering, French amounts typed the French way ----
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SalesReceiptScreen)
                       and app.screen.loaded_number is not None and app.screen.calc is not None, "tendering")
        tender = app.screen
        assert title(tender) == "Reçu de vente / Remboursement · Nouveau"
        assert text(tender, "invoice-info") == "facture comptant du 23/11/2026, USD"
        assert text(tender, "invoice-cdf") == "86" + NB + "600,00"
        await pilot.press(*"30000", "enter", *"20,00")
        await wait_for(pilot, lambda: tender.calc is not None and tender.calc.received_total_cdf == D("87000"),
                       "both amounts read")
        assert text(tender, "receipt-note") == "Payé en entier : rendez 400,00 CDF de monnaie."
        assert text(tender, "returned-cdf") == "400,00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is invoice and invoice.last_receipt is not None
                       and invoice.view is None and invoice.customer is not None, "the next customer")
        assert invoice.message_bar.text == (
            "Reçu 261101RC000001 comptabilisé · rendez 400,00 CDF de monnaie · client suivant")
        assert title(invoice) == "Facture · Nouveau"

        # -- the manager closes the day (Shop Close is a manager's screen) ----------------------
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "back to the menu")
        await pilot.press("ctrl+l")
        home = await sign_in(pilot, app, "manager", "2222")
        assert "manager (gérant)" in status(home) and len(status(home)) <= 80
        close = await open_entry(pilot, app, "shop_close", ShopCloseScreen)
        await wait_for(pilot, lambda: text(close, "cdf-closing") == "29" + NB + "600,00", "the day's figures")
        assert title(close) == "Clôture de caisse · Nouveau"
        assert (text(close, "usd-opening"), text(close, "usd-cash_sales"), text(close, "usd-closing")) == (
            "0,00", "20,00", "20,00")
        assert text(close, "cdf-cash_sales") == "29" + NB + "600,00"
        assert text(close, "close-verdict") == "Comptez la caisse"
        rows = [str(label.render()) for label in close.query(".dg-label")]
        assert {"Solde d'ouverture", "Ventes comptant (+)", "Solde de clôture", "Caisse comptée*",
                "Écart (+manquant)"} <= set(rows)
        # nothing counted yet: no difference figure, and it is not called balanced
        assert (text(close, "usd-difference"), text(close, "usd-excess")) == ("", "non compté")
        await wait_for(pilot, lambda: all(k in footer(close) for k in ("F5 ◂Tab", "^S Enr", "F9 Écr", "Esc Retour")),
                       lambda: footer(close))
        assert footer_fits(close) and "F4" not in footer(close)  # no history before the close
        close.query_one("#field-location").focus()  # a lookup field: F2 is shown too, still inside 80 columns
        await wait_for(pilot, lambda: "F2 Rech" in footer(close), lambda: footer(close))
        assert footer_fits(close), footer(close)
        close.query_one("#field-physical-usd").focus()
        await wait_for(pilot, lambda: "F2" not in footer(close), lambda: footer(close))
        await pilot.press(*"20", "enter", *"29600")
        await wait_for(pilot, lambda: (text(close, "usd-difference"), text(close, "cdf-difference"))
                       == ("0,00", "0,00") and text(close, "close-verdict") == "Caisse juste", "counted")
        assert text(close, "cdf-excess") == "0,00 juste"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: close.posted, "closed")
        assert close.message_bar.text == "Journée clôturée : 261101CL000001. Plus aucune opération à cette date"
        assert title(close) == "Clôture de caisse 261101CL000001 · Clôturé"
        await wait_for(pilot, lambda: "CAISSE FERMÉE" in status(close), "the status bar says closed")
        # a closed day: F12 (re-print) and F4 appear, Ctrl+S (nothing to save) goes; the footer fits 80 columns
        await wait_for(pilot, lambda: "F12 Dupl" in footer(close) and "F4 Hist" in footer(close), lambda: footer(close))
        assert "^S" not in footer(close) and footer_fits(close), footer(close)
        # Billetage: the heads "Billet USD", "Nombre", "Total" each keep a blank before the next
        await pilot.press("f6")
        await wait_for(pilot, lambda: all(h.size.width for h in close.query(".denom-head")), "the note counts")
        heads = [(str(h.render()), h.size.width) for h in close.query(".denom-head")]
        assert [t for t, _w in heads] == ["Billet USD", "Nombre", "Total", "Billet CDF", "Nombre", "Total"]
        assert all(w > len(t) for t, w in heads), heads

    # what was posted is the same as in English: the figures are the data's, not the screen's
    view = shop.sales.document("261101SI000001")
    assert (view.totals.payable, view.sales_person, view.posted_by) == (D("30.38"), "SP02", "cashier")
    summary = shop.day.summary("AXP", store.DAY)
    assert summary.status == "closed"
    assert (summary.usd.physical, summary.cdf.physical) == (D("20.00"), D("29600.00"))
