"""Synthetic clients and visits for `manage.py seed_synthetic`: fictional people at scale.

Everything is sealed exactly as the app seals real data: each client gets a fresh random data
key wrapped by the master key ring, identity fields and notes go through the encrypted fields,
and the blind indexes are computed by the fields themselves. Only the inserts differ: rows go in
with `bulk_create`, in batches, without audit entries (nobody read or changed a real person).

Names, phone numbers and notes are plainly made up (surnames start with "Synth", phone numbers
with "+00"), so a synthetic row is never mistaken for a person. No value is ever printed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework import codes, pseudonyms
from casework.models import (
    AgeBand,
    Client,
    ClientSite,
    Gender,
    Interpreter,
    Language,
    Region,
    Reminder,
    Topic,
    Visit,
)
from casework.models.visits import Accompaniment, FollowUpFor, FollowUpKind, Outcome
from casework.services import FOLLOW_UP_LABELS, FOLLOW_UP_TIME
from core import bulk
from core.models import DataKey, Site, User

SYNTHETIC_DOMAIN = "synthetic.invalid"
SITE_PREFIX = "Synthetic drop-in"

_SYLLABLES = ["ka", "lo", "mi", "ra", "te", "su", "no", "ba", "di", "fe", "ju", "pe", "zo", "wa"]
FIRST_NAMES = [(a + b).capitalize() for a in _SYLLABLES for b in _SYLLABLES]
LAST_NAMES = [f"Synth{a}{b}{c}" for a in _SYLLABLES[:8] for b in _SYLLABLES for c in "aeiou"]

# Shares that look like a big-city network: many people give no name, few give a birth date.
NAME_GIVEN = 0.45
PHONE_GIVEN = 0.35
BIRTH_DATE_GIVEN = 0.25
CONTACT_NOTES_GIVEN = 0.08
NOTES_GIVEN = 0.6

GENDERS = [(Gender.FEMALE, 44), (Gender.MALE, 46), (Gender.DIVERSE, 2), (Gender.NOT_STATED, 8)]
REGIONS = [
    (Region.WEST_AFRICA, 16),
    (Region.NORTH_AFRICA, 12),
    (Region.EAST_AFRICA, 12),
    (Region.CENTRAL_AFRICA, 4),
    (Region.LATIN_AMERICA, 18),
    (Region.EASTERN_EUROPE, 14),
    (Region.MIDDLE_EAST, 8),
    (Region.SOUTH_ASIA, 5),
    (Region.EAST_ASIA, 3),
    (Region.CENTRAL_ASIA, 2),
    (Region.EUROPE, 1),
    (Region.NOT_STATED, 5),
]
AGE_BANDS = [
    (AgeBand.UNDER_18, 4),
    (AgeBand.FROM_18, 15),
    (AgeBand.FROM_25, 30),
    (AgeBand.FROM_35, 24),
    (AgeBand.FROM_45, 13),
    (AgeBand.FROM_55, 6),
    (AgeBand.FROM_65, 2),
    (AgeBand.NOT_STATED, 6),
]
LANGUAGES = [
    ("es", 18),
    ("fr", 14),
    ("ar", 12),
    ("en", 12),
    ("ti", 6),
    ("pt", 5),
    ("ru", 5),
    ("sq", 4),
    ("bs-hr-sr", 4),
    ("tr", 3),
    ("so", 3),
    ("fa", 3),
    ("ro", 3),
    ("uk", 3),
    ("de", 3),
    ("wo", 1),
    ("ln", 1),
]
TOPICS = [
    ("health", 30),
    ("legal", 15),
    ("food", 12),
    ("housing", 10),
    ("labour", 7),
    ("dental", 7),
    ("psychosocial", 6),
    ("address", 5),
    ("debt", 4),
    ("school", 2),
    ("other", 2),
]
OUTCOMES = [
    (Outcome.ADVICE, 40),
    (Outcome.REFERRED, 18),
    (Outcome.MATERIAL, 12),
    (Outcome.FOLLOW_UP, 10),
    (Outcome.RESOLVED, 8),
    (Outcome.NO_HELP, 2),
    (Outcome.NOT_STATED, 10),
]
NOTE_WORDS = [
    "synthetic",
    "note",
    "fictional",
    "person",
    "came",
    "asked",
    "about",
    "appointment",
    "letter",
    "advice",
    "given",
    "call",
    "back",
    "next",
    "week",
    "documents",
    "clinic",
    "pharmacy",
    "rent",
    "school",
    "lunch",
    "voucher",
    "interpreter",
]


_CUMULATIVE: dict[int, tuple[list[Any], list[int]]] = {}


def pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    """One value of a module-level (value, weight) list, drawn by weight."""
    found = _CUMULATIVE.get(id(weighted))
    if found is None:
        found = [value for value, _ in weighted], list(accumulate(w for _, w in weighted))
        _CUMULATIVE[id(weighted)] = found
    return rng.choices(found[0], cum_weights=found[1])[0]


def fake_text(rng: random.Random, words: int) -> str:
    return "Synthetic: " + " ".join(rng.choices(NOTE_WORDS, k=words)) + "."


@dataclass
class Cast:
    """The reference rows every synthetic record points at, loaded once."""

    sites: list[Site]
    site_weights: list[int]
    counsellors: dict[int, list[User]]  # by index into sites
    coordinators: list[User]
    languages: dict[str, Language]
    topics: dict[str, Topic]
    day_starts: dict[date, datetime] = field(default_factory=dict)

    def at(self, day: date, minutes: int) -> datetime:
        """An aware time on `day`, `minutes` after 9 o'clock."""
        start = self.day_starts.get(day)
        if start is None:
            start = timezone.make_aware(datetime.combine(day, time(9)))
            self.day_starts[day] = start
        return start + timedelta(minutes=minutes)


def seed_sites_and_staff(rng: random.Random, *, sites: int, staff: int) -> Cast:
    """Sites of a city network (one big central one) and their staff, none able to log in."""
    from django.contrib.auth.models import Group

    from core.roles import Role

    created_sites = [
        Site.objects.create(name=f"{SITE_PREFIX} {n + 1}", opening_hours="Mon-Fri 9:00-17:00")
        for n in range(sites)
    ]
    weights = [6] + [2] * (sites - 1)
    counsellor_group = Group.objects.get(name=Role.COUNSELLOR.value)
    coordinator_group = Group.objects.get(name=Role.COORDINATOR.value)
    reporting_group = Group.objects.get(name=Role.REPORTING.value)
    coordinators_wanted = max(1, staff // 8)
    counsellors: dict[int, list[User]] = {n: [] for n in range(sites)}
    coordinators: list[User] = []
    for n in range(max(staff, sites + 2)):
        user = User.objects.create_user(f"staff-{n + 1}@{SYNTHETIC_DOMAIN}")
        user.display_name = f"Synthetic staff {n + 1}"
        user.save(update_fields=["display_name"])
        if n == 0:
            user.groups.add(reporting_group)
        elif n <= coordinators_wanted:
            user.groups.add(coordinator_group)
            coordinators.append(user)
        else:
            home = (n - coordinators_wanted - 1) % sites
            user.groups.add(counsellor_group)
            user.sites.add(created_sites[home])
            counsellors[home].append(user)
    return Cast(
        sites=created_sites,
        site_weights=weights,
        counsellors=counsellors,
        coordinators=coordinators,
        languages={language.code: language for language in Language.objects.all()},
        topics={topic.code: topic for topic in Topic.objects.all()},
    )


def unique_codes(rng: random.Random) -> Iterator[str]:
    taken = set(Client.objects.exclude(code=None).values_list("code", flat=True))
    while True:
        body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
        code = body + codes.check_character(body)
        if code not in taken:
            taken.add(code)
            yield code


def share_out(rng: random.Random, total: int, people: int) -> list[int]:
    """How many of `total` rows each of `people` gets: a few regulars, many who come once."""
    if people == 0 or total == 0:
        return [0] * people
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(people)]
    counts = [0] * people
    for index in rng.choices(range(people), weights=weights, k=total):
        counts[index] += 1
    return counts


@dataclass
class ClientBatch:
    clients: list[Client]
    visits: list[Visit]
    visits_by_client: dict[int, list[Visit]]
    sites_by_client: dict[int, set[int]]  # indexes into Cast.sites where each is known
    rows: int


def seed_client_batch(
    rng: random.Random,
    cast: Cast,
    *,
    visit_counts: list[int],
    code_source: Iterator[str],
    today: date,
    years: int,
) -> ClientBatch:
    """One batch of clients with all their visits, inserted together."""
    span = years * 365
    keys: list[DataKey] = []
    clients: list[Client] = []
    client_languages: list[list[Language]] = []
    client_sites: list[ClientSite] = []
    visits: list[Visit] = []
    visit_topics: list[tuple[object, int]] = []
    by_client: dict[int, list[Visit]] = {}
    sites_by_client: dict[int, set[int]] = {}
    language_codes = [code for code, _ in LANGUAGES if code in cast.languages]
    language_weights = [w for code, w in LANGUAGES if code in cast.languages]
    topic_codes = [code for code, _ in TOPICS if code in cast.topics]
    topic_weights = [w for code, w in TOPICS if code in cast.topics]
    for number, count in enumerate(visit_counts):
        key = DataKey.fresh()
        keys.append(key)
        home = rng.choices(range(len(cast.sites)), cast.site_weights)[0]
        # A person comes during a stretch of time that ends `start` days ago. Counted round
        # the span, so that every day of it (today too) sees as many visits as any other.
        start = rng.randrange(span)
        window = min(span - 1, int(rng.expovariate(1 / 240)) + 14 * count)
        days = sorted(
            today - timedelta(days=(start + rng.randint(0, window)) % span) for _ in range(count)
        )
        first = days[0] if days else today - timedelta(days=start)
        languages = [
            cast.languages[code]
            for code in set(rng.choices(language_codes, language_weights, k=rng.choice([1, 1, 2])))
        ]
        birth = None
        identity: dict[str, Any] = {}
        if rng.random() < BIRTH_DATE_GIVEN:
            birth = date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28))
            identity["date_of_birth"] = birth
        client = Client(
            code=next(code_source),
            data_key=key,
            pseudonym=pseudonyms.generate(),
            name=(
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                if rng.random() < NAME_GIVEN
                else ""
            ),
            phone=f"+00 {rng.randrange(10**9):09d}" if rng.random() < PHONE_GIVEN else "",
            **identity,
            contact_notes=fake_text(rng, 8) if rng.random() < CONTACT_NOTES_GIVEN else "",
            gender=pick(rng, GENDERS),
            age_band=(AgeBand.for_birth_year(birth.year, today) if birth else pick(rng, AGE_BANDS)),
            region=pick(rng, REGIONS),
            interpreter=rng.choice(
                [Interpreter.NEEDED, Interpreter.NOT_NEEDED, Interpreter.NOT_STATED]
            ),
            registered_at=cast.at(first, rng.randrange(480)),
            registered_site=cast.sites[home],
            last_seen_at=cast.at(days[-1] if days else first, 240),
        )
        clients.append(client)
        client_languages.append(languages)
        seen = {home}
        own: list[Visit] = []
        for day in days:
            site = home if rng.random() < 0.85 else rng.choices(range(len(cast.sites)))[0]
            seen.add(site)
            visit = _visit(rng, cast, client, site, day, languages)
            own.append(visit)
            for code in set(rng.choices(topic_codes, topic_weights, k=rng.choice([1, 1, 2, 3]))):
                visit_topics.append((visit.pk, cast.topics[code].pk))
        by_client[number] = own
        sites_by_client[number] = seen
        visits.extend(own)
        client_sites.extend(
            ClientSite(client=client, site=cast.sites[site], first_seen_at=client.registered_at)
            for site in seen
        )
    rows = bulk.insert(DataKey, keys) + bulk.insert(Client, clients)
    rows += bulk.insert_values(
        Client.languages.through,
        ["client_id", "language_id"],
        [
            (client.pk, language.pk)
            for client, languages in zip(clients, client_languages, strict=True)
            for language in languages
        ],
    )
    # A random stream of their own, so that adding reminders left every other row as it was.
    seed = f"follow-ups {clients[0].code if clients else ''}"
    side = random.Random(seed)  # noqa: S311 (fictional)
    reminders = follow_up_reminders(side, visits)
    rows += bulk.insert(ClientSite, client_sites) + bulk.insert(Visit, visits)
    rows += bulk.insert_values(Visit.topics.through, ["visit_id", "topic_id"], visit_topics)
    rows += bulk.insert(Reminder, reminders)
    return ClientBatch(clients, visits, by_client, sites_by_client, rows)


# Of the follow-ups due more than three weeks ago, all were seen to; of the recent ones, this
# share still waits (delivered, neither done nor dismissed).
RECENT_DAYS = 21
RECENT_STILL_OPEN = 0.3


def follow_up_reminders(rng: random.Random, visits: Sequence[Visit]) -> list[Reminder]:
    """The reminder of each visit's follow-up, in the state the dispatcher and the staff
    would have left it: due ones delivered, and done (mostly) or dismissed unless recent.
    Sets who each follow-up is for (the counsellor, or the site's team) on the visits."""
    now = timezone.now()
    visit_type = ContentType.objects.get_for_model(Visit)
    reminders = []
    for visit in visits:
        if visit.follow_up_on is None or not visit.follow_up_kind:
            continue
        visit.follow_up_for = FollowUpFor.SITE if rng.random() < 0.3 else FollowUpFor.ME
        due = timezone.make_aware(datetime.combine(visit.follow_up_on, FOLLOW_UP_TIME))
        reminder = Reminder(
            kind="casework.visit.follow_up",
            label=FOLLOW_UP_LABELS[FollowUpKind(visit.follow_up_kind)],
            client=visit.client,
            content_type=visit_type,
            object_id=str(visit.pk),
            user=visit.counsellor if visit.follow_up_for == FollowUpFor.ME else None,
            site=visit.site if visit.follow_up_for == FollowUpFor.SITE else None,
            due_at=due,
            dedupe_key=visit.follow_up_dedupe_key,
            created_at=visit.created_at,
        )
        if due <= now:
            reminder.delivered_at = due + timedelta(minutes=rng.randint(0, 2))
            recent = now - due < timedelta(days=RECENT_DAYS)
            if not (recent and rng.random() < RECENT_STILL_OPEN):
                closed = min(now, due + timedelta(hours=rng.randint(1, 96)))
                if rng.random() < 0.85:
                    reminder.done_at, reminder.done_by = closed, visit.counsellor
                else:
                    reminder.dismissed_at, reminder.dismissed_by = closed, visit.counsellor
        reminders.append(reminder)
    return reminders


def _visit(
    rng: random.Random,
    cast: Cast,
    client: Client,
    site: int,
    day: date,
    languages: list[Language],
) -> Visit:
    staff = cast.counsellors[site] or cast.coordinators
    accompanied = rng.random() < 0.05
    follow_up = rng.random() < 0.1
    return Visit(
        client=client,
        site=cast.sites[site],
        counsellor=rng.choice(staff),
        date=day,
        duration_minutes=rng.choice([None, 10, 15, 20, 20, 30, 30, 45, 60]),
        language=languages[0] if languages and rng.random() < 0.5 else None,
        interpreter_used=rng.random() < 0.15,
        notes=fake_text(rng, rng.randint(6, 40)) if rng.random() < NOTES_GIVEN else "",
        outcome=pick(rng, OUTCOMES),
        accompaniment=(rng.choice([a for a in Accompaniment.values if a]) if accompanied else ""),
        accompaniment_detail=fake_text(rng, 4) if accompanied else "",
        follow_up_on=day + timedelta(days=rng.randint(2, 21)) if follow_up else None,
        follow_up_kind=rng.choice(FollowUpKind.values) if follow_up else "",
        follow_up_about=fake_text(rng, 5) if follow_up and rng.random() < 0.5 else "",
        created_at=cast.at(day, rng.randrange(480)),
    )
