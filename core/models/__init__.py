from core.models.accounts import Invitation, Site, User, UserSession
from core.models.audit import AuditEntry
from core.models.keys import DataKey

__all__ = ["AuditEntry", "DataKey", "Invitation", "Site", "User", "UserSession"]
