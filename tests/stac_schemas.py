"""Validate STAC objects offline: the core schemas bundled in pystac, the extension schemas in ../shared.

Every schema is loaded from disk before validating; a schema the object asks for and that is not on disk is an
error (`SchemaMissing`), never a download: pystac's validator would otherwise fetch it over the network.
"""

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pystac
import pystac.validation
from pystac.validation.local_validator import get_local_schema_cache
from pystac.validation.stac_validator import JsonSchemaSTACValidator

from tests.conftest import shared_path


class SchemaMissing(Exception):  # noqa: N818 (names what is missing, as the tests read it)
    """A schema the object refers to is not available locally."""


class StacInvalid(AssertionError):  # noqa: N818 (a failed assertion about the object)
    """The object does not validate; the message names the object, the schema and the first error."""


def extension_schemas() -> dict[str, dict[str, Any]]:
    """The extension schemas of ../shared/schemas/stac-extensions, by their `$id` (without a trailing `#`)."""
    folder = shared_path("schemas", "stac-extensions")
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[str(schema["$id"]).rstrip("#")] = schema
    if not schemas:
        raise SchemaMissing(f"no extension schemas in {folder}")
    return schemas


class OfflineValidator(JsonSchemaSTACValidator):
    """pystac's JSON Schema validator with every schema preloaded, that refuses to fetch any other."""

    def __init__(self) -> None:
        super().__init__()
        self.schema_cache = {**get_local_schema_cache(), **extension_schemas()}

    def _get_schema(self, schema_uri: str) -> dict[str, Any]:
        schema = self.schema_cache.get(schema_uri) or self.schema_cache.get(schema_uri.rstrip("#"))
        if schema is None:
            raise SchemaMissing(f"no local copy of the schema {schema_uri}: add it to ../shared/schemas")
        return schema


@cache
def _validator() -> OfflineValidator:
    return OfflineValidator()


def validate_stac(obj: Mapping[str, Any]) -> None:
    """Validate a STAC Catalog, Collection or Item (as a dict) against the core and its extensions' schemas.

    Raises `StacInvalid` (an AssertionError) for an invalid object and `SchemaMissing` when a schema it names has
    no local copy; makes no network request.
    """
    stac_dict = json.loads(json.dumps(obj))
    try:
        pystac.validation.validate_dict(stac_dict, validator=_validator())
    except pystac.STACValidationError as error:
        raise StacInvalid(f"{stac_dict.get('type')} {stac_dict.get('id')!r} is not valid STAC: {error}") from error
    except pystac.validation.GetSchemaError as error:
        cause = error.__cause__
        if isinstance(cause, SchemaMissing):
            raise cause from error
        raise
