"""A seeded generator of a personal-data evaluation corpus.

Two halves:

* records -- e-mails with headers and signatures, CSV/TSV/markdown rows, support
  tickets, forms, chat prompts with contact details -- with every personal item
  labelled (entity, character span). All values are synthetic: names from small
  lists, card numbers and IBANs with valid checksums, SSNs from valid ranges, public
  IP addresses, phone numbers in common national and international formats;
* benign prompts that must stay untouched: questions about famous people and
  companies, code and logs full of hard negatives (UUIDs, git SHAs, versions such as
  ``10.0.19045.1``, order and tracking numbers, timestamps, ISO dates, prices, ports,
  private IP addresses), configuration with ``name:`` keys, product tables.

A second part (``pii_layouts``) adds the layouts people paste -- exports, SQL dumps,
tables, JSON/YAML, forms, vCards, letters, notes -- in several languages, with their
structured hard negatives. ``generate(seed)`` is deterministic: the same seed gives the
same corpus.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass

FIRST = ["James", "Mary", "Olivia", "Liam", "Sophie", "Lukas", "Hannah", "Mateo", "Lucía",
         "Chloé", "Antoine", "Zofia", "Krzysztof", "Priya", "Arjun", "Wei", "Mei", "Yuki",
         "Haruto", "Aisha", "Omar", "Fatima", "Chinedu", "Ngozi", "Kwame", "Sipho", "Elena",
         "Dmitri", "Ingrid", "Lars", "Sofia", "Giulia", "Marco", "Ana", "João", "Noah",
         "Emma", "Isabella", "Ethan", "Amelia", "Mohammed", "Leila", "Tomás", "Camila",
         "Kenji", "Siobhan", "Declan", "Freya", "Anneke", "Pieter", "Ravi", "Deepa",
         "Thabo", "Zanele", "Oksana", "Bogdan", "Katarzyna", "Henrik", "Astrid", "Rosa"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Garcia", "Martinez", "Müller", "Schmidt",
        "Schneider", "Dubois", "Lefèvre", "Moreau", "Kowalski", "Nowak", "Wiśniewska",
        "Sharma", "Patel", "Iyer", "Wang", "Chen", "Li", "Tanaka", "Suzuki", "Watanabe",
        "Khan", "Haddad", "Rahman", "Okafor", "Adeyemi", "Mensah", "Dlamini", "Ivanova",
        "Petrov", "Johansson", "Nielsen", "Rossi", "Bianchi", "Ferreira", "Silva", "Costa",
        "O'Brien", "Murphy", "Kelly", "van der Berg", "de Vries", "Jansen", "Novak",
        "Horvath", "Kovacs", "Popescu", "Yilmaz", "Demir", "Nguyen", "Tran", "Kim", "Park",
        "Lopez", "Hernandez", "Andersson", "Virtanen"]
DOMAINS = ["gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "orange.fr", "acme-corp.com",
           "globex.io", "initech.net", "uni-hamburg.de", "posteo.de", "proton.me", "icloud.com",
           "mail.ru", "libero.it", "contoso.co.za", "fabrikam.com.au"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Ltd", "Stark Industries",
             "Wayne Enterprises", "Hooli", "Vandelay Industries", "Soylent GmbH", "Tyrell SA"]
CITIES_US = [("Springfield", "IL", "62704"), ("Austin", "TX", "78701"),
             ("Portland", "OR", "97205"), ("Denver", "CO", "80202"),
             ("Columbus", "OH", "43215"), ("Raleigh", "NC", "27601")]
STREETS = ["Oak", "Maple", "Cedar", "Elm", "Pine", "Washington", "Lincoln", "Highland",
           "Sunset", "Lakeview", "Church", "Mill", "Park", "River", "Hillcrest"]
SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "St", "Ave",
            "Rd", "Way", "Place"]
DE_STREETS = ["Hauptstraße", "Bahnhofstraße", "Lindenweg", "Schillerstraße", "Gartenweg",
              "Goethestraße", "Kirchgasse"]
DE_CITIES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"),
             ("50667", "Köln")]
FAMOUS = ["Marie Curie", "Albert Einstein", "Ada Lovelace", "Alan Turing", "Isaac Newton",
          "Nikola Tesla", "Frida Kahlo", "Nelson Mandela", "Mahatma Gandhi",
          "Leonardo da Vinci", "William Shakespeare", "Jane Austen", "Barack Obama",
          "Angela Merkel", "Serena Williams", "Grace Hopper", "Charles Darwin",
          "Galileo Galilei", "Rosalind Franklin", "Winston Churchill", "Toni Morrison",
          "Ludwig van Beethoven", "Simone de Beauvoir", "Confucius", "Cleopatra",
          "Steve Jobs", "Bill Gates", "Katherine Johnson", "Richard Feynman", "Homer"]
FAMOUS_COMPANIES = ["Siemens", "Samsung", "Apple", "Microsoft", "Toyota", "Nestlé", "SAP",
                    "Airbus", "Boeing", "Tesla", "Unilever", "Sony", "IKEA", "Volkswagen"]
TOPICS = ["imagination", "education", "leadership", "failure", "science", "religion",
          "mathematics", "peace", "art", "the future", "curiosity", "hard work"]
FIELDS = ["physics", "computer science", "chemistry", "literature", "politics", "music",
          "biology", "civil rights", "mathematics", "painting"]
CLOSINGS = ["Best regards,", "Kind regards,", "Thanks,", "Cheers,", "Sincerely,",
            "Many thanks,", "Best,"]


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int


@dataclass(frozen=True)
class Sample:
    text: str
    spans: tuple[Span, ...]
    kind: str
    benign: bool


class _Builder:
    """Concatenates text and records the spans of labelled pieces."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.length = 0

    def add(self, text: str) -> _Builder:
        self.parts.append(text)
        self.length += len(text)
        return self

    def pii(self, entity: str, text: str) -> _Builder:
        self.spans.append(Span(entity, self.length, self.length + len(text)))
        return self.add(text)

    def person(self, full: str) -> _Builder:
        return self.pii("PERSON", full)

    def sample(self, kind: str) -> Sample:
        return Sample("".join(self.parts), tuple(self.spans), kind, benign=False)


# --------------------------------------------------------------------------- values
class _Values:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def first(self) -> str:
        return self.r.choice(FIRST)

    def name(self) -> tuple[str, str, str]:
        first, last = self.r.choice(FIRST), self.r.choice(LAST)
        return first, last, f"{first} {last}"

    def email(self, first: str, last: str) -> str:
        def clean(s: str) -> str:
            table = str.maketrans("üéèçłśöóíáãñ", "ueeclsooiaan")
            return "".join(ch for ch in s.lower().translate(table) if ch.isalnum())

        f, la = clean(first), clean(last)
        local = self.r.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la}{self.r.randint(1, 99)}",
                               f"{f}_{la}", f"{la}.{f}"])
        return f"{local}@{self.r.choice(DOMAINS)}"

    def phone(self) -> str:
        r = self.r
        kind = r.randrange(7)
        a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
        if kind == 0:
            return f"({a}) {b}-{c:04d}"
        if kind == 1:
            return f"{a}-{b}-{c:04d}"
        if kind == 2:
            return f"+1 {a} {b} {c:04d}"
        if kind == 3:
            return f"+44 20 {r.randint(7000, 8999)} {r.randint(1000, 9999)}"
        if kind == 4:
            return f"+49 30 {r.randint(1000000, 9999999)}"
        if kind == 5:
            return "+33 " + " ".join([str(r.randint(1, 7))] + [f"{r.randint(0, 99):02d}"
                                                              for _ in range(4)])
        return f"{a}.{b}.{c:04d}"

    def card(self) -> str:
        r = self.r
        prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16),
                                   ("34", 15), ("37", 15), ("6011", 16), ("4", 13)])
        body = prefix + "".join(str(r.randint(0, 9)) for _ in range(length - len(prefix) - 1))
        digits = body + str(_luhn_digit(body))
        style = r.randrange(3)
        if style == 0 or length != 16:
            return digits
        sep = " " if style == 1 else "-"
        return sep.join(digits[i:i + 4] for i in range(0, 16, 4))

    def ssn(self) -> str:
        r = self.r
        while True:
            area = r.randint(1, 899)
            if area != 666:
                break
        return f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"

    def iban(self) -> str:
        r = self.r
        country, bban = r.choice([
            ("DE", lambda: _digits(r, 18)),
            ("GB", lambda: "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
             + _digits(r, 14)),
            ("FR", lambda: _digits(r, 23)),
            ("NL", lambda: "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
             + _digits(r, 10)),
            ("ES", lambda: _digits(r, 20)),
            ("CH", lambda: _digits(r, 17)),
        ])
        b = bban()
        check = 98 - int("".join(str(int(ch, 36)) for ch in b + country + "00")) % 97
        compact = f"{country}{check:02d}{b}"
        if r.random() < 0.4:
            return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
        return compact

    def ipv4(self) -> str:
        while True:
            addr = ipaddress.IPv4Address(self.r.getrandbits(32))
            if addr.is_global and not addr.is_multicast and not addr.is_reserved:
                return str(addr)

    def ipv6(self) -> str:
        groups = [f"{0x2a00 + self.r.randint(0, 15):x}"] + [
            f"{self.r.randint(0, 0xffff):x}" for _ in range(7)]
        return str(ipaddress.IPv6Address(":".join(groups)))

    def dob(self) -> str:
        r = self.r
        y, m, d = r.randint(1940, 2005), r.randint(1, 12), r.randint(1, 28)
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        return r.choice([f"{y}-{m:02d}-{d:02d}", f"{m}/{d}/{y}", f"{d:02d}.{m:02d}.{y}",
                         f"{months[m - 1]} {d}, {y}", f"{d} {months[m - 1]} {y}"])

    def address(self) -> str:
        r = self.r
        kind = r.randrange(3)
        if kind == 0:
            city, st, z = r.choice(CITIES_US)
            unit = r.choice(["", f", Apt. {r.randint(1, 40)}", f" Suite {r.randint(100, 900)}"])
            return (f"{r.randint(1, 9999)} {r.choice(STREETS)} {r.choice(SUFFIXES)}{unit}, "
                    f"{city}, {st} {z}")
        if kind == 1:
            z, city = r.choice(DE_CITIES)
            return f"{r.choice(DE_STREETS)} {r.randint(1, 120)}, {z} {city}"
        return (f"{r.randint(1, 300)} {r.choice(STREETS)} {r.choice(['Road', 'Lane', 'Close'])}"
                f"\nLondon\nSW{r.randint(1, 20)} {r.randint(1, 9)}{r.choice('ABDEFGH')}"
                f"{r.choice('JLNPQRSTUWXYZ')}")

    def passport(self) -> str:
        r = self.r
        return r.choice([_digits(r, 9), r.choice("CXE") + _digits(r, 8)])

    def driver_license(self) -> str:
        r = self.r
        return r.choice([r.choice("ABDFGKLMNPSW") + _digits(r, 7), _digits(r, 9),
                         r.choice("ABDFGKLMNPSW") + _digits(r, 12)])


def _digits(r: random.Random, n: int) -> str:
    return str(r.randint(1, 9)) + "".join(str(r.randint(0, 9)) for _ in range(n - 1))


def _luhn_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


# --------------------------------------------------------------------------- records
def _email_message(v: _Values) -> Sample:
    r = v.r
    f1, l1, n1 = v.name()
    f2, l2, n2 = v.name()
    e1, e2 = v.email(f1, l1), v.email(f2, l2)
    b = _Builder().add("From: ").person(n1).add(" <").pii("EMAIL_ADDRESS", e1).add(">\nTo: ")
    b.person(n2).add(" <").pii("EMAIL_ADDRESS", e2).add(">\n")
    b.add(f"Subject: {r.choice(['Invoice question', 'Meeting next week', 'Contract update'])}")
    b.add("\n\nHi ").person(f2).add(",\n\n")
    b.add(r.choice(["Could you send me the signed contract by Friday?",
                    "Following up on our call about the renewal.",
                    "Please find the updated figures attached."]))
    if r.random() < 0.5:
        b.add(" You can reach me on ").pii("PHONE_NUMBER", v.phone()).add(".")
    b.add(f"\n\n{r.choice(CLOSINGS)}\n").person(n1).add("\n")
    b.add(f"{r.choice(['Account Manager', 'Head of Finance', 'Engineer'])}, "
          f"{r.choice(COMPANIES)}\n")
    b.add("Tel. ").pii("PHONE_NUMBER", v.phone()).add("\n")
    return b.sample("email")


def _signature_only(v: _Values) -> Sample:
    r = v.r
    f, la, n = v.name()
    b = _Builder().add(r.choice(["Can you make this reply sound friendlier?\n\n",
                                 "Translate this to German:\n\n",
                                 "Fix the grammar:\n\n"]))
    b.add(r.choice(["thanks for the quick turnaround, we will review it tomorrow.",
                    "the shipment arrived damaged, please advise.",
                    "I cannot attend the workshop next Tuesday."]))
    b.add(f"\n\n{r.choice(CLOSINGS)}\n").person(n).add("\n")
    if r.random() < 0.6:
        b.pii("EMAIL_ADDRESS", v.email(f, la)).add("\n")
    else:
        b.pii("PHONE_NUMBER", v.phone()).add("\n")
    return b.sample("signature")


def _csv(v: _Values) -> Sample:
    r = v.r
    style = r.randrange(4)
    b = _Builder()
    if style == 3:
        b.add("Clean up this table:\n\n| Name | Email | Phone |\n|---|---|---|\n")
        for _ in range(r.randint(2, 5)):
            f, la, n = v.name()
            b.add("| ").person(n).add(" | ").pii("EMAIL_ADDRESS", v.email(f, la)).add(" | ")
            b.pii("PHONE_NUMBER", v.phone()).add(" |\n")
        return b.sample("markdown-table")
    sep = "\t" if style == 2 else ","
    if style == 0:
        b.add(sep.join(["first_name", "last_name", "email", "city"]) + "\n")
    else:
        b.add(sep.join(["name", "email", "phone", "iban"]) + "\n")
    for _ in range(r.randint(2, 6)):
        f, la, n = v.name()
        if style == 0:
            b.person(f).add(sep).person(la).add(sep).pii("EMAIL_ADDRESS", v.email(f, la))
            b.add(sep).pii("LOCATION", r.choice(["Berlin", "Austin", "Lyon", "Leeds"])).add("\n")
        else:
            b.person(n).add(sep).pii("EMAIL_ADDRESS", v.email(f, la)).add(sep)
            b.pii("PHONE_NUMBER", v.phone()).add(sep).pii("IBAN_CODE", v.iban().replace(" ", ""))
            b.add("\n")
    return b.sample("csv")


def _ticket(v: _Values) -> Sample:
    r = v.r
    f, la, n = v.name()
    b = _Builder().add(f"Ticket #{r.randint(1000, 99999)}: ")
    b.add(r.choice(["Refund request", "Login problem", "Card charged twice", "Address change"]))
    b.add("\nReporter: ").person(n).add(" (").pii("EMAIL_ADDRESS", v.email(f, la)).add(", ")
    b.pii("PHONE_NUMBER", v.phone()).add(")\n")
    kind = r.randrange(4)
    if kind == 0:
        b.add("Description: my card ").pii("CREDIT_CARD", v.card())
        b.add(" was charged twice for the same order.\n")
    elif kind == 1:
        b.add("Description: please update my address to ").pii("STREET_ADDRESS", v.address())
        b.add("\n")
    elif kind == 2:
        b.add("Description: the login from ").pii("IP_ADDRESS", v.ipv4())
        b.add(" was blocked, I was travelling.\n")
    else:
        b.add("Description: refund to IBAN ").pii("IBAN_CODE", v.iban()).add(" please.\n")
    return b.sample("ticket")


def _form(v: _Values) -> Sample:
    r = v.r
    f, la, n = v.name()
    b = _Builder().add(r.choice(["Summarise this intake form:\n\n", "Check this form:\n\n", ""]))
    b.add(r.choice(["Patient", "Name", "Full name", "Applicant", "Customer"]) + ": ").person(n)
    b.add("\n" + r.choice(["Date of birth", "DOB", "Birth date"]) + ": ")
    b.pii("DATE_OF_BIRTH", v.dob()).add("\nAddress: ").pii("STREET_ADDRESS", v.address())
    b.add("\nPhone: ").pii("PHONE_NUMBER", v.phone()).add("\n")
    extra = r.randrange(4)
    if extra == 0:
        b.add("SSN: ").pii("US_SSN", v.ssn()).add("\n")
    elif extra == 1:
        b.add("Passport number: ").pii("PASSPORT", v.passport()).add("\n")
    elif extra == 2:
        b.add("Driver's license: ").pii("US_DRIVER_LICENSE", v.driver_license()).add("\n")
    else:
        b.add("Email: ").pii("EMAIL_ADDRESS", v.email(f, la)).add("\n")
    b.add(r.choice(["Reason for visit: recurring headaches\n", "Notes: prefers mornings\n",
                    ""]))
    return b.sample("form")


def _chat(v: _Values) -> Sample:
    r = v.r
    f, la, n = v.name()
    b = _Builder()
    kind = r.randrange(10)
    if kind == 0:
        b.add("Write a polite follow-up to ").person(n).add(" at ")
        b.pii("EMAIL_ADDRESS", v.email(f, la)).add(" about the overdue invoice.")
    elif kind == 1:
        b.add("My name is ").person(n).add(" and my IBAN is ").pii("IBAN_CODE", v.iban())
        b.add(". Draft a letter asking my bank to cancel a standing order.")
    elif kind == 2:
        b.add("I'm ").person(n).add(", my SSN is ").pii("US_SSN", v.ssn())
        b.add(". Which tax forms do I need this year?")
    elif kind == 3:
        b.add("Summarise: customer ").person(n).add(" called from ")
        b.pii("PHONE_NUMBER", v.phone()).add(" about a late delivery and wants a refund.")
    elif kind == 4:
        b.add("Why does my server at ").pii("IP_ADDRESS", v.ipv4() if r.random() < 0.7
                                           else v.ipv6())
        b.add(" keep rejecting SSH logins?")
    elif kind == 5:
        b.add("Please pay the invoice with card ").pii("CREDIT_CARD", v.card())
        b.add(", expiry 09/27.")
    elif kind == 6:
        b.add("Rewrite this for a reference letter: ").person(n).add(" (born ")
        b.pii("DATE_OF_BIRTH", v.dob()).add(") worked with us for five years.")
    elif kind == 7:
        b.add("Send the parcel for ").person(n).add(" to ").pii("STREET_ADDRESS", v.address())
        b.add(" by Friday.")
    elif kind == 8:
        b.add("Can you check whether ").pii("EMAIL_ADDRESS", v.email(f, la))
        b.add(" is a valid address format?")
    else:
        b.add("Hi, this is ").person(n).add(". Call me back on ").pii("PHONE_NUMBER", v.phone())
        b.add(" when the report is ready.")
    return b.sample("chat")


_RECORD_KINDS = (_email_message, _signature_only, _csv, _ticket, _form, _chat, _chat)


# --------------------------------------------------------------------------- benign
def _hex(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def _uuid(r: random.Random) -> str:
    h = _hex(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _benign(r: random.Random) -> tuple[str, str]:
    """One benign prompt and its family name."""
    fam, fam2, fam3 = r.sample(FAMOUS, 3)
    co1, co2 = r.sample(FAMOUS_COMPANIES, 2)
    ver4 = f"{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}"
    families = {
        "famous-biography": lambda: r.choice([
            f"Write a short biography of {fam}.",
            f"Summarise {fam}'s contributions to {r.choice(FIELDS)}.",
            f"Who influenced {fam} more, {fam2} or {fam3}?",
            f"Give me three little-known facts about {fam}.",
            f"Write a poem in the style of {fam} about {r.choice(TOPICS)}."]),
        "famous-quote": lambda: f"What did {fam} say about {r.choice(TOPICS)}?",
        "companies": lambda: r.choice([
            f"Compare {co1} and {co2} on revenue and market share.",
            f"Write a SWOT analysis of {co1}.",
            f"Why did {co1} acquire a stake in a {co2} supplier?"]),
        "versions": lambda: r.choice([
            f"After upgrading to version {ver4} the build fails. What changed?",
            f"Windows version 10.0.{r.randint(17000, 22631)}.{r.randint(1, 3000)} shows "
            "a blue screen after the update.",
            f"pip install requests=={r.randint(1, 2)}.{r.randint(0, 32)}.{r.randint(0, 9)} "
            "fails with a resolver error",
            f"Chrome {r.randint(100, 130)}.0.{r.randint(1000, 6999)}.{r.randint(1, 200)} "
            "crashes on startup, any idea?",
            f"Our firmware release {ver4} bricked two routers."]),
        "ids": lambda: r.choice([
            f"Request {_uuid(r)} failed with HTTP 502 at 2024-0{r.randint(1, 9)}-1"
            f"{r.randint(0, 9)}T10:3{r.randint(0, 9)}:00Z. Explain the stack trace.",
            f"git cherry-pick {_hex(r, 40)} gives a conflict in main.py",
            f"Revert commit {_hex(r, 7)} and explain the diff.",
            f"The sha256 is {_hex(r, 64)}; how do I verify the download?",
            f"Why is my container {_hex(r, 12)} restarting every {r.randint(2, 59)} "
            "seconds?"]),
        "orders": lambda: r.choice([
            f"Where is my order #{r.randint(10000000, 9999999999)}? It was due last week.",
            f"Invoice INV-2024-{r.randint(1000, 9999)} totals $"
            f"{r.randint(1, 9)},{r.randint(100, 999)}.{r.randint(10, 99)}; draft a reminder.",
            f"Tracking number 1Z{_hex(r, 6).upper()}{r.randint(10000000, 99999999)} shows "
            "no movement.",
            f"Order {r.randint(1000000000000, 9999999999999)} was refunded twice."]),
        "timestamps": lambda: r.choice([
            f"Convert epoch {r.randint(1500000000, 1800000000)} to a readable date.",
            f"The log shows {r.randint(1500000000000, 1800000000000)} ms; is that UTC?",
            f"Job started at 2024-03-{r.randint(10, 28)} {r.randint(10, 23)}:"
            f"{r.randint(10, 59)}:{r.randint(10, 59)} and ran for 3 hours.",
            f"The release date is 2024-0{r.randint(1, 9)}-{r.randint(10, 28)}; "
            "write the announcement.",
            f"Schedule the review for {r.randint(1, 12)}/{r.randint(1, 28)}/2025."]),
        "prices": lambda: r.choice([
            f"Is ${r.randint(1, 9)},{r.randint(100, 999)}.99 a fair price for a used laptop?",
            f"Convert € {r.randint(100, 999)}.{r.randint(100, 999)},00 to dollars.",
            f"Our revenue was {r.randint(1, 9)} {r.randint(100, 999)} {r.randint(100, 999)} "
            "EUR last year; forecast next year.",
            f"Split a bill of {r.randint(100, 999)}.{r.randint(10, 99)} between 7 people."]),
        "network": lambda: r.choice([
            f"nginx listens on 0.0.0.0:{r.randint(1024, 65535)} but curl "
            f"http://127.0.0.1:{r.randint(1024, 65535)} times out.",
            f"My router is 192.168.{r.randint(0, 255)}.1; how do I open port "
            f"{r.randint(1024, 65535)}?",
            f"Set the subnet 10.{r.randint(0, 255)}.0.0/16 with netmask 255.255.0.0.",
            f"Redis on localhost:{r.randint(1024, 65535)} refuses connections.",
            f"The MAC 00:1a:{_hex(r, 2)}:{_hex(r, 2)}:{_hex(r, 2)}:{_hex(r, 2)} is "
            "duplicated on the LAN.",
            "Bind the service to ::1 only and explain std::vector growth."]),
        "math": lambda: r.choice([
            f"Compute {r.randint(10000000, 99999999)} * {r.randint(10000000, 99999999)}.",
            f"Is {r.randint(100000000000, 999999999999)} a prime number?",
            f"The population grew to {r.randint(1, 9)} {r.randint(100, 999)} "
            f"{r.randint(100, 999)} by 2019; what's the growth rate?",
            f"Sort these numbers: {r.randint(1000, 9999)} {r.randint(1000, 9999)} "
            f"{r.randint(1000, 9999)} {r.randint(1000, 9999)}"]),
        "config": lambda: r.choice([
            "Why does this workflow fail?\n\njobs:\n  build:\n    steps:\n"
            "      - name: Checkout\n        uses: actions/checkout@v4\n"
            "      - name: Run Tests\n        run: make test\n",
            "Explain this manifest:\n\nmetadata:\n  name: web-frontend\n  labels:\n"
            f"    app: web\nspec:\n  replicas: {r.randint(1, 9)}\n",
            "Fix the YAML:\n\nservice:\n  name: Billing Service\n  port: 8080\n"]),
        "tables": lambda: r.choice([
            "Make a chart from this:\n\nproduct,price,qty\nWidget,3.50,10\nGadget,12.00,4\n"
            "Gizmo,7.25,19\n",
            "name,price\nEspresso,2.50\nCappuccino,3.20\nFlat White,3.40\n",
            "| Country | Capital |\n|---|---|\n| France | Paris |\n| Japan | Tokyo |\n"]),
        "travel": lambda: r.choice([
            f"Plan a {r.randint(2, 9)}-day trip to {r.choice(['Tokyo', 'Lisbon', 'Nairobi'])}.",
            "What's the weather like in Paris in May?",
            "Recommend museums in Berlin for a rainy day.",
            "How long is the drive from Munich to Vienna?"]),
        "writing": lambda: r.choice([
            "Draft an agenda for a one-hour team retrospective.",
            "Explain the difference between TCP and UDP to a beginner.",
            "Write a haiku about autumn rain.",
            "Suggest five names for a coffee shop.",
            "Summarise the plot of Hamlet in three sentences.",
            "Thanks! Can you make it shorter?",
            "Best regards and sign-offs: which are too formal for Slack?",
            "I am looking for a good book on statistics.",
            "My name is not important; just explain recursion.",
            "Tell me the history of 10 Downing Street."]),
    }
    name = r.choice(sorted(families))
    return families[name](), name


def generate(seed: int = 7, n_records: int = 420, n_benign: int = 600,
             n_layouts: int = 380, n_layout_benign: int = 320) -> list[Sample]:
    """The whole corpus: prompts and records, benign prompts, then the layouts of
    ``pii_layouts`` (exports, dumps, forms, letters) and their hard negatives."""
    from .pii_layouts import generate_layouts  # it builds on this module's _Builder

    r = random.Random(seed)
    values = _Values(r)
    out = [r.choice(_RECORD_KINDS)(values) for _ in range(n_records)]
    for _ in range(n_benign):
        text, family = _benign(r)
        out.append(Sample(text, (), f"benign-{family}", benign=True))
    from .pii_tables_dev import generate_tables_dev  # tables: DOB, passport, DL
    return out + generate_layouts(seed, n_layouts, n_layout_benign) + generate_tables_dev(seed)
