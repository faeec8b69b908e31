"""report.html renders in headless Chromium with the network disabled; a screenshot is kept.

Every request Chromium makes goes to a counting proxy on 127.0.0.1. Chromium's own
background services still call a few Google hosts; any other request would come from the
page, and fails the test. A control page with an external image proves the proxy sees it.
The screenshot goes to $GOLIVE_ARTIFACTS_DIR, else tests/evidence/artifacts/ (git-ignored).
"""

from __future__ import annotations

import http.server
import os
import shutil
import socketserver
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.evidence.keys import SigningKey

from .conftest import build_bundle

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_HOSTS = (
    "update.googleapis.com",
    "accounts.google.com",
    "clients2.google.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
)
ARTIFACTS = Path(os.environ.get("GOLIVE_ARTIFACTS_DIR") or Path(__file__).parent / "artifacts")

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module", autouse=True)
def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("GOLIVE_REQUIRE_CHROMIUM"):
            pytest.fail(f"chromium not found at {CHROMIUM} and GOLIVE_REQUIRE_CHROMIUM is set")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture
def proxy() -> Iterator[list[str]]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _refuse(self) -> None:
            seen.append(self.path)
            self.send_response(502)
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_CONNECT = _refuse

        def log_message(self, *args: object) -> None:
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen.append(f"port:{server.server_address[1]}")
    yield seen
    server.shutdown()
    server.server_close()


def chromium(url: str, port: int, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-pings",
        "--disable-domain-reliability",
        "--disable-features=NetworkTimeServiceQuerying",
        f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{port}",
        "--proxy-bypass-list=<-loopback>",
        "--hide-scrollbars",
        *extra,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def page_requests(seen: list[str]) -> list[str]:
    return [s for s in seen[1:] if not any(host in s for host in BROWSER_HOSTS)]


def test_report_renders_offline_and_is_screenshotted(
    tmp_path: Path, signing_key: SigningKey, proxy: list[str]
) -> None:
    port = int(proxy[0].split(":")[1])
    run = build_bundle(tmp_path / "reports", signing_key)
    url = (run / "report.html").as_uri()

    dom = chromium(url, port, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "GO: the release candidate proved ready" in dom.stdout
    assert 'aria-label="latency distribution"' in dom.stdout

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    done = chromium(
        url, port, tmp_path / "profile-shot", "--window-size=1280,2400", f"--screenshot={shot}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    assert len(data) > 30_000  # a rendered report, not a blank page
    print(f"screenshot of report.html: {shot}")
    assert page_requests(proxy) == [], "report.html made network requests"


def test_control_page_requests_are_seen(tmp_path: Path, proxy: list[str]) -> None:
    """The proxy check above can fail: a page that fetches something is caught."""
    port = int(proxy[0].split(":")[1])
    page = tmp_path / "control.html"
    page.write_text('<img src="http://golive-canary.invalid/pixel.png">')
    done = chromium(page.as_uri(), port, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert any("golive-canary.invalid" in s for s in page_requests(proxy))
