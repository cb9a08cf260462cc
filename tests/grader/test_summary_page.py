"""The class summary: statuses apart from failing tests, the total's histogram, counts on the bars;
and the page rendered by headless Chromium, whose screenshot must show the page (not a blank
image) with its histogram bars. The render is skipped, with the reason, when Chromium is absent."""

import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib
from pathlib import Path

from grader.report import html
from tests.grader.test_reports import sample

BAR = (0x4A, 0x7B, 0xD0)  # .hist div i: the histogram's bars
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _class():
    """Four submissions: two with a lab that does not compile, one tampered, one timing out."""
    reports = [sample(name) for name in ("alice", "bob", "carol", "dave")]
    reports[2].labs[0].status, reports[2].labs[0].message = "tampered", "sentinel passed"
    for test in reports[2].labs[0].tests:
        test.status = "not_run"
    reports[3].labs[1].status = "graded"
    for test in reports[3].labs[1].tests:
        test.status, test.runs = "passed", ["passed"]
    return reports


def read_png(path):
    """(width, height, rows of (r, g, b) pixels) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    step = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * step, [], bytearray(width * step)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                best = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + best[2]) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, step)])
        previous = line
    return width, height, rows


class Summary(unittest.TestCase):
    def test_statuses_apart_from_failures_and_counts_on_bars(self):
        page = html.render_summary(_class(), totals={"alice": (2, 6), "bob": (2, 6), "carol": (0, 6), "dave": (3, 6)})
        status_table = page[page.index("What kept labs from being graded"):page.index("Score distribution")]
        self.assertIn("<th>does not compile</th>", status_table)
        self.assertIn("<th>not trusted</th>", status_table)
        # 01 adder: 3 graded, 1 not trusted; 02 counter: 1 graded, 3 do not compile
        self.assertIn("<td>01 adder</td><td class='n'>3</td><td class='n'></td><td class='n'>1</td>", status_table)
        self.assertIn("<td>02 counter</td><td class='n'>1</td><td class='n'>3</td><td class='n'></td>", status_table)
        self.assertIn("Total (mean 29%)", page)  # (2 + 2 + 0 + 3) / 24
        total = page[page.index("Total (mean"):page.index("01 Adding")]
        self.assertIn("<div title='1 submissions'>1<i style='height:50px'>", total)  # 0%: carol
        self.assertIn("<div title='2 submissions'>2<i style='height:100px'>", total)  # 30%: alice, bob
        tests = page[page.index("Tests the class fails most"):page.index("<h2>Submissions")]
        # adder/negative ran in the 3 graded labs (failed each time); hidden sum3 timed out 3 times
        self.assertRegex(tests, r"adder/negative</td><td class='n'>1</td><td class='n'>3</td><td class='n'>0%</td>"
                                r"<td>.*?</td><td class='n'>3</td><td class='n'></td><td class='n'></td>")
        self.assertRegex(tests, r"adder_hidden/sum3 \(hidden\)</td><td class='n'>2</td><td class='n'>3</td>"
                                r"<td class='n'>0%</td><td>.*?</td><td class='n'></td><td class='n'>3</td>")
        self.assertRegex(tests, r"counter/first</td><td class='n'>1</td><td class='n'>1</td><td class='n'>100%</td>")

    @unittest.skipUnless(CHROMIUM, "Chromium is not installed (apt-get install chromium): the summary page was "
                                   "not rendered")
    def test_headless_chromium_renders_the_page(self):
        folder = Path(tempfile.mkdtemp(prefix="summary-page-"))
        self.addCleanup(shutil.rmtree, folder, True)
        (folder / "summary.html").write_text(html.render_summary(_class()))
        shot = folder / "summary.png"
        done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                               f"--user-data-dir={folder / 'profile'}", "--window-size=1000,1400",
                               f"--screenshot={shot}", (folder / "summary.html").as_uri()],
                              capture_output=True, text=True, timeout=180)
        self.assertTrue(shot.exists(), f"no screenshot ({done.returncode}): {done.stderr[-2000:]}")
        width, height, rows = read_png(shot)
        self.assertEqual((width, height), (1000, 1400))
        pixels = [pixel for row in rows for pixel in row]
        inked = sum(1 for pixel in pixels if max(pixel) < 200)  # text, borders, bars
        bars = sum(1 for pixel in pixels if all(abs(a - b) <= 6 for a, b in zip(pixel, BAR)))
        self.assertGreater(inked, len(pixels) // 200, "the screenshot is (nearly) blank")
        self.assertGreater(bars, 28 * 40, "the histogram bars are not drawn")


if __name__ == "__main__":
    unittest.main()
