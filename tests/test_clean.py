"""Tests for mtsum.clean: boilerplate rules, captions, duplicates, title, rule files."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mtsum.clean import CleanResult, clean_paragraphs, load_rules, normalize_paragraph
from mtsum.errors import ConfigError

DATA = Path(__file__).parent / "data"


def paragraphs_of(name: str) -> list[str]:
    # Stand-in for mtsum.text.segment: every non-empty line is a paragraph (the seeds
    # put caption twins on adjacent lines inside one blank-line block).
    return [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def removed_by_index(
    result: CleanResult,
) -> dict[int, tuple[str, str | None, int | None]]:
    return {r.index: (r.reason, r.rule, r.duplicate_of) for r in result.removed}


def removed_by_rules(result: CleanResult) -> dict[int, tuple[str, str | None, int | None]]:
    # What the YAML rules decided; on a five-line page the classifier may also take a
    # lone "Dela" or "Share", which is not what these tests are about.
    return {i: r for i, r in removed_by_index(result).items() if not (r[1] or "").startswith("classifier:")}


def assert_accounted_for(result: CleanResult, count: int) -> None:
    # Every input paragraph is exactly one of: title, body, removed.
    seen = result.kept_indices + [r.index for r in result.removed]
    if result.title_index is not None:
        seen.append(result.title_index)
    assert sorted(seen) == list(range(count))


# --- the seed articles ------------------------------------------------------------


def test_german_seed_collapses_duplicates_and_drops_copyright() -> None:
    paras = paragraphs_of("de_seed_dts_nordkorea.txt")
    assert len(paras) == 8
    result = clean_paragraphs(paras, "de")
    assert removed_by_index(result) == {
        4: ("duplicate", "exact_duplicate", 1),
        5: ("duplicate", "exact_duplicate", 2),
        6: ("duplicate", "exact_duplicate", 3),
        7: ("boilerplate", "common:copyright", None),
    }
    # The first paragraph is a two-sentence lede, not a headline: it stays body.
    assert result.title is None
    assert result.kept_indices == [0, 1, 2, 3]
    assert result.paragraphs[0].startswith("Washington - Russland soll im Krieg")
    assert result.stats == {
        "paragraphs": 8,
        "boilerplate_removed": 1,
        "captions_removed": 0,
        "duplicates_collapsed": 3,
        "prefixes_stripped": 0,
        "lines_restored": 0,
        "kept_paragraphs": 4,
    }
    assert_accounted_for(result, 8)


def test_german_seed_with_glued_ad_markers_keeps_the_text() -> None:
    paras = paragraphs_of("de_seed_dts_nordkorea.txt")
    paras[0] = "AnnonsAnnonsAnnons" + paras[0]
    result = clean_paragraphs(paras, "de")
    assert result.kept_indices == [0, 1, 2, 3]
    assert result.paragraphs[0] == paras[0].removeprefix("AnnonsAnnonsAnnons")
    assert [(s.index, s.rule, s.text) for s in result.stripped] == [
        (0, "common:ad_marker_glued", "AnnonsAnnonsAnnons")
    ]


def test_swedish_seed_with_menu_ads_captions_and_blurb() -> None:
    paras = paragraphs_of("sv_seed_blt_nordkorea.txt")
    result = clean_paragraphs(paras, "sv")
    removed = removed_by_index(result)

    assert result.title == "USA: Ryssland köper raketer av Nordkorea"
    assert result.title_index == 11
    assert removed[0][1] == "common:logo"
    assert all(removed[i][1] == "common:numbered_menu" for i in range(1, 9))
    assert removed[9][1] == "sv:navigation"  # Innehåll A-Ö
    for i in (10, 20, 30, 31, 32, 33):
        assert paras[i] == "Annons" and removed[i][1] == "common:ad_marker"
    assert removed[13][1] == "sv:dateline"  # Ukraina • Publicerad 6 september 2022
    assert removed[28][1] == "common:agency_only"  # TT
    assert removed[29][1] == "sv:publisher_blurb"
    # Both caption pairs go, credited and uncredited alike, as captions.
    assert removed[15] == ("caption", "common:photo_credit", None)
    assert removed[17] == ("caption", "common:photo_credit", None)
    assert removed[14] == ("caption", "caption_twin", 15)
    assert removed[16] == ("caption", "caption_twin", 17)

    assert result.kept_indices == [12, 18, 19, 21, 22, 23, 24, 25, 26, 27]
    assert '"Pausad" folkomröstning' in result.paragraphs
    assert "Återtagit områden" in result.paragraphs
    assert result.stats["captions_removed"] == 4
    assert result.stats["duplicates_collapsed"] == 0
    assert_accounted_for(result, len(paras))


def test_swedish_seed_without_boilerplate_keeps_everything() -> None:
    paras = paragraphs_of("sv_seed_utrikes_nordkorea.txt")
    result = clean_paragraphs(paras, "sv")
    assert result.removed == []
    assert result.title is None  # opens with a lede, not a headline
    assert result.kept_indices == list(range(len(paras)))
    # The section kicker glued to the first sentence is cut; the sentence is kept.
    assert result.paragraphs[0] == paras[0].removeprefix("UTRIKES ")
    assert [(s.rule, s.text) for s in result.stripped] == [("sv:section_label", "UTRIKES ")]
    assert result.paragraphs[1:] == paras[1:]


# --- varied articles --------------------------------------------------------------

VARIANTS = [
    # file, language, title index, {index: (reason, rule)}, stripped indices
    (
        "sv_norrland_bro.txt",
        "sv",
        8,
        {
            0: ("boilerplate", "common:logo"),
            **{i: ("boilerplate", "common:numbered_menu") for i in (1, 2, 3, 4)},
            5: ("boilerplate", "sv:navigation"),
            6: ("boilerplate", "sv:navigation"),
            7: ("boilerplate", "common:ad_marker"),
            9: ("boilerplate", "sv:byline"),
            10: ("boilerplate", "sv:dateline"),
            11: ("boilerplate", "sv:share"),
            12: ("boilerplate", "sv:share"),
            13: ("boilerplate", "sv:share"),
            15: ("caption", "common:photo_credit"),
            17: ("caption", "caption_twin"),
            20: ("boilerplate", "sv:read_more"),
            25: ("duplicate", "contained_duplicate"),  # the same paragraph + "(TT)"
            26: ("boilerplate", "sv:subscribe"),
            27: ("boilerplate", "common:copyright"),
            28: ("boilerplate", "sv:rights"),
        },
        [19],
    ),
    (
        "de_musterstadt_radwege.txt",
        "de",
        7,
        {
            0: ("boilerplate", "de:navigation"),
            1: ("boilerplate", "de:navigation"),
            2: ("boilerplate", "de:navigation"),
            **{i: ("boilerplate", "common:numbered_menu") for i in (3, 4, 5)},
            6: ("boilerplate", "common:ad_marker"),
            8: ("boilerplate", "de:byline"),
            9: ("boilerplate", "de:dateline"),
            10: ("boilerplate", "de:share"),
            11: ("boilerplate", "de:share"),
            13: ("caption", "common:photo_credit"),
            14: ("caption", "caption_twin"),
            20: ("boilerplate", "de:read_more"),
            22: ("duplicate", "near_duplicate"),  # one word differs
            23: ("caption", "common:photo_credit"),  # "Bildquelle:", no twin
            24: ("boilerplate", "de:subscribe"),
            25: ("boilerplate", "common:copyright"),
            26: ("boilerplate", "de:rights"),
        },
        [12],
    ),
    (
        "en_harbour_fire.txt",
        "en",
        4,
        {
            0: ("boilerplate", "en:navigation"),
            1: ("boilerplate", "en:navigation"),
            2: ("boilerplate", "en:navigation"),
            3: ("boilerplate", "common:ad_marker"),
            5: ("boilerplate", "en:byline"),
            6: ("boilerplate", "en:dateline"),
            7: ("boilerplate", "en:share"),
            8: ("boilerplate", "en:share"),
            9: ("boilerplate", "en:share"),
            11: ("caption", "common:photo_credit"),
            13: ("caption", "caption_twin"),
            16: ("boilerplate", "en:read_more"),
            19: ("boilerplate", "en:wire_credits"),
            20: ("boilerplate", "en:publisher_blurb"),
            21: ("boilerplate", "en:subscribe"),
            22: ("boilerplate", "common:copyright"),
        },
        [],
    ),
]


@pytest.mark.parametrize(("name", "language", "title_index", "expected", "stripped"), VARIANTS)
def test_variant_articles(
    name: str,
    language: str,
    title_index: int,
    expected: dict[int, tuple[str, str]],
    stripped: list[int],
) -> None:
    paras = paragraphs_of(name)
    result = clean_paragraphs(paras, language)
    got = {r.index: (r.reason, r.rule) for r in result.removed}
    assert got == expected
    assert result.title_index == title_index
    assert result.title == paras[title_index]
    body = [i for i in range(len(paras)) if i not in expected and i != title_index]
    assert result.kept_indices == body
    assert [s.index for s in result.stripped] == stripped
    for i, text in zip(result.kept_indices, result.paragraphs):
        assert text in paras[i]  # kept text is the input, at most minus a marker
    assert_accounted_for(result, len(paras))


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("sv_plain_skola.txt", "sv"),
        ("de_plain_bahn.txt", "de"),
        ("en_plain_library.txt", "en"),
    ],
)
def test_plain_article_loses_nothing(name: str, language: str) -> None:
    paras = paragraphs_of(name)
    result = clean_paragraphs(paras, language)
    assert result.removed == [] and result.stripped == []
    assert [result.title, *result.paragraphs] == paras


# --- single lines -----------------------------------------------------------------

LEAD = "Regeringen presenterade på tisdagen ett nytt förslag om skatter och avgifter."
TAIL = "Beslutet väntas komma före sommaren, enligt flera källor med insyn i arbetet."

LINES = [
    # boilerplate
    ("sv", "Annons", "boilerplate"),
    ("sv", "ANNONS", "boilerplate"),
    ("de", "Anzeige", "boilerplate"),
    ("de", "Werbung", "boilerplate"),
    ("en", "Advertisement", "boilerplate"),
    ("sv", "Dela", "boilerplate"),
    ("sv", "Prenumerera", "boilerplate"),
    ("de", "Teilen", "boilerplate"),
    ("de", "Abonnieren", "boilerplate"),
    ("en", "Share on Facebook", "boilerplate"),
    ("en", "Subscribe", "boilerplate"),
    ("sv", "Facebook Twitter LinkedIn E-post", "boilerplate"),
    ("sv", "TT", "boilerplate"),
    ("de", "dpa", "boilerplate"),
    ("en", "(AFP)", "boilerplate"),
    ("sv", "Reuters/TT", "boilerplate"),
    ("sv", "Av Anna Svensson", "boilerplate"),
    ("de", "Von Max Muster", "boilerplate"),
    ("en", "By Jane Doe", "boilerplate"),
    ("sv", "Publicerad 6 september 2022", "boilerplate"),
    ("sv", "Ukraina • Publicerad 6 september 2022", "boilerplate"),
    ("de", "Veröffentlicht am 12.01.2024 um 10:15 Uhr", "boilerplate"),
    ("en", "Updated 3 hours ago", "boilerplate"),
    ("en", "17 April 2012 • 2:54pm", "boilerplate"),
    ("de", "4. Juni 2019 | 15:54", "boilerplate"),
    ("sv", "6 september 2022 • 14:32", "boilerplate"),
    (
        "sv",
        "Så här jobbar Sydkusten med journalistik. Vi granskar alla uppgifter.",
        "boilerplate",
    ),
    ("en", "Read our editorial standards", "boilerplate"),
    ("de", "© 2024 dts Nachrichtenagentur", "boilerplate"),
    ("en", "Copyright 2024 Reuters", "boilerplate"),
    ("sv", "Alla rättigheter förbehållna", "boilerplate"),
    ("de", "Alle Rechte vorbehalten.", "boilerplate"),
    ("sv", "Innehåll A-Ö", "boilerplate"),
    ("sv", "Sydkusten logo", "boilerplate"),
    ("sv", "Bild 3 av 12", "boilerplate"),
    ("fr", "Share", "boilerplate"),  # unknown language: common + English rules
    # paywall texts
    ("en", "To view the full story, please subscribe to The Harbour Times.", "boilerplate"),
    ("en", "Subscribe now to our digital edition for the full story.", "boilerplate"),
    ("en", "Sign up to get the best content of the week in your inbox.", "boilerplate"),
    ("en", "If you’re already a subscriber, you can log in for immediate access.", "boilerplate"),
    ("en", "This article is only available to subscribers. Start your free trial today.", "boilerplate"),
    ("de", "Um den vollständigen Artikel zu lesen, schließen Sie bitte ein Abo ab.", "boilerplate"),
    ("de", "Jetzt 4 Wochen für 0,99 € testen und alle Artikel lesen. Jederzeit kündbar.", "boilerplate"),
    ("de", "30 Tage kostenlos testen", "boilerplate"),
    ("de", "Einfach einen Monat für 1 Euro lesen", "boilerplate"),
    ("de", "Dieser Artikel ist nur für Abonnenten verfügbar.", "boilerplate"),
    ("de", "Sie haben bereits ein Abo? Hier anmelden.", "boilerplate"),
    ("sv", "För att läsa hela artikeln behöver du vara prenumerant.", "boilerplate"),
    ("sv", "Den här artikeln är endast för prenumeranter.", "boilerplate"),
    ("sv", "Har du redan ett konto? Logga in här.", "boilerplate"),
    # newsletter prompts and standing notes, sentence-shaped (past the prose guard)
    ("en", "Never miss the latest news by signing up to our newsletter today!", "boilerplate"),
    ("en", "Get the latest updates and tutorials straight to your inbox with our weekly newsletter.", "boilerplate"),
    ("en", "The views expressed in this article are those of the author and not of the newspaper.", "boilerplate"),
    ("en", "This post contains affiliate links, which means we may earn a commission.", "boilerplate"),
    ("de", "Mit unserem Newsletter erhalten Sie monatlich Informationen rund um das Reiseland.", "boilerplate"),
    ("de", "Bleiben Sie auf dem Laufenden mit unserem kostenlosen Newsletter – fünf Mal die Woche!", "boilerplate"),
    ("de", "Keine Neuigkeiten mehr verpassen: Abonnieren Sie kostenlos den Branchen-Newsletter.", "boilerplate"),
    ("de", "Melden Sie sich jetzt für den kostenlosen Newsletter an!", "boilerplate"),
    ("de", "Dieser Beitrag gibt die Meinung des Autors wieder, nicht die der Redaktion.", "boilerplate"),
    ("de", "Für Links auf dieser Seite erhält die Redaktion ggf. eine Provision vom Händler.", "boilerplate"),
    ("de", "Teile diesen Beitrag auf Social Media.", "boilerplate"),
    ("sv", "Prenumerera på vårt nyhetsbrev och få de senaste nyheterna varje morgon.", "boilerplate"),
    ("sv", "Med vårt kostnadsfria nyhetsbrev missar du aldrig en nyhet från regionen.", "boilerplate"),
    ("sv", "Detta är en opinionstext. Åsikterna i texten är skribentens egna.", "boilerplate"),
    # widget headings, post footers, comment forms, source lines: CMS wording on any site
    ("de", "Das könnte Dich auch interessieren …", "boilerplate"),
    ("de", "You may also like", "boilerplate"),  # an English theme on a German site
    ("sv", "Recent Posts", "boilerplate"),
    ("de", "Weitere Pressemitteilungen dieses Verbands", "boilerplate"),
    ("de", "Mehr Themen:", "boilerplate"),
    ("en", "Read the latest from Jane Doe", "boilerplate"),
    ("en", "Next Next post: Science links of the week", "boilerplate"),
    ("en", "Tags: python, docker, getting started", "boilerplate"),
    ("de", "Kategorie: News, Politik", "boilerplate"),
    ("sv", "Taggar: Malmö, trafik", "boilerplate"),
    ("en", "This entry was posted in Politics and tagged election. Bookmark the permalink.", "boilerplate"),
    ("de", "Dieser Eintrag wurde veröffentlicht in Politik und verschlagwortet mit Wahl.", "boilerplate"),
    ("sv", "Detta inlägg publicerades i Politik och märktes val.", "boilerplate"),
    ("en", "You must be logged in to post a comment.", "boilerplate"),
    ("de", "Nur angemeldete Benutzer können kommentieren und bewerten.", "boilerplate"),
    ("de", "Sie müssen angemeldet sein, um einen Kommentar abzugeben.", "boilerplate"),
    ("sv", "Du måste vara inloggad för att publicera en kommentar.", "boilerplate"),
    ("en", "Click the button below to load the content from YouTube.", "boilerplate"),
    ("de", "Klicken Sie auf den unteren Button, um den Inhalt von www.example.de zu laden.", "boilerplate"),
    ("de", "Video verfügbar bis 28.02.2021", "boilerplate"),
    ("de", "(Alle Angaben ohne Gewähr)", "boilerplate"),
    ("de", "Inhaltsverzeichnis", "boilerplate"),
    ("sv", "Innehållsförteckning", "boilerplate"),
    ("en", "Source: company reports", "boilerplate"),
    ("de", "Quelle: Landesregierung", "boilerplate"),
    ("sv", "Källa: SCB", "boilerplate"),
    ("en", "Photo by Jane Doe on Unsplash", "boilerplate"),
    # captions
    ("sv", "Foto: TT", "caption"),
    ("de", "Bild: dpa", "caption"),
    ("en", "Photo: Reuters", "caption"),
    ("sv", "Fotograf: Anna Svensson", "caption"),
    ("sv", "Stadshuset i Malmö.Foto: Johan Nilsson/TT", "caption"),
    ("de", "Ein Mann in Berlin. (Foto: picture alliance / dpa)", "caption"),
    ("de", "Das Rathaus am Abend. Bildquelle: Stadt Musterstadt", "caption"),
    # real text that must survive
    ("de", "Ein ganz normaler Satz.", None),
    ("de", "Kirby verneinte.", None),
    ("sv", "Kommunen köpte en annons i tidningen.", None),
    ("sv", "Annonsören vill vara anonym.", None),
    ("de", "Die Anzeige wurde gestern erstattet.", None),
    ("de", "Das Bild: eine Stadt in Trümmern.", None),
    ("en", "By then it was over.", None),
    ("en", "Share prices fell 3% on Monday.", None),
    ("en", "Copyright law changed in 2019.", None),
    ("sv", "Av alla partier var det bara ett som röstade nej.", None),
    ("de", "Von Tür zu Tür gingen die Helfer.", None),
    ("sv", "Publicerad 2019 blev boken en succé.", None),
    ("de", "Stand heute ist unklar, ob der Bau beginnt.", None),
    ("sv", "TT-journalisten berättade om resan.", None),
    ("en", "The AP reported it first.", None),
    ("sv", "Dela upp arbetet i tre delar, sade hon.", None),
    ("sv", "1. Vad händer nu?", None),  # one numbered line is not a menu
    ("fr", "Dela", None),  # Swedish rules do not apply to other languages
    ("en", "To view the damage, the mayor flew over the valley on Tuesday.", None),
    ("en", "New subscribers to the service rose by 12 percent, the company said.", None),
    ("de", "Um den Artikel 5 des Grundgesetzes wird seit Jahren gestritten.", None),
    ("sv", "För att läsa av mätarna krävs en särskild behörighet, sade hon.", None),
    ("en", "The company said its newsletter had reached two million readers this year.", None),
    # picture credits, print and PDF buttons, download menus, link labels
    ("de", "Stau © aremac / Clipdealer", "boilerplate"),
    ("de", "Schneeräumpflicht - was man darüber wissen muss© Rike/pixelio.de", "boilerplate"),
    ("de", "Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.", "boilerplate"),
    ("de", "Diesen Artikel als PDF herunterladen", "boilerplate"),
    ("de", "Diese Seite drucken", "boilerplate"),
    ("de", "Drucken etc.", "boilerplate"),
    ("de", "Downloadbereich", "boilerplate"),
    ("de", "Lesen Sie hier einen weiteren spannenden Beitrag …", "boilerplate"),
    ("en", "Proudly powered by WordPress", "boilerplate"),
    ("de", "Theme: Graphy by Themegraphy", "boilerplate"),
    ("de", "Design von Andreas Viklund und Ainslie Johnson. Community Icons von Tilo Hensel.", "boilerplate"),
    ("en", "Design by committee rarely works, the architect said.", None),
    ("de", "Design von Dieter Rams, sagte die Kuratorin, prägt bis heute die Branche.", None),
    ("de", "Das Beitragsbild zeigt den Bürgermeister vor dem Rathaus.", None),
    ("de", "Lesen Sie hier, was die Stadt plant: Der Rat stimmt am Montag über den Haushalt ab.", None),
    ("de", "Die Downloads der App stiegen im Mai um ein Drittel.", None),
    ("de", "Das Unternehmen informierte in dem Newsletter über die Entlassungen.", None),
    ("de", "Melden Sie sich beim Bürgeramt, sagte die Sprecherin über den Newsletter der Stadt.", None),
    ("de", "Bleiben Sie ruhig, riet die Polizei den Anwohnern am Abend.", None),
    ("sv", "Tidningen skickade ut ett nyhetsbrev till alla prenumeranter i går.", None),
    ("en", "Some rights groups criticised the decision on Tuesday.", None),
    ("en", "Sources said the deal was close.", None),
    ("de", "Die Quelle des Flusses liegt in den Alpen.", None),
    ("sv", "Källan uppgav att avtalet var klart.", None),
    ("en", "Tags are small labels that readers rarely use, the study found.", None),
    ("de", "Mehr Themen als je zuvor standen auf der Tagesordnung.", None),
    ("de", "Inhalt und Form des Gesetzes sind umstritten.", None),
    ("en", "Next week the council will vote again.", None),
    ("de", "Nur angemeldete Demonstrationen sind erlaubt, sagte die Polizei.", None),
    # English newsroom footers, review and Q&A widgets, teaser links, pleas, disclosures
    ("en", "Corrections and Clarifications", "boilerplate"),
    ("en", "Editorial Ethics and Guidelines", "boilerplate"),
    ("en", "Trending Nationally", "boilerplate"),
    ("en", "Do Not Sell My Personal Information", "boilerplate"),
    ("en", "PDF version", "boilerplate"),
    ("en", "2 reviews", "boilerplate"),
    ("en", "asked Feb 6, 2014 at 20:37", "boilerplate"),
    ("en", "5 min read", "boilerplate"),
    ("en", "He studied anthropology and journalism in... Read more", "boilerplate"),
    ("en", "We rely on your support to make local news available to all", "boilerplate"),
    ("en", "Do you want to be informed of our actions? Sign up here", "boilerplate"),
    ("en", "This post contains references to products from one or more of our advertisers.", "boilerplate"),
    ("en", "Some rights reserved 2017-2023 by Example News. " + "Content is licensed to all. " * 12,
     "boilerplate"),
    ("en", "Corrections officers went on strike at the prison on Monday.", None),
    ("en", "The paper printed corrections and clarifications on page two.", None),
    ("en", "Trending upward, prices rose for a third month.", None),
    ("en", "Two reviews of the case found no fault, the board said.", None),
    ("en", "He was asked on Feb 6 whether he would resign.", None),
    ("en", "The fire burned for 21 minutes before crews arrived.", None),
    ("en", "Support for the measure fell to 40 percent in the latest poll.", None),
    ("en", "We rely on volunteers, the shelter's director said.", None),
    ("en", "Sign up here, the officer told the crowd, and you will be called.", None),
    ("de", "Ihr Beitrag hilft, unsere Berichterstattung weiter kostenlos anzubieten.", "boilerplate"),
    ("de", "Unterstützen Sie unabhängigen Journalismus!", "boilerplate"),
    ("de", "Kommentieren Sie hier", "boilerplate"),
    ("de", "Wir informieren Sie regelmäßig zum Thema Energie und über unsere Arbeit.", "boilerplate"),
    ("de", "Themen: Energie, Verkehr, Klima", "boilerplate"),
    ("de", "Logo des Vereins (Archiv)", "boilerplate"),
    ("sv", "Stöd oberoende journalistik – bli månadsgivare i dag!", "boilerplate"),
    ("sv", "Bli medlem", "boilerplate"),
    ("de", "Ihr Beitrag zur Debatte war mutig, sagte die Ministerin.", None),
    ("de", "Unterstützen Sie die Forderung, fragte der Moderator.", None),
    ("de", "Die Themen der Sitzung waren Energie und Verkehr.", None),
    ("sv", "Stödet till bönderna ökar med en miljard kronor.", None),
    ("sv", "Bli inte förvånad om priset stiger, sade hon.", None),
    # author boxes: a name with a journalist's role; other roles and press reviews are news
    ("de", "Max Muster ist Redakteur im Ressort Politik.", "boilerplate"),
    ("de", "Erika Mustermann schreibt für die Wirtschaftsredaktion.", "boilerplate"),
    ("de", "Freier Autor in Berlin", "boilerplate"),
    ("en", "Jane Doe is a senior reporter for The Daily Journal. Email: jdoe@example.com", "boilerplate"),
    ("en", "John Roe covers politics and faith for the Los Angeles Times.", "boilerplate"),
    ("sv", "Anna Svensson är reporter på Nyhetsdesken och bevakar Skåne.", "boilerplate"),
    ("de", "Anna Muster ist Ärztin in Berlin und leitet eine Praxis.", None),
    ("de", "Die Zeit schreibt über den Fall, ohne Quellen zu nennen.", None),
    ("de", "Die Stadt will die neuen Busse vier Wochen lang kostenlos testen, sagte der Bürgermeister.", None),
    ("de", "Vier Wochen für 49 Euro: Das Deutschlandticket kommt im Mai.", None),
    ("de", "4 Wochen kostenlos testen konnten die Bürger die neuen Busse im Stadtgebiet, sagte sie.", None),
    ("en", "Jane Doe is a nurse at the county hospital.", None),
    ("en", "The Washington Post covers the hearing live.", None),
    ("sv", "Anna Svensson är läkare i Malmö sedan tio år.", None),
    ("sv", "Dagens Nyheter skriver om fallet i dag.", None),
]


@pytest.mark.parametrize(("language", "line", "reason"), LINES)
def test_single_line(language: str, line: str, reason: str | None) -> None:
    result = clean_paragraphs([LEAD, line, TAIL], language)
    removed = removed_by_index(result)
    if reason is None:
        assert 1 not in removed
        # untouched, not even stripped; on a three-line page it may be the headline
        assert line in [*result.paragraphs, result.title]
    else:
        assert removed[1][0] == reason
        assert result.paragraphs == [TAIL]  # LEAD is taken as the title


STRIPS = [
    (
        "de",
        "AnzeigeWashington - Russland soll Raketen eingesetzt haben.",
        "Washington - Russland soll Raketen eingesetzt haben.",
    ),
    ("sv", "AnnonsAnnonsAnnonsStockholm är huvudstad.", "Stockholm är huvudstad."),
    ("en", "ADVERTISEMENT The council met on Monday.", "The council met on Monday."),
    ("sv", "UTRIKES Amerikanska uppgifter är fel.", "Amerikanska uppgifter är fel."),
    (
        "sv",
        "ANNONS UTRIKES Amerikanska uppgifter är fel.",
        "Amerikanska uppgifter är fel.",
    ),
    (
        "de",
        "AUSLAND Die Regierung in Rom ist gestürzt.",
        "Die Regierung in Rom ist gestürzt.",
    ),
    # not markers
    ("en", "NATO Secretary General Jens Stoltenberg said so.", None),
    ("sv", "USA Today rapporterar om saken.", None),
    ("sv", "SPORTLOV i hela landet nästa vecka.", None),
    ("de", "Anzeige gegen Unbekannt wurde erstattet.", None),
    ("en", "Advertisement revenue fell sharply last year.", None),
]


@pytest.mark.parametrize(("language", "line", "expected"), STRIPS)
def test_leading_markers_are_stripped_not_dropped(language: str, line: str, expected: str | None) -> None:
    result = clean_paragraphs([LEAD, line], language)
    assert result.removed == []
    assert result.paragraphs == [expected or line]
    assert bool(result.stripped) == (expected is not None)


# --- duplicates, menus, title -----------------------------------------------------

LONG = (
    "Der Bau soll im Frühjahr beginnen und etwa zwei Jahre dauern, teilte die Verwaltung mit. "
    "Während der Bauzeit wird die Hauptstraße abschnittsweise gesperrt und der Busverkehr "
    "wird über die Ringstraße umgeleitet, die Anwohner werden vorab per Brief informiert."
)


@pytest.mark.parametrize(
    ("later", "rule"),
    [
        (LONG, "exact_duplicate"),
        ("  " + LONG.replace(" ", "\u00a0", 3) + "\u200b ", "exact_duplicate"),
        (LONG.upper(), "exact_duplicate"),
        (LONG + " (dpa)", "contained_duplicate"),
        (LONG.replace("Brief", "E-Mail"), "near_duplicate"),
    ],
)
def test_duplicates_collapse_to_first_occurrence(later: str, rule: str) -> None:
    result = clean_paragraphs(["Baustart im Frühjahr", LONG, "Kirby verneinte.", later], "de")
    assert removed_by_index(result) == {3: ("duplicate", rule, 1)}
    assert result.paragraphs == [LONG, "Kirby verneinte."]


@pytest.mark.parametrize(
    ("extracted", "later", "dropped"),
    [
        (True, "My Top 10 Women Talking Sports", False),  # words of its own before: the extractor's text
        (True, "Top 10 Women Talking Sports (AP)", True),  # a credit after: a repeat
        (False, "My Top 10 Women Talking Sports", True),  # a whole page: a teaser's kicker, furniture
    ],
)
def test_a_longer_repeat_of_the_headline_stays_in_extracted_text(extracted: bool, later: str, dropped: bool) -> None:
    paras = ["Top 10 Women Talking Sports", "A generally accepted myth: men talk about sports, women don't.", later,
             "1. Christie Leigh Mueller shares my passion for sports knowledge."]
    result = clean_paragraphs(paras, "en", extracted=extracted)
    assert (removed_by_index(result).get(2) == ("duplicate", "contained_duplicate", 0)) is dropped
    assert (later in result.paragraphs) is not dropped


def test_short_or_different_paragraphs_are_not_duplicates() -> None:
    paras = [
        "Kurz gemeldet",
        "Kirby verneinte.",
        "Kirby verneinte nicht.",
        LONG,
        "Der Bau soll im Frühjahr beginnen. Die Kosten liegen bei vier Millionen Euro.",
    ]
    assert clean_paragraphs(paras, "de").removed == []


def test_menu_rule_needs_a_run() -> None:
    paras = [
        "Rubrik",
        "1. Nyheter",
        "Annons",
        "2. Sport",
        LEAD,
        "1. Vad händer nu?",
        TAIL,
    ]
    removed = removed_by_index(clean_paragraphs(paras, "sv"))
    # The rules' removals; what the line model makes of the one-word "Rubrik" is its own affair.
    assert {i: rule for i, (_, rule, _) in removed.items() if not rule.startswith("classifier:")} == {
        1: "common:numbered_menu",
        2: "common:ad_marker",  # does not break the menu's run
        3: "common:numbered_menu",
    }


def test_title_is_first_surviving_headline() -> None:
    result = clean_paragraphs(["Annons", "Foto: TT", "Ny bro över älven", LEAD], "sv")
    assert (result.title, result.title_index) == ("Ny bro över älven", 2)
    assert result.paragraphs == [LEAD] and result.kept_indices == [3]


def test_empty_paragraphs_are_recorded_and_empty_input_is_fine() -> None:
    result = clean_paragraphs(["Rubrik", " \u00a0 ", LEAD], "sv")
    assert removed_by_index(result) == {1: ("boilerplate", "empty", None)}
    empty = clean_paragraphs([], "sv")
    assert (empty.title, empty.paragraphs, empty.removed) == (None, [], [])


def test_to_dict_is_json_ready_and_deterministic() -> None:
    paras = paragraphs_of("sv_seed_blt_nordkorea.txt")
    first = clean_paragraphs(paras, "sv").to_dict()
    assert json.loads(json.dumps(first)) == first
    assert first == clean_paragraphs(list(paras), "sv").to_dict()
    assert first["stats"]["kept_paragraphs"] == 10
    assert first["removed"][0] == {
        "index": 0,
        "reason": "boilerplate",
        "duplicate_of": None,
        "rule": "common:logo",
        "text": "Blekinge Läns Tidning logo",
        "score": None,  # a rule decided, not the line model
    }


def test_language_tags_and_unknown_languages() -> None:
    assert {r.name for r in load_rules("sv-SE")} == {r.name for r in load_rules("sv")}
    unknown = {r.name for r in load_rules("xx")}
    assert unknown == {r.name for r in load_rules("en")}
    assert {r.name for r in load_rules("../../etc")} == unknown


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  Ein\u00a0Satz \t mit\n Leerraum  ", "Ein Satz mit Leerraum"),
        ("Sko\u0308vde", "Skövde"),
        ("Infor\u00admation\u200b", "Information"),
        ("", ""),
    ],
)
def test_normalize_paragraph(raw: str, normalized: str) -> None:
    assert normalize_paragraph(raw) == normalized
    assert normalize_paragraph(normalized) == normalized


# --- user rules -------------------------------------------------------------------


def test_extra_rules_file_adds_and_disables_rules(tmp_path: Path) -> None:
    rules = tmp_path / "mysite.yaml"
    rules.write_text(
        "language: sv\n"
        "rules:\n"
        "  tip_box:\n"
        "    # Our site's tip box.\n"
        "    pattern: 'Tipsa redaktionen: .{1,80}'\n"
        "  share:\n"
        "    enabled: false\n"
        "  common:agency_only:\n"
        "    enabled: false\n",
        encoding="utf-8",
    )
    paras = ["Rubrik", "Tipsa redaktionen: tips@example.se", "Dela", "TT", LEAD]
    result = clean_paragraphs(paras, "sv", extra_rules=[rules])
    assert removed_by_rules(result) == {1: ("boilerplate", "sv:tip_box", None)}
    # A file for another language leaves German alone.
    assert removed_by_rules(clean_paragraphs(paras, "de", extra_rules=[rules])) == {
        3: ("boilerplate", "common:agency_only", None)
    }


@pytest.mark.parametrize(
    ("kind", "pattern", "line"),
    [
        ("remove", r"(\w+) \1 \1", "Klick Klick Klick"),
        ("prefix", r"(\w+)-\1 ", "TT-TT Regeringen meddelade i dag att skatten sänks."),
        ("credit", r" \((\w+)/\1\)", "Statsministern i riksdagen (TT/TT)"),
        ("remove", r"(<)?Klick(?(1)>)", "<Klick>"),  # a conditional group: (?(1)…)
    ],
)
def test_rules_with_group_references_still_match(tmp_path: Path, kind: str, pattern: str, line: str) -> None:
    # Rules are joined into one pattern to skip lines no rule can match; a backreference
    # would point at another group there, so such rules must be matched on their own.
    rules = tmp_path / "mysite.yaml"
    # A rule with a capturing group of its own comes first, so a joined \1 would point at it.
    rules.write_text(f"rules:\n  group:\n    kind: {kind}\n    pattern: '(Xyzzy) plugh'\n"
                     f"  echo:\n    kind: {kind}\n    pattern: '{pattern}'\n", encoding="utf-8")
    result = clean_paragraphs(["Rubrik här", line, LEAD], "sv", extra_rules=[rules])
    if kind == "prefix":
        assert [s.rule for s in result.stripped] == ["mysite:echo"]
    else:
        assert {r.index: r.rule for r in result.removed}.get(1) == "mysite:echo"


def test_rules_dir_from_environment_is_read_at_call_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sv.yaml").write_text(
        "rules:\n  publisher_blurb:\n    enabled: false\n  footer:\n    pattern: 'Tidningen Sydkusten AB'\n",
        encoding="utf-8",
    )
    (tmp_path / "fr.yaml").write_text("rules:\n  ad:\n    pattern: 'Publicité'\n", encoding="utf-8")
    monkeypatch.delenv("MTSUM_RULES_DIR", raising=False)
    paras = [
        "Rubrik",
        "Så här jobbar Sydkusten med journalistik.",
        "Tidningen Sydkusten AB",
        LEAD,
    ]
    assert set(removed_by_rules(clean_paragraphs(paras, "sv"))) == {1}
    monkeypatch.setenv("MTSUM_RULES_DIR", str(tmp_path))
    assert removed_by_rules(clean_paragraphs(paras, "sv")) == {2: ("boilerplate", "sv:footer", None)}
    # A language file in the user folder replaces the English fallback.
    french = removed_by_rules(clean_paragraphs(["Titre", "Publicité", "Share", LEAD], "fr"))
    assert french == {1: ("boilerplate", "fr:ad", None)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules:\n  bad:\n    pattern: '(unclosed'\n", "invalid regex"),
        ("rules:\n  bad:\n    kind: delete\n    pattern: 'x'\n", "kind must be one of"),
        ("rules:\n  bad:\n    kind: remove\n", "'pattern' must be"),
        ("rules:\n  bad:\n    pattern: 'x'\n    min_run: 0\n", "min_run"),
        ("- just\n- a list\n", "top-level 'rules:'"),
        ("rules: [unclosed\n", "cannot read rules file"),
    ],
)
def test_malformed_rules_raise_config_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        clean_paragraphs(["x"], "sv", extra_rules=[path])


@pytest.mark.parametrize("name", ["nope.yaml", "folder.yaml"])
def test_missing_rules_file_raises_config_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder.yaml").mkdir()  # a folder is no rules file
    with pytest.raises(ConfigError, match="not found"):
        clean_paragraphs(["x"], "sv", extra_rules=[tmp_path / name])


def test_an_edited_rules_file_is_read_again(tmp_path: Path) -> None:
    # A long-running process (the digest, a batch) must see a user's edit at the next document.
    rules = tmp_path / "mysite.yaml"
    paras = ["Rubrik här", "Reklam från oss", "Reklam från dem", LEAD]
    rules.write_text("rules:\n  ours:\n    pattern: 'Reklam från oss'\n", encoding="utf-8")
    assert set(removed_by_rules(clean_paragraphs(paras, "sv", extra_rules=[rules]))) == {1}
    rules.write_text("rules:\n  theirs:\n    pattern: 'Reklam från (?:dem|andra)'\n", encoding="utf-8")
    assert removed_by_rules(clean_paragraphs(paras, "sv", extra_rules=[rules])) == {
        2: ("boilerplate", "mysite:theirs", None)
    }


FRAGMENTS = [
    "Annons",
    "Anzeige",
    "Facebook",
    "TT",
    "Max Muster",
    "Av Anna Svensson",
    "By Jane Doe",
    "Publicerad 6 september 2022",
    "Stand: 12.01.2024, 10:15 Uhr",
    "Published 6 September 2022",
    "Foto: AP",
    "1. Sport",
    "©",
]
SEPARATORS = ["", " ", ", ", " · ", ": ", "/", " och ", " und ", " and "]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
@pytest.mark.parametrize("language", ["sv", "de", "en"])
def test_no_rule_backtracks_catastrophically(language: str) -> None:
    # A rule like (?:Annons\s*:?\s*)+ takes exponential time on a long near-miss;
    # every packaged pattern must fail fast on repeated tokens with junk at the end.
    def timeout(*_: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, timeout)
    try:
        for rule in load_rules(language):
            for pattern in rule.patterns:
                for fragment in FRAGMENTS:
                    for sep in SEPARATORS:
                        text = sep.join([fragment] * 30) + " x!"
                        signal.setitimer(signal.ITIMER_REAL, 5.0)  # a hang guard, not a speed test
                        try:
                            pattern.fullmatch(text)
                            pattern.match(text)
                            pattern.search(text)
                        except TimeoutError:
                            pytest.fail(f"{rule.name} is slow on {text[:60]!r}")
                        finally:
                            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_import_is_light() -> None:
    code = (
        "import sys, mtsum.clean, mtsum.io.html; "
        "heavy = {'torch', 'transformers', 'trafilatura'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_extra_rules_for_a_language_without_packaged_rules(tmp_path: Path) -> None:
    rules = tmp_path / "french.yaml"
    rules.write_text("language: fr\nrules:\n  ad:\n    pattern: 'Publicité'\n", "utf-8")
    paras = ["Titre", "Publicité", "Share", LEAD]
    removed = removed_by_index(clean_paragraphs(paras, "fr-FR", extra_rules=[rules]))
    # The file applies on top of the English fallback.
    assert {i: rule for i, (_, rule, _) in removed.items()} == {
        1: "fr:ad",
        2: "en:share",
    }


def test_packaged_line_model_loads_and_matches_the_features() -> None:
    from mtsum.clean import line_model

    model = line_model.current()
    assert model is not None
    assert int(model.trees.feature.max()) < len(line_model.FEATURES)
    assert model.trees.depth >= 1 and len(model.trees.roots) >= 10
    assert model.lexicon.weights and 0.5 <= model.threshold < 1.0


@pytest.mark.parametrize(
    ("mass", "above", "below"),
    [
        # Prose characters per line (0: not prose): each line's share of them above and below.
        ([0, 100, 300, 0], [0.0, 0.0, 0.25, 1.0], [1.0, 0.75, 0.0, 0.0]),
        ([50, 0, 50], [0.0, 0.5, 0.5], [0.5, 0.5, 0.0]),
        ([0, 0], [0.0, 0.0], [0.0, 0.0]),  # no prose: no place
        ([], [], []),
    ],
)
def test_prose_mass_places_a_line_in_the_article(mass: list[float], above: list[float], below: list[float]) -> None:
    import numpy as np

    from mtsum.clean import context

    got_above, got_below = context.prose_mass(np.asarray(mass, dtype=float))
    assert got_above.tolist() == pytest.approx(above) and got_below.tolist() == pytest.approx(below)


_PROSE = "Die Stadt baut neue Radwege entlang der Bahnhofstraße und verbreitert die Gehwege am Marktplatz."


@pytest.mark.parametrize(
    ("line", "share", "words"),
    [
        # The article's own sub-heading and a caption speak of what its prose speaks of.
        ("Radwege an der Bahnhofstraße", 1.0, 2),
        ("Gehwege am Marktplatz werden breiter", 2 / 3, 2),
        # Inflected: the first six letters are compared.
        ("Radweg und Gehweg", 1.0, 2),
        # Navigation and another story's teaser do not.
        ("Zurück zur Übersicht", 0.0, 0),
        ("Tyson Fury gewinnt gegen Whyte", 0.0, 0),
        # Function words and short words are no topic at all.
        ("und der die", -1.0, 0),
        ("", -1.0, 0),
    ],
)
def test_topic_overlap_with_the_article_prose(line: str, share: float, words: int) -> None:
    import math

    import numpy as np

    from mtsum.clean import context

    got_share, got_words = context.topic_overlap([_PROSE, line], np.array([True, False]))
    assert got_share[1] == pytest.approx(share) and got_words[1] == pytest.approx(math.log1p(words))


def test_topic_overlap_does_not_count_a_prose_line_with_itself() -> None:
    import numpy as np

    from mtsum.clean import context

    other = "Der Gemeinderat beschloss am Dienstag den Haushalt für das kommende Jahr einstimmig."
    share, _ = context.topic_overlap([_PROSE, other, _PROSE], np.array([True, True, False]))
    # The first prose line's words are on no other anchor line; the copy below it is matched in full.
    assert share[0] == 0.0 and share[1] == 0.0 and share[2] == 1.0


def _stump(feature: str, split: float, low: float, high: float) -> dict:
    """A one-split tree: *low* where the feature is <= *split*, else *high*."""
    from mtsum.clean import line_model

    index = line_model.FEATURES.index(feature)
    return {"feature": [index, 0, 0], "threshold": [split, 0.0, 0.0], "left": [1, 0, 0], "right": [2, 0, 0],
            "leaf": [False, True, True], "value": [0.0, low, high]}


def test_trees_walk_sums_the_leaves_of_every_tree() -> None:
    import numpy as np

    from mtsum.clean import line_model

    trees = line_model.Trees.from_dict({
        "trees": [_stump("link_share", 0.5, -1.0, 2.0), _stump("log_words", 1.0, 0.5, -0.25)],
        "baseline": 0.1,
        "depth": 1,
    })
    x = np.zeros((3, len(line_model.FEATURES)))
    x[1, line_model.FEATURES.index("link_share")] = 0.9
    x[2, line_model.FEATURES.index("log_words")] = 3.0
    assert trees.raw(x).tolist() == pytest.approx([0.1 - 1.0 + 0.5, 0.1 + 2.0 + 0.5, 0.1 - 1.0 - 0.25])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mehr zum Thema", ["mehr", "zum", "thema", "mehr zum", "zum thema"]),
        ("3 Kommentare", ["0", "kommentare", "0 kommentare"]),
        ("Läs också:", ["läs", "också", "läs också"]),
        ("", []),
    ],
)
def test_lexicon_grams(text: str, expected: list[str]) -> None:
    from mtsum.clean import line_model

    assert line_model.grams(text) == expected


def test_lexicon_scores_lines_by_their_ngrams() -> None:
    from mtsum.clean import line_model

    lexicon = line_model.Lexicon({"mehr zum": 3.0, "sagte": -2.0}, bias=-0.5)
    p = lexicon.probability(["Mehr zum Thema", "Das sagte sie.", "Bundestag"])
    assert p[0] > 0.9 and p[1] < 0.1 and p[2] == pytest.approx(1 / (1 + math.exp(0.5)))


@pytest.mark.parametrize(
    ("link_share", "guarded", "dropped"),
    [
        (0.9, False, True),  # the trees say boilerplate: goes
        (0.9, True, False),  # guarded prose stays, whatever the trees say
        (0.0, False, False),  # the trees say article: stays
    ],
)
def test_line_model_decision_respects_the_guard(link_share: float, guarded: bool, dropped: bool) -> None:
    import numpy as np

    from mtsum.clean import line_model

    trees = line_model.Trees.from_dict({"trees": [_stump("link_share", 0.5, -4.0, 4.0)], "baseline": 0.0, "depth": 1})
    model = line_model.LineModel(line_model.Lexicon({}, 0.0), trees, threshold=0.9)
    row = np.zeros((1, len(line_model.FEATURES)))
    row[0, line_model.FEATURES.index("link_share")] = link_share
    assert model.drops(model.weigh(row, np.array([guarded]))).tolist() == [dropped]


@pytest.mark.parametrize(
    ("language", "dropped"),
    [
        ("de", True),  # 0.7 reaches German's threshold (0.6)
        ("en", False),  # ... not English's (0.8)
        ("sv", False),  # no threshold of its own: the most conservative one
        (None, False),
    ],
)
def test_line_model_thresholds_are_per_language(language: str | None, dropped: bool) -> None:
    import numpy as np

    from mtsum.clean import line_model

    # One leaf worth log(0.7 / 0.3): every row has P(boilerplate) 0.7.
    trees = line_model.Trees.from_dict({"trees": [_stump("link_share", 0.5, 0.0, 0.0)],
                                        "baseline": math.log(0.7 / 0.3), "depth": 1})
    model = line_model.LineModel(line_model.Lexicon({}, 0.0), trees, threshold=0.8,
                                 thresholds={"de": 0.6, "en": 0.8})
    row = np.zeros((1, len(line_model.FEATURES)))
    assert model.drops(model.weigh(row, np.array([False])), language).tolist() == [dropped]


def test_packaged_thresholds_cover_our_languages() -> None:
    from mtsum.clean import line_model

    model = line_model.current()
    assert model is not None and set(model.thresholds) == {"de", "en", "sv"}
    # Other languages get the most conservative dev-page threshold.
    assert model.threshold == max(model.thresholds["de"], model.thresholds["en"]) == model.threshold_for("fr")
    assert all(0.5 < t < 1.0 for t in model.thresholds.values())


# A German page as a naive scraper saves it: a run of short teaser and widget lines
# the learned model drops (no rule names them), a menu entry a rule removes, and a
# menu line of separators (a strong hand-written verdict).
EXTRACTED_PAGE = [
    "Neue Straßenbahn für Musterstadt",
    "Der Stadtrat hat am Mittwoch beschlossen, eine neue Straßenbahnlinie vom Hauptbahnhof bis zum "
    "Universitätsviertel zu bauen. Die Entscheidung fiel nach einer langen Debatte.",
    "Die Linie soll rund neun Kilometer lang werden und vierzehn Haltestellen haben. Die Verwaltung "
    "rechnet mit Kosten von etwa 120 Millionen Euro.",
    "Die Opposition kritisierte die Pläne als zu teuer und forderte stattdessen mehr Busse.",
    "Der Oberbürgermeister zeigte sich dennoch zuversichtlich, dass die Bahn wie geplant fahren wird, "
    "sagte er am Abend vor Journalisten.",
    "Mehr aus der Region",
    "Neue Busse für Kleinstadt (12)",
    "Hallenbad schließt im Sommer (4)",
    "Stadtfest wird verschoben (7)",
    "Wetter: 12 Grad, Regen",
    "Zur mobilen Ansicht",
    "Nach oben",
    "Startseite | Politik | Sport | Kultur | Wirtschaft",
]


def test_extracted_text_is_not_cut_by_the_structure_classifier() -> None:
    def removed(result: CleanResult) -> dict[int, str]:
        return {r.index: r.rule or "" for r in result.removed}

    from mtsum.clean import line_model

    # A model that drops more than the packaged one (whose P for this page's widget lines
    # is about 0.5): what is tested is that an extraction is out of the classifier's reach.
    model = line_model.current()
    assert model is not None
    line_model.use_model(dataclasses.replace(model, thresholds={"de": 0.4}))
    try:
        scrape = removed(clean_paragraphs(EXTRACTED_PAGE, "de"))
        extracted = removed(clean_paragraphs(EXTRACTED_PAGE, "de", extracted=True))
    finally:
        line_model.use_model(None)
    structural = {i for i, rule in scrape.items() if rule.startswith("classifier:")}
    assert len(structural) >= 4  # the classifier drops the widget lines of this page as a scrape...
    assert not structural & set(extracted)  # ... but nothing out of an extractor's text
    assert extracted == {11: "de:navigation"} == {11: scrape[11]}  # the rules still apply


@pytest.mark.parametrize(
    ("guard", "verdict", "expected"),
    [
        # a sub-heading and its list between two prose paragraphs: the article's own
        ("P...P", ".....", "PGGGP"),
        # ... unless a hand-written verdict is among them (a "Mehr zum Thema" list)
        ("P...P", "..V..", "P...P"),
        # a run longer than eight lines is not smoothed over
        ("P" + "." * 9 + "P", "." * 11, "P" + "." * 9 + "P"),
        ("P" + "." * 8 + "P", "." * 10, "P" + "G" * 8 + "P"),
        # lines after the last prose paragraph (widgets, footers) stay the model's
        ("PP...", ".....", "PP..."),
        ("...", "...", "..."),
    ],
)
def test_short_lines_between_prose_are_guarded(guard: str, verdict: str, expected: str) -> None:
    import numpy as np

    from mtsum.clean import context

    added = context.between_prose(np.array([c == "P" for c in guard]), np.array([c == "V" for c in verdict]))
    assert "".join("P" if g == "P" else ("G" if a else ".") for g, a in zip(guard, added)) == expected


# --- site vocabulary ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en", "sv", "fr"])
@pytest.mark.parametrize(
    "line",
    [
        "Jetzt Newsletter abonnieren und per E-Mail informiert bleiben",
        "Kommentare (3) | Antworten | Teilen",
        "Subscribe to our newsletter · Sign in · Privacy policy · Terms of use",
        "Mehr zum Thema: www.beispiel.de und spiegel.de/politik",
        "Logga in för att kommentera – läs mer om våra villkor",
        "Der Stadtrat hat am Mittwoch eine neue Straßenbahnlinie beschlossen.",
        "cookie-policy.de, repl ies, replies, reply, log in, login, e-mail, email",
    ],
)
def test_site_vocabulary_grouped_by_first_letter_finds_what_the_plain_alternation_finds(
    language: str, line: str
) -> None:
    from mtsum.clean import words

    branches = [w for w in (words.FURNITURE["common"], words.FURNITURE["en"], words.FURNITURE.get(language, "")) if w]
    plain = re.compile(rf"(?<!\w)(?:{'|'.join(branches)})")
    assert words.site_vocabulary(language).findall(line.lower()) == plain.findall(line.lower())


def _scraped_pages() -> list[tuple[str, list[str]]]:
    pages = sorted((DATA / "scraped").glob("*.txt"))
    assert pages, "tests/data/scraped holds our own scraped pages"
    return [(p.name[:2], [ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]) for p in pages]


def test_recurring_lines_clean_as_new_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept features and fingerprints change nothing: cold, warm, and with bounds so
    small that they are forgotten mid-page, every page cleans the same."""
    from mtsum.clean import duplicates, features, recurring

    pages = _scraped_pages()
    recurring.forget_lines()
    cold = [clean_paragraphs(lines, lang) for lang, lines in pages]
    warm = [clean_paragraphs(lines, lang) for lang, lines in pages]
    for kept in recurring._every:
        monkeypatch.setattr(kept, "limit", 3)
    recurring.forget_lines()
    bounded = [clean_paragraphs(lines, lang) for lang, lines in pages]
    assert cold == warm == bounded
    # Bounded: a page may fill a store past the bound, the next one starts it afresh.
    heaviest = max(sum(len(line) + 64 for line in lines) for _, lines in pages)
    most_words = max(sum(len(re.findall(r"\w+", line.casefold())) + 1 for line in lines) for _, lines in pages)
    for kept in features._seen.values():
        assert kept.weight == sum(len(t) + 64 for t in kept.values) <= 3 + heaviest
    fingerprints = duplicates._fingerprints
    assert fingerprints.weight == sum(len(words) + 1 for _, words, _ in fingerprints.values.values()) <= 3 + most_words


def test_lines_seen_before_are_not_analysed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page read twice (scripts/html_restore.py scores the page, then its article is
    cleaned; pages of one site share lines): the second pass computes no line's features again."""
    from mtsum.clean import cleaner, features, recurring

    calls: list[str] = []
    original = features.features

    def counting(text: str, *args: object) -> features.LineFeatures:
        calls.append(text)
        return original(text, *args)

    monkeypatch.setattr(features, "features", counting)
    lang, lines = _scraped_pages()[0]
    recurring.forget_lines()
    cleaner.line_scores(lines, lang)
    first = len(calls)
    assert first > 0
    article = lines[len(lines) // 3 : 2 * len(lines) // 3]
    clean_paragraphs(article, lang, extracted=True)
    assert len(calls) == first
    recurring.forget_lines()
    clean_paragraphs(article, lang, extracted=True)
    assert len(calls) > first


@pytest.mark.parametrize("rows", [0, 1, 2, 5, 17])
@pytest.mark.parametrize("k", [1, 3, 8])
def test_window_sums_are_the_neighbours_sums(rows: int, k: int) -> None:
    """The line model's context columns: per line, the sums over the lines within k of
    it, itself excluded, cut at the page's edges."""
    import numpy as np

    from mtsum.clean import context

    values = np.arange(rows * 3, dtype=np.float64).reshape(rows, 3) ** 1.5
    expected = np.array([values[max(0, i - k) : i + k + 1].sum(axis=0) - values[i] for i in range(rows)])
    got = context.window_sum(values, k)
    assert got.shape == (rows, 3)
    np.testing.assert_allclose(got, expected.reshape(rows, 3), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    "only",
    [
        "",
        "x",
        "-",
        "x------x",
        "----x----------",
        "xxxxxxxxxxxx",
        "--------------x",
        "x-x-------x--x--------",
    ],
)
def test_lexical_columns_of_some_rows_are_those_of_all(only: str) -> None:
    """Cleaning weighs only the unguarded lines, and the lexicon skips lines no such
    line's window reaches: the columns of the rows it weighs must be exactly those of
    the whole page, and the others must read NaN, never a plausible number."""
    import numpy as np

    from mtsum.clean import line_model

    model = line_model.current()
    assert model is not None
    words = "Mehr zum Thema Newsletter abonnieren Die Polizei sagte am Montag Kommentare 0 comments".split()
    texts = [" ".join(words[(i * 3) % len(words) : (i * 3) % len(words) + 1 + i % 5]) for i in range(len(only))]
    mask = np.array([c == "x" for c in only], dtype=bool)
    whole = line_model.lexical_columns(model.lexicon, texts)
    some = line_model.lexical_columns(model.lexicon, texts, mask)
    assert some.shape == whole.shape == (len(only), len(line_model.LEXICAL_FEATURES))
    np.testing.assert_array_equal(some[mask], whole[mask])
    assert np.isnan(some[~mask]).all()


@pytest.mark.parametrize("k", [1, 3, 8])
def test_a_window_sum_depends_on_its_window_alone(k: int) -> None:
    """To the last bit: with differences of cumulative sums, the stop-share means of
    lines whose neighbours have no stopwords came out as ±1e-16 depending on lines far
    above, and trees learned splits on that noise's sign."""
    import numpy as np

    from mtsum.clean import context

    rng = np.random.default_rng(k)
    values = rng.random((60, 2)) / 7
    row = 40
    values[row - k : row + k + 1] = 0.0  # neighbours without stopwords
    values[row] = 0.3  # around a line with them
    base = context.window_sum(values, k)[row]
    assert (base == 0.0).all()
    changed = values.copy()
    changed[: row - k] = rng.random((row - k, 2)) * 1e3  # everything before the window
    assert (context.window_sum(changed, k)[row] == base).all()


def test_the_photo_credit_lookahead_admits_every_credit_word() -> None:
    """The packaged credit pattern opens with a lookahead of the characters a credit
    can start with (a speed-up); a word added to the list without its first letter
    would silently never match."""
    import re

    from mtsum.clean.rules import load_rules

    rule = next(r for r in load_rules("de", None) if r.name == "common:photo_credit")
    pattern = rule.patterns[0].pattern
    lookahead = re.match(r"\(\?=\[([^\]]*)\]\)", pattern)
    assert lookahead is not None
    words = re.search(r"\(\?:((?:\w+\|)+\w+)\)", pattern)
    assert words is not None
    allowed = re.compile(f"[{lookahead.group(1)}]")
    assert allowed.match("(") and allowed.match(" ")
    for word in words.group(1).split("|"):
        assert allowed.match(word), word
        assert rule.patterns[0].search(f"Die Stadt am Abend. {word}: Jane Doe/TT"), word
