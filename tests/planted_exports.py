"""SYNTHETIC survey exports in the Qualtrics and SurveyMonkey layouts, with personal information of
every kind planted where a real export carries it: comments, "Other" answers routed to a comment,
an unmapped free-text contact question, and the tools' metadata (IP address, GPS location, recipient
name and email, an external reference that is a student number). Seeded; written into a test's
temporary folder, never committed. All names, numbers and addresses are made up.

`Planted.secrets` are the strings that must never reach an output folder; `Planted.structured` the
subset a scrubber must find on its own (emails, phones, URLs, IPs, handles, ids, street addresses,
dates of birth): names outside the roster are found only by a person.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

FIRST = ["Chidi", "Abdirahman", "DeShawn", "Siobhan", "Fartun", "Zoë", "Yusuf", "Ngozi", "Khadija", "Dmitri",
         "Ifrah", "Guadalupe", "Søren", "Rosalía", "Brandon", "Kayla", "Tyrone", "Ana", "Marcus", "Amina",
         "Pa Nhia", "Mai Nou", "Tou", "Anh", "Chue", "José"]
LAST = ["Okonkwo", "Warsame", "Carterfield", "O'Brien", "Abdullahi", "Bergström", "Hassanov", "Adeyemi", "Mohamud",
        "Sokolov", "Jama", "Ortizano", "Nygaard", "Méndez", "Kowalczyk", "Johansson", "Whitfield", "Lopezgarza",
        "Lindahl", "Osman", "Thao", "Xiong", "Vang", "Nguyen", "Lor", "Hernández"]
TITLED = ["Kowalski", "Lindqvist", "Petrovic", "Halvorsen", "Brennagh", "Okafor", "Duartez", "Szymanski",
          "Gallagher", "Thorsen", "Yamamoto", "Delacroix", "Fitzgerald", "Novak", "Ruiz-Tagle", "Oyelaran",
          "Castellanos", "Mbeki", "Haugland", "Rasmussen", "Pietrowski", "Villanueva", "Achterberg", "Quist",
          "Marchetti"]
TITLES = ["Officer", "Ms.", "Mr.", "Mrs.", "Dr.", "Coach", "Principal", "Sgt.", "officer", "Deputy"]
STREETS = ["Bloomington Ave S", "Elm Street", "Lyndale Avenue North", "Cedar Ave", "Oak Grove Road", "Penn Ave N",
           "Chicago Avenue", "Maple Lane", "Riverside Drive", "Portland Ave"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]

ROLES = ["Student", "Staff member", "Parent or guardian", "Community member"]
RACES = ["Black or African American", "Asian", "Hispanic or Latino", "White", "Two or more races"]
AGREE = ["Strongly Agree", "Agree", "Disagree", "Strongly Disagree"]
TIME = ["More", "About the same", "Less"]
SCENARIO = ["Scenario 1: Maintain/Modify", "Scenario 2: Reduce and Support", "Scenario 3: Eliminate"]
REASONS = ["For general safety", "They build relationships with students", "They are intimidating to students"]
VALUES = """values:
  role: {Student: student, Staff member: staff, Parent or guardian: parent, Community member: community}
  race_ethnicity: {Black or African American: african_american, Asian: asian_american,
                   Hispanic or Latino: hispanic_latino, White: white, Two or more races: multiracial}
  sro_agree: {Strongly Agree: strongly_agree, Agree: agree, Disagree: disagree, Strongly Disagree: strongly_disagree}
  sro_time: {More: more, About the same: same, Less: less}
  scenario: {"Scenario 1: Maintain/Modify": maintain_modify, "Scenario 2: Reduce and Support": reduce_support,
             "Scenario 3: Eliminate": eliminate}
"""
OTHER = "other:\n  race_ethnicity: other\n"  # "Other (please specify)" text: kept only as a comment to scrub
# Each planted comment carries a theme keyword, so the report would pick it as an example if allowed.
TEMPLATES = ["I feel safe only when {} is around", "we need counselors, see {}", "my kid is scared, reach {}",
             "students trust {} more than police", "stop the arrests, ask {}", "profiling of black kids, {}",
             "more training please, {}", "SROs are unnecessary says {}"]
CLEAN = ["I feel safer with an officer.", "Police make students afraid.", "We need counselors, not police.",
         "Officers build trust with students.", "Arrests at school feed the prison pipeline."]
KINDS = ["email", "email_written_out", "phone", "url", "ip", "handle", "id_labelled", "id_hash", "id_13_digits",
         "street_address", "date_of_birth", "name", "name_lower_case", "name_last_first", "titled_name"]
STRUCTURED = {"email", "email_written_out", "phone", "url", "ip", "handle", "id_labelled", "id_hash", "id_13_digits",
              "street_address", "date_of_birth"}


@dataclass
class Planted:
    """What was planted, by kind, and every string that must stay out of the output."""

    by_kind: dict[str, list[str]]
    secrets: set[str] = field(default_factory=set)
    structured: set[str] = field(default_factory=set)
    clean_comments: set[str] = field(default_factory=set)  # comments with nothing personal in them

    def add(self, kind: str, value: str) -> str:
        self.secrets.add(value)
        if kind in STRUCTURED:
            self.structured.add(value)
        return value


def planted_values(rng: random.Random, per_kind: int = 12) -> dict[str, list[str]]:
    """Per kind, `per_kind` made-up values; ids are 7 digits (the roster's 6-9) or 13."""
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for i in range(per_kind):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        user = f"{first.split()[0].lower()}{last.lower().replace(chr(39), '')[:5]}{i}"
        out["email"].append(f"{user}@gmail.com")
        out["email_written_out"].append(f"{user} at yahoo dot com" if i % 2 else f"{user} [at] hotmail [dot] com")
        out["phone"].append(["612-555-{:04d}", "(651) 555-{:04d}", "+1 612 555 {:04d}", "612.555.{:04d}"][i % 4]
                            .format(rng.randrange(100, 9999)))
        out["url"].append([f"https://www.facebook.com/{user}", f"www.instagram.com/{user}",
                           f"http://bit.ly/{user[:4]}{i}x"][i % 3])
        out["ip"].append(f"73.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}")
        out["handle"].append(f"@{user}_{'mn' if i % 2 else 'tw'}")
        out["id_labelled"].append(f"ID: {rng.randrange(10 ** 6, 10 ** 7)}")
        out["id_hash"].append(f"#{rng.randrange(10 ** 6, 10 ** 7)}")
        out["id_13_digits"].append(str(rng.randrange(10 ** 12, 10 ** 13)))
        out["street_address"].append(f"{rng.randrange(100, 9999)} {STREETS[i % len(STREETS)]}")
        out["date_of_birth"].append([f"DOB {rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/2006",
                                     f"born {MONTHS[i % 10]} {rng.randrange(1, 29)}, 2007",
                                     f"birthday 2005-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"][i % 3])
        out["name"].append(f"{first} {last}")
        out["name_lower_case"].append(f"{first} {last}".lower())
        out["name_last_first"].append(f"{last}, {first}")
        out["titled_name"].append(f"{TITLES[i % len(TITLES)]} {TITLED[i % len(TITLED)]}")
    return out


def _value_secrets(kind: str, value: str) -> list[str]:
    """The parts of a planted value that identify (a date of birth without its word; a name's parts)."""
    if kind == "date_of_birth":
        return [value.split(" ", 1)[1]]
    if kind == "id_labelled":
        return [value.split(": ")[1]]
    if kind == "id_hash":
        return [value[1:]]
    if kind.startswith("name") or kind == "titled_name":
        parts = value.replace(",", " ").split()
        return [value] + [p for p in parts if len(p) >= 4 and p.rstrip(".") not in {t.rstrip(".") for t in TITLES}]
    return [value]


@dataclass
class Respondent:
    response_id: str
    start: str
    ip: str
    latitude: str
    longitude: str
    first: str
    last: str
    email: str
    student_number: str
    role: str
    race: str
    agree: str
    time: str
    scenario: str
    reasons: list[str]
    comment: str
    contact: str


def respondents(seed: int, n: int = 300) -> tuple[list[Respondent], Planted]:
    """`n` respondents; the first comments carry every planted kind (so a report picking examples meets
    them first), the "Other" race answers and the contact question carry more."""
    rng = random.Random(seed)
    values = planted_values(rng)
    planted = Planted(values)
    queue = [(kind, value) for i in range(len(values["email"])) for kind in KINDS for value in [values[kind][i]]]
    people = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        person = Respondent(
            response_id=f"R_{rng.getrandbits(60):015x}", start=f"2017-05-{1 + i % 28:02d} 10:{i % 60:02d}:{i % 50:02d}",
            ip=f"174.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            latitude=f"44.{rng.randrange(10 ** 6):06d}", longitude=f"-93.{rng.randrange(10 ** 6):06d}",
            first=first, last=last, email=f"{first.split()[0].lower()}.{i}@district-parents.org",
            student_number=str(rng.randrange(10 ** 6, 10 ** 7)), role=ROLES[i % 4], race=RACES[i % len(RACES)],
            agree=AGREE[i % 4], time=TIME[i % 3], scenario=SCENARIO[i % 3], reasons=REASONS[: 1 + i % 3],
            comment="", contact="")
        names = [part for part in f"{first} {last}".split() if len(part) >= 4]  # in columns of their own
        for secret in (person.ip, person.latitude, person.longitude, person.email, person.student_number, *names):
            planted.secrets.add(secret)
        if i < len(queue):
            kind, value = queue[i]
            person.comment = TEMPLATES[i % len(TEMPLATES)].format(value)
            for secret in _value_secrets(kind, value):
                planted.add(kind, secret)
        elif i % 4 == 0:
            person.comment = CLEAN[i % len(CLEAN)]
            planted.clean_comments.add(person.comment)
        if i % 7 == 3:  # an "Other (please specify)" answer carrying a name and a phone number
            kind, value = queue[(i * 5) % len(queue)]
            person.race = f"my son {values['name'][i % 12]} ({values['phone'][(i + 1) % 12]}) {value}"
            for k, v in (("name", values["name"][i % 12]), ("phone", values["phone"][(i + 1) % 12]), (kind, value)):
                for secret in _value_secrets(k, v):
                    planted.add(k, secret)
        if i % 5 == 1:  # the unmapped "how can we reach you" question
            person.contact = f"{values['street_address'][i % 12]}, text {values['phone'][i % 12]}"
            planted.add("street_address", values["street_address"][i % 12])
            planted.add("phone", values["phone"][i % 12])
        people.append(person)
    return people, planted


def roster(planted: Planted) -> list[str]:
    """The names list a district would pass: the respondents' children and staff it knows of."""
    return planted.by_kind["name"]


# --------------------------------------------------------------------------- Qualtrics

QUALTRICS_META = [("StartDate", "Start Date"), ("EndDate", "End Date"), ("Status", "Response Type"),
                  ("IPAddress", "IP Address"), ("Progress", "Progress"), ("Finished", "Finished"),
                  ("ResponseId", "Response ID"), ("RecipientLastName", "Recipient Last Name"),
                  ("RecipientFirstName", "Recipient First Name"), ("RecipientEmail", "Recipient Email"),
                  ("ExternalReference", "External Data Reference"), ("LocationLatitude", "Location Latitude"),
                  ("LocationLongitude", "Location Longitude"), ("DistributionChannel", "Distribution Channel")]
QUALTRICS_QUESTIONS = [("Q1", "I am a"), ("Q2", "Race/Ethnicity"), ("Q3", "SROs should work in my school"),
                       ("Q4", "I want SROs to spend ___ time in my school"), ("Q5", "Which scenario do you prefer?"),
                       ("Q6", "Why? (select all that apply)"), ("Q7", "Comments"),
                       ("Q8", "How can we reach you about this survey? (optional)")]


def write_qualtrics(folder: Path, people: list[Respondent], header_rows: int | None = None) -> tuple[Path, Path]:
    """A Qualtrics CSV (UTF-8 with BOM; ids, question text, ImportId rows) and its column mapping."""
    columns = QUALTRICS_META + QUALTRICS_QUESTIONS
    import_ids = [json.dumps({"ImportId": key if key.startswith("Q") else key[0].lower() + key[1:]}) for key, _ in columns]
    rows = [[key for key, _ in columns], [text for _, text in columns], import_ids]
    for p in people:
        rows.append([p.start, p.start, "IP Address", p.ip, "100", "True", p.response_id, p.last, p.first, p.email,
                     p.student_number, p.latitude, p.longitude, "email", p.role, p.race, p.agree, p.time, p.scenario,
                     ",".join(p.reasons), p.comment, p.contact])
    export = folder / "qualtrics_export.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    mapping = folder / "qualtrics_mapping.yaml"
    mapping.write_text(
        (f"header_rows: {header_rows}\n" if header_rows else "")
        + "columns:\n  respondent_id: ResponseId\n  role: Q1\n  race_ethnicity: Race/Ethnicity\n  sro_agree: Q3\n"
        "  sro_time: Q4\n  scenario: Q5\n  reasons: Q6\n  comment: Q7\n  site: \"\"\n"
        + VALUES + "  reasons: {For general safety: general_safety, They build relationships with students: "
        "relationships, They are intimidating to students: intimidating}\n" + OTHER + "separators:\n  reasons: \",\"\n"
        + "ignored_columns: [" + ", ".join(key for key, _ in QUALTRICS_META if key != "ResponseId") + "]\n",
        encoding="utf-8")
    return export, mapping


# --------------------------------------------------------------------------- SurveyMonkey

def write_surveymonkey(folder: Path, people: list[Respondent], header_rows: int = 2) -> tuple[Path, Path]:
    """A SurveyMonkey CSV (question row, then one option per column) and its column mapping."""
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
           "Last Name", "Custom Data 1", "Custom Data 2", "I am a", "Race/Ethnicity", "SROs should work in my school",
           "I want SROs to spend ___ time in my school", "Which scenario do you prefer?",
           "Why? (select all that apply)", "", "", "", "Comments", "How can we reach you about this survey? (optional)"]
    below = [""] * 10 + ["Response"] * 5 + [*REASONS, "Other (please specify)", "Open-Ended Response",
                                           "Open-Ended Response"]
    rows = [top, below]
    for number, p in enumerate(people):
        other = p.contact if number % 3 == 0 else ""  # "Other (please specify)" free text
        rows.append([str(11400000000 + number * 17), "234567890", p.start, p.start, p.ip, p.email, p.first, p.last,
                     p.student_number, f"{p.latitude},{p.longitude}", p.role, p.race, p.agree, p.time, p.scenario,
                     *[r if r in p.reasons else "" for r in REASONS], other, p.comment, p.contact])
    export = folder / "surveymonkey_export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    mapping = folder / "surveymonkey_mapping.yaml"
    mapping.write_text(
        f"header_rows: {header_rows}\n"
        "columns:\n  respondent_id: Respondent ID\n  role: I am a\n  race_ethnicity: Race/Ethnicity\n"
        "  sro_agree: SROs should work in my school\n  sro_time: I want SROs to spend ___ time in my school\n"
        "  scenario: Which scenario do you prefer?\n  comment: Comments\n  site: \"\"\n"
        + VALUES + OTHER + "option_columns:\n  reasons:\n    For general safety: general_safety\n"
        "    They build relationships with students: relationships\n"
        "    They are intimidating to students: intimidating\n"
        "ignored_columns: [Collector ID, Start Date, End Date, IP Address, Email Address, First Name, Last Name, "
        "Custom Data 1, Custom Data 2]\n",
        encoding="utf-8")
    return export, mapping
