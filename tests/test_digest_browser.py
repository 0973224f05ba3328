"""The HTML digest in a real browser: headless Chromium renders it at phone width.

Skips only where Chromium is absent and we are not in CI; in CI (env CI set) a missing
browser is a failure, since .ci/run installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from mtsum.digest import build_digest
from mtsum.pipeline.core import Pipeline, Settings

ARTICLES = Path(__file__).parent / "data" / "digest"
PHONE = (412, 2400)

# A page beside the digest that shows it in a phone-sized frame (headless Chromium will
# not make its own window narrower than 500 px) and asks, for every title, summary and
# link: is it laid out, visible, readable and inside the phone's width?
_PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="digest.html" style="border:0;width:%dpx;height:%dpx"></iframe>
<script>
window.addEventListener('load', () => {
  const doc = document.getElementById('f').contentDocument, win = doc.defaultView, bad = [];
  for (const el of doc.querySelectorAll('nav a, .story > h2, .entry h3, .summary p, .sources a')) {
    const r = el.getBoundingClientRect(), cs = win.getComputedStyle(el);
    if (!(r.width > 0 && r.height > 0) || cs.visibility !== 'visible' || cs.display === 'none'
        || Number(cs.opacity) === 0 || r.left < 0 || r.right > win.innerWidth + 0.5
        || parseFloat(cs.fontSize) < 12) bad.push(el.textContent.trim());
  }
  document.body.setAttribute('data-probe', JSON.stringify({
    bad, titles: [...doc.querySelectorAll('.story > h2')].map(h => h.textContent.trim()),
    scrollWidth: doc.documentElement.scrollWidth, innerWidth: win.innerWidth}));
});
</script></body></html>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _browse(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={PHONE[0]},{PHONE[1]}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def _png_rows(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of a PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    build_digest([str(ARTICLES)], tmp / "out", summarizer="extractive", title="Morning digest",
                 state_path=tmp / "state.db", pipeline=Pipeline(settings=Settings(source="en")))
    return tmp / "out" / "digest.html"


def test_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    # The one <link> is the feed's for feed readers (rel=alternate), which a browser does not fetch.
    assert "<style>" in html and not re.search(r"<(script|img|iframe)\b", html)
    assert re.findall(r"<link\b[^>]*>", html) == [
        '<link rel="alternate" type="application/atom+xml" title="Morning digest" href="digest.xml">']
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from the network
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_every_story_title_visible_at_phone_width(page: Path, tmp_path: Path) -> None:
    probe = page.with_name("probe.html")
    probe.write_text(_PROBE % PHONE, encoding="utf-8")
    dom = _browse(probe.as_uri(), tmp_path, "--allow-file-access-from-files", "--dump-dom").stdout
    found = json.loads(re.search(r"data-probe=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"'))
    expected = [s["title"] for s in json.loads(page.with_name("digest.json").read_text())["stories"]]
    assert found["titles"] == expected and len(expected) == 5
    assert found["bad"] == []
    assert found["innerWidth"] == PHONE[0]
    assert found["scrollWidth"] <= found["innerWidth"]  # no sideways scrolling on a phone


def test_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "digest.png"
    _browse(page.as_uri(), tmp_path, f"--screenshot={shot}")
    data = shot.read_bytes()
    width, height, rows = _png_rows(data)
    assert (width, height) == PHONE
    assert len(data) > 50_000  # text compresses far worse than a blank page
    assert len(set(rows[::97])) > 20  # many distinct pixel values: something was drawn
    keep = os.environ.get("MTSUM_KEEP_SCREENSHOT")
    if keep:  # for looking at it: MTSUM_KEEP_SCREENSHOT=/tmp/digest.png pytest ...
        shutil.copy(shot, keep)


# --- no sideways scrolling at phone and desktop widths, whatever the text ------------------

# The digest in a frame `width` px wide: does anything make the page scroll sideways?
_SCROLL_PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="digest.html" style="border:0;width:%dpx;height:1600px"></iframe>
<script>
window.addEventListener('load', () => {
  const doc = document.getElementById('f').contentDocument, root = doc.documentElement, wide = [];
  for (const el of doc.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > root.clientWidth + 0.5)
      wide.push(el.tagName + ': ' + el.textContent.trim().slice(0, 60));
  }
  document.body.setAttribute('data-probe', JSON.stringify({
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide}));
});
</script></body></html>"""
_LONG_TOKEN = "https://example.com/" + "averyveryverylongpathsegmentwithoutanybreaks" * 6
_LONG_NAME = "x" * 200 + ".txt"


@pytest.fixture(scope="module")
def long_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A digest whose headline, summary, file name and failure message hold long unbroken strings,
    with one story of many reports (folded) and an article without a headline."""
    tmp = tmp_path_factory.mktemp("long")
    src = tmp / "in"
    src.mkdir()
    (src / "long_headline.txt").write_text(
        f"Council publishes {_LONG_TOKEN}\n\nThe council published its budget at {_LONG_TOKEN} on Monday. "
        f"Residents can read every line of it at {_LONG_TOKEN} from today.\n", encoding="utf-8")
    (src / _LONG_NAME).write_text(
        "the harbour strike went on for a third day on tuesday, and ferries to the islands stayed in port. "
        "the union said talks with the port authority would resume on thursday.\n", encoding="utf-8")
    for i in range(6):
        shutil.copy(ARTICLES / "storm_local.txt", src / f"storm_{i}_{'y' * 120}.txt")
    (src / "binary.txt").write_bytes(b"\x00\x01" * 50)
    build_digest([str(src)], tmp / "out", summarizer="extractive", title="Morning " + "digest" * 30,
                 state_path=tmp / "state.db", pipeline=Pipeline(settings=Settings(source="en")))
    return tmp / "out" / "digest.html"


@pytest.mark.parametrize("width", [390, 1200])
def test_no_horizontal_scroll_at_phone_and_desktop_width(long_page: Path, tmp_path: Path, width: int) -> None:
    html = long_page.read_text(encoding="utf-8")
    assert _LONG_TOKEN in html and "Not included" in html
    probe = long_page.with_name(f"scroll-{width}.html")
    probe.write_text(_SCROLL_PROBE % width, encoding="utf-8")
    dom = _browse(probe.as_uri(), tmp_path, "--allow-file-access-from-files", "--dump-dom").stdout
    found = json.loads(re.search(r"data-probe=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"')
                       .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert found["clientWidth"] == width
    assert found["scrollWidth"] <= found["clientWidth"], found["wide"]
    assert found["wide"] == []
