"""Development corpus: personal data in workplace prose -- mail threads, HR and meeting
notes, chat transcripts.

People paste what they received: Outlook replies with "-----Original Message-----" and
From/Sent/To/Subject blocks (also German, French and Spanish Outlook), Gmail and Apple
Mail quotes ("On Tue, 3 Mar 2026 at 10:14, Jane Doe <jane@x.com> wrote:", "Am ...
schrieb ...:", "Le ... a écrit :", "El ... escribió:") with ``>`` prefixes, forwarded
headers, signatures with title, company and phone / mobile / fax lines (labelled in many
languages, or not at all), disclaimers; HR notes ("New hire: ..., emergency contact her
husband Raj on 07700 900123"); meeting notes (attendees, action items "AI: @Manon to
call the client at +33 6 12 34 56 78"); chat transcripts ("[10:02] Jane Doe: call me on
..."), where card numbers and dates of birth are typed in passing.

Phone numbers are written as people in each country write them: national trunk
prefixes, +codes with "(0)", dots, slashes, dashes, extensions; the number plans are
this module's own transcription of public numbering facts (mobile and geographic
prefixes per country), not the detector's data.

Hard negatives (``benign=True``): the same kinds of text without personal data --
meeting times "10:30–11:00", dial-in conference ids, order and ticket numbers, prices,
version strings, dates that are not birth dates, postcodes, years, team signatures.

Everything is synthetic and seeded; written before tuning the phone recognizers.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .pii_corpus import Sample, _Builder

# --------------------------------------------------------------------------- people
GIVEN = ["Aurélie", "Bhavesh", "Cristina", "Dariusz", "Eamon", "Fenna", "Gwendolyn",
         "Hiroshi", "Ilse", "Jovana", "Kwabena", "Lorena", "Matthias", "Niamh", "Oriol",
         "Pooja", "Quentin", "Rosalind", "Soren", "Tamsin", "Ulrike", "Vikram", "Wiebke",
         "Xavier", "Yolanda", "Zainab", "Ashok", "Brígida", "Clément", "Dorota", "Emeka",
         "Fabienne", "Gonzalo", "Hanne", "Imogen", "Jérôme", "Kirsten", "Lucinda", "Mireille",
         "Nandini", "Osvaldo", "Philippa", "Radhika", "Sebastián", "Thandiwe", "Ursula",
         "Vasiliki", "Wendell", "Yusuf", "Zofia", "Raj", "Tom", "Ana", "Li", "Ben"]
FAMILY = ["Abernathy", "Bergström", "Cárdenas", "Dąbrowski", "Ekwueme", "Fairbanks",
          "Gutiérrez", "Hollenbeck", "Ishikawa", "Jankowska", "Kapoor", "Lefebvre",
          "Mukherjee", "Nørgaard", "Oyelaran", "Pellegrini", "Quiroga", "Rasmussen",
          "Sandoval", "Thibault", "Uchida", "Vermeulen", "Wojcik", "Yamamoto", "Zimmermann",
          "Achterberg", "Bianchini", "Coughlan", "Delacroix", "Esposito", "Fitzgerald",
          "Grünewald", "Hargreaves", "Iglesias", "Jovanović", "Kaminski", "Llewellyn",
          "Montgomery", "Nakashima", "O'Sullivan", "Papadopoulos", "Ramírez", "Sørensen",
          "Tremblay", "Valdés", "Whitfield", "Baker", "Chen", "Shah", "Moreno"]
COMPANIES = ["Contoso Ltd", "Northwind Traders", "Fabrikam GmbH", "Tailspin Toys S.L.",
             "Adatum SAS", "Litware Inc.", "Proseware Pty Ltd", "Woodgrove Bank",
             "Lucerne Publishing", "Trey Research"]
DOMAINS = ["contoso.co.uk", "northwind.com", "fabrikam.de", "tailspin.es", "adatum.fr",
           "litware.com", "proseware.com.au", "woodgrove.in", "gmail.com", "outlook.com",
           "web.de", "orange.fr", "yahoo.es"]
ROLES = ["Account Manager", "Head of Procurement", "Senior Consultant", "Office Manager",
         "Regional Sales Director", "HR Business Partner", "Project Lead",
         "Chef de projet", "Vertriebsleiter", "Responsable de compras", "Payroll Specialist"]

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
DAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri"]
DAYS_LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS_DE = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
             "Nov.", "Dez."]
MONTHS_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
             "oct.", "nov.", "déc."]
MONTHS_ES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov",
             "dic"]
DAYS_DE = ["Mo.", "Di.", "Mi.", "Do.", "Fr."]
DAYS_FR = ["lun.", "mar.", "mer.", "jeu.", "ven."]
DAYS_ES = ["lun", "mar", "mié", "jue", "vie"]

# --------------------------------------------------------------------------- phone plans
# country -> (calling code, [(national prefix incl. trunk 0, digits after the prefix)])
PLANS: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "US": ("1", [(a, 7) for a in ("415", "212", "312", "617", "206", "303", "512", "646",
                                 "718", "202", "404", "713", "305", "619", "503")]),
    "UK": ("44", [("07700", 6), ("07911", 6), ("07123", 6), ("07824", 6), ("020 7", 7),
                  ("020 8", 7), ("0161", 7), ("0131", 7), ("0117", 7), ("0121", 7)]),
    "DE": ("49", [("0151", 8), ("0160", 7), ("0171", 7), ("0176", 8), ("030", 8),
                  ("089", 7), ("040", 7), ("0221", 7), ("069", 8)]),
    "FR": ("33", [("06", 8), ("07", 8), ("01", 8), ("04", 8), ("05", 8)]),
    "ES": ("34", [("6", 8), ("7", 8), ("91", 7), ("93", 7), ("96", 7)]),
    "IN": ("91", [("9", 9), ("8", 9), ("7", 9)]),
    "AU": ("61", [("04", 8), ("02", 8), ("03", 8)]),
    "NL": ("31", [("06", 8), ("020", 7)]),
    "IT": ("39", [("3", 9), ("06", 8)]),
    "CH": ("41", [("079", 7), ("044", 7)]),
    "IE": ("353", [("087", 7), ("01", 7)]),
    "BR": ("55", [("119", 8), ("219", 8)]),
    "MX": ("52", [("55", 8), ("33", 8)]),
    "SG": ("65", [("9", 7), ("8", 7), ("6", 7)]),
    "ZA": ("27", [("082", 7), ("021", 7)]),
}
COUNTRY_LANG = {"DE": "de", "CH": "de", "FR": "fr", "ES": "es", "MX": "es"}
LABELS = {
    "en": ["Tel", "Tel.", "Phone", "Mobile", "Mob", "Mob.", "Cell", "M:", "T:", "Direct",
           "Office", "Ph", "Direct line", "DDI", "Work", "Main", "W:", "C:", "Fax", "F:"],
    "de": ["Tel.", "Telefon", "Mobil", "Handy", "Fax", "Durchwahl", "Mobilfunk", "T", "M"],
    "fr": ["Tél.", "Tél :", "Portable", "Mobile", "Fixe", "Ligne directe", "Fax", "Port."],
    "es": ["Tel.", "Telf.", "Teléfono", "Móvil", "Movil", "Fijo", "Fax", "Tfno."],
}


class Pick:
    """Seeded values in the forms people type them."""

    def __init__(self, r: random.Random) -> None:
        self.r = r

    def person(self) -> tuple[str, str]:
        return self.r.choice(GIVEN), self.r.choice(FAMILY)

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        table = str.maketrans("éèêíóúáñçöüäøåąłśńćźżÉ'", "eeeiouancouaoaalsnczze ")
        f = "".join(ch for ch in first.lower().translate(table) if ch.isalnum())
        la = "".join(ch for ch in last.lower().translate(table) if ch.isalnum())
        local = self.r.choice([f"{f}.{la}", f"{f[0]}.{la}", f"{f}{la[0]}", f"{la}{f[0]}",
                               f"{f}_{la}"])
        return f"{local}@{domain or self.r.choice(DOMAINS)}"

    def _digits(self, n: int) -> str:
        r = self.r
        # a first digit 2-9 (subscriber numbers rarely start with 0 or 1)
        return str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(n - 1))

    def phone(self, country: str | None = None) -> tuple[str, str]:
        """(number as written, country)."""
        r = self.r
        country = country or r.choice(["US", "US", "UK", "UK", "DE", "DE", "FR", "FR", "ES",
                                       "IN", "AU", *PLANS])
        code, prefixes = PLANS[country]
        prefix, n = r.choice(prefixes)
        sub = self._digits(n)
        intl = r.random() < 0.4
        writer = getattr(self, "_" + country.lower(), None)
        text = writer(code, prefix, sub, intl) if writer else self._generic(code, prefix, sub,
                                                                            intl)
        if r.random() < 0.08 and country in ("US", "UK", "AU", "IN"):
            text += r.choice([f" ext. {r.randint(10, 999)}", f" x{r.randint(100, 9999)}",
                              f" ext {r.randint(2, 99)}", f" (ext. {r.randint(100, 999)})"])
        return text, country

    def _generic(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix.replace(" ", "") + sub
        if intl:
            # Italy keeps its leading 0 after +39; elsewhere the trunk 0 goes
            body = national[1:] if national.startswith("0") and code != "39" else national
            return f"+{code} {self._group(body, [2, 3, 4])}"
        return self._group(national, [3, 3, 4])

    def _group(self, digits: str, sizes: list[int]) -> str:
        out, i = [], 0
        for size in sizes:
            if i >= len(digits):
                break
            out.append(digits[i:i + size])
            i += size
        if i < len(digits):
            out[-1] += digits[i:]
        return " ".join(out)

    def _us(self, code: str, area: str, sub: str, intl: bool) -> str:
        a, b, c = area, sub[:3], sub[3:]
        forms = [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"{a} {b} {c}",
                 f"({a}){b}-{c}", f"1-{a}-{b}-{c}", f"{a}/{b}-{c}"]
        if intl:
            forms = [f"+1 {a} {b} {c}", f"+1 ({a}) {b}-{c}", f"+1-{a}-{b}-{c}",
                     f"+1.{a}.{b}.{c}", f"+1{a}{b}{c}"]
        return self.r.choice(forms)

    def _uk(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix.replace(" ", "") + sub
        if national.startswith("07"):  # mobile 07xxx xxxxxx
            groups = [national[:5], national[5:]]
            alt = [national[:5], national[5:8], national[8:]]
        elif national.startswith("02"):  # 020 xxxx xxxx
            groups = [national[:3], national[3:7], national[7:]]
            alt = groups
        else:  # 01xx xxx xxxx
            groups = [national[:4], national[4:7], national[7:]]
            alt = groups
        if intl:
            rest = [groups[0][1:], *groups[1:]]
            return self.r.choice([f"+44 {' '.join(rest)}", f"+44 (0){' '.join(rest)}",
                                  f"+44 (0) {' '.join(rest)}", f"+44{''.join(rest)}",
                                  f"0044 {' '.join(rest)}"])
        return self.r.choice([" ".join(groups), " ".join(alt), "".join(groups),
                              f"({groups[0]}) {' '.join(groups[1:])}"])

    def _de(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        r = self.r
        if intl:
            return r.choice([f"+49 {prefix[1:]} {sub}", f"+49 (0){prefix[1:]} {sub}",
                             f"+49 (0) {prefix[1:]} {sub}", f"+49-{prefix[1:]}-{sub}",
                             f"+49 {prefix[1:]} {sub[:3]} {sub[3:]}", f"0049 {prefix[1:]} {sub}"])
        return r.choice([f"{prefix} {sub}", f"{prefix}/{sub}", f"{prefix} / {sub}",
                         f"{prefix}-{sub}", f"({prefix}) {sub}",
                         f"{prefix} {sub[:3]} {sub[3:]}", f"{prefix} {sub[:-2]}-{sub[-2:]}"])

    def _fr(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix + sub
        pairs = [national[i:i + 2] for i in range(0, 10, 2)]
        if intl:
            rest = national[1:]
            return self.r.choice([f"+33 {rest[0]} " + " ".join(pairs[1:]),
                                  f"+33 (0){rest[0]} " + " ".join(pairs[1:]),
                                  f"+33 (0) {rest[0]} " + " ".join(pairs[1:]),
                                  f"+33{rest}", f"+33 {rest[0]}." + ".".join(pairs[1:])])
        sep = self.r.choice([" ", " ", ".", "-", ""])
        return sep.join(pairs)

    def _es(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix + sub
        forms = [f"{national[:3]} {national[3:6]} {national[6:]}",
                 f"{national[:3]} {national[3:5]} {national[5:7]} {national[7:]}",
                 national, f"{national[:3]}-{national[3:6]}-{national[6:]}"]
        form = self.r.choice(forms)
        return (f"+34 {form}" if self.r.random() < 0.8 else f"0034 {form}") if intl else form

    def _in(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix + sub
        form = self.r.choice([f"{national[:5]} {national[5:]}", national,
                              f"{national[:5]}-{national[5:]}",
                              f"{national[:3]} {national[3:6]} {national[6:]}"])
        if intl:
            return self.r.choice([f"+91 {form}", f"+91-{form}", f"+91{national}"])
        return self.r.choice([form, f"0{form}"])

    def _au(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix + sub
        if national.startswith("04"):
            form = f"{national[:4]} {national[4:7]} {national[7:]}"
            if intl:
                return f"+61 {national[1:4]} {national[4:7]} {national[7:]}"
            return self.r.choice([form, national])
        if intl:
            return f"+61 {national[1]} {national[2:6]} {national[6:]}"
        return self.r.choice([f"({national[:2]}) {national[2:6]} {national[6:]}",
                              f"{national[:2]} {national[2:6]} {national[6:]}"])

    def _br(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        area, rest = prefix[:2], prefix[2:] + sub  # 9-digit mobile after a 2-digit area
        local = f"{rest[:5]}-{rest[5:]}"
        return f"+55 {area} {local}" if intl else f"({area}) {local}"

    def _sg(self, code: str, prefix: str, sub: str, intl: bool) -> str:
        national = prefix + sub
        local = f"{national[:4]} {national[4:]}"
        return f"+65 {local}" if intl else self.r.choice([local, national])

    # -- other values ---------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        prefix, length = r.choice([("4", 16), ("4", 16), (str(r.randint(51, 55)), 16),
                                   (str(r.randint(2221, 2720)), 16), ("37", 15), ("34", 15),
                                   ("6011", 16), (str(r.randint(3528, 3589)), 16)])
        body = prefix + "".join(str(r.randint(0, 9)) for _ in range(length - len(prefix) - 1))
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        digits = body + str((10 - total % 10) % 10)
        sep = r.choice(["", " ", " ", "-"])
        if length == 15:
            return sep.join([digits[:4], digits[4:10], digits[10:]]) if sep else digits
        return sep.join(digits[i:i + 4] for i in range(0, 16, 4))

    def dob(self) -> str:
        r = self.r
        y, m, d = r.randint(1950, 2004), r.randint(1, 12), r.randint(1, 28)
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
        return r.choice([f"{d}{suffix} of {MONTHS_EN[m - 1]} {y}", f"{d:02d}/{m:02d}/{y % 100:02d}",
                         f"{d:02d}/{m:02d}/{y}", f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}",
                         f"{MONTHS_EN[m - 1]} {d}, {y}", f"{d} {MONTHS_EN[m - 1][:3]} {y}",
                         f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y % 100:02d}"])

    def mail_date(self) -> tuple[int, int, int, int, int]:
        r = self.r
        return (r.randint(0, 4), r.randint(1, 28), r.randint(0, 11), r.randint(7, 18),
                r.randint(0, 59))


# --------------------------------------------------------------------------- pieces
BODIES = [
    "Please find attached the revised quote; the delivery slot is still open.",
    "Could you confirm the invoice amount before Friday? Finance is closing the month.",
    "Following up on our call — the contract draft is with legal now.",
    "Thanks for the quick turnaround. Can we push the review by a week?",
    "I've looped in the warehouse team so they can book the pallets.",
    "The client asked for the updated timeline, can you send it over?",
]
BODIES_DE = ["anbei das überarbeitete Angebot, bitte kurz prüfen.",
             "können wir den Termin auf Donnerstag verschieben?"]
BODIES_FR = ["veuillez trouver ci-joint le devis révisé.",
             "pouvez-vous confirmer le montant de la facture ?"]
BODIES_ES = ["adjunto el presupuesto revisado, por favor revísalo.",
             "¿podemos mover la reunión al jueves?"]
DISCLAIMERS = [
    "This e-mail and any attachments are confidential and intended solely for the "
    "addressee. If you have received it in error, please notify the sender and delete it.",
    "CONFIDENTIALITY NOTICE: The information in this message is privileged. Registered in "
    "England No. 04512873. VAT GB 123 4567 89.",
    "Diese E-Mail enthält vertrauliche Informationen. Sitz der Gesellschaft: Berlin, "
    "Amtsgericht Charlottenburg HRB 123456 B.",
    "Ce message et ses pièces jointes sont confidentiels. SIRET 123 456 789 00012.",
    "Please consider the environment before printing this e-mail.",
]
CLOSINGS = {"en": ["Thanks", "Best", "Kind regards", "Regards", "Cheers", "Best wishes",
                   "Many thanks", "Thank you", "All the best", "BR"],
            "de": ["Viele Grüße", "Beste Grüße", "Mit freundlichen Grüßen", "Gruß", "LG"],
            "fr": ["Cordialement", "Bien cordialement", "Bonne journée", "Merci"],
            "es": ["Saludos", "Un saludo", "Gracias", "Atentamente", "Un abrazo"]}
GREETINGS = {"en": ["Hi", "Hello", "Dear", "Hey", "Morning"],
             "de": ["Hallo", "Liebe", "Hi", "Guten Tag"],
             "fr": ["Bonjour", "Salut", "Chère"],
             "es": ["Hola", "Estimada", "Buenos días"]}


def _body(r: random.Random, lang: str) -> str:
    return r.choice({"en": BODIES, "de": BODIES_DE, "fr": BODIES_FR, "es": BODIES_ES}[lang])


def _phone_line(b: _Builder, p: Pick, lang: str, country: str | None = None,
                label: str | None = None) -> None:
    """One labelled (or bare) phone line of a signature."""
    r = p.r
    number, _ = p.phone(country)
    if label is None:
        label = r.choice(LABELS[lang]) if r.random() < 0.8 else ""
    if label:
        sep = "" if label.endswith(":") else r.choice([": ", " ", ": ", " | ", ". "])
        if label.endswith(":"):
            sep = " "
        if label.endswith(".") and sep == ". ":
            sep = " "
        b.add(label + sep)
    b.pii("PHONE_NUMBER", number)


def _signature(b: _Builder, p: Pick, first: str, last: str, lang: str, quote: str = "",
               country: str | None = None) -> None:
    r = p.r
    style = r.randrange(5)
    q = quote
    if style == 0:  # full block
        b.add(f"{q}{r.choice(CLOSINGS[lang])},\n{q}").person(f"{first} {last}").add("\n")
        b.add(f"{q}{r.choice(ROLES)}\n{q}{r.choice(COMPANIES)}\n")
        for _ in range(r.randint(1, 3)):
            b.add(q)
            _phone_line(b, p, lang, country)
            b.add("\n")
        if r.random() < 0.5:
            b.add(q).pii("EMAIL_ADDRESS", p.email(first, last)).add("\n")
    elif style == 1:  # one line with pipes
        b.add(f"{q}{r.choice(CLOSINGS[lang])}, ").person(f"{first} {last}").add("\n")
        b.add(f"{q}{r.choice(ROLES)} | {r.choice(COMPANIES)} | ")
        _phone_line(b, p, lang, country)
        if r.random() < 0.6:
            b.add(" | ")
            _phone_line(b, p, lang, country)
        b.add("\n")
    elif style == 2:  # dash-signed, number without label
        b.add(f"{q}{r.choice(['—', '-', '--', '–'])} ").person(first).add("\n")
        if r.random() < 0.7:
            b.add(q)
            _phone_line(b, p, lang, country, label="")
            b.add("\n")
    elif style == 3:  # "-- " separator, name, bare number lines
        b.add(f"{q}-- \n{q}").person(f"{first} {last}").add("\n")
        b.add(f"{q}{r.choice(COMPANIES)}\n{q}")
        _phone_line(b, p, lang, country, label="")
        b.add("\n")
        if r.random() < 0.5:
            b.add(q)
            _phone_line(b, p, lang, country)
            b.add("\n")
    else:  # inline closing with name and number in brackets
        b.add(f"{q}{r.choice(CLOSINGS[lang])},\n{q}").person(f"{first} {last}").add(" (")
        _phone_line(b, p, lang, country, label=r.choice(["", "", "m", "mob", "tel"]))
        b.add(")\n")
    if r.random() < 0.25:
        b.add(f"{q}\n{q}{r.choice(DISCLAIMERS)}\n")
    if r.random() < 0.15:
        b.add(q + r.choice(["Sent from my iPhone", "Von meinem iPhone gesendet",
                            "Envoyé de mon iPhone", "Get Outlook for Android"]) + "\n")


def _greet(b: _Builder, p: Pick, first: str, lang: str) -> None:
    r = p.r
    if r.random() < 0.25:
        b.add(r.choice(["Hi all,", "Hello team,", "Hallo zusammen,", "Bonjour à tous,",
                        "Hola a todos,"]) + "\n\n")
        return
    b.add(r.choice(GREETINGS[lang]) + " ").person(first).add(r.choice([",", ",", "!", " -"]))
    b.add("\n\n")


def _prose_phone(b: _Builder, p: Pick, lang: str) -> None:
    """A number in a sentence: "call me on ...", "reach me at ...", "WhatsApp ..."."""
    r = p.r
    number, _ = p.phone()
    lead = {"en": ["Easiest is to call me on ", "You can reach me at ", "My mobile is ",
                   "Ping me on WhatsApp: ", "Give me a ring on ", "I'm on ",
                   "Call my cell at ", "Text me at ", "Best number today: ",
                   "If it's urgent, "],
            "de": ["Am besten erreichst du mich unter ", "Ruf mich gern an: ",
                   "Meine Handynummer: ", "Bin heute nur mobil erreichbar: "],
            "fr": ["Tu peux m'appeler au ", "Mon portable : ", "Joignable au ",
                   "Rappelle-moi au "],
            "es": ["Llámame al ", "Mi móvil es ", "Puedes localizarme en el ",
                   "Escríbeme por WhatsApp al "]}[lang]
    text = r.choice(lead)
    b.add(text).pii("PHONE_NUMBER", number)
    if text == "If it's urgent, ":
        b.add(" is my direct line")
    b.add(r.choice([".", ". Thanks!", " until 5pm.", "", " (after 2pm).", "."]))


# --------------------------------------------------------------------------- e-mail
def _from_line(b: _Builder, p: Pick, first: str, last: str, key: str = "From",
               sep: str = ": ") -> None:
    r = p.r
    b.add(f"{key}{sep}")
    if r.random() < 0.25:  # "Doe, Jane" as Exchange writes it
        b.person(f"{last}, {first}")
    else:
        b.person(f"{first} {last}")
    style = r.randrange(3)
    if style == 0:
        b.add(" <").pii("EMAIL_ADDRESS", p.email(first, last)).add(">")
    elif style == 1:
        b.add(" [mailto:").pii("EMAIL_ADDRESS", p.email(first, last)).add("]")
    b.add("\n")


def outlook_thread(p: Pick) -> Sample:
    r = p.r
    lang = r.choice(["en", "en", "en", "de", "fr", "es"])
    country = {"en": r.choice(["US", "UK", "AU", "IN", "IE", "SG"]), "de": "DE",
               "fr": "FR", "es": "ES"}[lang]
    a, c = p.person(), p.person()
    b = _Builder().add(r.choice(["Summarise this thread and list the open points:\n\n",
                                 "Draft a polite reply:\n\n", "", "Translate to English:\n\n"]))
    _greet(b, p, c[0], lang)
    b.add(_body(r, lang) + " ")
    if r.random() < 0.4:
        _prose_phone(b, p, lang)
    b.add("\n\n")
    _signature(b, p, a[0], a[1], lang, country=country)
    keys = {"en": ("-----Original Message-----", "From", "Sent", "To", "Cc", "Subject"),
            "de": ("-----Ursprüngliche Nachricht-----", "Von", "Gesendet", "An", "Cc",
                   "Betreff"),
            "fr": ("-----Message d'origine-----", "De", "Envoyé", "À", "Cc", "Objet"),
            "es": ("-----Mensaje original-----", "De", "Enviado el", "Para", "CC", "Asunto")}
    head, k_from, k_sent, k_to, k_cc, k_subj = keys[lang]
    sep = " : " if lang == "fr" else ": "
    b.add(f"\n{head}\n" if r.random() < 0.6 else "\n________________________________\n")
    _from_line(b, p, c[0], c[1], k_from, sep)
    wd, day, mon, hh, mm = p.mail_date()
    b.add(f"{k_sent}{sep}{DAYS_LONG[wd]}, {MONTHS_EN[mon]} {day}, 2026 {hh % 12 or 12}:"
          f"{mm:02d} {'AM' if hh < 12 else 'PM'}\n")
    _from_line(b, p, a[0], a[1], k_to, sep)
    if r.random() < 0.5:
        d = p.person()
        _from_line(b, p, d[0], d[1], k_cc, sep)
    b.add(f"{k_subj}{sep}{r.choice(['RE: ', 'AW: ', 'TR : ', 'RE: '])}"
          f"{r.choice(['Q3 invoices', 'Delivery schedule', 'Contract renewal', 'Angebot'])}\n\n")
    _greet(b, p, a[0], lang)
    b.add(_body(r, lang) + "\n\n")
    _signature(b, p, c[0], c[1], lang, country=country)
    return b.sample("prose-email-outlook")


def _reply_header(b: _Builder, p: Pick, first: str, last: str, lang: str, quote: str) -> None:
    r = p.r
    wd, day, mon, hh, mm = p.mail_date()
    email = p.email(first, last)
    b.add(quote)
    if lang == "de":
        b.add(f"Am {DAYS_DE[wd]}, {day}. {MONTHS_DE[mon]} 2026 um {hh}:{mm:02d} Uhr schrieb ")
        b.person(f"{first} {last}").add(" <").pii("EMAIL_ADDRESS", email).add(">:\n")
    elif lang == "fr":
        b.add(f"Le {DAYS_FR[wd]} {day} {MONTHS_FR[mon]} 2026 à {hh}:{mm:02d}, ")
        b.person(f"{first} {last}").add(" <").pii("EMAIL_ADDRESS", email).add("> a écrit :\n")
    elif lang == "es":
        b.add(f"El {DAYS_ES[wd]}, {day} {MONTHS_ES[mon]} 2026 a las {hh}:{mm:02d}, ")
        b.person(f"{first} {last}").add(" (<").pii("EMAIL_ADDRESS", email).add(
            ">) escribió:\n")
    elif r.random() < 0.5:  # Gmail
        b.add(f"On {DAYS_EN[wd]}, {day} {MONTHS_EN[mon][:3]} 2026 at {hh}:{mm:02d}, ")
        b.person(f"{first} {last}").add(" <").pii("EMAIL_ADDRESS", email).add("> wrote:\n")
    else:  # Apple Mail
        b.add(f"On {day} {MONTHS_EN[mon][:3]} 2026, at {hh}:{mm:02d}, ")
        b.person(f"{first} {last}").add(" <").pii("EMAIL_ADDRESS", email).add("> wrote:\n")


def quoted_thread(p: Pick) -> Sample:
    """Gmail / Apple Mail / localized replies with ``>`` quoting, nested twice."""
    r = p.r
    lang = r.choice(["en", "en", "de", "fr", "es"])
    country = {"en": None, "de": "DE", "fr": "FR", "es": "ES"}[lang]
    a, c, d = p.person(), p.person(), p.person()
    b = _Builder().add(r.choice(["", "What does she want from me here?\n\n",
                                 "Summarise:\n\n"]))
    _greet(b, p, c[0], lang)
    b.add(_body(r, lang) + "\n\n")
    _signature(b, p, a[0], a[1], lang, country=country)
    b.add("\n")
    _reply_header(b, p, c[0], c[1], lang, "")
    b.add(">\n> ")
    _greet(b, p, a[0], lang)
    b.add("> " + _body(r, lang) + " ")
    if r.random() < 0.5:
        _prose_phone(b, p, lang)
    b.add("\n>\n")
    _signature(b, p, c[0], c[1], lang, quote="> ", country=country)
    if r.random() < 0.6:
        b.add(">\n")
        _reply_header(b, p, d[0], d[1], lang, "> ")
        b.add(">> " + _body(r, lang) + "\n>>\n")
        _signature(b, p, d[0], d[1], lang, quote=">> ", country=country)
    return b.sample("prose-email-quoted")


def forwarded(p: Pick) -> Sample:
    r = p.r
    a, c = p.person(), p.person()
    b = _Builder().add(r.choice(["FYI, see below.\n\n", "Can you handle this one?\n\n", ""]))
    if r.random() < 0.5:
        b.add("---------- Forwarded message ---------\n")
        _from_line(b, p, c[0], c[1])
        wd, day, mon, hh, mm = p.mail_date()
        b.add(f"Date: {DAYS_EN[wd]}, {day} {MONTHS_EN[mon][:3]} 2026 at {hh}:{mm:02d}\n")
        b.add("Subject: Site visit\nTo: ").person(f"{a[0]} {a[1]}").add(" <").pii(
            "EMAIL_ADDRESS", p.email(*a)).add(">\n\n")
    else:
        b.add("Begin forwarded message:\n\n")
        _from_line(b, p, c[0], c[1])
        b.add("Subject: Re: Site visit\n")
        wd, day, mon, hh, mm = p.mail_date()
        b.add(f"Date: {day} {MONTHS_EN[mon]} 2026 at {hh}:{mm:02d}:{r.randint(10, 59)} GMT\n")
        _from_line(b, p, a[0], a[1], "To")
        b.add("\n")
    b.add(_body(r, "en") + " ")
    _prose_phone(b, p, "en")
    b.add("\n\n")
    _signature(b, p, c[0], c[1], "en")
    return b.sample("prose-email-forwarded")


# --------------------------------------------------------------------------- HR notes
def hr_note(p: Pick) -> Sample:
    r = p.r
    emp, mgr, contact = p.person(), p.person(), p.person()
    number, _ = p.phone()
    b = _Builder().add(r.choice(["", "Turn this into a welcome e-mail:\n\n",
                                 "Clean up my HR notes:\n\n", "Make a checklist from this:\n\n"]))
    style = r.randrange(4)
    relation = r.choice(["her husband", "his wife", "her partner", "his partner",
                         "her mother", "his father", "her brother", "his sister"])
    if style == 0:  # one-liner prose
        b.add(r.choice(["New hire: ", "New starter - ", "Joining: "]))
        b.person(f"{emp[0]} {emp[1]}").add(r.choice([", starts Monday; ", ", starts 2 June. ",
                                                     " (starts Mon) - "]))
        b.add(f"emergency contact {relation} ").person(contact[0]).add(
            r.choice([" on ", " at ", ", ", " - "])).pii("PHONE_NUMBER", number).add(".\n")
        b.add("Manager: ").person(f"{mgr[0]} {mgr[1]}").add(".\n")
    elif style == 1:  # labelled block
        b.add(r.choice(["Employee", "Name", "Starter", "Leaver"]) + ": ").person(
            f"{emp[0]} {emp[1]}").add("\n")
        b.add(f"Role: {r.choice(ROLES)}\n")
        b.add(r.choice(["Manager", "Reports to", "Line manager", "Buddy"]) + ": ").person(
            f"{mgr[0]} {mgr[1]}").add("\n")
        b.add(r.choice(["Emergency contact", "Next of kin", "ICE contact"]) + ": ").person(
            f"{contact[0]} {contact[1]}").add(f" ({relation.split()[1]}), ").pii(
            "PHONE_NUMBER", number).add("\n")
        if r.random() < 0.5:
            b.add("DOB: ").pii("DATE_OF_BIRTH", p.dob()).add("\n")
        if r.random() < 0.5:
            n2, _ = p.phone()
            b.add(r.choice(["Personal mobile", "Home phone", "Mobile (personal)"]) + ": ").pii(
                "PHONE_NUMBER", n2).add("\n")
    elif style == 2:  # absence / case note
        b.add(f"{r.randint(1, 28)}/{r.randint(1, 12)} — spoke to ").person(
            f"{emp[0]} {emp[1]}").add(" about the absence. ")
        b.add(f"{relation.capitalize()} ").person(contact[0]).add(" called in from ").pii(
            "PHONE_NUMBER", number).add(r.choice([" at 8:40.", " this morning.", "."]))
        b.add(" Follow-up with ").person(mgr[0]).add(" on Thursday.\n")
    else:  # German / French / Spanish note
        lang = r.choice(["de", "fr", "es"])
        n_local, _ = p.phone({"de": "DE", "fr": "FR", "es": "ES"}[lang])
        head = {"de": "Neuer Mitarbeiter: ", "fr": "Nouvelle recrue : ",
                "es": "Nueva incorporación: "}[lang]
        b.add(head).person(f"{emp[0]} {emp[1]}").add("\n")
        b.add({"de": "Vorgesetzte: ", "fr": "Responsable : ", "es": "Responsable: "}[lang])
        b.person(f"{mgr[0]} {mgr[1]}").add("\n")
        b.add({"de": "Notfallkontakt: ", "fr": "Personne à prévenir : ",
               "es": "Contacto de emergencia: "}[lang]).person(f"{contact[0]} {contact[1]}")
        b.add(", ").pii("PHONE_NUMBER", n_local).add("\n")
    if r.random() < 0.4:
        b.add(r.choice(["Laptop ordered, badge pending.\n", "Payroll form outstanding.\n",
                        "Probation review 3 months.\n"]))
    return b.sample("prose-hr-note")


# --------------------------------------------------------------------------- meeting notes
def meeting_notes(p: Pick) -> Sample:
    r = p.r
    people = [p.person() for _ in range(r.randint(3, 5))]
    b = _Builder().add(r.choice(["", "Write up the minutes:\n\n", "List the action items:\n\n"]))
    h1 = r.randint(8, 16)
    b.add(f"{r.choice(['Steering group', 'Client call', 'Sprint review', 'Vendor sync'])} "
          f"— {r.randint(1, 28)} {r.choice(MONTHS_EN)[:3]}, {h1}:00–{h1}:45\n")
    b.add(r.choice(["Attendees: ", "Present: ", "Participants: ", "Attendees - "]))
    for k, (f, la) in enumerate(people):
        if k:
            b.add(", ")
        b.person(f"{f} {la}" if r.random() < 0.7 else f)
        if r.random() < 0.25:
            b.add(f" ({r.choice(['Contoso', 'Fabrikam', 'client', 'ext.'])})")
    b.add("\n")
    if r.random() < 0.4:
        b.add("Apologies: ").person(" ".join(p.person())).add("\n")
    b.add("\nNotes:\n- budget approved for Q3\n- migration slips to 10:30–11:00 slot on Tue\n")
    b.add("\nActions:\n")
    for f, la in r.sample(people, 2):
        style = r.randrange(4)
        number, _ = p.phone()
        if style == 0:
            b.add("AI: @").person(f).add(" to call the client at ").pii(
                "PHONE_NUMBER", number).add("\n")
        elif style == 1:
            b.add("- ").person(f).add(" → send the deck to ").person(" ".join(p.person()))
            b.add(" (").pii("PHONE_NUMBER", number).add(")\n")
        elif style == 2:
            b.add("[ ] ").person(f"{f} {la}").add(": chase supplier, contact ").person(
                " ".join(p.person())).add(" on ").pii("PHONE_NUMBER", number).add("\n")
        else:
            b.add("* ").person(f).add(" to book room; dial-in Conference ID: "
                                      f"{r.randint(100, 999)} {r.randint(100, 999)} "
                                      f"{r.randint(100, 999)}#\n")
    return b.sample("prose-meeting-notes")


# --------------------------------------------------------------------------- chat
def chat_transcript(p: Pick) -> Sample:
    r = p.r
    a, c = p.person(), p.person()
    style = r.randrange(4)
    b = _Builder().add(r.choice(["", "Summarise this chat:\n\n", "What did we agree?\n\n"]))

    def speaker(who: tuple[str, str], minute: int) -> None:
        full = f"{who[0]} {who[1]}"
        if style == 0:
            b.add(f"[10:{minute:02d}] ").person(full).add(": ")
        elif style == 1:
            b.add(f"[03/03/2026 10:{minute:02d} AM] ").person(f"{who[1]}, {who[0]}").add(": ")
        elif style == 2:
            b.add(f"03/03/2026, 10:{minute:02d} - ").person(full).add(": ")
        else:
            b.person(full).add(f"  10:{minute:02d} AM\n")

    minute = r.randint(0, 40)
    speaker(a, minute)
    b.add(r.choice(["hey, got a sec?", "morning! quick one", "can you sort the booking?"]))
    b.add("\n")
    speaker(c, minute + 1)
    b.add(r.choice(["sure", "yep, go", "ok what do you need"]) + "\n")
    lines = r.sample(["phone", "card", "dob", "phone2"], r.randint(1, 3))
    for kind in lines:
        minute += r.randint(1, 3)
        speaker(r.choice([a, c]), minute)
        if kind in ("phone", "phone2"):
            number, _ = p.phone()
            b.add(r.choice(["call me on ", "my number is ", "text me at ", "whatsapp ",
                            "ring me: ", "new mobile ", "reach me at "])).pii(
                "PHONE_NUMBER", number).add(r.choice(["", " thx", " after lunch", "!"]))
        elif kind == "card":
            b.add(r.choice(["my card is ", "use the company card ", "card no ",
                            "pay with "])).pii("CREDIT_CARD", p.card())
            b.add(r.choice([f" exp {r.randint(1, 12):02d}/{r.randint(26, 31)}",
                            f" exp {r.randint(1, 12):02d}/{r.randint(26, 31)} cvv "
                            f"{r.randint(100, 999)}", "", " for the hotel"]))
        else:
            b.add(r.choice(["for the visa form: born ", "DOB ", "date of birth is ",
                            "she was born on ", "my birthday's "])).pii(
                "DATE_OF_BIRTH", p.dob())
        b.add("\n")
    minute += 1
    speaker(c, minute)
    b.add(r.choice(["thanks, booked for 14:30", "done — ticket INC0048213",
                    "ok, order #4411-2201 placed", "👍"]) + "\n")
    return b.sample("prose-chat")


LAYOUTS: tuple[Callable[[Pick], Sample], ...] = (
    outlook_thread, outlook_thread, quoted_thread, quoted_thread, forwarded, hr_note,
    hr_note, meeting_notes, chat_transcript, chat_transcript)


# --------------------------------------------------------------------------- hard negatives
def _benign_invite(r: random.Random) -> str:
    h = r.randint(8, 16)
    return r.choice([
        f"When: {r.choice(DAYS_LONG)}, {r.randint(1, 28)} {r.choice(MONTHS_EN)} 2026 "
        f"{h}:30-{h + 1}:00 (UTC+01:00) Amsterdam, Berlin, Rome\nWhere: Microsoft Teams Meeting"
        f"\n\nMeeting ID: {r.randint(100, 999)} {r.randint(100, 999)} {r.randint(100, 999)} "
        f"{r.randint(100, 999)}\nPasscode: {r.randint(100000, 999999)}\n\nMake this invite "
        "shorter.",
        f"Reminder: quarterly review {h}:00–{h}:45, room 4.{r.randint(10, 40)}. "
        f"Conference ID: {r.randint(100, 999)} {r.randint(100, 999)} {r.randint(100, 999)}#\n"
        "Please bring the Q3 numbers.",
        f"Zoom: https://zoom.us/j/{r.randint(10**9, 10**10 - 1)}?pwd=abc\nMeeting ID: "
        f"{r.randint(100, 999)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}\n"
        f"Time: {h}:00 - {h}:30 CET\nWhat should the agenda be?",
    ])


def _benign_ops_mail(r: random.Random) -> str:
    return r.choice([
        f"Hi team,\n\nOrder {r.randint(4000000, 4999999)} shipped on "
        f"{r.randint(1, 28)}.{r.randint(1, 12)}.2026, tracking 1Z{r.randint(10**9, 10**10 - 1)}"
        f". Total €{r.randint(1, 9)},{r.randint(100, 999)}.{r.randint(10, 99)} incl. VAT.\n\n"
        "Thanks,\nThe Logistics Team\n\nRewrite this for a customer.",
        f"Ticket INC{r.randint(10**6, 10**7 - 1)} — the upgrade to v{r.randint(2, 9)}."
        f"{r.randint(0, 20)}.{r.randint(0, 9)} (build {r.randint(10000, 99999)}) failed at "
        f"{r.randint(10, 23)}:{r.randint(10, 59)}:{r.randint(10, 59)}.\n\nRegards,\nIT Service "
        "Desk\n\nWhat should we check first?",
        f"Invoice INV-2026-{r.randint(10000, 99999)} for PO {r.randint(4500000000, 4599999999)}"
        f" is due on {r.randint(1, 28)} {r.choice(MONTHS_EN)} 2026. Amount USD "
        f"{r.randint(1, 99)},{r.randint(100, 999)}.00.\n\nDraft a reminder.",
        f"Our office moves in {r.randint(2026, 2028)}; the new site (postcode "
        f"{r.choice(['SW1A 1AA', 'EC2V 7HH', '10115', '75008', '28013', '2000'])}) has "
        f"{r.randint(120, 480)} desks and {r.randint(4, 30)} meeting rooms.\n\nWrite an "
        "announcement.",
        f"Case {r.randint(10**7, 10**8 - 1)}: customer reports error 0x{r.randint(10**7, 10**8):X}"
        f" on firmware {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(100, 999)}. Serial "
        f"{r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(1000, 9999)}.\n\nSummarise.",
    ])


def _benign_chat(r: random.Random) -> str:
    t = r.randint(8, 17)
    return (f"[{t}:02] deploy-bot: release {r.randint(2024, 2026)}.{r.randint(1, 12)}."
            f"{r.randint(1, 9)} started\n[{t}:05] deploy-bot: {r.randint(120, 480)} tests "
            f"passed in {r.randint(1, 9)}m{r.randint(10, 59)}s\n[{t}:07] ci: artifact "
            f"{r.randint(1000, 9999)}-{r.randint(1000, 9999)} uploaded, "
            f"{r.randint(10, 99)}.{r.randint(1, 9)} MB\n\nWhy did the release take so long?")


def _benign_numbers_prose(r: random.Random) -> str:
    return r.choice([
        f"Sales grew from {r.randint(1, 9)} {r.randint(100, 999)} {r.randint(100, 999)} to "
        f"{r.randint(10, 19)} {r.randint(100, 999)} {r.randint(100, 999)} units between 2019 "
        "and 2025. Explain the trend.",
        f"The batch ran from {r.randint(10, 12)}:00 to {r.randint(13, 15)}:30 and processed "
        f"{r.randint(100000, 999999)} rows; ratio {r.randint(1, 9)}/{r.randint(10, 20)}.",
        f"Please reference PO {r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}"
        f" and quote ref. {r.randint(1000, 9999)} {r.randint(1000, 9999)} on the delivery note.",
        f"Version {r.randint(10, 11)}.0.{r.randint(19000, 22999)}.{r.randint(1000, 4999)} "
        f"fixed the bug introduced on {r.randint(1, 28)} {r.choice(MONTHS_EN)} 2025.",
    ])


BENIGN: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("prose-invite", _benign_invite), ("prose-ops-mail", _benign_ops_mail),
    ("prose-bot-chat", _benign_chat), ("prose-numbers", _benign_numbers_prose))


def generate_prose_dev(seed: int, n_records: int = 220, n_benign: int = 80) -> list[Sample]:
    """Mail threads, notes and chats with personal data, then hard negatives."""
    r = random.Random(seed * 65537 + 29)
    p = Pick(r)
    out = [LAYOUTS[i % len(LAYOUTS)](p) for i in range(n_records)]
    for _ in range(n_benign):
        name, make = r.choice(BENIGN)
        out.append(Sample(make(r), (), f"benign-{name}", benign=True))
    return out
