"""Consent banners: the site's own cookie notice, the consent plug-ins' fixed texts and
buttons go by rule; stories and recipes about cookies stay."""

from __future__ import annotations

import pytest

from mtsum.clean import clean_paragraphs

LEAD = {
    "de": "Die Regierung hat am Dienstag einen neuen Vorschlag zu Steuern und Abgaben vorgelegt.",
    "en": "The government presented a new proposal on taxes and fees on Tuesday morning.",
    "sv": "Regeringen presenterade på tisdagen ett nytt förslag om skatter och avgifter.",
}
TAIL = {
    "de": "Eine Entscheidung wird vor dem Sommer erwartet, sagen mehrere Quellen aus dem Umfeld.",
    "en": "A decision is expected before the summer, according to several people familiar with it.",
    "sv": "Beslutet väntas komma före sommaren, enligt flera källor med insyn i arbetet.",
}

BANNERS = [
    # the site speaking of its own cookies
    ("de", "Um unsere Webseite für Sie optimal zu gestalten und fortlaufend verbessern zu können, "
           "verwenden wir Cookies. Durch die weitere Nutzung der Webseite stimmen Sie der Verwendung "
           "von Cookies zu.", "cookie_notice"),
    ("de", "Auf unserer Website werden Cookies gemäß unserer Datenschutzerklärung verwendet.", "cookie_notice"),
    ("de", "Wir verwenden Technologien wie Cookies, um Geräteinformationen zu speichern und/oder darauf "
           "zuzugreifen. Wir tun dies, um das Browsing-Erlebnis zu verbessern.", "cookie_notice"),
    ("en", "We are using cookies to give you the best experience on our website.", "cookie_notice"),
    ("en", "This site uses cookies to assist with navigation, analyse your use of our services, and "
           "provide content from third parties.", "cookie_notice"),
    ("en", "By clicking “Accept all cookies”, you agree Stack Exchange can store cookies on your device "
           "and disclose information in accordance with our Cookie Policy.", "cookie_notice"),
    ("sv", "Vi och våra partners använder cookies för att anpassa innehåll och annonser och för att "
           "analysera trafiken.", "cookie_notice"),
    ("sv", "För att ge dig en bättre upplevelse använder vi cookies på webbplatsen.", "cookie_notice"),
    # consent plug-ins' fixed texts and their categories
    ("de", "Die technische Speicherung oder der Zugriff, der ausschließlich zu statistischen Zwecken "
           "erfolgt.", "cookie_notice"),
    ("de", "Marketing-Cookies werden von Drittanbietern oder Publishern verwendet, um personalisierte "
           "Werbung anzuzeigen.", "cookie_notice"),
    ("en", "The technical storage or access is strictly necessary for the legitimate purpose of "
           "enabling the use of a specific service.", "cookie_notice"),
    ("en", "Necessary cookies are absolutely essential for the website to function properly.", "cookie_notice"),
    ("en", "_gid 1 day Google Analytics sets this cookie to store information on how visitors use a "
           "website.", "cookie_notice"),
    ("en", "viewed_cookie_policy 11 months The cookie is set by the GDPR Cookie Consent plugin and is "
           "used to store whether or not user has consented to the use of cookies.", "cookie_notice"),
    ("sv", "Den tekniska lagringen eller åtkomsten som används uteslutande för statistiska ändamål.",
     "cookie_notice"),
    ("sv", "Nödvändiga cookies hjälper till att göra webbplatsen användbar.", "cookie_notice"),
    # buttons and headings
    ("de", "Alle akzeptieren", "consent_button"),
    ("de", "Nur essenzielle Cookies akzeptieren", "consent_button"),
    ("de", "Zustimmung verwalten", "consent_button"),
    ("en", "Reject all", "consent_button"),
    ("en", "Manage consent", "consent_button"),
    ("sv", "Hantera samtycke", "consent_button"),
    ("sv", "Godkänn alla kakor", "consent_button"),
    ("sv", "Spara inställningar", "consent_button"),
]

NEWS = [
    ("de", "Die Datenschutzbehörde kritisierte, dass viele Webseiten Cookies ohne Zustimmung der Nutzer setzen."),
    ("de", "Wir haben Cookies mit Schokolade gebacken und sie eine Stunde abkühlen lassen."),
    ("de", "Wir verwenden für die Cookies nur Butter, Zucker und Mehl aus der Region."),
    ("en", "Regulators say many websites still set cookies before users give their consent."),
    ("en", "We baked cookies with chocolate chips and let them cool for an hour."),
    ("en", "We honor Do Not Track signals and do not track, plant cookies, or use advertising when a "
           "Do Not Track browser mechanism is in place."),
    ("en", "The court ruled that the site's cookie banner did not let users reject all cookies."),
    ("sv", "Datainspektionen kritiserar att många webbplatser använder kakor utan samtycke."),
    ("sv", "Vi bakade kakor med choklad och lät dem svalna i en timme."),
]


@pytest.mark.parametrize(("language", "line", "rule"), BANNERS)
def test_consent_banner_goes(language: str, line: str, rule: str) -> None:
    result = clean_paragraphs([LEAD[language], line, TAIL[language]], language)
    removed = {r.index: r.rule for r in result.removed}
    assert removed.get(1) == f"{language}:{rule}"


@pytest.mark.parametrize(("language", "line"), NEWS)
def test_news_about_cookies_stays(language: str, line: str) -> None:
    result = clean_paragraphs([LEAD[language], line, TAIL[language]], language)
    assert not [r for r in result.removed if r.index == 1 and not (r.rule or "").startswith("classifier:")]
