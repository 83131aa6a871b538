"""Create the first administrator of a new installation; everyone after is invited in the app.

There is no public sign-up, and an invitation needs someone to send it: this command breaks
that circle once. It refuses while any active administrator exists, so it cannot become a
back door for making accounts beside the audited invitation flow. The password is asked for
twice at the terminal (or read from standard input with --password-stdin, for scripts), never
taken from the command line, where it would land in the shell history and the process list.
The second factor is enrolled at the first log-in: the app lets the new account reach nothing
else until it has one.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from core.audit import log_action
from core.models import User
from core.roles import Role


class Command(BaseCommand):
    help = "Create the first administrator account (only while there is none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the administrator's e-mail address, used to log in")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of asking",
        )

    def handle(self, *args: Any, email: str, password_stdin: bool, **options: Any) -> None:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not an e-mail address: {email!r}.") from error
        if _active_administrators().exists():
            raise CommandError(
                "An administrator exists already. Further accounts are invited in the app "
                "(the Invitations page), so that each one is audited."
            )
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError("An account with this e-mail address exists already.")
        password = _read_password(from_stdin=password_stdin)
        candidate = User(email=email)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        with transaction.atomic():
            # Checked again under the transaction: two runs at once make one administrator.
            if _active_administrators().select_for_update().exists():
                raise CommandError("An administrator exists already.")
            user = User.objects.create_user(email, password)
            user.set_roles([Role.ADMINISTRATOR])
            # allauth enrols a second factor only for a verified address; the operator who runs
            # this command on the server vouches for it.
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            log_action("core.user.bootstrapped", actor=None, obj=user, details={"user": user.pk})
        self.stdout.write(
            self.style.SUCCESS(f"Administrator {email} created.")
            + " Log in now: you will be asked to set up a second factor before anything else."
        )


def _active_administrators() -> Any:
    return User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR.value)


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("No password on standard input.")
        return password
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise CommandError("The two passwords differ; nothing was created.")
    return first
