from core.models.accounts import Invitation, Site, User, UserSession
from core.models.audit import AuditEntry

__all__ = ["AuditEntry", "Invitation", "Site", "User", "UserSession"]
