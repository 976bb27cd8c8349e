"""Development corpus, second part: personal data in the layouts people paste.

Employees paste exports and documents, not sentences: CSV/TSV with quoted fields, SQL
dumps (``CREATE TABLE`` + ``INSERT`` with and without column lists, multi-row
``VALUES``, ``COPY ... FROM stdin``), Markdown, ASCII and psql tables, JSON arrays of
records (pretty and minified, nested), YAML, ``.env``/INI files, "Label: value" forms
(line by line and inline), vCards, letters with address blocks, e-mail threads with
signatures, HR and meeting notes -- with column headers and labels in English, German,
French and Spanish, in the spellings tools produce (snake_case, camelCase, Title Case,
abbreviations).

Values come in the formats the world writes them: cards of every scheme and grouping,
dates of birth in ISO, US, EU and written-month forms (EN/DE/FR/ES), passports of
several countries, US driver's licences in state formats, addresses in US, UK, German,
French and Spanish forms.

The hard negatives are the structures without personal data that look like them:
product and order exports (ids, SKUs, EANs, tracking numbers, epoch timestamps), OTLP
telemetry (19-digit ``timeUnixNano``), code calling SDK clients (``OpenAI(api_key=...)``),
schemas without rows, vendors' role addresses (``noreply@...``), placeholders
(``XXX-XX-XXXX``, ``MM/DD/YYYY``), release dates and build numbers.

Everything is synthetic and seeded; these templates were written before the detector
was tuned on them, and they stay general (no value or layout is shaped after a rule).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence

from . import pii_html
from .pii_corpus import Sample, _Builder
from .pii_iban_dev import generate_iban_dev
from .pii_prose_dev import generate_prose_dev

# --------------------------------------------------------------------------- value pools
GIVEN = ["Manon", "Bhavna", "Olusegun", "Margarethe", "Thierry", "Inés", "Joaquín",
         "Svetlana", "Haruki", "Nkechi", "Ruairí", "Beatriz", "Wojciech", "Annika",
         "Rahul", "Yasmin", "Étienne", "Guadalupe", "Friedrich", "Aoife", "Tobias",
         "Chiara", "Mehmet", "Linnea", "Darnell", "Keisha", "Cormac", "Paulina", "Jörg",
         "Amélie", "Rocío", "Sanjay", "Ifeoma", "Dagny", "Marisol", "Kofi", "Yuto",
         "Leonie", "Bastien", "Nuria", "Greta", "Dylan", "Hamza", "Noémie", "Alejandro",
         "Priyanka", "Mikael", "Carmen", "Heinrich", "Valentina", "Ebony", "Tyrone",
         "Jasper", "Agnieszka", "Florian", "Solène", "Ximena", "Anders", "Mariam", "Colm"]
FAMILY = ["Menard", "Karnik", "Adebayo", "Vogelsang", "Lacroix", "Quintero", "Castellanos",
          "Morozova", "Takeda", "Eze", "Ó Briain", "Figueiredo", "Zieliński", "Lindqvist",
          "Deshmukh", "Haddadi", "Rousseau", "Villanueva", "Hoffmann", "Gallagher",
          "Brandt", "Ferraro", "Aydın", "Sundberg", "Whitaker", "Robinson", "Flanagan",
          "Wróbel", "Krüger", "Fontaine", "Domínguez", "Venkataraman", "Okonkwo", "Hagen",
          "Salazar", "Asante", "Nakamura", "Schulte", "Girard", "Ortega", "Lindemann",
          "Harrington", "Chaudhry", "Beaumont", "Navarro", "Iyengar", "Halvorsen",
          "Jiménez", "Bauer", "De Luca", "Washington", "Jefferson", "Vandermeer",
          "Kowalczyk", "Weiß", "Marchand", "Mendoza", "Eriksson", "Nasser", "Doyle"]
MAIL_DOMAINS = ["gmail.com", "outlook.com", "hotmail.co.uk", "gmx.de", "t-online.de",
                "free.fr", "laposte.net", "yahoo.es", "telefonica.net", "icloud.com",
                "northwind-traders.com", "contoso-health.org", "fabrikam.co.uk",
                "wideworldimporters.de", "adventure-works.fr", "tailspin.es"]
DEPARTMENTS = ["Finance", "Engineering", "Sales", "HR", "Legal", "Support", "Marketing",
               "Operations", "Procurement", "Facilities"]
STATUSES = ["active", "pending", "inactive", "on leave", "terminated"]
TITLES = ["Senior Accountant", "Software Engineer", "Account Executive", "HR Partner",
          "Paralegal", "Support Specialist", "Product Manager", "Data Analyst"]

US_CITIES = [("Springfield", "IL", "62704"), ("Tacoma", "WA", "98402"),
             ("Scranton", "PA", "18503"), ("Boise", "ID", "83702"),
             ("Savannah", "GA", "31401"), ("Fresno", "CA", "93721"),
             ("Albany", "NY", "12207"), ("Tampa", "FL", "33602"),
             ("Plano", "TX", "75074"), ("Ann Arbor", "MI", "48104"),
             ("Madison", "WI", "53703"), ("Trenton", "NJ", "08608")]
US_STREET_NAMES = ["Maple", "Evergreen", "Chestnut", "Willow", "Franklin", "Jefferson",
                   "Magnolia", "Sycamore", "Juniper", "Prospect", "Orchard", "Harbor",
                   "Linden", "Woodland", "Meadowbrook", "Riverside"]
US_SUFFIXES = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Boulevard",
               "Blvd", "Drive", "Dr", "Lane", "Ln", "Court", "Ct", "Terrace", "Place",
               "Way", "Parkway", "Circle"]
UK_PLACES = [("London", "NW1 6XE"), ("Manchester", "M1 2AB"), ("Leeds", "LS1 4DY"),
             ("Bristol", "BS1 5TR"), ("Glasgow", "G2 3BZ"), ("Cardiff", "CF10 1EP"),
             ("Oxford", "OX1 4BH"), ("York", "YO1 7HH")]
UK_STREETS = ["Baker Street", "Kings Road", "High Street", "Station Road", "Church Lane",
              "Victoria Road", "Mill Lane", "Queen's Drive", "Park Crescent",
              "Albert Terrace", "Elm Grove", "Rose Close"]
DE_PLACES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"),
             ("50672", "Köln"), ("60311", "Frankfurt am Main"), ("01067", "Dresden"),
             ("04109", "Leipzig"), ("70173", "Stuttgart"), ("28195", "Bremen")]
DE_STREETS = ["Hauptstraße", "Schillerstr.", "Bahnhofstrasse", "Lindenallee",
              "Kaiser-Wilhelm-Ring", "Am Markt", "Unter den Linden", "Rosenweg",
              "Goethestraße", "Mühlenweg", "Kirchplatz", "Auf dem Berg",
              "Friedrich-Ebert-Damm", "Gartenstraße", "An der Alster", "Im Winkel"]
FR_PLACES = [("75002", "Paris"), ("69002", "Lyon"), ("13001", "Marseille"),
             ("31000", "Toulouse"), ("33000", "Bordeaux"), ("59000", "Lille"),
             ("44000", "Nantes"), ("67000", "Strasbourg")]
FR_STREETS = ["rue de la Paix", "avenue Victor Hugo", "boulevard Haussmann",
              "place Bellecour", "chemin des Vignes", "allée des Tilleuls",
              "rue du Faubourg Saint-Honoré", "quai de la Tournelle", "impasse des Lilas",
              "cours Mirabeau", "route de Grenoble", "rue Nationale"]
ES_PLACES = [("28013", "Madrid"), ("08008", "Barcelona"), ("41001", "Sevilla"),
             ("46002", "Valencia"), ("29015", "Málaga"), ("48001", "Bilbao"),
             ("50001", "Zaragoza"), ("15001", "A Coruña")]
ES_STREETS = ["Calle Mayor", "C/ de Alcalá", "Avenida de la Constitución",
              "Paseo de Gracia", "Plaza Mayor", "Calle del Pez", "Av. Diagonal",
              "Ronda de Segovia", "Calle Real", "Travesía del Conde", "Camino Viejo",
              "Gran Vía"]
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
DL_STATES = ["CA", "NY", "FL", "IL", "TX", "PA", "WA", "NJ", "MI", "WI", "MN", "OH", "MA",
             "MD", "VA", "GA", "AZ", "CO", "NC"]

# Column headers and labels per field, in the spellings exports use. Each entry:
# field -> list of (language, header). Field names are this corpus's own.
HEADERS: dict[str, list[tuple[str, str]]] = {
    "first": [("en", "first_name"), ("en", "FirstName"), ("en", "First Name"),
              ("en", "given_name"), ("de", "Vorname"), ("fr", "Prénom"), ("es", "Nombre"),
              ("en", "fname")],
    "last": [("en", "last_name"), ("en", "LastName"), ("en", "Last Name"),
             ("en", "surname"), ("de", "Nachname"), ("fr", "Nom"), ("es", "Apellidos"),
             ("en", "lname"), ("en", "family_name")],
    "full": [("en", "name"), ("en", "full_name"), ("en", "Employee Name"),
             ("en", "customer_name"), ("en", "Name"), ("de", "Name"), ("fr", "Nom complet"),
             ("es", "Nombre completo"), ("en", "contact"), ("en", "patient")],
    "email": [("en", "email"), ("en", "Email Address"), ("en", "e_mail"),
              ("de", "E-Mail"), ("fr", "Courriel"), ("es", "Correo electrónico"),
              ("en", "work_email")],
    "phone": [("en", "phone"), ("en", "Phone Number"), ("en", "mobile"), ("en", "tel"),
              ("de", "Telefon"), ("de", "Handynummer"), ("fr", "Téléphone"),
              ("es", "Teléfono"), ("en", "cell_phone")],
    "ssn": [("en", "ssn"), ("en", "SSN"), ("en", "social_security_number"),
            ("en", "Social Security No."), ("en", "ss_number"), ("en", "employee_ssn"),
            ("en", "socialSecurityNumber"), ("en", "SSN#")],
    "dob": [("en", "dob"), ("en", "DOB"), ("en", "date_of_birth"), ("en", "Date of Birth"),
            ("en", "birth_date"), ("en", "birthdate"), ("en", "dateOfBirth"),
            ("de", "Geburtsdatum"), ("fr", "Date de naissance"),
            ("es", "Fecha de nacimiento"), ("en", "Birthday")],
    "card": [("en", "card"), ("en", "card_number"), ("en", "cc_number"),
             ("en", "Credit Card"), ("en", "pan"), ("en", "CardNumber"),
             ("de", "Kreditkarte"), ("fr", "Numéro de carte"), ("es", "Tarjeta"),
             ("en", "payment_card")],
    "passport": [("en", "passport"), ("en", "passport_no"), ("en", "Passport Number"),
                 ("en", "passport_number"), ("de", "Reisepass"), ("de", "Passnummer"),
                 ("fr", "Numéro de passeport"), ("es", "Pasaporte"), ("en", "PassportNo")],
    "dl": [("en", "dl_number"), ("en", "drivers_license"), ("en", "Driver License"),
           ("en", "Driver's License #"), ("en", "DL"), ("en", "license_no"),
           ("en", "driverLicenseNumber"), ("de", "Führerscheinnummer"),
           ("fr", "Permis de conduire"), ("es", "Licencia de conducir")],
    "address": [("en", "address"), ("en", "Home Address"), ("en", "street_address"),
                ("en", "mailing_address"), ("de", "Adresse"), ("de", "Anschrift"),
                ("fr", "Adresse"), ("es", "Dirección"), ("en", "addr")],
    "street": [("en", "street"), ("en", "Street"), ("en", "address_line_1"),
               ("de", "Straße"), ("de", "Strasse"), ("fr", "Rue"), ("es", "Calle"),
               ("en", "addr1")],
    "city": [("en", "city"), ("de", "Ort"), ("de", "Stadt"), ("fr", "Ville"),
             ("es", "Ciudad"), ("en", "town")],
    "zip": [("en", "zip"), ("en", "postcode"), ("de", "PLZ"), ("fr", "Code postal"),
            ("es", "Código postal"), ("en", "postal_code")],
    "iban": [("en", "iban"), ("en", "IBAN"), ("en", "bank_account_iban")],
    "state": [("en", "state"), ("en", "dl_state")],
}
# columns without personal data that sit in the same exports
NEUTRAL = {
    "id": ["id", "employee_id", "customer_id", "ID", "record_id", "user_id"],
    "created": ["created_at", "updated_at", "CreatedTimestamp", "last_login"],
    "dept": ["department", "Abteilung", "Service", "Departamento", "team"],
    "status": ["status", "Status", "state_code"],
    "amount": ["amount", "balance", "salary", "Betrag", "Montant"],
    "title": ["job_title", "title", "Position", "role"],
}

CLOSINGS = ["Thanks", "Thank you", "Best", "Best regards", "Kind regards", "Cheers",
            "Regards", "Many thanks", "Warm regards", "Sincerely", "Mit freundlichen Grüßen",
            "Viele Grüße", "Cordialement", "Bien à vous", "Saludos", "Un saludo",
            "Atentamente", "Thx"]


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


class World:
    """Synthetic values in the formats people write them."""

    def __init__(self, r: random.Random) -> None:
        self.r = r

    def digits(self, n: int, first_nonzero: bool = True) -> str:
        r = self.r
        head = str(r.randint(1, 9)) if first_nonzero else str(r.randint(0, 9))
        return head + "".join(str(r.randint(0, 9)) for _ in range(n - 1))

    # -- people --------------------------------------------------------------------------
    def person(self) -> tuple[str, str]:
        return self.r.choice(GIVEN), self.r.choice(FAMILY)

    def email(self, first: str, last: str) -> str:
        table = str.maketrans("éèëíóúáñçöüäøåıßłńśżźÓ", "eeeiouancouaoaislnszzo")
        f = "".join(ch for ch in first.lower().translate(table) if ch.isalnum())
        la = "".join(ch for ch in last.lower().translate(table) if ch.isalnum())
        local = self.r.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{self.r.randint(2, 98)}",
                               f"{la}.{f}", f"{f}_{la}"])
        return f"{local}@{self.r.choice(MAIL_DOMAINS)}"

    def phone(self, lang: str = "en") -> str:
        r = self.r
        a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
        if lang == "de":
            return r.choice([f"+49 {r.randint(150, 179)} {r.randint(1000000, 9999999)}",
                             f"0{r.randint(30, 89)} {r.randint(100000, 9999999)}",
                             f"+49 (0)30 {r.randint(1000, 9999)} {r.randint(100, 999)}"])
        if lang == "fr":
            return r.choice(["0" + str(r.randint(1, 7)) + "".join(
                f" {r.randint(0, 99):02d}" for _ in range(4)),
                "+33 " + str(r.randint(1, 7)) + "".join(f" {r.randint(0, 99):02d}"
                                                        for _ in range(4))])
        if lang == "es":
            return r.choice([f"+34 {r.randint(600, 699)} {r.randint(100, 999)} "
                             f"{r.randint(100, 999)}",
                             f"{r.randint(910, 989)} {r.randint(10, 99)} {r.randint(10, 99)} "
                             f"{r.randint(10, 99)}"])
        return r.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"+1 {a} {b} {c:04d}",
                         f"{a}.{b}.{c:04d}", f"+1-{a}-{b}-{c:04d}",
                         f"+44 7{r.randint(100, 999)} {r.randint(100000, 999999)}"])

    # -- numbers -------------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        scheme = r.choice(["visa", "visa", "mc", "mc2", "amex", "discover", "jcb", "diners",
                           "unionpay", "maestro", "visa19"])
        if scheme == "visa":
            prefix, length = "4", 16
        elif scheme == "visa19":
            prefix, length = "4", 19
        elif scheme == "mc":
            prefix, length = str(r.randint(51, 55)), 16
        elif scheme == "mc2":
            prefix, length = str(r.randint(2221, 2720)), 16
        elif scheme == "amex":
            prefix, length = r.choice(["34", "37"]), 15
        elif scheme == "discover":
            prefix, length = r.choice(["6011", "65", str(r.randint(644, 649))]), 16
        elif scheme == "jcb":
            prefix, length = str(r.randint(3528, 3589)), 16
        elif scheme == "diners":
            prefix, length = r.choice(["36", "38", str(r.randint(300, 305))]), 14
        elif scheme == "unionpay":
            prefix, length = "62" + str(r.randint(0, 9)), r.choice([16, 19])
        else:
            prefix, length = r.choice(["5018", "5020", "5038", "6304", "6759", "6761"]), \
                r.choice([13, 16, 19])
        body = prefix + "".join(str(r.randint(0, 9)) for _ in range(length - len(prefix) - 1))
        digits = body + _luhn_digit(body)
        sep = r.choice(["", " ", " ", "-", "."] if length != 19 else ["", " "])
        if not sep:
            return digits
        if length == 15 or length == 14:
            groups = [digits[:4], digits[4:10], digits[10:]]
        elif length == 13:
            groups = [digits[:4], digits[4:8], digits[8:]]
        else:
            groups = [digits[i:i + 4] for i in range(0, length, 4)]
        return sep.join(groups)

    def ssn(self, style: str | None = None) -> str:
        r = self.r
        area = r.choice([r.randint(1, 665), r.randint(667, 899)])
        group, serial = r.randint(1, 99), r.randint(1, 9999)
        style = style or r.choice(["dashed", "bare", "bare", "spaced"])
        if style == "dashed":
            return f"{area:03d}-{group:02d}-{serial:04d}"
        if style == "spaced":
            return f"{area:03d} {group:02d} {serial:04d}"
        return f"{area:03d}{group:02d}{serial:04d}"

    def dob(self, lang: str = "en", style: str | None = None) -> str:
        r = self.r
        y, m, d = r.randint(1938, 2006), r.randint(1, 12), r.randint(1, 28)
        styles = {"en": ["iso", "us", "us0", "long_us", "long_eu", "short_us", "eu_slash",
                         "ordinal"],
                  "de": ["de_dot", "de_long", "iso"], "fr": ["eu_slash", "fr_long", "iso"],
                  "es": ["eu_slash", "es_long", "iso"]}
        style = style or r.choice(styles[lang])
        en = MONTHS["en"][m - 1]
        if style == "iso":
            return f"{y}-{m:02d}-{d:02d}"
        if style == "us":
            return f"{m}/{d}/{y}"
        if style == "us0":
            return f"{m:02d}/{d:02d}/{y}"
        if style == "eu_slash":
            return f"{d:02d}/{m:02d}/{y}"
        if style == "de_dot":
            return f"{d:02d}.{m:02d}.{y}"
        if style == "long_us":
            return f"{en} {d}, {y}"
        if style == "long_eu":
            return f"{d} {en} {y}"
        if style == "short_us":
            return f"{en[:3]} {d}, {y}"
        if style == "ordinal":
            suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
            return f"{d}{suffix} {en} {y}"
        if style == "de_long":
            return f"{d}. {MONTHS['de'][m - 1]} {y}"
        if style == "fr_long":
            return f"{d} {MONTHS['fr'][m - 1]} {y}"
        return f"{d} de {MONTHS['es'][m - 1]} de {y}"

    def passport(self) -> str:
        r = self.r
        kind = r.randrange(7)
        if kind == 0:
            return self.digits(9)  # US book, UK
        if kind == 1:
            return r.choice("ACEHNPRX") + self.digits(8, first_nonzero=False)  # US card-era
        if kind == 2:  # German: a letter from a restricted set, then 8 alphanumerics
            alphabet = "CFGHJKLMNPRTVWXYZ0123456789"
            return r.choice("CFGHJK") + "".join(r.choice(alphabet) for _ in range(8))
        if kind == 3:  # French: 2 digits, 2 letters, 5 digits
            return (f"{r.randint(10, 99)}{r.choice('ABCDEFGHJKLM')}"
                    f"{r.choice('ABCDEFGHJKLM')}{self.digits(5, first_nonzero=False)}")
        if kind == 4:  # Spanish: 3 letters, 6 digits
            return "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)) + \
                self.digits(6, first_nonzero=False)
        if kind == 5:  # Indian, Canadian
            return r.choice("JKLMNPRSTZ") + self.digits(7)
        return "".join(r.choice("ABGHKLMP") for _ in range(2)) + self.digits(6)

    def driver_license(self, state: str | None = None) -> tuple[str, str]:
        r = self.r
        state = state or r.choice(DL_STATES)
        letter = r.choice("ABCDEFGHJKLMNPRSTW")
        d = self.digits
        formats: dict[str, Callable[[], str]] = {
            "CA": lambda: letter + d(7, False),
            "NY": lambda: r.choice([d(9), f"{d(3)} {d(3, False)} {d(3, False)}"]),
            "FL": lambda: f"{letter}{d(3, False)}-{d(3, False)}-{d(2, False)}-"
                          f"{d(3, False)}-{d(1, False)}",
            "IL": lambda: f"{letter}{d(3, False)}-{d(4, False)}-{d(4, False)}",
            "TX": lambda: d(8),
            "PA": lambda: r.choice([d(8), f"{d(2)} {d(3, False)} {d(3, False)}"]),
            "WA": lambda: "WDL" + "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
                                         for _ in range(9)),
            "NJ": lambda: f"{letter}{d(4, False)} {d(5, False)} {d(5, False)}",
            "MI": lambda: f"{letter} {d(3, False)} {d(3, False)} {d(3, False)} {d(3, False)}",
            "WI": lambda: f"{letter}{d(3, False)}-{d(4, False)}-{d(4, False)}-{d(2, False)}",
            "MN": lambda: letter + d(12, False),
            "OH": lambda: r.choice("ABCDEFGHJKLMNPRSTW") + letter + d(6, False),
            "MA": lambda: "S" + d(8, False),
            "MD": lambda: f"{letter}-{d(3, False)}-{d(3, False)}-{d(3, False)}-{d(3, False)}",
            "VA": lambda: r.choice([letter + d(8, False), d(9)]),
            "GA": lambda: d(9),
            "AZ": lambda: r.choice([letter + d(8, False), d(9)]),
            "CO": lambda: f"{d(2)}-{d(3, False)}-{d(4, False)}",
            "NC": lambda: d(r.randint(8, 12)),
        }
        return formats[state](), state

    def iban(self) -> str:
        r = self.r
        country, length = r.choice([("DE", 22), ("FR", 27), ("ES", 24), ("GB", 22),
                                    ("NL", 18), ("IT", 27), ("BE", 16)])
        if country in ("GB", "NL"):
            bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + \
                self.digits(length - 8, False)
        elif country == "IT":
            bban = r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + self.digits(length - 5, False)
        else:
            bban = self.digits(length - 4, False)
        check = 98 - int("".join(str(int(ch, 36)) for ch in bban + country + "00")) % 97
        compact = f"{country}{check:02d}{bban}"
        if r.random() < 0.3:
            return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
        return compact

    # -- addresses -----------------------------------------------------------------------
    def street_line(self, country: str) -> str:
        r = self.r
        if country == "US":
            num = r.randint(1, 19999)
            name = r.choice(US_STREET_NAMES)
            if r.random() < 0.15:
                name = f"{r.choice(['N', 'S', 'E', 'W'])} {name}"
            if r.random() < 0.1:
                n = r.randint(2, 99)
                sfx = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
                    n % 10, "th")
                name = f"W {n}{sfx}"
            line = f"{num} {name} {r.choice(US_SUFFIXES)}"
            if r.random() < 0.25:
                line += r.choice([f", Apt {r.randint(1, 40)}{r.choice(['', 'B', 'C'])}",
                                  f" Apt. {r.randint(100, 999)}", f", Suite {r.randint(100, 900)}",
                                  f" #{r.randint(2, 40)}", f", Unit {r.randint(1, 30)}"])
            return line
        if country == "UK":
            num = r.choice([str(r.randint(1, 250)), f"{r.randint(1, 250)}{r.choice('ABC')}"])
            line = f"{num} {r.choice(UK_STREETS)}"
            if r.random() < 0.2:
                line = f"Flat {r.randint(1, 12)}, {line}"
            return line
        if country == "DE":
            num = f"{r.randint(1, 180)}{r.choice(['', '', '', 'a', 'b'])}"
            return f"{r.choice(DE_STREETS)} {num}"
        if country == "FR":
            num = f"{r.randint(1, 120)}{r.choice(['', '', '', ' bis', ' ter'])}"
            return f"{num}{r.choice(['', ','])} {r.choice(FR_STREETS)}"
        num = r.randint(1, 150)
        street = r.choice(ES_STREETS)
        extra = r.choice(["", "", f", {r.randint(1, 9)}º {r.choice('ABCD')}",
                          f", {r.randint(1, 9)}.º {r.randint(1, 4)}.ª"])
        return f"{street}{r.choice([' ', ', '])}{num}{extra}"

    def place_line(self, country: str) -> str:
        r = self.r
        if country == "US":
            city, st, z = r.choice(US_CITIES)
            return f"{city}, {st} {z}"
        if country == "UK":
            city, pc = r.choice(UK_PLACES)
            return f"{city} {pc}"
        if country == "DE":
            z, city = r.choice(DE_PLACES)
            return f"{z} {city}"
        if country == "FR":
            z, city = r.choice(FR_PLACES)
            return f"{z} {city}" if r.random() < 0.6 else f"{z} {city.upper()}"
        z, city = r.choice(ES_PLACES)
        return f"{z} {city}"

    def address(self, country: str | None = None, sep: str = ", ") -> str:
        country = country or self.r.choice(["US", "US", "UK", "DE", "FR", "ES"])
        return f"{self.street_line(country)}{sep}{self.place_line(country)}"


LANG_COUNTRY = {"en": "US", "de": "DE", "fr": "FR", "es": "ES"}


def _header(r: random.Random, field: str, lang: str) -> str:
    options = [h for lg, h in HEADERS[field] if lg == lang] or \
        [h for lg, h in HEADERS[field] if lg == "en"]
    return r.choice(options)


# --------------------------------------------------------------------------- tables
Cell = tuple[str, str | None]  # (text, gold entity or None)


def _record(w: World, fields: Sequence[str], lang: str) -> dict[str, Cell]:
    """One person's values for the requested fields."""
    r = w.r
    first, last = w.person()
    country = LANG_COUNTRY[lang] if r.random() < 0.8 else r.choice(["US", "UK", "DE",
                                                                     "FR", "ES"])
    dl, state = w.driver_license()
    rec: dict[str, Cell] = {
        "first": (first, "PERSON"), "last": (last, "PERSON"),
        "full": (f"{first} {last}", "PERSON"),
        "email": (w.email(first, last), "EMAIL_ADDRESS"),
        "phone": (w.phone(lang), "PHONE_NUMBER"),
        "ssn": (w.ssn(), "US_SSN"),
        "dob": (w.dob(lang if r.random() < 0.6 else "en",
                      r.choice(["iso", "us0", "us", "eu_slash", "de_dot"])
                      if r.random() < 0.7 else None), "DATE_OF_BIRTH"),
        "card": (w.card(), "CREDIT_CARD"),
        "passport": (w.passport(), "PASSPORT"),
        "dl": (dl, "US_DRIVER_LICENSE"), "state": (state, None),
        "address": (w.address(country), "STREET_ADDRESS"),
        "street": (w.street_line(country), "STREET_ADDRESS"),
        "city": (w.place_line(country).split(" ", 1)[-1] if country in ("DE", "FR", "ES")
                 else w.place_line(country).split(",")[0].rsplit(" ", 2)[0], "LOCATION"),
        "zip": (str(r.randint(10000, 99999)), None),
        "iban": (w.iban(), "IBAN_CODE"),
        "id": (str(r.randint(1000, 999999)), None),
        "created": (r.choice([f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)} "
                              f"{r.randint(10, 23)}:{r.randint(10, 59)}:00",
                              str(r.randint(1600000000, 1750000000)),
                              f"2023-{r.randint(10, 12)}-{r.randint(10, 28)}T0"
                              f"{r.randint(1, 9)}:15:00Z"]), None),
        "dept": (r.choice(DEPARTMENTS), None), "status": (r.choice(STATUSES), None),
        "amount": (f"{r.randint(100, 99999)}.{r.randint(0, 99):02d}", None),
        "title": (r.choice(TITLES), None),
    }
    return {f: rec[f] for f in fields}


def _pick_fields(r: random.Random) -> list[str]:
    """A plausible export: an id, names, 2-5 personal columns, 0-2 neutral ones."""
    names = r.choice([["first", "last"], ["full"], ["last", "first"], ["full"]])
    personal = r.sample(["email", "phone", "ssn", "dob", "card", "passport", "dl", "address",
                         "street", "iban"], r.randint(2, 5))
    if "street" in personal and r.random() < 0.7:
        personal += ["zip", "city"]
    if "dl" in personal and r.random() < 0.5:
        personal.append("state")
    neutral = r.sample(["created", "dept", "status", "amount", "title"], r.randint(0, 2))
    fields = names + personal + neutral
    r.shuffle(fields)
    if r.random() < 0.7:
        fields.insert(0, "id")
    return fields


def _headers_for(r: random.Random, fields: Sequence[str], lang: str) -> list[str]:
    out = []
    for f in fields:
        if f in NEUTRAL:
            out.append(r.choice(NEUTRAL[f]))
        else:
            out.append(_header(r, f, lang))
    style = r.randrange(4)
    if style == 0:
        out = [h.lower().replace(" ", "_").replace("'", "").replace(".", "") for h in out]
    elif style == 1 and lang == "en":
        out = [h.upper().replace(" ", "_") for h in out]
    return out


def _put(b: _Builder, text: str, entity: str | None) -> None:
    if entity:
        b.pii(entity, text)
    else:
        b.add(text)


def _csv_cell(b: _Builder, cell: Cell, delim: str, quote_all: bool) -> None:
    text, entity = cell
    quote = quote_all or delim in text or '"' in text or "\n" in text
    if quote:
        b.add('"')
    inner = text.replace('"', '""') if quote else text
    if entity:
        b.pii(entity, inner)
    else:
        b.add(inner)
    if quote:
        b.add('"')


def csv_export(w: World) -> Sample:
    r = w.r
    lang = r.choice(["en", "en", "en", "de", "fr", "es"])
    fields = _pick_fields(r)
    headers = _headers_for(r, fields, lang)
    delim = r.choice([",", ",", ",", ";", "\t"]) if lang == "en" else r.choice([";", ",",
                                                                                  "\t"])
    quote_all = r.random() < 0.25
    b = _Builder()
    b.add(r.choice(["", "Here is the export, can you find duplicates?\n\n",
                    "Clean up this CSV and normalise the phone numbers:\n\n",
                    "Which of these records are missing data?\n```\n",
                    f"{r.choice(['customers', 'employees', 'patients', 'members'])}"
                    f"_{r.randint(2019, 2025)}.csv:\n"]))
    b.add(delim.join(f'"{h}"' if quote_all else h for h in headers) + "\n")
    for _ in range(r.randint(3, 18)):
        rec = _record(w, fields, lang)
        for k, f in enumerate(fields):
            if k:
                b.add(delim)
            _csv_cell(b, rec[f], delim, quote_all)
        b.add("\n")
    return b.sample("csv-export")


def _grid(w: World, style: str) -> Sample:
    """Markdown, ASCII (+---+) or psql-style tables."""
    r = w.r
    lang = r.choice(["en", "en", "de", "fr", "es"])
    fields = _pick_fields(r)[: r.randint(3, 6)]
    if not any(f in ("first", "last", "full") for f in fields):
        fields.insert(0, "full")
    headers = _headers_for(r, fields, lang)
    rows = [_record(w, fields, lang) for _ in range(r.randint(2, 10))]
    widths = [max([len(h)] + [len(row[f][0]) for row in rows]) for h, f in zip(headers, fields,
                                                                               strict=True)]
    b = _Builder()
    b.add(r.choice(["", "Summarise this table:\n\n", "Convert to JSON:\n\n",
                    "Any data quality issues here?\n\n"]))

    def rule(corner: str, fill: str = "-") -> None:
        b.add(corner + corner.join(fill * (wd + 2) for wd in widths) + corner + "\n")

    def line(cells: Sequence[Cell], outer: bool) -> None:
        b.add("| " if outer else " ")
        for k, (cell, wd) in enumerate(zip(cells, widths, strict=True)):
            if k:
                b.add(" | ")
            text, entity = cell
            if entity:
                b.pii(entity, text)
            else:
                b.add(text)
            b.add(" " * (wd - len(text)))
        b.add(" |\n" if outer else "\n")

    header_cells: list[Cell] = [(h, None) for h in headers]
    if style == "markdown":
        line(header_cells, True)
        b.add("|" + "|".join(r.choice(["---", ":---", "-" * (wd + 2)]) for wd in widths)
              + "|\n")
        for row in rows:
            line([row[f] for f in fields], True)
    elif style == "ascii":
        rule("+")
        line(header_cells, True)
        rule("+", "=" if r.random() < 0.3 else "-")
        for row in rows:
            line([row[f] for f in fields], True)
        rule("+")
    else:  # psql
        line(header_cells, False)
        b.add("+".join("-" * (wd + 2) for wd in widths) + "\n")
        for row in rows:
            line([row[f] for f in fields], False)
        b.add(f"({len(rows)} rows)\n")
    return b.sample(f"{style}-table")


def markdown_table(w: World) -> Sample:
    return _grid(w, "markdown")


def ascii_table(w: World) -> Sample:
    return _grid(w, w.r.choice(["ascii", "psql"]))


# --------------------------------------------------------------------------- SQL
def _sql_value(b: _Builder, cell: Cell, r: random.Random, numeric_ok: bool) -> None:
    text, entity = cell
    bare = numeric_ok and text.isdigit() and r.random() < 0.5
    if not bare:
        b.add("'")
    inner = text.replace("'", "''")
    if entity:
        b.pii(entity, inner)
    else:
        b.add(inner)
    if not bare:
        b.add("'")


def _sql_columns(r: random.Random, fields: Sequence[str], lang: str) -> list[str]:
    cols = _headers_for(r, fields, lang)
    out = []
    for c in cols:
        c = c.replace(" ", "_").replace("'", "").replace(".", "").replace("#", "")
        out.append(c.lower() if r.random() < 0.7 else c)
    return out


def sql_dump(w: World) -> Sample:
    r = w.r
    lang = r.choice(["en", "en", "en", "de", "fr", "es"])
    fields = _pick_fields(r)
    cols = _sql_columns(r, fields, lang)
    table = r.choice(["customers", "employees", "users", "patients", "public.members",
                      "hr.staff", "`crm_contacts`"])
    quote_ident = r.choice(["", "", '"', "`"])
    qcols = [f"{quote_ident}{c}{quote_ident}" for c in cols]
    style = r.randrange(5)
    b = _Builder()
    b.add(r.choice(["", "-- MySQL dump 10.13\n\n", "Why does this migration fail?\n\n",
                    "-- PostgreSQL database dump\n\n", "Optimise these inserts:\n\n"]))
    if style in (1, 4) or r.random() < 0.3:
        types = {"id": "INT PRIMARY KEY", "created": "TIMESTAMP", "amount": "DECIMAL(10,2)",
                 "dob": "DATE", "ssn": "CHAR(9)"}
        defs = ",\n  ".join(f"{q} {types.get(f, 'VARCHAR(255)')}"
                            + (" NOT NULL" if r.random() < 0.2 else "")
                            for q, f in zip(qcols, fields, strict=True))
        b.add(f"CREATE TABLE {table} (\n  {defs}\n);\n\n")
    n = r.randint(2, 12)
    rows = [_record(w, fields, lang) for _ in range(n)]
    collist = f" ({', '.join(qcols)})"
    if style == 0:  # one multi-row INSERT with column list
        b.add(f"INSERT INTO {table}{collist} VALUES\n")
        for i, row in enumerate(rows):
            b.add("  (")
            for k, f in enumerate(fields):
                if k:
                    b.add(", ")
                _sql_value(b, row[f], r, f in ("id", "ssn", "card", "zip"))
            b.add(")" + (",\n" if i + 1 < n else ";\n"))
    elif style in (1, 2):  # one INSERT per row; style 1 without a column list
        for row in rows:
            b.add(f"INSERT INTO {table}{'' if style == 1 else collist} VALUES (")
            for k, f in enumerate(fields):
                if k:
                    b.add(",")
                    b.add(r.choice([" ", ""]))
                _sql_value(b, row[f], r, f in ("id", "ssn", "card", "zip"))
            b.add(");\n")
    elif style == 3:  # pg_dump COPY block
        b.add(f"COPY {table}{collist.replace('`', '')} FROM stdin;\n")
        for row in rows:
            for k, f in enumerate(fields):
                if k:
                    b.add("\t")
                text, entity = row[f]
                if entity:
                    b.pii(entity, text)
                else:
                    b.add(text)
            b.add("\n")
        b.add("\\.\n")
    else:  # multi-row insert without column list, after CREATE TABLE
        b.add(f"INSERT INTO {table} VALUES ")
        for i, row in enumerate(rows):
            b.add("(")
            for k, f in enumerate(fields):
                if k:
                    b.add(",")
                _sql_value(b, row[f], r, f in ("id", "ssn", "card", "zip"))
            b.add(")" + ("," if i + 1 < n else ";\n"))
    return b.sample("sql")


# --------------------------------------------------------------------------- JSON / YAML
def _json_key(r: random.Random, field: str, lang: str, case: str) -> str:
    h = _header(r, field, lang) if field not in NEUTRAL else r.choice(NEUTRAL[field])
    words = h.replace("_", " ").replace("'", "").replace(".", "").replace("#", "").split()
    if case == "camel":
        return words[0].lower() + "".join(x.capitalize() for x in words[1:])
    if case == "snake":
        return "_".join(x.lower() for x in words)
    return h


def json_records(w: World) -> Sample:
    r = w.r
    lang = r.choice(["en", "en", "en", "de", "fr", "es"])
    fields = _pick_fields(r)
    case = r.choice(["camel", "snake", "raw"])
    keys = {f: _json_key(r, f, lang, case) for f in fields}
    pretty = r.random() < 0.6
    nest = "street" in fields and r.random() < 0.5 and "zip" in fields and "city" in fields
    b = _Builder()
    b.add(r.choice(["", "Parse this API response and list the people:\n\n",
                    "Why does this payload fail validation?\n```json\n",
                    "Write a TypeScript type for:\n\n"]))
    wrapped = r.random() < 0.3
    b.add('{"data": [' if wrapped else "[")
    n = r.randint(1, 8)
    ind = "\n    " if pretty else ""
    for i in range(n):
        rec = _record(w, fields, lang)
        b.add("\n  {" if pretty else "{")
        items = [f for f in fields if not (nest and f in ("street", "zip", "city"))]
        for k, f in enumerate(items):
            b.add(("," if k else "") + ind + f'"{keys[f]}": ')
            text, entity = rec[f]
            as_number = f in ("id", "ssn", "zip") and text.isdigit() and r.random() < 0.5
            if not as_number:
                b.add('"')
            if entity:
                b.pii(entity, text)
            else:
                b.add(text)
            if not as_number:
                b.add('"')
        if nest:
            b.add("," + ind + f'"{r.choice(["address", "homeAddress", "adresse"])}": {{')
            for k, f in enumerate(("street", "zip", "city")):
                text, entity = rec[f]
                b.add((", " if k else "") + f'"{keys[f]}": "')
                if entity:
                    b.pii(entity, text)
                else:
                    b.add(text)
                b.add('"')
            b.add("}")
        b.add(("\n  }" if pretty else "}") + ("," if i + 1 < n else ""))
    b.add("\n]" if pretty else "]")
    b.add("}\n" if wrapped else "\n")
    return b.sample("json")


def yaml_records(w: World) -> Sample:
    r = w.r
    lang = r.choice(["en", "en", "de", "fr", "es"])
    fields = _pick_fields(r)
    keys = {f: _json_key(r, f, lang, r.choice(["snake", "camel"])) for f in fields}
    b = _Builder().add(r.choice(["", "Validate this fixture file:\n\n", "# fixtures/people.yml\n"]))
    b.add(r.choice(["people:\n", "employees:\n", "records:\n"]))
    for _ in range(r.randint(1, 5)):
        rec = _record(w, fields, lang)
        for k, f in enumerate(fields):
            b.add("  - " if k == 0 else "    ")
            b.add(f"{keys[f]}: ")
            text, entity = rec[f]
            q = '"' if (": " in text or text[:1] in "0123456789+" and r.random() < 0.5) else ""
            b.add(q)
            if entity:
                b.pii(entity, text)
            else:
                b.add(text)
            b.add(q + "\n")
    return b.sample("yaml")


def env_ini(w: World) -> Sample:
    r = w.r
    fields = r.sample(["full", "email", "phone", "ssn", "dob", "card", "passport", "dl",
                       "address", "iban"], r.randint(2, 5))
    rec = _record(w, fields, "en")
    b = _Builder()
    if r.random() < 0.5:  # .env of a test fixture
        b.add(r.choice(["# .env.test\n", "Why is this not loaded?\n\n"]))
        b.add(f"APP_ENV=staging\nLOG_LEVEL={r.choice(['info', 'debug'])}\n")
        for f in fields:
            key = _json_key(r, f, "en", "snake").upper()
            prefix = r.choice(["TEST_USER_", "DEMO_", "SEED_CUSTOMER_", ""])
            text, entity = rec[f]
            quote = '"' if " " in text else ""
            b.add(f"{prefix}{key}={quote}")
            _put(b, text, entity)
            b.add(f"{quote}\n")
        return b.sample("env")
    b.add(r.choice(["; test account\n", "Fix this config:\n\n"]))
    b.add(f"[{r.choice(['customer', 'account', 'applicant', 'contact'])}]\n")
    for f in fields:
        key = _json_key(r, f, "en", r.choice(["snake", "raw"]))
        text, entity = rec[f]
        b.add(f"{key}{r.choice([' = ', '=', ': '])}")
        _put(b, text, entity)
        b.add("\n")
    return b.sample("ini")


# --------------------------------------------------------------------------- forms
FORM_LABELS = {
    "full": {"en": ["Name", "Full name", "Employee", "Applicant", "Patient name"],
             "de": ["Name", "Vor- und Nachname", "Mitarbeiter"],
             "fr": ["Nom", "Nom et prénom"], "es": ["Nombre", "Nombre y apellidos"]},
    "dob": {"en": ["Date of birth", "DOB", "D.O.B.", "Birth date", "Born"],
            "de": ["Geburtsdatum", "Geb.-Datum", "geboren am"],
            "fr": ["Date de naissance", "Né(e) le"], "es": ["Fecha de nacimiento"]},
    "ssn": {"en": ["SSN", "Social Security Number", "Social Security #", "SS#"],
            "de": ["SSN"], "fr": ["SSN"], "es": ["SSN"]},
    "passport": {"en": ["Passport No.", "Passport number", "Passport #", "Passport"],
                 "de": ["Reisepassnummer", "Pass-Nr."], "fr": ["N° de passeport", "Passeport"],
                 "es": ["Número de pasaporte", "Pasaporte"]},
    "dl": {"en": ["Driver's License", "DL #", "Driver license no.", "Drivers Lic. No."],
           "de": ["Führerschein-Nr."], "fr": ["Permis de conduire"],
           "es": ["Licencia de conducir"]},
    "card": {"en": ["Card number", "Credit card", "Card", "CC#", "Visa"],
             "de": ["Kartennummer", "Kreditkarte"], "fr": ["Numéro de carte", "Carte bancaire"],
             "es": ["Número de tarjeta", "Tarjeta de crédito"]},
    "address": {"en": ["Address", "Home address", "Mailing address", "Street address"],
                "de": ["Anschrift", "Adresse", "Wohnort"], "fr": ["Adresse", "Domicile"],
                "es": ["Dirección", "Domicilio"]},
    "phone": {"en": ["Phone", "Mobile", "Tel"], "de": ["Telefon", "Handy"],
              "fr": ["Téléphone", "Portable"], "es": ["Teléfono", "Móvil"]},
    "email": {"en": ["Email", "E-mail"], "de": ["E-Mail"], "fr": ["Courriel", "E-mail"],
              "es": ["Correo"]},
    "iban": {"en": ["IBAN", "Bank account"], "de": ["IBAN", "Bankverbindung"],
             "fr": ["IBAN", "RIB"], "es": ["IBAN", "Cuenta"]},
}


def form(w: World) -> Sample:
    r = w.r
    lang = r.choice(["en", "en", "de", "fr", "es"])
    fields = ["full"] + r.sample(["dob", "ssn", "passport", "dl", "card", "address", "phone",
                                  "email", "iban"], r.randint(2, 5))
    if lang != "en" and "ssn" in fields:
        fields.remove("ssn")
    rec = _record(w, fields, lang)
    rec["address"] = (w.address(LANG_COUNTRY[lang]), "STREET_ADDRESS")
    if "dob" in fields:
        rec["dob"] = (w.dob(lang), "DATE_OF_BIRTH")
    layout = r.randrange(4)
    b = _Builder()
    b.add(r.choice(["", "Check this intake form for missing fields:\n\n",
                    "Summarise this application:\n\n", "Translate this form to English:\n\n"]))
    sep = r.choice([": ", ":  ", ":\t", " - "]) if layout != 3 else ": "
    for i, f in enumerate(fields):
        label = r.choice(FORM_LABELS[f][lang])
        text, entity = rec[f]
        if layout == 0:  # one field per line
            b.add(f"{label}{sep}")
        elif layout == 1:  # markdown bold labels / bullets
            b.add(r.choice([f"**{label}:** ", f"- {label}: ", f"* **{label}**: "]))
        elif layout == 2:  # dotted leaders
            b.add(f"{label} {'.' * r.randint(3, 12)} ")
        else:  # inline, several fields on one line
            b.add("" if i == 0 else r.choice([", ", "; ", " | "]))
            b.add(f"{label}: ")
        _put(b, text, entity)
        if layout != 3:
            b.add("\n")
    if layout == 3:
        b.add("\n")
    return b.sample("form")


def vcard(w: World) -> Sample:
    r = w.r
    first, last = w.person()
    country = r.choice(["US", "UK", "DE", "FR", "ES"])
    b = _Builder().add(r.choice(["", "Import this contact:\n\n"]))
    b.add("BEGIN:VCARD\nVERSION:" + r.choice(["3.0", "4.0"]) + "\nN:")
    b.person(last).add(";").person(first).add(";;;\nFN:").person(f"{first} {last}").add("\n")
    if r.random() < 0.6:
        b.add(f"ORG:{r.choice(['Northwind', 'Contoso', 'Fabrikam'])}\n")
    b.add(r.choice(["TEL;TYPE=cell:", "TEL;TYPE=work,voice:", "TEL:"]))
    b.pii("PHONE_NUMBER", w.phone()).add("\n")
    b.add("EMAIL;TYPE=INTERNET:").pii("EMAIL_ADDRESS", w.email(first, last)).add("\n")
    street, place = w.street_line(country), w.place_line(country)
    b.add("ADR;TYPE=home:;;").pii("STREET_ADDRESS", street).add(";")
    b.add(place.replace(", ", ";").replace(" ", ";", 1) if country == "US" else place)
    b.add(f";;{country}\n")
    if r.random() < 0.6:
        b.add("BDAY:").pii("DATE_OF_BIRTH", w.dob("en", r.choice(["iso", "iso"]))
                             .replace("-", "" if r.random() < 0.3 else "-")).add("\n")
    b.add("END:VCARD\n")
    return b.sample("vcard")


# --------------------------------------------------------------------------- documents
def letter(w: World) -> Sample:
    r = w.r
    country = r.choice(["US", "UK", "DE", "FR", "ES"])
    lang = {"US": "en", "UK": "en", "DE": "de", "FR": "fr", "ES": "es"}[country]
    sf, sl = w.person()
    rf, rl = w.person()
    b = _Builder().add(r.choice(["Proofread this letter:\n\n", "Make this letter more formal:"
                                 "\n\n", "Translate into English:\n\n", ""]))
    # sender block
    b.person(f"{sf} {sl}").add("\n")
    b.pii("STREET_ADDRESS", f"{w.street_line(country)}\n{w.place_line(country)}").add("\n")
    if r.random() < 0.5:
        b.pii("PHONE_NUMBER", w.phone(lang)).add("\n")
    b.add("\n")
    # recipient block
    title = {"en": ["Mr.", "Ms.", "Dr.", ""], "de": ["Herrn", "Frau", ""],
             "fr": ["M.", "Mme", "Madame", ""], "es": ["Sr.", "Sra.", "D.", ""]}[lang]
    t = r.choice(title)
    if t:
        b.add(t + (" " if t not in ("Herrn", "Frau") else "\n"))
    b.person(f"{rf} {rl}").add("\n")
    if r.random() < 0.4:
        b.add(f"{r.choice(['Contoso GmbH', 'Fabrikam Ltd', 'Tailspin S.A.', 'Northwind Inc.'])}\n")
    b.pii("STREET_ADDRESS", f"{w.street_line(country)}\n{w.place_line(country)}").add("\n\n")
    day = r.randint(1, 28)
    b.add({"en": f"{MONTHS['en'][r.randint(0, 11)]} {day}, 2025",
           "de": f"Berlin, {day}. {MONTHS['de'][r.randint(0, 11)]} 2025",
           "fr": f"Paris, le {day} {MONTHS['fr'][r.randint(0, 11)]} 2025",
           "es": f"Madrid, {day} de {MONTHS['es'][r.randint(0, 11)]} de 2025"}[lang] + "\n\n")
    greet = {"en": "Dear", "de": "Sehr geehrte Damen und Herren", "fr": "Madame, Monsieur",
             "es": "Estimado/a"}[lang]
    if lang == "en":
        b.add(f"{greet} {t + ' ' if t else ''}").person(rl).add(",\n\n")
    else:
        b.add(f"{greet},\n\n")
    body = {"en": ["I am writing regarding my account and the recent change of address.",
                   "Please find enclosed the signed tenancy agreement."],
            "de": ["hiermit kündige ich meinen Vertrag fristgerecht zum Monatsende.",
                   "anbei erhalten Sie die unterschriebenen Unterlagen."],
            "fr": ["je vous prie de bien vouloir résilier mon abonnement.",
                   "veuillez trouver ci-joint les documents demandés."],
            "es": ["por la presente solicito la baja de mi contrato.",
                   "adjunto le envío la documentación solicitada."]}[lang]
    b.add(r.choice(body))
    if r.random() < 0.4:
        born = {"en": "My date of birth is ", "de": "Ich bin geboren am ",
                "fr": "Je suis né le ", "es": "Nací el "}[lang]
        b.add(" " + born).pii("DATE_OF_BIRTH", w.dob(lang)).add(".")
    closing = {"en": ["Sincerely,", "Yours faithfully,", "Kind regards,"],
               "de": ["Mit freundlichen Grüßen"], "fr": ["Cordialement,",
                                                        "Veuillez agréer mes salutations."],
               "es": ["Atentamente,", "Un saludo,"]}[lang]
    b.add("\n\n" + r.choice(closing) + "\n\n").person(f"{sf} {sl}").add("\n")
    return b.sample("letter")


def email_thread(w: World) -> Sample:
    r = w.r
    a_first, a_last = w.person()
    c_first, c_last = w.person()
    b = _Builder().add(r.choice(["Summarise this thread:\n\n", "Draft a reply to this:\n\n",
                                 ""]))
    inline = r.random() < 0.6
    b.add(r.choice(["Hi team,", "Hello,", "Hi all,"]) + "\n\n")
    b.add(r.choice(["The vendor confirmed the shipment for next week.",
                    "I updated the onboarding checklist, please review.",
                    "Can we move the review to Thursday?"]) + "\n\n")
    closing = r.choice(CLOSINGS)
    if inline:  # "Thanks, Manon Menard" on one line
        b.add(f"{closing}{r.choice([', ', ' - ', ' -- ', ',  '])}")
        b.person(f"{a_first} {a_last}").add("\n")
    else:
        b.add(f"{closing},\n").person(f"{a_first} {a_last}").add("\n")
    if r.random() < 0.4:
        b.add(f"{r.choice(TITLES)} | {r.choice(['Contoso', 'Northwind', 'Fabrikam'])}\n")
    b.add(f"\nOn {r.choice(['Mon', 'Tue', 'Wed'])}, {r.randint(1, 28)} "
          f"{r.choice(MONTHS['en'])[:3]} 2025 at 10:{r.randint(10, 59)}, ")
    b.person(f"{c_first} {c_last}").add(" wrote:\n> ")
    b.add(r.choice(["Any update on the shipment?", "Please send the checklist."]) + "\n> \n> ")
    b.add(r.choice(["Best", "Thanks", "Cheers", "Saludos"]) + r.choice([", ", ",\n> "]))
    b.person(f"{c_first} {c_last}").add("\n")
    return b.sample("email-thread")


def hr_note(w: World) -> Sample:
    r = w.r
    first, last = w.person()
    m_first, m_last = w.person()
    b = _Builder().add(r.choice(["", "Turn these notes into an onboarding email:\n\n",
                                 "Summarise for the HR file:\n\n"]))
    head = r.choice(["New hire", "New starter", "Onboarding", "Employee", "Leaver",
                     "Promotion", "Neuer Mitarbeiter", "Nouvel employé", "Nueva incorporación"])
    b.add(f"{head}: ").person(f"{first} {last}").add("\n")
    b.add(f"{r.choice(['Role', 'Position', 'Title'])}: {r.choice(TITLES)}\n")
    b.add(f"{r.choice(['Start date', 'Effective'])}: {r.randint(1, 28)} "
          f"{r.choice(MONTHS['en'])} 2025\n")
    b.add(f"{r.choice(['Manager', 'Reports to', 'Line manager'])}: ")
    b.person(f"{m_first} {m_last}").add("\n")
    extras = r.sample(["dob", "ssn", "address", "phone", "email", "passport"], r.randint(1, 3))
    for f in extras:
        label = r.choice(FORM_LABELS[f]["en"])
        b.add(f"{label}: ")
        if f == "dob":
            b.pii("DATE_OF_BIRTH", w.dob("en"))
        elif f == "ssn":
            b.pii("US_SSN", w.ssn())
        elif f == "address":
            b.pii("STREET_ADDRESS", w.address())
        elif f == "phone":
            b.pii("PHONE_NUMBER", w.phone())
        elif f == "email":
            b.pii("EMAIL_ADDRESS", w.email(first, last))
        else:
            b.pii("PASSPORT", w.passport())
        b.add("\n")
    if r.random() < 0.5:
        b.add("Notes: laptop ordered, badge pending.\n")
    return b.sample("hr-note")


def meeting_notes(w: World) -> Sample:
    r = w.r
    people = [w.person() for _ in range(r.randint(2, 5))]
    b = _Builder().add(r.choice(["", "Write minutes from these notes:\n\n",
                                 "Extract the action items:\n\n"]))
    b.add(f"{r.choice(['Weekly sync', 'Project kickoff', 'Budget review'])} - "
          f"{r.randint(1, 28)} {r.choice(MONTHS['en'])[:3]} 2025\n")
    label = r.choice(["Attendees", "Participants", "Present", "Teilnehmer", "Participants",
                      "Asistentes"])
    if r.random() < 0.6:
        b.add(f"{label}: ")
        for k, (f, la) in enumerate(people):
            if k:
                b.add(r.choice([", ", "; "]) if k + 1 < len(people) or r.random() < 0.5
                      else " and ")
            b.person(f"{f} {la}")
        b.add("\n")
    else:
        b.add(f"{label}:\n")
        for f, la in people:
            b.add(r.choice(["- ", "* ", "  - "])).person(f"{f} {la}").add("\n")
    b.add(r.choice(["Agenda: Q3 budget, hiring plan\n", "Topics: migration, vendor review\n"]))
    b.add("Action items:\n")
    for f, la in r.sample(people, min(2, len(people))):
        b.add("- ").person(f"{f} {la}").add(
            r.choice([" to send the revised budget", " will follow up with legal",
                      ": book the room for next week"]) + "\n")
    return b.sample("meeting-notes")


LAYOUTS: tuple[Callable[[World], Sample], ...] = (
    csv_export, csv_export, csv_export, markdown_table, ascii_table, sql_dump, sql_dump,
    json_records, json_records, yaml_records, env_ini, form, form, vcard, letter, letter,
    email_thread, hr_note, meeting_notes, *pii_html.LAYOUTS)


# --------------------------------------------------------------------------- hard negatives
def _hex(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def _luhn_number(r: random.Random, length: int, first: str) -> str:
    body = first + "".join(str(r.randint(0, 9)) for _ in range(length - len(first) - 1))
    return body + _luhn_digit(body)


def _benign_otlp(r: random.Random) -> str:
    t0 = r.randint(1_700_000_000_000_000_000, 1_760_000_000_000_000_000)
    points = []
    for _ in range(r.randint(2, 5)):
        t0 += r.randint(1_000_000, 9_000_000_000)
        points.append({"attributes": [{"key": "model", "value": {"stringValue": "gpt-5"}}],
                       "startTimeUnixNano": str(t0 - r.randint(10**6, 10**9)),
                       "timeUnixNano": str(t0), "asInt": str(r.randint(1, 99999))})
    doc = {"resourceMetrics": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "codex_cli_rs"}},
        {"key": "service.version", "value": {"stringValue": f"0.{r.randint(1, 60)}.0"}}]},
        "scopeMetrics": [{"scope": {"name": "codex"}, "metrics": [
            {"name": "tokens.used", "sum": {"dataPoints": points,
                                            "aggregationTemporality": 1}}]}]}]}
    if r.random() < 0.5:
        doc = {"resourceSpans": [{"scopeSpans": [{"spans": [{
            "traceId": _hex(r, 32), "spanId": _hex(r, 16), "name": "chat.completions",
            "startTimeUnixNano": str(t0), "endTimeUnixNano": str(t0 + r.randint(10**8, 10**10)),
            "kind": 3}]}]}]}
    return json.dumps(doc, indent=None if r.random() < 0.5 else 2)


def _benign_ids_json(r: random.Random) -> str:
    rows = []
    for _ in range(r.randint(2, 6)):
        rows.append({
            r.choice(["id", "orderId", "order_id"]): int(_luhn_number(r, 16, r.choice("456"))),
            r.choice(["createdAt", "created_ts", "timestamp"]):
                r.randint(1_600_000_000_000, 1_760_000_000_000),
            r.choice(["trackingNumber", "tracking_no"]):
                f"1Z{_hex(r, 6).upper()}{r.randint(10**9, 10**10 - 1)}",
            "sku": f"SKU-{r.randint(10000, 99999)}",
            r.choice(["itemCount", "qty", "count"]): r.randint(1, 40),
            r.choice(["requestId", "uuid"]): f"{_hex(r, 8)}-{_hex(r, 4)}-4{_hex(r, 3)}-"
                                           f"a{_hex(r, 3)}-{_hex(r, 12)}",
            "version": f"{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 99)}"})
    return r.choice(["Why is this response slow to parse?\n\n", "Sum the quantities:\n\n", ""]) \
        + json.dumps(rows, indent=2 if r.random() < 0.5 else None)


def _benign_orders_csv(r: random.Random) -> str:
    delim = r.choice([",", ";", "\t"])
    head = delim.join(["order_id", "sku", "ean", "qty", "unit_price", "created_at",
                       "tracking_number", "isbn"])
    rows = [head]
    for _ in range(r.randint(3, 15)):
        rows.append(delim.join([
            str(r.randint(10**11, 10**13)), f"SKU-{r.randint(1000, 9999)}",
            _luhn_number(r, 13, "4"), str(r.randint(1, 50)),
            f"{r.randint(1, 999)}.{r.randint(0, 99):02d}",
            str(r.randint(1_600_000_000_000, 1_760_000_000_000)),
            f"9400{r.randint(10**17, 10**18 - 1)}",
            f"978-{r.randint(0, 9)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-"
            f"{r.randint(0, 9)}"]))
    return r.choice(["Which orders shipped late?\n\n", "Plot quantity by day:\n\n", ""]) + \
        "\n".join(rows) + "\n"


def _benign_code(r: random.Random) -> str:
    cls = r.choice(["UserProfile", "CustomerRecord", "PatientIntake", "PaymentCard"])
    return r.choice([
        "Why does this raise an AuthenticationError?\n\n```python\nfrom openai import OpenAI\n"
        "client = OpenAI(api_key=\"sk-xxxx\")\nresp = client.chat.completions.create(\n"
        "    model=\"gpt-4o\", messages=[{\"role\": \"user\", \"content\": \"hi\"}])\n```",
        "```python\nimport anthropic\nclient = anthropic.Anthropic(api_key=os.environ"
        "[\"ANTHROPIC_API_KEY\"])\nmessage = client.messages.create(model=\"claude-sonnet-4\","
        " max_tokens=1024)\nprint(message.content)\n```\nWhat does max_tokens do?",
        f"Review this model:\n\n```python\nclass {cls}(BaseModel):\n    first_name: str\n"
        "    last_name: str\n    email: EmailStr\n    ssn: str | None = None\n"
        "    date_of_birth: date\n    card_number: str = Field(min_length=12)\n```",
        "```ts\nimport { GoogleGenerativeAI } from \"@google/generative-ai\";\n"
        "const genAI = new GoogleGenerativeAI(process.env.GEMINI_API_KEY);\n"
        "const model = genAI.getGenerativeModel({ model: \"gemini-1.5-pro\" });\n```\n"
        "Convert this to Python.",
        "def send_welcome_email(first_name, email, phone=None):\n    \"\"\"Send the welcome"
        " mail.\"\"\"\n    return Mailer(sender=\"noreply@northwind-traders.com\").send(\n"
        "        to=email, template=\"welcome\", name=first_name)\n\nAdd type hints.",
        "CREATE TABLE patients (\n  id SERIAL PRIMARY KEY,\n  first_name TEXT NOT NULL,\n"
        "  last_name TEXT NOT NULL,\n  ssn CHAR(9) UNIQUE,\n  dob DATE,\n"
        "  passport_no VARCHAR(12)\n);\n\nAdd an index for lookups by last name.",
        "first_name,last_name,email,phone,ssn,dob\n\nWrite a pandas script that validates a "
        "CSV with these columns.",
        f"Explain this stack trace:\nTraceback (most recent call last):\n  File \"app.py\", "
        f"line {r.randint(10, 400)}, in handle_request\n    user = UserService.get_by_id("
        f"{r.randint(1000, 99999)})\nKeyError: 'date_of_birth'",
    ])


def _benign_role_addresses(r: random.Random) -> str:
    return r.choice([
        "Co-Authored-By: Claude <noreply@anthropic.com>\n\nSquash these commits and keep the "
        "trailer.",
        "git log shows author GitHub <noreply@github.com> on the merge commit; why?",
        "The CI bot commits as github-actions[bot] <41898282+github-actions[bot]@users.noreply."
        "github.com>. How do I change the author?",
        "We keep getting bounces from no-reply@github.com and notifications@github.com. Is "
        "this a filter problem?",
        "For API issues contact support@openai.com; for privacy questions privacy@anthropic.com."
        " Draft an email template.",
        "Set the sender to noreply@google.com in the test and assert the footer text.",
        "The DMARC report from dmarc-reports@microsoft.com flags our domain. Explain it.",
        "Billing emails come from billing@stripe.com and invoices@stripe.com; write a Gmail "
        "filter.",
    ])


def _benign_placeholders(r: random.Random) -> str:
    return r.choice([
        "Form template:\nName: ____________\nDate of birth: MM/DD/YYYY\nSSN: XXX-XX-XXXX\n"
        "Passport number: ________\nWrite instructions for filling it in.",
        "Add validation so that `dob` accepts YYYY-MM-DD and `ssn` accepts 9 digits.",
        "| Field | Format |\n|---|---|\n| ssn | ###-##-#### |\n| dob | YYYY-MM-DD |\n"
        "| card_number | 13-19 digits |\n| passport_no | 6-9 characters |\n",
        "The column `card` stores a token like tok_1NqXYZ2eZvKYlo2C, never the PAN. Is that "
        "PCI compliant?",
        "In the users table, `phone_verified` is 1 and `email_count` is 3 for most rows. Why?",
    ])


def _benign_dates_versions(r: random.Random) -> str:
    y = r.randint(2019, 2025)
    return r.choice([
        f"Release date: {y}-0{r.randint(1, 9)}-{r.randint(10, 28)}\nVersion: {r.randint(1, 9)}."
        f"{r.randint(0, 20)}.{r.randint(0, 9)}\nBuild: {r.randint(10**6, 10**8)}\nWrite the "
        "release notes.",
        f"created_at,event,duration_ms\n{y}-03-0{r.randint(1, 9)} 10:00:01,login,"
        f"{r.randint(10, 999)}\n{y}-03-0{r.randint(1, 9)} 10:00:05,logout,{r.randint(10, 999)}\n"
        "\nWhat is the average duration?",
        f"The invoice dated {r.randint(1, 28)} {r.choice(MONTHS['en'])} {y} is overdue; "
        f"draft a reminder for invoice #{r.randint(10000, 99999)}.",
        f"ISBN 978-{r.randint(0, 1)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-"
        f"{r.randint(0, 9)} and ISBN-13 {r.randint(10**12, 10**13 - 1)} refer to the same "
        "book?",
        f"Our Kubernetes cluster runs v1.{r.randint(20, 31)}.{r.randint(0, 9)}; node "
        f"ip-10-0-{r.randint(0, 255)}-{r.randint(0, 255)} reports DiskPressure since "
        f"{y}-11-{r.randint(10, 28)}T04:12:00Z.",
        f"Meeting notes {r.randint(1, 28)}/{r.randint(1, 12)}/{y}: migrate to Postgres "
        f"{r.randint(12, 17)}, owner: platform team.",
    ])


def _benign_config_tables(r: random.Random) -> str:
    return r.choice([
        "| Service | Port | Owner |\n|---|---|---|\n| billing | 8080 | payments team |\n"
        "| search | 9200 | platform |\n| auth | 8443 | security |\n\nDraw a diagram.",
        "[database]\nhost = db.internal\nport = 5432\nname = orders\nuser = app\n\n"
        "[cache]\nhost = redis.internal\nport = 6379\n\nIs this config valid?",
        "name: build\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - name: Run tests\n        run: pytest -q\n",
        "Country,Capital,Population\nFrance,Paris,68170000\nSpain,Madrid,48350000\n"
        "Germany,Berlin,84480000\n\nWhich has the highest density?",
        "product_name,price,card_fee,stock_count\nEspresso Machine,249.00,2.5,14\n"
        "Milk Frother,39.90,2.5,120\n",
    ])


BENIGN: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("otlp-telemetry", _benign_otlp), ("ids-json", _benign_ids_json),
    ("orders-csv", _benign_orders_csv), ("code", _benign_code),
    ("role-addresses", _benign_role_addresses), ("placeholders", _benign_placeholders),
    ("dates-versions", _benign_dates_versions), ("config-tables", _benign_config_tables),
    *pii_html.BENIGN)


def large_csv(seed: int, size: int) -> tuple[str, int]:
    """One CSV export of about ``size`` characters (a header, then rows): for timing."""
    r = random.Random(seed)
    world = World(r)
    fields = ["id", "first", "last", "email", "phone", "ssn", "dob", "card", "address",
              "created"]
    lines = [",".join(_headers_for(r, fields, "en"))]
    length = len(lines[0]) + 1
    while length < size:
        b = _Builder()
        rec = _record(world, fields, "en")
        for k, f in enumerate(fields):
            if k:
                b.add(",")
            _csv_cell(b, rec[f], ",", False)
        lines.append("".join(b.parts))
        length += len(lines[-1]) + 1
    return "\n".join(lines) + "\n", len(lines) - 1


def generate_layouts(seed: int, n_records: int = 380, n_benign: int = 320) -> list[Sample]:
    """Structured records, then structured hard negatives (``benign=True``)."""
    r = random.Random(seed * 7919 + 11)
    world = World(r)
    out = [r.choice(LAYOUTS)(world) for _ in range(n_records)]
    for _ in range(n_benign):
        name, make = r.choice(BENIGN)
        out.append(Sample(make(r), (), f"benign-{name}", benign=True))
    return out + generate_iban_dev(seed) + generate_prose_dev(seed)  # IBANs, IPs; mail, notes, chat
