from referrals.models.providers import (
    ACCEPTANCE_FIELDS,
    Acceptance,
    Provider,
    ProviderKind,
    Speciality,
)

__all__ = ["ACCEPTANCE_FIELDS", "Acceptance", "Provider", "ProviderKind", "Speciality"]
