"""Workplace documents that carry personal data: "Label: value" forms, vCards, e-mail
threads with signatures, HR notes, meeting notes, letters with postal addresses,
``.env``/INI files and chat requests, in English, German, French and Spanish."""

from __future__ import annotations

import random

from . import numbers as num
from .model import Doc, Val, fill
from .people import Address, People, Person

# --------------------------------------------------------------------------- helpers
LABELS = {
    "name": {"en": ["Full name", "Name", "Employee", "Applicant", "Policy holder"],
             "de": ["Name", "Vor- und Nachname"], "fr": ["Nom et prénom", "Nom complet"],
             "es": ["Nombre y apellidos", "Nombre completo"]},
    "dob": {"en": ["Date of birth", "DOB", "D.O.B.", "Birth date", "Born"],
            "de": ["Geburtsdatum", "Geb.-Datum"], "fr": ["Date de naissance", "Né(e) le"],
            "es": ["Fecha de nacimiento", "F. nacimiento"]},
    "ssn": {"en": ["SSN", "Social Security No.", "Social security number", "SS#"]},
    "passport": {"en": ["Passport No.", "Passport number", "Passport #"],
                 "de": ["Reisepass-Nr.", "Passnummer"], "fr": ["N° de passeport"],
                 "es": ["Nº de pasaporte", "Pasaporte"]},
    "dl": {"en": ["Driver's license", "Driver license #", "DL number", "Driving licence no."]},
    "address": {"en": ["Home address", "Address", "Street address", "Mailing address"],
                "de": ["Anschrift", "Adresse", "Wohnanschrift"],
                "fr": ["Adresse", "Adresse postale"], "es": ["Dirección", "Domicilio"]},
    "phone": {"en": ["Phone", "Mobile", "Tel", "Cell phone"], "de": ["Telefon", "Mobil"],
              "fr": ["Téléphone", "Portable"], "es": ["Teléfono", "Móvil"]},
    "email": {"en": ["Email", "E-mail", "Email address"], "de": ["E-Mail"],
              "fr": ["Courriel", "E-mail"], "es": ["Correo electrónico", "Email"]},
    "card": {"en": ["Card number", "Credit card", "Card no."], "de": ["Kreditkarte",
                                                                      "Kartennummer"],
             "fr": ["Carte bancaire", "N° de carte"], "es": ["Tarjeta", "Nº de tarjeta"]},
    "iban": {"en": ["IBAN", "Bank account (IBAN)"], "de": ["IBAN", "Bankverbindung"],
             "fr": ["IBAN", "RIB"], "es": ["IBAN", "Cuenta bancaria"]},
    "ip": {"en": ["IP address", "Last login IP", "Source IP"], "de": ["IP-Adresse"],
           "fr": ["Adresse IP"], "es": ["Dirección IP"]},
    "hired": {"en": ["Start date", "Hire date"], "de": ["Eintritt"], "fr": ["Date d'entrée"],
              "es": ["Fecha de alta"]},
    "ref": {"en": ["Reference", "Case no.", "Ticket"], "de": ["Aktenzeichen"],
            "fr": ["Référence"], "es": ["Referencia"]},
}
LANG_OF = {"us": "en", "uk": "en", "de": "de", "fr": "fr", "es": "es"}


def label(rng: random.Random, key: str, lang: str) -> str:
    return rng.choice(LABELS[key].get(lang) or LABELS[key]["en"])


def person_val(p: Person, kind: str) -> Val:
    return Val("PERSON", kind, p.full)


def street_val(a: Address, kind: str = "") -> Val:
    return Val("STREET_ADDRESS", f"{kind}{a.kind}", a.street)


def locality_val(a: Address) -> Val:
    return Val("LOCATION", "locality", a.locality, scored=False)


def put_address(doc: Doc, a: Address, kind: str, multiline: bool, indent: str = "") -> None:
    doc.val("STREET_ADDRESS", f"{kind}{a.kind}", a.street)
    doc.add("\n" + indent if multiline else ", ")
    doc.val("LOCATION", "locality", a.locality, scored=False)


def dob_val(rng: random.Random, lang: str, kind: str) -> Val:
    shown, fmt = num.dob(rng, lang)
    return Val("DATE_OF_BIRTH", f"{kind}-{fmt}", shown)


# --------------------------------------------------------------------------- forms
FORM_TITLES = {
    "en": ["New employee onboarding form", "Insurance claim — claimant details",
           "Tenant application", "KYC verification", "Travel booking request",
           "Visa support letter — applicant data"],
    "de": ["Personalbogen", "Schadensmeldung – Angaben zur Person", "Mieterselbstauskunft"],
    "fr": ["Fiche d'embauche", "Déclaration de sinistre – assuré", "Dossier de location"],
    "es": ["Ficha de alta de empleado", "Parte de siniestro – datos del asegurado",
           "Solicitud de alquiler"],
}
FORM_ASKS = {
    "en": ["Please check this form for missing fields:", "Convert this into a JSON object:",
           "Summarise the applicant's details in two sentences.", "Is anything inconsistent here?"],
    "de": ["Bitte prüfe das Formular auf fehlende Angaben:", "Mach daraus ein JSON-Objekt:"],
    "fr": ["Peux-tu vérifier ce formulaire ?", "Transforme ceci en JSON :"],
    "es": ["¿Puedes revisar este formulario?", "Convierte esto a JSON:"],
}


def form(rng: random.Random, people: People) -> Doc:
    p = people.person()
    lang = LANG_OF[p.country] if rng.random() < 0.7 else "en"
    sep = rng.choice([": ", ":\t", " - ", ": ", " = ", ":  "])
    fields = ["name"] + rng.sample(["dob", "address", "phone", "email", "card", "iban", "ip",
                                    "passport"] + (["ssn", "dl"] if lang == "en" else []),
                                   rng.randint(3, 6))
    if rng.random() < 0.5:
        fields.insert(rng.randint(1, len(fields)), "hired")
    pad = rng.random() < 0.3
    labels = {f: label(rng, f if f != "hired" else "hired", lang) for f in fields}
    width = max(len(v) for v in labels.values()) + 1
    doc = Doc()
    if rng.random() < 0.7:
        doc.add(rng.choice(FORM_ASKS[lang]) + "\n\n")
    doc.add(rng.choice(FORM_TITLES[lang]) + "\n" + "=" * rng.choice([0, 24]) + "\n")
    for f in fields:
        lab = labels[f] + sep if not pad else f"{labels[f] + ':':<{width}} "
        doc.add(lab)
        if f == "name":
            doc.val("PERSON", "form", p.full)
        elif f == "dob":
            v = dob_val(rng, lang, "form")
            doc.val(v.type, v.kind, v.shown)
        elif f == "ssn":
            shown, kind = num.ssn(rng)
            doc.val("US_SSN", f"form-{kind}", shown)
        elif f == "dl":
            v, state = num.driver_license(rng)
            if rng.random() < 0.5:
                doc.add(f"{state} ")
            doc.val("US_DRIVER_LICENSE", f"form-{state}", v)
        elif f == "passport":
            v, kind = num.passport(rng)
            doc.val("PASSPORT", f"form-{kind}", v)
        elif f == "address":
            put_address(doc, p.address, "form-", rng.random() < 0.3, " " * (len(lab)))
        elif f == "phone":
            doc.val("PHONE_NUMBER", f"form-{p.phone_kind}", p.phone)
        elif f == "email":
            doc.val("EMAIL_ADDRESS", "form", p.email)
        elif f == "card":
            shown, digits, kind = num.card(rng)
            doc.val("CREDIT_CARD", f"form-{kind}", shown, digits)
            if rng.random() < 0.4:
                doc.add(f"  (exp {rng.randint(1, 12):02d}/{rng.randint(26, 31)})")
        elif f == "iban":
            v, kind = num.iban(rng)
            doc.val("IBAN_CODE", f"form-{kind}", v)
        elif f == "ip":
            v, kind = num.ip(rng)
            doc.val("IP_ADDRESS", f"form-{kind}", v)
        elif f == "hired":
            doc.add(num.write_date(num.some_date(rng), rng.choice(num.DATE_FORMATS[:4]), lang))
        doc.add("\n")
    return doc


# --------------------------------------------------------------------------- vCards
def vcards(rng: random.Random, people: People) -> Doc:
    doc = Doc().add(rng.choice(["Import these contacts into our CRM format:\n\n",
                                "Merge duplicates in these vCards:\n\n",
                                "Which of these contacts work for the same company?\n\n", ""]))
    for _ in range(rng.randint(1, 4)):
        p = people.person()
        a = p.address
        doc.add("BEGIN:VCARD\nVERSION:", rng.choice(["3.0", "4.0"]), "\nN:")
        doc.val("PERSON", "vcard-n", f"{p.last};{p.first}", p.full).add(";;;\nFN:")
        doc.val("PERSON", "vcard-fn", p.full).add(f"\nORG:{p.company}\nTITLE:{p.title}\n")
        doc.add(f"TEL;TYPE={rng.choice(['CELL', 'WORK', 'HOME,VOICE'])}:")
        doc.val("PHONE_NUMBER", f"vcard-{p.phone_kind}", p.phone).add("\nEMAIL;TYPE=INTERNET:")
        doc.val("EMAIL_ADDRESS", "vcard", p.email).add("\nADR;TYPE=HOME:;;")
        doc.val("STREET_ADDRESS", f"vcard-{a.kind}", a.street.replace(",", "\\,"), a.street)
        doc.add(";").val("LOCATION", "locality", a.locality.replace(",", "\\,"), a.locality,
                         scored=False)
        doc.add(";;;" + {"us": "USA", "uk": "United Kingdom", "de": "Deutschland",
                         "fr": "France", "es": "España"}[a.country] + "\n")
        if rng.random() < 0.7:
            d = num.birth_date(rng)
            doc.add("BDAY:").val("DATE_OF_BIRTH", "vcard",
                                 d.isoformat() if rng.random() < 0.6 else d.strftime("%Y%m%d"))
            doc.add("\n")
        doc.add(f"REV:{num.some_date(rng).isoformat()}T10:{rng.randint(10, 59)}:00Z\n")
        doc.add("END:VCARD\n")
    return doc


# --------------------------------------------------------------------------- e-mail
CLOSINGS = {"en": ["Thanks,", "Best regards,", "Cheers,", "Kind regards,", "Many thanks,", "—"],
            "de": ["Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße"],
            "fr": ["Cordialement,", "Bien à vous,", "Merci d'avance,"],
            "es": ["Saludos cordiales,", "Un saludo,", "Atentamente,"]}
MAIL_BODIES = {
    "en": ["Could you send me the signed contract by Thursday? Legal needs it before the "
           "audit.", "The shipment to the Leeds warehouse is delayed again; please advise.",
           "Attached is the revised quote. We kept the unit price but changed the payment "
           "terms to 45 days.", "I have updated the payroll file; the new hire starts on the "
           "first of the month."],
    "de": ["Anbei das überarbeitete Angebot. Bitte um kurze Rückmeldung bis Freitag.",
           "Die Lieferung verzögert sich leider um eine Woche."],
    "fr": ["Vous trouverez ci-joint le devis révisé. Merci de me confirmer avant vendredi.",
           "La livraison est reportée d'une semaine, désolée pour le contretemps."],
    "es": ["Adjunto el presupuesto revisado. ¿Me confirmas antes del viernes?",
           "El envío se retrasa una semana, disculpa las molestias."],
}
REPLY_LINES = {
    "en": "On {date}, {name} <{email}> wrote:",
    "de": "Am {date} schrieb {name} <{email}>:",
    "fr": "Le {date}, {name} <{email}> a écrit :",
    "es": "El {date}, {name} <{email}> escribió:",
}


def signature(rng: random.Random, doc: Doc, p: Person, lang: str) -> None:
    doc.add(rng.choice(CLOSINGS[lang]) + rng.choice(["\n", "\n", " "]))
    doc.val("PERSON", "signature", p.full).add("\n")
    style_ = rng.random()
    if style_ < 0.3:
        return  # name only: "Thanks, Manon Menard"
    doc.add(f"{p.title}{rng.choice([' | ', ', ', chr(10)])}{p.company}\n")
    if style_ < 0.8:
        doc.add(rng.choice(["T: ", "Tel: ", "Mobile: ", "M: ", "Direct: ", ""]))
        doc.val("PHONE_NUMBER", f"signature-{p.phone_kind}", p.phone).add("\n")
    if rng.random() < 0.4:
        put_address(doc, p.address, "signature-", False)
        doc.add("\n")


def quote_doc(body: Doc, prefix: str) -> Doc:
    """``body`` with ``prefix`` before every line, marks kept (no mark spans a line end)."""
    out, text, pos = Doc(), body.text, 0
    marks = sorted(body.marks, key=lambda m: m.start)
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        out.add(prefix)
        cur = pos
        for m in marks:
            if pos <= m.start < end:
                out.add(text[cur:m.start]).val(m.type, m.kind, text[m.start:m.end], m.value,
                                               m.scored)
                cur = m.end
        out.add(text[cur:end])
        pos = end
    return out


def email_thread(rng: random.Random, people: People) -> Doc:
    a, b = people.person(), people.person()
    lang = LANG_OF[a.country] if rng.random() < 0.6 else "en"
    doc = Doc().add(rng.choice(["Summarise this thread and draft a reply:\n\n",
                                "Who is waiting on whom here?\n\n",
                                "Translate this e-mail thread into English.\n\n",
                                "Rewrite my last reply so it sounds friendlier:\n\n"]))
    cc = people.person() if rng.random() < 0.4 else None
    msgs = rng.randint(1, 3)
    order = [(a, b) if i % 2 == 0 else (b, a) for i in range(msgs)]
    for depth, (sender, to) in enumerate(reversed(order)):
        if depth == 0:
            doc.add("From: ").val("PERSON", "mail-header", sender.full).add(" <")
            doc.val("EMAIL_ADDRESS", "mail-header", sender.email).add(">\nTo: ")
            doc.val("PERSON", "mail-header", to.full).add(" <")
            doc.val("EMAIL_ADDRESS", "mail-header", to.email).add(">\n")
            if cc:
                doc.add("Cc: ").val("EMAIL_ADDRESS", "mail-header", cc.email).add("\n")
            doc.add(f"Date: {num.write_date(num.some_date(rng, 2023, 2026), 'iso')} "
                    f"{rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}\n")
            subject = rng.choice(["Contract renewal", "Q3 invoices", "Delivery schedule",
                                  "Payroll change", "Site visit"])
            doc.add(f"Subject: {rng.choice(['Re: ', 'AW: ', 'RE: ', ''])}{subject}\n\n")
        else:
            date = num.write_date(num.some_date(rng, 2023, 2026), "written-dmy", lang)
            line = REPLY_LINES[lang].replace("{date}", date).replace("{name}", "<<n>>")
            line = line.replace("{email}", "<<e>>")
            doc.add("> " * (depth - 1))
            doc.extend(fill(Doc(), line, {
                "n": person_val(sender, "mail-header"),
                "e": Val("EMAIL_ADDRESS", "mail-header", sender.email)}))
            doc.add("\n")
        body = Doc()
        if lang == "en":
            body.add(rng.choice(["Hi team,", "Hello all,", "Hi,", "Morning,"]) + "\n\n")
        else:
            body.add({"de": "Hallo zusammen,", "fr": "Bonjour,", "es": "Hola,"}[lang] + "\n\n")
        body.add(rng.choice(MAIL_BODIES[lang]) + "\n")
        if rng.random() < 0.3:
            third = people.person()
            body.add({"en": "You can reach ", "de": "Erreichbar ist ",
                      "fr": "Vous pouvez joindre ", "es": "Puedes contactar con "}[lang])
            body.val("PERSON", "mail-body", third.full).add(" on " if lang == "en" else " : ")
            body.val("PHONE_NUMBER", f"mail-body-{third.phone_kind}", third.phone).add(".\n")
        body.add("\n")
        signature(rng, body, sender, lang)
        doc.extend(quote_doc(body, "> " * depth) if depth else body)
        doc.add("\n")
    return doc


# --------------------------------------------------------------------------- HR notes
def hr_note(rng: random.Random, people: People) -> Doc:
    p, mgr, ec = people.person(), people.person(), people.person()
    doc = Doc().add(rng.choice(["Turn these HR notes into a tidy onboarding checklist:\n\n",
                                "Write a short welcome message based on this note:\n\n",
                                "Summarise for the payroll team:\n\n", ""]))
    kind = rng.choice(["new-hire", "new-hire", "leave", "review", "payroll", "exit"])
    start = num.write_date(num.some_date(rng, 2024, 2026), rng.choice(["iso", "us",
                                                                        "written-mdy"]))
    if kind == "new-hire":
        doc.add(rng.choice(["New hire: ", "New starter - ", "Onboarding: "]))
        doc.val("PERSON", "hr-note", p.full).add(f", {p.title}, starts {start}. Reports to ")
        doc.val("PERSON", "hr-note", mgr.full).add(".\n")
        if rng.random() < 0.7:
            doc.add(rng.choice(["Home address: ", "Lives at ", "Address on file: "]))
            put_address(doc, p.address, "hr-", False)
            doc.add(".\n")
        if rng.random() < 0.6:
            v = dob_val(rng, "en", "hr")
            doc.add(rng.choice(["DOB ", "Date of birth: ", "Born "])).val(v.type, v.kind,
                                                                          v.shown).add(". ")
        if rng.random() < 0.5:
            shown, k = num.ssn(rng)
            doc.add("SSN ").val("US_SSN", f"hr-{k}", shown).add(" (for I-9). ")
        doc.add("\nEmergency contact: ").val("PERSON", "hr-note", ec.full)
        doc.add(f" ({rng.choice(['spouse', 'mother', 'brother', 'partner', 'father'])}), ")
        doc.val("PHONE_NUMBER", f"hr-{ec.phone_kind}", ec.phone).add(".\n")
        doc.add(f"Laptop ordered (asset tag IT-{rng.randint(10000, 99999)}); badge photo "
                f"pending.\n")
    elif kind == "leave":
        doc.add("Absence note — ").val("PERSON", "hr-note", p.full).add(
            f"\nOff sick from {start} for two weeks; doctor's note received by ")
        doc.val("PERSON", "hr-note", mgr.full).add(
            ". Cover arranged with the team. Return-to-work call on the phone number on file: ")
        doc.val("PHONE_NUMBER", f"hr-{p.phone_kind}", p.phone).add(".\n")
    elif kind == "review":
        doc.add("Performance review notes\nEmployee: ").val("PERSON", "hr-note", p.full)
        doc.add("\nReviewer: ").val("PERSON", "hr-note", mgr.full)
        doc.add(f"\nPeriod: H{rng.randint(1, 2)} {rng.randint(2023, 2025)}\n\n"
                "Exceeded the quarterly targets, mentored two juniors. Needs to delegate "
                "more and document the supplier process. Rating: 4/5.\n")
        if rng.random() < 0.5:
            doc.add("Peer feedback from ").val("PERSON", "hr-note", ec.full).add(
                " was very positive.\n")
    elif kind == "payroll":
        doc.add("Payroll change for ").val("PERSON", "hr-note", p.full).add(
            f" (employee no. {rng.randint(10000, 99999)}): salary adjusted to "
            f"{rng.randint(40, 140) * 1000:,} from next month. New bank details: ")
        v, k = num.iban(rng)
        doc.val("IBAN_CODE", f"hr-{k}", v).add(". Approved by ")
        doc.val("PERSON", "hr-note", mgr.full).add(".\n")
    else:
        doc.add("Exit interview — ").val("PERSON", "hr-note", p.full).add(
            f", last day {start}.\nReasons given: relocation, wants a hybrid role. Forwarding "
            "address for the P45/W-2: ")
        put_address(doc, p.address, "hr-", False)
        doc.add(". Personal e-mail: ").val("EMAIL_ADDRESS", "hr-note", p.email).add("\n")
    return doc


# --------------------------------------------------------------------------- meetings
def meeting_notes(rng: random.Random, people: People) -> Doc:
    attendees = [people.person() for _ in range(rng.randint(3, 5))]
    doc = Doc().add(rng.choice(["Clean up these meeting notes and list the action items:\n\n",
                                "Write a follow-up e-mail from these notes:\n\n", ""]))
    day = num.write_date(num.some_date(rng, 2024, 2026), rng.choice(["iso", "written-dmy",
                                                                      "us"]))
    doc.add(f"{rng.choice(['Vendor review', 'Sprint retro', 'Budget sync', 'Site safety walk'])}"
            f" — {day}\nAttendees: ")
    for i, a in enumerate(attendees):
        doc.val("PERSON", "meeting-attendees", a.full)
        if rng.random() < 0.3:
            doc.add(f" ({a.company})")
        doc.add(", " if i < len(attendees) - 1 else "\n")
    doc.add("Notes: ").val("PERSON", "meeting-prose", attendees[0].full).add(
        " opened with the Q3 numbers; churn is flat. ")
    doc.val("PERSON", "meeting-prose", attendees[1].full).add(
        " raised the delayed shipments again.\n\nAction items:\n")
    for a in attendees[1:]:
        doc.add(rng.choice(["- [ ] ", "* ", "- "])).val("PERSON", "meeting-actions", a.full)
        doc.add(rng.choice([": send the revised quote by Friday", " to book the site visit",
                            ": chase legal about the NDA", " will update the risk register"]))
        if rng.random() < 0.3:
            doc.add(" (call them on ").val("PHONE_NUMBER", f"meeting-{a.phone_kind}", a.phone)
            doc.add(")")
        doc.add("\n")
    return doc


# --------------------------------------------------------------------------- letters
SALUTATIONS = {"en": ["Dear {name},", "Dear Sir or Madam,", "To whom it may concern,"],
               "de": ["Sehr geehrte Damen und Herren,", "Guten Tag {name},"],
               "fr": ["Madame, Monsieur,", "Bonjour {name},"],
               "es": ["Estimado/a {name}:", "Muy señores míos:"]}
LETTER_BODY = {
    "en": "I am writing about the overdue invoice for the spring delivery. Please arrange "
          "payment within fourteen days or call us to agree a schedule.",
    "de": "wir beziehen uns auf Ihre Rechnung vom letzten Monat und bitten um eine "
          "Gutschrift für die beschädigte Ware.",
    "fr": "nous accusons réception de votre dossier et reviendrons vers vous sous quinzaine.",
    "es": "le escribimos en relación con su solicitud de reembolso, que ya hemos tramitado.",
}


def letter(rng: random.Random, people: People) -> Doc:
    sender, rcpt = people.person(), people.person()
    lang = LANG_OF[rcpt.country] if rng.random() < 0.7 else "en"
    doc = Doc().add(rng.choice(["Proofread this letter:\n\n", "Translate this letter into "
                                "English:\n\n", "Make this letter more formal:\n\n", ""]))
    doc.val("PERSON", "letter-sender", sender.full).add("\n")
    put_address(doc, sender.address, "letter-", True)
    doc.add("\n\n")
    if rng.random() < 0.5:
        doc.add(num.write_date(num.some_date(rng, 2024, 2026), "written-dmy", lang) + "\n\n")
    doc.val("PERSON", "letter-recipient", rcpt.full).add("\n")
    if rng.random() < 0.4:
        doc.add(rcpt.company + "\n")
    put_address(doc, rcpt.address, "letter-", True)
    doc.add("\n\n")
    sal = rng.choice(SALUTATIONS[lang])
    if "{name}" in sal:
        pre, post = sal.split("{name}")
        doc.add(pre).val("PERSON", "letter-salutation", rcpt.full).add(post + "\n\n")
    else:
        doc.add(sal + "\n\n")
    doc.add(LETTER_BODY[lang] + "\n\n")
    if rng.random() < 0.4:
        v, k = num.iban(rng)
        doc.add({"en": "Our bank details: ", "de": "Bankverbindung: ", "fr": "Nos coordonnées "
                 "bancaires : ", "es": "Nuestra cuenta: "}[lang]).val("IBAN_CODE", f"letter-{k}",
                                                                      v).add("\n\n")
    doc.add(rng.choice(CLOSINGS[lang]) + "\n\n").val("PERSON", "letter-signature", sender.full)
    return doc.add("\n")


# --------------------------------------------------------------------------- config
def env_ini(rng: random.Random, people: People) -> Doc:
    p = people.person()
    doc = Doc().add(rng.choice(["Why does the test fixture loader ignore this file?\n\n",
                                "Convert this to YAML:\n\n", ""]))
    if rng.random() < 0.5:
        doc.add("# .env.test — seed user for the staging import\nTEST_USER_NAME=\"")
        doc.val("PERSON", "env", p.full).add("\"\nTEST_USER_EMAIL=")
        doc.val("EMAIL_ADDRESS", "env", p.email).add("\nTEST_USER_PHONE=\"")
        doc.val("PHONE_NUMBER", f"env-{p.phone_kind}", p.phone).add("\"\n")
        if rng.random() < 0.6:
            shown, k = num.ssn(rng, rng.choice(["dashes", "plain"]))
            doc.add("TEST_USER_SSN=").val("US_SSN", f"env-{k}", shown).add("\n")
        if rng.random() < 0.6:
            d = num.birth_date(rng)
            doc.add("TEST_USER_DOB=").val("DATE_OF_BIRTH", "env-iso", d.isoformat()).add("\n")
        if rng.random() < 0.5:
            shown, digits, k = num.card(rng, style="plain")
            doc.add("TEST_CARD_NUMBER=").val("CREDIT_CARD", f"env-{k}", shown, digits).add("\n")
        doc.add(f"IMPORT_BATCH_SIZE={rng.choice([50, 100, 500])}\n")
        return doc
    doc.add(f"; exported {num.some_date(rng).isoformat()}\n")
    for _ in range(rng.randint(1, 3)):
        p = people.person()
        doc.add(f"[employee.{rng.randint(1000, 9999)}]\nname = ")
        doc.val("PERSON", "ini", p.full).add("\nemail = ").val("EMAIL_ADDRESS", "ini", p.email)
        doc.add("\nstreet = ").val("STREET_ADDRESS", f"ini-{p.address.kind}", p.address.street)
        doc.add("\ncity = ").val("LOCATION", "locality", p.address.locality, scored=False)
        if rng.random() < 0.6:
            v, kind = num.passport(rng)
            doc.add("\npassport_no = ").val("PASSPORT", f"ini-{kind}", v)
        if rng.random() < 0.5:
            v, k = num.iban(rng, grouped=False)
            doc.add("\niban = ").val("IBAN_CODE", f"ini-{k}", v)
        doc.add(f"\nteam = {rng.choice(['ops', 'finance', 'eng'])}\n\n")
    return doc


# --------------------------------------------------------------------------- chat asks
def chat_request(rng: random.Random, people: People) -> Doc:
    """One person's data in a short chat request, the way people type it."""
    p = people.person()
    doc = Doc()
    k = rng.randrange(8)
    if k == 0:
        doc.add("Book a flight to Lisbon for ").val("PERSON", "chat", p.full).add(", passport ")
        v, kind = num.passport(rng)
        doc.val("PASSPORT", f"chat-{kind}", v).add(", born ")
        d = dob_val(rng, "en", "chat")
        doc.val(d.type, d.kind, d.shown).add(". Window seat if possible.")
    elif k == 1:
        shown, digits, kind = num.card(rng)
        doc.add("The customer's card ").val("CREDIT_CARD", f"chat-{kind}", shown, digits)
        doc.add(" was declined twice this morning. Draft an apology e-mail to ")
        doc.val("EMAIL_ADDRESS", "chat", p.email).add(".")
    elif k == 2:
        shown, kind = num.ssn(rng)
        doc.add("My SSN is ").val("US_SSN", f"chat-{kind}", shown).add(
            " and I was born on ")
        d = dob_val(rng, "en", "chat")
        doc.val(d.type, d.kind, d.shown).add(". Which box on the W-4 do I fill in?")
    elif k == 3:
        doc.add("Please update the shipping address for order ").add(
            f"#{rng.randint(100000, 999999)} to ")
        put_address(doc, p.address, "chat-", False)
        doc.add(" and let ").val("PERSON", "chat", p.full).add(" know by text on ")
        doc.val("PHONE_NUMBER", f"chat-{p.phone_kind}", p.phone).add(".")
    elif k == 4:
        v, state = num.driver_license(rng)
        doc.add("Renter: ").val("PERSON", "chat", p.full).add(f", {state} driver's license ")
        doc.val("US_DRIVER_LICENSE", f"chat-{state}", v).add(". Is a second driver allowed?")
    elif k == 5:
        v, kind = num.ip(rng)
        doc.add("We keep getting failed logins for ").val("EMAIL_ADDRESS", "chat", p.email)
        doc.add(" from ").val("IP_ADDRESS", f"chat-{kind}", v).add(
            ". Should we block that address?")
    elif k == 6:
        v, kind = num.iban(rng)
        doc.add("Refund 240 EUR to ").val("PERSON", "chat", p.full).add(", IBAN ")
        doc.val("IBAN_CODE", f"chat-{kind}", v).add(". Write the bank transfer note.")
    else:
        doc.add("Hi, I'm ").val("PERSON", "chat", p.full).add(" — my DOB is ")
        d = dob_val(rng, "en", "chat")
        doc.val(d.type, d.kind, d.shown).add(" and my address is ")
        put_address(doc, p.address, "chat-", False)
        doc.add(". Can you check whether I'm eligible for the regional programme?")
    return doc
