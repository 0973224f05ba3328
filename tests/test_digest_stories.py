"""What the digest shows: no story hidden under another outlet's footer, headings that are
not a copy of the summary, a long story folded, model names not paths, an Atom feed
(issue 28: items 3 and 16, and the feed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_digest_helpers import ARTICLES, digest, load_json

from mtsum.digest import group_articles

# An outlet's "about us" footer, three paragraphs, under every one of its articles.
FOOTER = [
    "About us: The Valley Courier is an independent local newspaper founded in 1921 and owned by the "
    "Courier Foundation, which guarantees its editorial independence.",
    "Our journalists follow the press code of the National Press Council. If you think we got something "
    "wrong, write to the editor and we will publish a correction.",
    "Subscribe to the Valley Courier for unlimited access to local news, the e-paper and our weekly "
    "newsletter. Students read for half price.",
]
STORIES = {
    "hospital": ("Hospital strike ends after nurses accept pay deal",
                 "Nurses at the regional hospital returned to work on Tuesday after their union accepted a pay "
                 "offer that raises wages by six percent over two years, ending an eleven-day strike."),
    "library": ("Central library to open on Sundays from March",
                "The central library will open its doors on Sundays from March, after the city council approved "
                "extra money for staff and heating, the head librarian told students who had asked for it."),
    "bridge": ("Old railway bridge closed for repairs",
               "The old railway bridge over the river will be closed to trains for three months while engineers "
               "replace its rusted steel beams; replacement buses will run between the two stations."),
    "school": ("New school opens in the harbour district",
               "A new primary school with places for four hundred children opened in the harbour district on "
               "Monday, two years after the old one was damaged by a fire in its kitchen."),
}


def article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs])


def wire(name: str) -> list[str]:
    text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n\n") if p.strip()]


def _footer_stories(n: int) -> list[str]:
    return [article(t, body, *FOOTER) for t, body in list(STORIES.values())[:n]]


GROUPING = [
    # (id, texts, expected stories as lists of entries of article indices, sorted)
    ("footer-under-four-stories", _footer_stories(4), [[[0]], [[1]], [[2]], [[3]]]),
    ("footer-under-two-stories", _footer_stories(2), [[[0]], [[1]]]),
    ("agency-text-three-outlets", [article(*wire("storm_agency_a")[:1], *wire("storm_agency_a")[1:]),
                                   "\n\n".join(wire("storm_agency_b")),
                                   "\n\n".join([*wire("storm_agency_a"), "Read more: our storm coverage."])],
     [[[0, 1, 2]]]),
    ("agency-copies-under-a-shared-footer-and-another-story",
     ["\n\n".join([*wire("storm_agency_a"), *FOOTER]), "\n\n".join([*wire("storm_agency_b"), *FOOTER]),
      _footer_stories(1)[0]],
     [[[0, 1]], [[2]]]),
    ("two-reports-of-one-story-by-one-outlet",
     ["\n\n".join([*wire("nk_missiles_wire"), *FOOTER]), "\n\n".join([*wire("nk_missiles_paper"), *FOOTER])],
     [[[0], [1]]]),
]


@pytest.mark.parametrize(("case", "texts", "expected"), GROUPING, ids=[g[0] for g in GROUPING])
def test_copies_need_the_same_body_not_a_shared_footer(case: str, texts: list[str], expected: list) -> None:
    stories = group_articles(texts).stories
    assert sorted(sorted(sorted(entry) for entry in story) for story in stories) == expected


def test_every_story_under_a_shared_footer_appears_with_its_own_summary(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, (title, body) in STORIES.items():
        (src / f"{name}.txt").write_text(article(title, body, *FOOTER) + "\n", encoding="utf-8")
    assert digest(src, tmp_path / "out", tmp_path / "state.db").exit_code == 0
    data = load_json(tmp_path / "out")
    assert data["counts"]["stories"] == len(STORIES)
    entries = [e for story in data["stories"] for e in story["entries"]]
    assert len(entries) == len(STORIES)
    for name, (title, body) in STORIES.items():
        entry = next(e for e in entries if Path(e["sources"][0]["path"]).stem == name)
        assert [Path(s["path"]).stem for s in entry["sources"]] == [name]
        assert entry["title"] == title
        assert body.split()[2] in entry["summary"]  # its own words, not another story's
    md = (tmp_path / "out" / "digest.md").read_text(encoding="utf-8")
    assert all(f"## {title}" in md for title, _ in STORIES.values())


# --- item 16: headings -------------------------------------------------------------------

HEADLINES = [
    ("Storm Babet floods southern Sweden", True),
    ("- first point of a list", False),
    ("• a bullet", False),
    ("* an asterisk item", False),
    ("x = compute(total);", False),
    ("document.getElementById('main')", False),
    ("Use camelCase names", False),
    ("Council approves budget (updated)", False),
    ("   ", False),
    ("1234 5678", False),
]


@pytest.mark.parametrize(("text", "ok"), HEADLINES)
def test_headline_candidates(text: str, ok: bool) -> None:
    from mtsum.digest.titles import headline_ok

    assert headline_ok(text) is ok


SUMMARY = "The council approved the budget on Monday. Taxes stay the same."
HEADINGS = [
    # (id, stored title, translation, expected heading)
    ("headline", "Council passes budget", "The council approved the budget on Monday.\n\nMore.",
     "Council passes budget"),
    ("untitled-lead-in-summary", None, "The council approved the budget on Monday. Taxes stay the same.", None),
    ("untitled-own-first-sentence", None, "Debate lasted six hours in the town hall. The council approved the "
     "budget on Monday.", "Debate lasted six hours in the town hall."),
    ("code-title-falls-back", "var x = getBudget();", "Debate lasted six hours in the town hall.",
     "Debate lasted six hours in the town hall."),
    ("bullet-title-and-code-lead", "- Budget", "const total = sum(items);\n\nDebate lasted six hours.",
     "Debate lasted six hours."),
    ("long-first-sentence-is-shortened", None, "Debate " + "went on and on " * 20 + "in the hall.",
     "Debate" + " went on and on" * 5 + " went on …"),
]


@pytest.mark.parametrize(("case", "title", "translation", "expected"), HEADINGS, ids=[h[0] for h in HEADINGS])
def test_entry_heading_is_never_a_copy_of_the_summary(case: str, title: str | None, translation: str,
                                                      expected: str | None) -> None:
    from mtsum.digest.titles import entry_title

    heading = entry_title(title, translation, SUMMARY)
    assert heading == expected
    assert heading is None or heading.rstrip(" …") not in SUMMARY


PAGES_HEADINGS = [
    # (file, text): none of these first lines may become a heading, nor the summary's opening words
    ("untitled.txt", "the harbour strike went on for a third day on tuesday, and ferries to the islands stayed in "
     "port. the union said talks with the port authority would resume on thursday.\n"),
    ("bullet.txt", "- Budget cuts for the libraries\n\nThe city council approved cuts to the library budget on "
     "Monday after a long debate. The libraries will close one day a week from March.\n"),
    ("code.txt", "var total = getBudget(city);\n\nThe city council approved a new budget for the schools on Monday "
     "after a long debate. Teachers welcomed the decision.\n"),
]


def test_no_heading_is_code_a_list_item_or_the_summary_again(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, text in PAGES_HEADINGS:
        (src / name).write_text(text, encoding="utf-8")
    assert digest(src, tmp_path / "out", tmp_path / "state.db").exit_code == 0
    entries = [e for story in load_json(tmp_path / "out")["stories"] for e in story["entries"]]
    assert len(entries) == len(PAGES_HEADINGS)
    for e in entries:
        title = e["title"]
        assert title is None or (not title.startswith("-") and "=" not in title), title
        assert title is None or title.rstrip(" …") not in e["summary"], (title, e["summary"])
    html = (tmp_path / "out" / "digest.html").read_text(encoding="utf-8")
    assert "getBudget" not in html.split("<main>")[1].split('class="summary"')[0]  # not as a heading


def _report(entries: int, sources: int) -> object:
    from mtsum.digest.report import DigestReport, Entry, Source, Story

    def source(k: int) -> Source:
        return Source(path=f"in/de_{k}.txt", language="de", title=None, source_title=None,
                      translation_txt=f"translations/de_{k}.en.txt", translation_html=f"translations/de_{k}.en.html",
                      first_seen="2024-01-05T06:00:00+00:00", translation_txt_url=f"translations/de_{k}.en.txt",
                      translation_html_url=f"translations/de_{k}.en.html")

    story = Story(id="story-1", title="Strike at the port", key="0" * 32, published="2024-01-05T06:00:00+00:00",
                  updated="2024-01-05T06:00:00+00:00", entries=[
                      Entry(title=f"Report {i}", summary=f"Summary of report {i}.", languages=["de"],
                            sources=[source(i * 100 + k) for k in range(sources if i == 0 else 1)])
                      for i in range(entries)])
    return DigestReport(title="Digest", generated_at="2024-01-05T06:00:00+00:00", out_dir="out", new=1,
                        unchanged=0, failed=[], stories=[story], models={},
                        settings={"summarizer": "bart", "story_threshold": 0.15, "since": None,
                                  "formats": ["html", "atom"]})


def test_a_big_story_shows_a_few_reports_and_folds_the_rest() -> None:
    import re

    from mtsum.digest.render import render_digest

    html = render_digest(_report(entries=8, sources=39), "html")  # type: ignore[arg-type]
    visible, folded = html.split("<summary>5 more reports on this story</summary>")
    assert visible.count('<article class="entry">') == 3 and folded.count('<article class="entry">') == 5
    lead = visible.split('<article class="entry">')[1]
    assert lead.split("<details")[0].count("full translation") == 3  # 3 of the lead report's 39 sources
    assert html.count('<article class="entry">') == 8 and html.count("full translation") == 39 + 7
    assert re.search(r"<summary>36 more sources of this report</summary>", html)
    assert re.search(r"<summary>5 more reports on this story</summary>", html)


def test_footer_names_models_not_local_paths() -> None:
    from mtsum.digest.render import model_labels
    from mtsum.digest.state import Article

    def stored(models: dict) -> Article:
        return Article(path="/x", content_hash="h", signature="s", mtime=0.0, language="sv",
                       language_confidence=1.0, languages=["sv"], title="t", source_title=None,
                       translation="text", summary="s", summarizer="bart", models=models)

    labels = model_labels([stored({
        "sv": {"model": "/home/ops/models/opus-mt-sv-en", "revision": "local-0123456789abcdef"},
        "summarization": {"model": "sshleifer/distilbart-cnn-12-6",
                          "revision": "a4f8f3ea906ed274767e9906dbaede7531d660ff"},
    })])
    assert labels == {"sv": ["opus-mt-sv-en@local-012345"],
                      "summarization": ["sshleifer/distilbart-cnn-12-6@a4f8f3ea906e"]}


def test_long_unbroken_strings_wrap_on_a_phone() -> None:
    css = (Path(__file__).parent.parent / "mtsum" / "digest" / "templates" / "digest.css").read_text()
    body = css.split("body {", 1)[1].split("}", 1)[0]
    assert "overflow-wrap: anywhere" in body


# --- the Atom feed -----------------------------------------------------------------------

def test_atom_feed_one_entry_per_story_with_ids_stable_across_nights(tmp_path: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    src, out, state = tmp_path / "in", tmp_path / "out", tmp_path / "state.db"
    src.mkdir()
    for name in ("nk_missiles_wire", "storm_agency_a", "ecb_rates"):
        shutil.copy(ARTICLES / f"{name}.txt", src)
    assert digest(src, out, state).exit_code == 0
    first = feedparser.parse((out / "digest.xml").read_bytes())
    assert not first.bozo, first.get("bozo_exception")
    data = load_json(out)
    assert [e.title for e in first.entries] == [s["title"] for s in data["stories"]]
    assert all(e.summary and e.updated_parsed and e.published_parsed for e in first.entries)
    assert all(e.link.startswith("translations/") and e.link.endswith(".en.html") for e in first.entries)
    assert first.feed.title == "News digest" and first.feed.updated_parsed

    # The next night: two more reports, one of them on the North Korea story.
    for name in ("nk_missiles_paper", "football_final"):
        shutil.copy(ARTICLES / f"{name}.txt", src)
    assert digest(src, out, state).stdout.strip() == "2 new, 3 unchanged, 0 failed"
    second = feedparser.parse((out / "digest.xml").read_bytes())
    assert not second.bozo and len(second.entries) == 4
    assert {e.id for e in first.entries} < {e.id for e in second.entries}  # the same stories keep their ids
    nk_before = next(e for e in first.entries if "North Korea" in e.title)
    nk_after = next(e for e in second.entries if e.id == nk_before.id)
    assert nk_after.updated_parsed >= nk_before.updated_parsed and nk_after.published == nk_before.published
    assert "nk_missiles_paper" in nk_after.content[0].value and "nk_missiles_wire" in nk_after.content[0].value
