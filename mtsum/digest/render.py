"""Digest files from a :class:`DigestReport`: Markdown, HTML and Atom (Jinja2), and JSON.

HTML and XML templates are autoescaped; Markdown gets its own escaping filter (``md``)
so a headline such as ``*Breaking* [live]`` stays text, not markup or a link. Links are
percent-encoded (a ``#`` in a file name would end the path); a Markdown link's
destination is written in ``<…>`` (CommonMark), and a file name with a newline in it is
shown with ``\\n`` so it cannot break a list.

These pages render the digest's own records (its report, stored articles); the results of
the other commands render through :mod:`mtsum.render`, whose JSON writer makes digest.json.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mtsum.digest.names import md_destination, one_line
from mtsum.render.json import json_document

if TYPE_CHECKING:
    import jinja2

    from mtsum.digest.report import DigestReport
    from mtsum.digest.state import Article
    from mtsum.digest.stories import Links

# "atom" is digest.xml, an Atom feed with one entry per story.
FORMATS = ("md", "html", "json", "atom")
DEFAULT_FORMATS = FORMATS
# The HTML page shows this many reports of a story and sources of a report; the rest
# are folded into a <details> element.
SHOWN_ENTRIES = 3
SHOWN_SOURCES = 3
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
LANGUAGE_NAMES = {"sv": "Swedish", "de": "German", "en": "English", "summarization": "Summarization"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")


def _md(text: Any) -> str:
    """Inline Markdown text: special characters escaped, line breaks kept as paragraphs."""
    paras = [" ".join(p.split()) for p in str(text or "").split("\n\n")]
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", p) for p in paras if p)


def _code(text: Any) -> str:
    # Inside `...` nothing is markup, but a backtick would end the span.
    return str(text).replace("`", "'")


def _basename(path: Any) -> str:
    return str(path).rsplit("/", 1)[-1]


def _xml(text: Any) -> str:
    """Text that XML 1.0 can hold (the template escapes it): control characters dropped."""
    return _NOT_XML.sub("", str(text or ""))


def _language_name(code: Any) -> str:
    return LANGUAGE_NAMES.get(str(code), str(code))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mtsum.digest", "templates"),
        autoescape=lambda name: bool(name and name.endswith((".html.j2", ".xml.j2"))),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not silently
    )
    env.filters.update(md=_md, code=_code, language_name=_language_name, basename=_basename, one_line=one_line,
                       md_destination=md_destination, xml=_xml)
    return env


def display_date(iso: str) -> str:
    """``2024-01-05T06:00:00+00:00`` -> ``5 January 2024, 06:00 UTC``."""
    when = datetime.fromisoformat(iso)
    return f"{when.day} {when:%B %Y, %H:%M} UTC"


def render_digest(report: DigestReport, fmt: str) -> str:
    """The digest in ``fmt`` (``md``, ``html``, ``json`` or ``atom``)."""
    data = report.to_dict()
    if fmt == "json":
        return json_document(data) + "\n"
    template = {"md": "digest.md.j2", "html": "digest.html.j2", "atom": "digest.xml.j2"}[fmt]
    return environment().get_template(template).render(
        **data, date=display_date(report.generated_at), version=_version(), shown_entries=SHOWN_ENTRIES,
        shown_sources=SHOWN_SOURCES, html_page="html" in report.settings.get("formats", ()),
        feed_id=_feed_id(report))


def _feed_id(report: DigestReport) -> str:
    # The feed's identity: its folder and title, stable from one night to the next.
    seed = f"{os.path.abspath(report.out_dir)}\n{report.title}"
    return "urn:mtsum:digest:" + hashlib.sha256(seed.encode("utf-8", "backslashreplace")).hexdigest()[:32]


def page_links(fmt: str, *, included_links: list[Links], formats: list[str]) -> set[str]:
    """The translation files (relative to the folder) that the page in ``fmt`` links to."""
    if fmt == "md":
        return {link.txt for link in included_links}
    if fmt == "json":
        return {x for link in included_links for x in (link.txt, link.html) if x}
    return {link.html or link.txt for link in included_links}  # html, atom: the HTML page where there is one


def render_translation(article: Article, display_path: str, fmt: str, *,
                       digest_title: str = "", back: str = "../digest.html") -> str:
    """One article's full English text: ``txt`` or a small ``html`` page."""
    display_path = one_line(display_path)
    title = article.title or display_path
    models = [_model_label(m) for k, m in sorted(article.models.items()) if k != "summarization"]
    paragraphs = [p for p in article.translation.split("\n\n") if p.strip()]
    if fmt == "txt":
        made = f"translated from {article.language} by {', '.join(models)}" if models else "English original"
        return "\n\n".join([title, *paragraphs, f"-- {display_path} ({made})"]) + "\n"
    return environment().get_template("translation.html.j2").render(
        title=title, path=display_path, language=article.language, source_title=article.source_title,
        paragraphs=paragraphs, models=models, back=back, digest_title=digest_title or "Digest")


def _model_label(info: dict[str, Any]) -> str:
    """``id@revision``; a local model folder by its name, not its path on this machine."""
    model, revision = info.get("model"), info.get("revision")
    if model and (os.path.isabs(str(model)) or str(model).startswith((".", "~"))):
        model = os.path.basename(os.path.normpath(str(model))) or model
    return f"{model}@{revision[:12]}" if model and revision else str(model)


def model_labels(articles: list[Article]) -> dict[str, list[str]]:
    """Per role (sv, de, summarization): the distinct models the articles were made with."""
    out: dict[str, set[str]] = {}
    for a in articles:
        for role, info in a.models.items():
            out.setdefault(role, set()).add(_model_label(info))
    # Translation models by language first, the summarizer last.
    order = sorted(out, key=lambda role: (role == "summarization", role != "sv", role))
    return {role: sorted(out[role]) for role in order}


def _version() -> str:
    from mtsum.version import __version__

    return __version__
