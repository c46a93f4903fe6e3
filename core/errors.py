"""The one domain error family. The API maps each to a status code in one place
(`core.api.exception_handler`); pages show the messages in an error summary."""

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    status_code = 400

    def __init__(self, message=None, *, errors: Mapping[str, Iterable] | None = None):
        self.errors: dict[str, list[str]] = {
            k: [str(m) for m in v] for k, v in (errors or {}).items()
        }
        if message is not None:
            self.errors.setdefault("non_field_errors", []).insert(0, str(message))
        super().__init__(self.messages[0] if self.messages else "")

    @property
    def messages(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


class RuleViolation(DomainError):
    """The request breaks a rule of the competition or of the data (400)."""

    status_code = 400


class NotPermitted(DomainError):
    """The actor sees the object but may not do this (403)."""

    status_code = 403


class WrongState(DomainError):
    """The object is not in a state that allows this, or changed meanwhile (409)."""

    status_code = 409
