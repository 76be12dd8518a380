"""A coordinator sets up her second factor on a phone in Arabic, then logs in with a code."""

import re

import pyotp

import clock
from blueprints.auth import accounts
from blueprints.auth import queries as staff

from .conftest import PASSWORD, axe_violations, broken_words, horizontal_overflow, new_phone


def problems(page):
    return [
        *axe_violations(page),
        *([f"{horizontal_overflow(page)} px sideways"] if horizontal_overflow(page) else []),
        *broken_words(page),
    ]


def test_a_coordinator_sets_up_her_second_factor_and_logs_in_with_a_code(browser, live, server_db):
    server, base = live
    app = server.app.app
    user_id = accounts.create_user(server_db, "tofaktor", "coordinator", PASSWORD)
    app.config["REQUIRE_2FA"] = True
    context = new_phone(browser)
    page = context.new_page()
    try:
        page.goto(f"{base}/ar/login")
        page.fill("#username", "tofaktor")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/ar/account/two-factor")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator(".setup-qr svg").is_visible()
        seen = {"set-up": problems(page)}
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        assert page.locator("code.secret").get_attribute("dir") == "ltr"  # read left to right in Arabic too
        page.fill("#code", "000000")
        page.click("main button[type=submit]")
        assert page.locator("#code").input_value() == "000000"  # kept, with the reason beside it
        seen["set-up with an error"] = problems(page)
        page.fill("#code", pyotp.TOTP(secret).at(clock.now().timestamp()))
        page.click("main button[type=submit]")
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10 and all(
            re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes
        )
        seen["recovery codes"] = problems(page)
        page.click("main a.button")
        page.wait_for_url(f"{base}/ar/")
        page.click("header button[type=submit]")  # log out
        page.wait_for_url(f"{base}/ar/login")

        page.fill("#username", "tofaktor")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/ar/login/code")
        seen["code"] = problems(page)
        page.fill("#code", pyotp.TOTP(secret).at(clock.now().timestamp() + 30))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/ar/")
        assert {name: found for name, found in seen.items() if found} == {}
    finally:
        app.config["REQUIRE_2FA"] = False
        context.close()
        staff.clear_totp(server_db, user_id)
        staff.update_active(server_db, user_id, False)  # the other tests' accounts page stays as it was
