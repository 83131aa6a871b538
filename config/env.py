"""Small, strict readers for configuration from the environment.

Every helper fails loudly: a value that cannot be read exactly is an error at start-up,
never a silent fallback.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean spelled exactly 'true' or 'false'.

    "yes", "1", "on" and friends are refused: a typo in a security switch must not be read
    as either value.
    """
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value == "true":
        return True
    if value == "false":
        return False
    raise ConfigError(f"{name} must be 'true' or 'false', not {value!r}.")


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        number = default
    else:
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if not minimum <= number <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (e.g. a mounted secret)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as error:
            raise ConfigError(f"{name}_FILE points at an unreadable file: {error}") from None
    return env_str(name, default)
