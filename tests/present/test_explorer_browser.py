"""The explorer end to end, in a real headless browser (Debian's chromium driven by Playwright):
start `mentorsim explore`, change the design, run it, check the page's figures against the
paired-seed runner for the same settings, pin two designs, compare them, download the report.
A screenshot is kept as a test artefact (outputs/test-artifacts/explorer.png).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.present.explorer.design import from_preset
from sim.present.explorer.results import headline_rows
from sim.studies.paired import run_paired
from tests.conftest import REPO, cli_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "outputs" / "test-artifacts"
SEEDS = 3

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the explorer's browser tests (.ci/run does)")
    pytest.skip("Debian's chromium is not installed here", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("explorer") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "explore", "--port", str(port)], cwd=REPO,
                                env=cli_env(), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, log.read_text()
            assert time.time() < deadline, "the explorer did not start"
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/", port
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Vuetify select by its label, as a person does."""
    page.locator(".v-select", has=page.get_by_text(label, exact=True)).first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def set_number(page, css_class: str, value: int) -> None:
    field = page.locator(f".{css_class} input")
    field.fill(str(value))
    field.press("Enter")


def table_text(page) -> str:
    """The first table of the tab on show (the other tabs stay in the page, hidden)."""
    return page.locator(".v-window-item--active table").first.inner_text()


def test_the_server_listens_on_loopback_only(server):
    _, port = server
    with pytest.raises(OSError):  # another address of this machine's loopback range is refused
        socket.create_connection(("127.0.0.2", port), timeout=2).close()
    socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_strategist_runs_pins_compares_and_downloads(server, browser, tmp_path):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(url)
    page.get_by_text("Meeting cadence").first.wait_for()

    choose(page, "Organization", "small")
    choose(page, "Matching policy", "optimal")
    set_number(page, "control-cadence_weeks", 2)
    set_number(page, "control-seeds", SEEDS)
    page.locator(".run-button").click()
    page.get_by_text("Program minus its twin").wait_for(timeout=600_000)

    expected_design = from_preset("small", "default", seeds=SEEDS)
    expected = headline_rows(run_paired(
        [*expected_design.__class__(**{**expected_design.__dict__, "matching": "optimal", "cadence_weeks": 2}).overrides()],
        seeds=SEEDS, jobs=1))
    shown = table_text(page)
    for row in expected:
        assert f"{row['figure']}\t{row['mean']}\t{row['interval']}" in shown, (row, shown)

    page.locator(".pin-button").click()
    set_number(page, "control-cadence_weeks", 8)
    page.locator(".run-button").click()
    page.get_by_text("every 8 wk").first.wait_for(timeout=600_000)
    page.locator(".pin-button").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "explorer.png"))

    with page.expect_download() as download:
        page.get_by_text("Download report (PDF)").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"

    page.get_by_role("tab", name="Compare").click()
    clear = page.get_by_text("Clear pinned designs")
    clear.wait_for()
    comparison = page.locator(".v-window-item", has=clear).locator("table").first.inner_text()
    assert "every 2 wk" in comparison and "every 8 wk" in comparison
    page.wait_for_timeout(1000)  # the tab's slide transition
    page.screenshot(path=str(ARTIFACTS / "explorer-compare.png"))
