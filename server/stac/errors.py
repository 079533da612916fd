"""STAC API errors as data: one family, each with its HTTP status and code; one handler renders `{code, description}`.

Nothing here knows Flask: the blueprint maps a `StacError` to a JSON response with its `status`.
"""

from typing import ClassVar


class StacError(Exception):
    """A request the API answers with an error: `status` and `code` are class attributes, the message describes it."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "BadRequest"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "description": self.description}


class InvalidParameter(StacError):
    """A query parameter or body field that is malformed or out of range; the description names it."""

    code = "InvalidParameterValue"


class NotFound(StacError):
    """No collection or item the public may see has this id (undisclosed ones included: same answer)."""

    status = 404
    code = "NotFound"


class MethodNotAllowed(StacError):
    status = 405
    code = "MethodNotAllowed"


class NotAcceptable(StacError):
    status = 406
    code = "NotAcceptable"


class UnsupportedMediaType(StacError):
    status = 415
    code = "UnsupportedMediaType"


class ServiceUnavailable(StacError):
    """The store cannot be read: a load balancer should try another worker."""

    status = 503
    code = "ServiceUnavailable"
