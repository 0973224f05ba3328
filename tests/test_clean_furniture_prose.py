"""An article paragraph that uses website words (accounts, passwords, logging in) stays.

Inside the text, a line with three or more words of site vocabulary is a paywall or
newsletter box more often than not, but an article about accounts and passwords is full
of such lines. The verdict on them is ``furniture-prose``, apart from ``site-furniture``
(short lines, menus), so the training decides on its own whether it may overrule the
line model; on the annotated pages it may not (about half of the prose lines it named
were article text), and the model keeps these paragraphs.
"""

from __future__ import annotations

import pytest

from mtsum.clean import clean_paragraphs
from mtsum.clean.cleaner import normalize_paragraph
from mtsum.clean.features import analyse

ARTICLES = {
    "sv": [
        "Vi raderade lösenordet för ett av våra konton – så gick det",
        ("Allt fler tjänster låter användarna logga in med en passkey i stället för ett lösenord, "
         "och nu har även Microsoft tagit steget fullt ut."),
        ("Vi bestämde oss för att testa hur det fungerar i praktiken, och resultatet blev bättre än "
         "vi hade väntat oss efter flera år med krångliga lösenord."),
        ("Själva raderingen är enkel: du loggar in på kontots inställningar på webben, väljer "
         "säkerhet och tar bort lösenordet, varefter kontot bara kan nås med en passkey."),
        ("Att bli av med sin passkey är inte värre än att glömma ett lösenord, förutsatt att man har "
         "lagt till ett återställningsalternativ i förväg."),
        ("Experterna vi talat med menar att tekniken kommer att bli standard inom några år, eftersom "
         "den skyddar mot nätfiske på ett helt annat sätt."),
        ("Den som vill pröva kan börja med ett mindre viktigt konto och se hur det fungerar i "
         "vardagen innan man tar steget fullt ut."),
    ],
    "de": [
        "Wir haben das Passwort unseres Kontos gelöscht – so lief es",
        ("Immer mehr Dienste lassen ihre Nutzer sich mit einem Passkey statt mit einem Passwort "
         "anmelden, und nun geht auch Microsoft diesen Schritt ganz."),
        ("Wir wollten wissen, wie das im Alltag funktioniert, und das Ergebnis war besser, als wir "
         "nach Jahren mit umständlichen Passwörtern erwartet hatten."),
        ("Das Löschen selbst ist einfach: Man meldet sich in den Kontoeinstellungen an, wählt die "
         "Sicherheit und entfernt das Passwort, danach ist das Konto nur noch mit dem Passkey "
         "erreichbar."),
        ("Den Passkey zu verlieren ist nicht schlimmer, als ein Passwort zu vergessen, sofern man "
         "vorher eine Möglichkeit zur Wiederherstellung eingerichtet hat."),
        ("Die Fachleute, mit denen wir gesprochen haben, erwarten, dass die Technik in wenigen "
         "Jahren zum Standard wird, weil sie ganz anders vor Phishing schützt."),
        ("Wer es ausprobieren will, kann mit einem weniger wichtigen Zugang beginnen und sehen, wie "
         "es sich im Alltag bewährt, bevor er den Schritt ganz geht."),
    ],
    "en": [
        "We deleted the password on one of our accounts – here is how it went",
        ("More and more services let people sign in with a passkey instead of a password, and now "
         "Microsoft has taken the step all the way."),
        ("We wanted to see how that works in everyday life, and the result was better than we had "
         "expected after years of awkward passwords."),
        ("Deleting it is simple: you log in to the account settings on the web, choose security and "
         "remove the password, after which the account can only be reached with a passkey."),
        ("Losing a passkey is no worse than forgetting a password, provided that you have set up a "
         "way to recover the account beforehand."),
        ("The experts we spoke to expect the technology to become the standard within a few years, "
         "because it protects against phishing in a very different way."),
        ("Anyone who wants to try it can start with a less important service and see how it holds up "
         "day to day before going all the way."),
    ],
}

# The paragraph with three words of site vocabulary or more.
DENSE = 3


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_prose_full_of_site_words_has_a_verdict_of_its_own(language: str) -> None:
    texts = [normalize_paragraph(p) for p in ARTICLES[language]]
    assert analyse(texts, language, [], []).drops.get(DENSE) == "classifier:furniture-prose"


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_an_article_about_accounts_and_passwords_keeps_its_paragraphs(language: str) -> None:
    result = clean_paragraphs(ARTICLES[language], language)
    assert result.title_index == 0
    assert result.kept_indices == list(range(1, len(ARTICLES[language])))
