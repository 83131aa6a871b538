"""Casework models, by sub-area: clients, visits and needs, reminders."""

from casework.models.clients import (
    AgeBand,
    Client,
    ClientSite,
    Gender,
    Interpreter,
    Language,
    Region,
)
from casework.models.reminders import Reminder, ReminderSettings
from casework.models.visits import (
    SEEDED_TOPICS,
    Accompaniment,
    FollowUpFor,
    FollowUpKind,
    HealthCoverage,
    Housing,
    Income,
    NeedsAssessment,
    Outcome,
    Topic,
    UrgentNeed,
    Visit,
)

# isort: split
# The address service's models live in their own module; importing it here registers them.
# It imports Client from this package, so it comes last.
from casework import models_addresses  # noqa: F401

__all__ = [
    "SEEDED_TOPICS",
    "Accompaniment",
    "AgeBand",
    "Client",
    "ClientSite",
    "FollowUpFor",
    "FollowUpKind",
    "Gender",
    "HealthCoverage",
    "Housing",
    "Income",
    "Interpreter",
    "Language",
    "NeedsAssessment",
    "Outcome",
    "Region",
    "Reminder",
    "ReminderSettings",
    "Topic",
    "UrgentNeed",
    "Visit",
]
