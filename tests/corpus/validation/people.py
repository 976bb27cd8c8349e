"""Names, companies, streets and places of this corpus (its own lists), and people made
from them: name, e-mail, phone and postal address in the country's own forms."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST = {
    "en": ["Harper", "Mason", "Evelyn", "Logan", "Abigail", "Carter", "Madison", "Wyatt",
           "Grayson", "Natalie", "Hudson", "Brooke", "Declan", "Savannah", "Rowan", "Tessa",
           "Garrett", "Delaney", "Bryce", "Kendra", "Trevor", "Whitney", "Colby", "Meredith",
           "Darnell", "Latoya", "Jerome", "Shania", "Dwayne", "Priscilla", "Corbin", "Marisol"],
    "de": ["Lukas", "Annika", "Jannik", "Franziska", "Matthias", "Henrike", "Torben",
           "Svenja", "Dietmar", "Gudrun", "Wiebke", "Jürgen", "Kerstin", "Friederike",
           "Malte", "Ulrike", "Reinhold", "Sieglinde"],
    "fr": ["Manon", "Théo", "Clémence", "Baptiste", "Océane", "Quentin", "Maëlle", "Gaëtan",
           "Solène", "Loïc", "Anaïs", "Corentin", "Margaux", "Romain", "Éloïse", "Yannick",
           "Ghislaine", "Thibault"],
    "es": ["Lucía", "Alejandro", "Ximena", "Iker", "Valentina", "Joaquín", "Itziar",
           "Rodrigo", "Nerea", "Gonzalo", "Ainhoa", "Íñigo", "Rocío", "Sebastián", "Carmela",
           "Álvaro", "Montserrat", "Fulgencio"],
    "in": ["Bhavna", "Arjun", "Priyanka", "Siddharth", "Kavya", "Rohan", "Anjali", "Vikram",
           "Deepika", "Nikhil", "Shreya", "Karthik", "Lakshmi", "Venkatesh"],
    "ea": ["Xiaoling", "Haruto", "Sakura", "Kenji", "Minji", "Seojun", "Jiwoo", "Hiroshi",
           "Meiling", "Tomoko", "Zhiwei", "Yuna"],
    "me": ["Youssef", "Layla", "Fatima", "Karim", "Nadia", "Emre", "Dariush", "Shirin",
           "Tariq", "Yasmin", "Selin", "Mehmet"],
    "af": ["Chiamaka", "Oluwaseun", "Kwame", "Amara", "Tendai", "Nomvula", "Adaeze",
           "Babajide", "Thandiwe", "Kwabena"],
    "eu": ["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Dmitri", "Svetlana", "Ingrid",
           "Astrid", "Giulia", "Matteo", "Chiara", "Beatriz", "João", "Inês", "Radek",
           "Zuzana", "Anders", "Sigrid"],
}
LAST = {
    "en": ["Halloran", "Brennan", "Abernathy", "Thornton", "Pennington", "Hargrove",
           "Blackwood", "Sutherland", "Kingsley", "McAllister", "Fitzgerald", "O'Sullivan",
           "Whitcombe", "Ashworth", "Langford", "Pemberton", "Holloway", "Castellanos",
           "Vasquez-Ortiz", "Delgado", "Okafor-Reid", "Tillman", "Rutherford", "Eckhardt"],
    "de": ["Achterberg", "Feuerstein", "Brandauer", "Kleinschmidt", "Wendtland", "Hoffbauer",
           "Rautenberg", "Dreßler", "Mühlenkamp", "Zimmermann", "Oberhauser", "Vogelsang",
           "Lindqvist"],
    "fr": ["Menard", "Lefebvre", "Marchand", "Duval", "Rousseau", "Giraud", "Delacroix",
           "Chevalier", "Fontaine", "Boulanger", "Lemaître", "Courtois", "Vasseur"],
    "es": ["Etxeberria", "Montalbán", "Quiroga", "Salcedo", "Llorente", "Fernández",
           "Arrieta", "Villanueva", "Casares", "de la Fuente", "Olmedo", "Cifuentes"],
    "in": ["Karnik", "Iyer", "Chakraborty", "Raghunathan", "Deshpande", "Venkataraman",
           "Bhattacharya", "Kulkarni", "Subramanian", "Mukherjee"],
    "ea": ["Nakamura", "Takahashi", "Watanabe", "Huang", "Choi", "Yamaguchi", "Matsumoto",
           "Zhao", "Hashimoto", "Kwon"],
    "me": ["Haddad", "Nasser", "Yilmaz", "Demir", "Farahani", "Khalil", "Aydın", "Mansour"],
    "af": ["Okonkwo", "Adeyemi", "Mensah", "Nwosu", "Oyelaran", "Mutasa", "Dlamini", "Boateng"],
    "eu": ["Kowalczyk", "Nowak", "Wiśniewska", "Petrov", "Sokolova", "Johansson", "Haugen",
           "Rossi", "Bianchi", "Esposito", "Ferreira", "Carvalho", "Dvořák", "Novotná",
           "Van der Berg", "Jankowski"],
}
CULTURES = tuple(FIRST)

COMPANIES = [
    ("Northwind Logistics", "northwind-logistics.com"),
    ("Brightwater Analytics", "brightwater.io"),
    ("Kestrel Components GmbH", "kestrel-components.de"),
    ("Atelier Mistral SARL", "atelier-mistral.fr"),
    ("Soluciones Iberia S.L.", "solucionesiberia.es"),
    ("Harbourview Health", "harbourviewhealth.org"),
    ("Quillfeather Publishing", "quillfeather.co.uk"),
    ("Vantage Ridge Capital", "vantageridge.com"),
    ("Ostwind Energie AG", "ostwind-energie.de"),
    ("Fenwick & Hale LLP", "fenwickhale.com"),
    ("Coralbay Travel", "coralbaytravel.com"),
    ("Tidewater Freight", "tidewaterfreight.us"),
    ("Lumen Orchard Labs", "lumenorchard.ai"),
    ("Grupo Alhambra Seguros", "alhambraseguros.es"),
    ("Maison Verdier", "maison-verdier.fr"),
    ("Redfern Dental Group", "redferndental.com.au"),
]
PERSONAL_DOMAINS = ["gmail.com", "outlook.com", "hotmail.fr", "web.de", "gmx.de", "yahoo.es",
                    "proton.me", "icloud.com", "t-online.de", "orange.fr", "free.fr",
                    "telefonica.net", "rediffmail.com", "yahoo.co.uk", "btinternet.com",
                    "fastmail.com", "comcast.net", "laposte.net"]
TITLES = ["Senior Buyer", "Payroll Specialist", "Account Manager", "HR Business Partner",
          "Site Reliability Engineer", "Regional Sales Director", "Claims Adjuster",
          "Office Manager", "Data Protection Officer", "Logistics Coordinator",
          "Head of Customer Success", "Junior Accountant", "Recruiter", "Product Owner"]
DEPARTMENTS = ["Finance", "Sales", "Operations", "Engineering", "HR", "Legal", "Support",
               "Procurement", "Marketing", "Facilities"]

# --------------------------------------------------------------------------- addresses
US_STREETS = ["Maple", "Oak Hollow", "Cedar Ridge", "Willow Creek", "Magnolia", "Sycamore",
              "Juniper", "Chestnut", "Hawthorne", "Pinecrest", "Lakeview", "Riverside",
              "Foxglove", "Briarwood", "Kedzie", "Halsted", "Wabash", "Spruce", "Beacon",
              "Harrison", "Jefferson", "Fillmore", "Ocean View", "Peachtree", "Camelback",
              "Wilshire", "Sepulveda", "Cottonwood", "Bluebonnet", "Larkspur"]
US_SUFFIX = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Boulevard",
             "Blvd", "Drive", "Dr", "Lane", "Ln", "Court", "Ct", "Place", "Terrace", "Way",
             "Parkway", "Pkwy", "Circle", "Trail", "Highway"]
US_BARE = ["Broadway", "Bowery", "Lakeshore", "Via Esperanza", "Calle Real", "Old Mill",
           "Market"]  # no street word after them
US_UNITS = ["Apt 4B", "Apt. 12", "Suite 210", "Unit 7", "#1203", "Fl 3", "Ste 400"]
US_CITIES = [("Springfield", "IL", "62704"), ("Columbus", "OH", "43215"),
             ("Portland", "OR", "97205"), ("Austin", "TX", "78701"), ("Boise", "ID", "83702"),
             ("Raleigh", "NC", "27601"), ("Tucson", "AZ", "85701"), ("Madison", "WI", "53703"),
             ("Albany", "NY", "12207"), ("Denver", "CO", "80202"),
             ("Sacramento", "CA", "95814"), ("Tacoma", "WA", "98402"),
             ("Savannah", "GA", "31401"), ("Omaha", "NE", "68102"),
             ("Burlington", "VT", "05401"), ("Providence", "RI", "02903"),
             ("Louisville", "KY", "40202"), ("Fresno", "CA", "93721")]
UK_STREETS = ["Hartfield Road", "Mill Lane", "Church Street", "Station Road", "Victoria Avenue",
              "Kingsway", "The Crescent", "Orchard Close", "Meadow View", "Queen's Gardens",
              "Abbey Mews", "Hillside Drive", "Park Terrace", "Highfield Way", "Rosemary Walk",
              "Glebe Row", "Cheapside", "The Paddocks", "Longacre", "Eastgate"]
UK_PREFIX = ["Flat 3", "Flat 12B", "Apartment 5", "Rose Cottage", "The Old Rectory", "Unit 2"]
UK_TOWNS = [("London", "SW19 3TB"), ("Manchester", "M1 4BT"), ("Leeds", "LS2 7EY"),
            ("Bristol", "BS1 5TR"), ("Edinburgh", "EH3 9QG"), ("Cardiff", "CF10 1EP"),
            ("Norwich", "NR2 1RQ"), ("York", "YO1 7HH"), ("Brighton", "BN1 3FN"),
            ("Oxford", "OX1 2JD"), ("Glasgow", "G2 6PH"), ("Belfast", "BT1 5GS")]
DE_STREETS = ["Hauptstraße", "Bahnhofstr.", "Goethestraße", "Lindenallee", "Schillerplatz",
              "Am Rosengarten", "Kirchweg", "Mühlgasse", "Berliner Ring", "Uferpromenade",
              "Im Winkel", "An der Alster", "Hinter den Höfen", "Zum Sportplatz", "Kaiserdamm",
              "Ulmenweg", "Fasanenstraße", "Domplatz", "Alte Landstraße", "Eichendorffstr.",
              "Auf der Heide", "Am Kirchberg"]
DE_CITIES = [("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"),
             ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"),
             ("04109", "Leipzig"), ("01067", "Dresden"), ("28195", "Bremen"),
             ("90403", "Nürnberg"), ("30159", "Hannover"), ("44135", "Dortmund")]
FR_STREETS = ["rue de la Paix", "avenue Victor Hugo", "place Bellecour", "chemin des Vignes",
              "allée des Tilleuls", "impasse du Moulin", "boulevard Haussmann",
              "quai des Chartrons", "cours Mirabeau", "square Montholon",
              "rue du Faubourg Saint-Antoine", "route de Lyon", "rue des Lilas",
              "Grande Rue", "montée du Gourguillon"]
FR_CITIES = [("75002", "Paris"), ("69002", "Lyon"), ("13001", "Marseille"),
             ("31000", "Toulouse"), ("33000", "Bordeaux"), ("59000", "Lille"),
             ("44000", "Nantes"), ("67000", "Strasbourg"), ("34000", "Montpellier"),
             ("35000", "Rennes"), ("06000", "Nice")]
ES_STREETS = ["Calle de Alcalá", "C/ Mayor", "Avenida de la Constitución", "Avda. Diagonal",
              "Paseo de Gracia", "Plaza Mayor", "Carrer de Balmes", "Camino de Ronda",
              "Ronda de Segovia", "Travesía del Conde", "Calle Sierpes", "Gran Vía",
              "Rambla de Catalunya", "Calle del Pez", "Urbanización Los Almendros"]
ES_FLOORS = ["3º B", "2º izq.", "1º dcha.", "bajo", "4º 2ª", "ático"]
ES_CITIES = [("28014", "Madrid"), ("08008", "Barcelona"), ("41004", "Sevilla"),
             ("46002", "Valencia"), ("48001", "Bilbao"), ("29015", "Málaga"),
             ("50001", "Zaragoza"), ("18009", "Granada"), ("15001", "A Coruña"),
             ("33003", "Oviedo")]
COUNTRIES = ("us", "uk", "de", "fr", "es")
# The country whose addresses and phones a culture's people mostly have.
HOME = {"en": "us", "de": "de", "fr": "fr", "es": "es", "in": "us", "ea": "us", "me": "de",
        "af": "uk", "eu": "uk"}


@dataclass(frozen=True)
class Address:
    country: str  # us | uk | de | fr | es
    street: str  # the street line(s): number, street, unit — the planted part
    locality: str  # postcode and town (and state): context
    kind: str  # e.g. us-number-first, de-no-street-word

    def one_line(self) -> str:
        return f"{self.street}, {self.locality}"


def address(rng: random.Random, country: str | None = None) -> Address:
    country = country or rng.choice(COUNTRIES)
    if country == "us":
        num = str(rng.choice([rng.randint(1, 99), rng.randint(100, 9999), rng.randint(10000,
                                                                                     48999)]))
        city, state, zip_ = rng.choice(US_CITIES)
        if rng.random() < 0.3:
            zip_ += f"-{rng.randint(1000, 9999)}"
        if rng.random() < 0.18:
            street, kind = f"{num} {rng.choice(US_BARE)}", "us-no-street-word"
        else:
            pre = rng.choice(["", "", "", "N ", "S ", "E ", "W ", "NE "])
            street = f"{num} {pre}{rng.choice(US_STREETS)} {rng.choice(US_SUFFIX)}"
            kind = "us-number-first"
        if rng.random() < 0.35:
            street += rng.choice([", ", " "]) + rng.choice(US_UNITS)
        return Address("us", street, f"{city}, {state} {zip_}", kind)
    if country == "uk":
        num = rng.randint(1, 240)
        name = rng.choice(UK_STREETS)
        street = f"{num} {name}"
        if rng.random() < 0.35:
            street = f"{rng.choice(UK_PREFIX)}, {street}"
        town, pc = rng.choice(UK_TOWNS)
        words = ("Road", "Lane", "Street", "Avenue", "Close", "Drive", "Terrace", "Way",
                 "Walk", "Row", "Mews", "Gardens")
        kind = "uk-street-word" if any(w in name for w in words) else "uk-no-street-word"
        return Address("uk", street, f"{town} {pc}", kind)
    if country == "de":
        name = rng.choice(DE_STREETS)
        num = f"{rng.randint(1, 180)}{rng.choice(['', '', '', 'a', 'b', ' c'])}"
        plz, city = rng.choice(DE_CITIES)
        words = ("straße", "str.", "allee", "platz", "weg", "gasse", "ring", "damm",
                 "promenade")
        kind = ("de-street-word" if any(w in name.lower() for w in words)
                else "de-no-street-word")
        return Address("de", f"{name} {num}", f"{plz} {city}", kind)
    if country == "fr":
        num = f"{rng.randint(1, 160)}{rng.choice(['', '', '', ' bis', ' ter'])}"
        street = f"{num} {rng.choice(FR_STREETS)}"
        if rng.random() < 0.2:
            street = f"{street}, Résidence Les Pins, bât. {rng.choice('ABCD')}"
        plz, city = rng.choice(FR_CITIES)
        cedex = " CEDEX" if rng.random() < 0.1 else ""
        return Address("fr", street, f"{plz} {city}{cedex}", "fr-number-first")
    name = rng.choice(ES_STREETS)
    num = rng.randint(1, 220)
    sep = rng.choice([" ", ", ", ", nº "])
    street = f"{name}{sep}{num}"
    if rng.random() < 0.5:
        street += f", {rng.choice(ES_FLOORS)}"
    cp, city = rng.choice(ES_CITIES)
    return Address("es", street, f"{cp} {city}", "es-number-after")


# --------------------------------------------------------------------------- phones
def _us_digits(rng: random.Random) -> tuple[str, str, str]:
    area = rng.choice([201, 212, 213, 262, 303, 312, 317, 404, 415, 503, 512, 602, 614, 617,
                       646, 702, 704, 718, 773, 804, 858, 919, 971])
    exch = rng.randint(200, 989)
    if exch == 555:
        exch = 556
    return str(area), str(exch), f"{rng.randint(0, 9999):04d}"


def phone(rng: random.Random, country: str | None = None) -> tuple[str, str]:
    """(number as written, kind)."""
    country = country or rng.choice(("us", "us", "uk", "de", "fr", "es", "in", "intl"))
    r = rng.randint
    if country == "us":
        a, e, n = _us_digits(rng)
        forms = [f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"{a}.{e}.{n}", f"+1 {a} {e} {n}",
                 f"+1-{a}-{e}-{n}", f"1 ({a}) {e}-{n}", f"{a}{e}{n}", f"+1 ({a}) {e}-{n}"]
        s = rng.choice(forms)
        if rng.random() < 0.1:
            s += f" x{r(10, 999)}"
        return s, "us"
    if country == "uk":
        forms = [f"+44 20 7{r(100, 999)} {r(1000, 9999)}", f"020 7{r(100, 999)} {r(1000, 9999)}",
                 f"07{r(400, 999)} {r(100000, 999999)}", f"+44 7{r(400, 999)} {r(100000, 999999)}",
                 f"0161 {r(200, 999)} {r(1000, 9999)}", f"+44 (0)113 {r(200, 999)} {r(1000, 9999)}"]
        return rng.choice(forms), "uk"
    if country == "de":
        forms = [f"+49 30 {r(1000000, 99999999)}", f"030 {r(1000000, 99999999)}",
                 f"+49 (0)89 {r(1000, 9999)} {r(1000, 9999)}", f"0151 {r(10000000, 99999999)}",
                 f"+49 171 {r(1000000, 9999999)}", f"040/{r(100000, 9999999)}",
                 f"0221 {r(100, 999)} {r(10, 99)} {r(10, 99)}"]
        return rng.choice(forms), "de"
    if country == "fr":
        p = " ".join(f"{r(0, 99):02d}" for _ in range(4))
        forms = [f"+33 1 {p}", f"01 {p}", f"06 {p}", f"+33 6 {p}", f"07 {p}",
                 "04." + p.replace(" ", "."), f"+33 (0)4 {p}"]
        return rng.choice(forms), "fr"
    if country == "es":
        forms = [f"+34 91{r(1, 9)} {r(100, 999)} {r(100, 999)}", f"91{r(1, 9)} {r(10, 99)} "
                 f"{r(10, 99)} {r(10, 99)}", f"6{r(10, 99)} {r(100, 999)} {r(100, 999)}",
                 f"+34 6{r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}",
                 f"93 {r(100, 999)} {r(10, 99)} {r(10, 99)}"]
        return rng.choice(forms), "es"
    if country == "in":
        forms = [f"+91 9{r(1000, 9999)} {r(10000, 99999)}", f"09{r(1000, 9999)} {r(10000, 99999)}",
                 f"+91-8{r(100, 999)}-{r(100, 999)}-{r(100, 999)}"]
        return rng.choice(forms), "in"
    forms = [f"+81 3-{r(1000, 9999)}-{r(1000, 9999)}", f"+61 2 {r(1000, 9999)} {r(1000, 9999)}",
             f"+55 11 9{r(1000, 9999)}-{r(1000, 9999)}", f"+31 20 {r(100, 999)} {r(1000, 9999)}",
             f"+41 44 {r(100, 999)} {r(10, 99)} {r(10, 99)}",
             f"+353 1 {r(100, 999)} {r(1000, 9999)}"]
    return rng.choice(forms), "intl"


# --------------------------------------------------------------------------- people
def _strip_accents(s: str) -> str:
    s = s.replace("ß", "ss").replace("ł", "l").replace("Ł", "L").replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def ascii_name(s: str) -> str:
    return _strip_accents(s).replace("'", "").replace(" ", "").lower()


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    culture: str
    country: str  # where they live
    email: str
    phone: str
    phone_kind: str
    address: Address
    title: str
    company: str
    domain: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class People:
    """The people of one item. No full name is given to two different people (a large
    table may repeat a first or a last name, as real exports do, never both)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.full_names: set[tuple[str, str]] = set()

    def person(self, culture: str | None = None, country: str | None = None,
               work: bool | None = None) -> Person:
        rng = self.rng
        culture = culture or rng.choice(CULTURES)
        for _ in range(100):
            first, last = rng.choice(FIRST[culture]), rng.choice(LAST[culture])
            if (first, last) not in self.full_names:
                break
        self.full_names.add((first, last))
        country = country or (HOME[culture] if rng.random() < 0.8 else rng.choice(COUNTRIES))
        company, cdomain = rng.choice(COMPANIES)
        f, la = ascii_name(first), ascii_name(last)
        work = rng.random() < 0.65 if work is None else work
        if work:
            local = rng.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}_{la}", f"{f}", f"{la}.{f[0]}",
                                f"{f}.{la}"])
            domain = cdomain
        else:
            local = rng.choice([f"{f}.{la}{rng.randint(1, 99)}", f"{f}{la}", f"{la}.{f}",
                                f"{f[0]}.{la}", f"{f}-{la}", f"{f}.{la}+shop"])
            domain = rng.choice(PERSONAL_DOMAINS)
        if rng.random() < 0.05:
            local = local.capitalize()
        num, pkind = phone(rng, {"us": "us", "uk": "uk", "de": "de", "fr": "fr",
                                 "es": "es"}[country] if rng.random() < 0.85 else None)
        return Person(first, last, culture, country, f"{local}@{domain}", num, pkind,
                      address(rng, country), rng.choice(TITLES), company, cdomain)
