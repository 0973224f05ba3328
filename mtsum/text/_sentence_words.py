"""Word lists for mtsum.text.sentences: abbreviations and sentence starters per language.

Abbreviations are stored lower-case with their inner full stops and without the
final one ("z.b", "bl.a", "u.s"); spaced forms ("z. B.") are looked up without spaces.

- titles: stand before a name or number and never end a sentence ("Dr.", "Prof.").
- nonfinal: used inside sentences only ("z. B.", "bl.a.", "t.ex.", "kl.").
- final: usually end a sentence when they don't precede a lower-case word
  ("usw.", "osv.", "etc."): a capital after them starts a sentence.
- numeric: abbreviations only before a number ("Art. 5", "No. 10", "nr 3"); before
  anything else the word ("Art", "no") is an ordinary word.
- general: other abbreviations, initials and multi-dot forms ("Co.", "U.S."): a
  sentence ends after them only before a sentence starter ("... & Co. It closed").
- starters: words that begin sentences but hardly ever follow an abbreviation or a
  German ordinal: articles, pronouns, conjunctions, common adverbs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Rules:
    language: str
    titles: frozenset[str] = frozenset()
    nonfinal: frozenset[str] = frozenset()
    final: frozenset[str] = frozenset()
    numeric: frozenset[str] = frozenset()
    general: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    ordinals: bool = False  # "3." before a capital is an ordinal (German)
    dot_lists: bool = False  # "1. first 2. second" without full stops is an enumeration
    letter_lists: bool = False  # "a. first b. second" likewise
    initials_follow_names: bool = False  # a single capital letter is an initial only after a name
    all_abbreviations: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        every = self.titles | self.nonfinal | self.final | self.numeric | self.general | self.months
        object.__setattr__(self, "all_abbreviations", every)


_EN_MONTHS = _set("jan feb mar apr jun jul aug sep sept oct nov dec")

EN = Rules(
    language="en",
    titles=_set("""mr mrs ms messrs mme mlle dr drs prof mt ste gen lt col maj capt cmdr adm sgt cpl pvt
                   gov sen rep reps rev hon pres supt insp det atty fr sr rt brig msgr mssrs dept"""),
    nonfinal=_set("e.g i.e vs cf approx ca viz pp"),
    final=_set("etc al"),
    numeric=_set("no nos nr fig figs art vol ch sec"),
    # US state abbreviations that are also words ("ill", "miss", "wash") are left out.
    general=_set("""co corp inc ltd llc plc bros jr esq ph.d phd m.d b.a m.a u.s u.k u.n e.u d.c a.m p.m
                    st ave blvd rd hwy mts ft
                    ariz calif colo conn fla kan ky md mich minn mont neb nev okla tenn tex va vt wis wyo"""),
    months=_EN_MONTHS,
    starters=_set("""A An The This That These Those There Then Thus Therefore Meanwhile However Moreover Still
                     He She It We They I You His Her Its Our Their My Your One Some Many Most Several Few Such
                     But And Or So Yet Nor As After Before When While Where What Who Why How If Although Though
                     In On At For From By With Without During Since Until Under Over Last Next Now Today
                     Did Does Do Is Are Was Were Has Have Had Will Would Can Could Should May Might Must
                     Being Millions Thousands Hundreds More No Not All Both Each Every Other Another Police
                     Officials Analysts Critics Experts"""),
    dot_lists=True,
    letter_lists=True,
)

_DE_MONTHS = _set("""januar jänner februar märz april mai juni juli august september oktober november dezember
                     jan feb febr mär apr jun jul aug sep sept okt nov dez""")

DE = Rules(
    language="de",
    titles=_set("""dr prof hr fr frl dipl ing med jur phil rer nat pol oec dres st hl sel mag verw päd
                   gen oberstlt"""),
    nonfinal=_set("""z.b z.t z.z z.zt d.h s.o s.u v.a u.u i.d.r i.a i.e.s m.e o.g u.a a.a.o vgl bzw ggf sog sogen
                     ca evtl inkl exkl zzgl abzgl ggü gem lt bzgl betr vs resp insb insbes bspw allg urspr ehem jew
                     s"""),
    final=_set("""usw etc u.ä o.ä u.ä.m usf m.m.w dgl dergl ff f"""),
    general=_set("""kath ev evang luth ref röm griech jüd orth dt engl frz franz ital span russ amerik österr
                    schweiz niederl geb gest verh led gesch mio mrd tsd std min sek mind zt jh jhd jhs jhdt
                    chr v.chr n.chr bzgl hrsg verf übers aufl ausg anm erg ges gmbh ag kg co ltd inc corp
                    str pl bhf mo di mi do sa a.d i.r e.v o.ä m.e u.s u.k u.n e.u d.c mwst zit ebd vers dt"""),
    numeric=_set("nr no abs art bd bde kap fax tel ziff lfd"),
    months=_DE_MONTHS,
    starters=_set("""Der Die Das Dem Den Des Ein Eine Einer Eines Einem Einen Kein Keine
                     Er Sie Es Wir Ich Du Ihr Man Dies Diese Dieser Dieses Diesem Diesen Dabei Dadurch Dafür
                     Dagegen Daher Damit Danach Dann Darauf Darüber Darum Davon Dazu Denn Deshalb Deswegen Doch
                     Dort Hier Jetzt Nun Heute Gestern Morgen So Aber Und Oder Auch Allerdings Außerdem Zudem
                     Trotzdem Jedoch Zwar Bereits Schon Noch Nur Erst Später Zuvor Inzwischen Mittlerweile
                     Im Am Zum Zur Beim Vom Ins In An Auf Aus Bei Mit Nach Seit Von Vor Für Gegen Ohne Um
                     Unter Über Laut Trotz Wegen Während Bis Ab Zwischen
                     Wie Was Wer Wo Wann Warum Als Wenn Ob Weil Nachdem
                     Sein Seine Seiner Seinen Ihre Ihren Ihrer Unser Unsere Mehr Viele Alle Jeder Jede Jedes
                     Einige Beide Nicht Nichts Zudem Zunächst Schließlich Insgesamt Demnach Somit Also"""),
    ordinals=True,
)

_SV_MONTHS = _set("""januari februari mars april maj juni juli augusti september oktober november december
                     jan feb febr mar apr jun jul aug sep sept okt nov dec""")

SV = Rules(
    language="sv",
    titles=_set("dr doc prof hr fru frk mr mrs ms kungl"),
    nonfinal=_set("""bl.a t.ex s.k f.d p.g.a d.v.s dvs pga sk fd ca kl resp jfr enl inkl exkl
                     fr.o.m t.o.m i.o.m f.ö f.n tf i.st.f m.a.o m.h.t p.s.s s.a.s vs ang s"""),
    final=_set("""m.m mm osv o.s.v etc m.fl mfl o.dyl e.d o.d e.kr f.kr kr milj mdr st tkr mkr ggr proc t.v t.h"""),
    # Academic titles ("fil.", "med.") are left out: "med" and "fil" are also ordinary words.
    numeric=_set("nr tel avd kap"),
    general=_set("""co corp inc ltd ab u.s u.k u.n e.u d.c jr sr"""),
    months=_SV_MONTHS,
    starters=_set("""Den Det De Dem Denna Detta Dessa Där Då Han Hon Hen Vi Jag Du Ni Man En Ett Men Och Eller
                     Även Också Sedan Nu Här Idag Igår I På Under Efter Före Enligt Som Vad Vem Vilka Hur När
                     Varför Om Inte Alla Många Flera Några Hans Hennes Deras Vår Våra Min Mitt Mina Sin Sitt Sina
                     Dessutom Samtidigt Därför Trots Redan Bara Det Detta Ingen Inget Inga Så Till Med Av Från
                     För Mot Utan Vid Över"""),
    dot_lists=True,
    initials_follow_names=True,
)

RULES = {"en": EN, "de": DE, "sv": SV}
