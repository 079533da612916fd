"""Closed vocabularies of contract v1 and of the data policy, in one place."""

from enum import StrEnum


class RecordType(StrEnum):
    MISSION = "mission"
    DATASET = "dataset"
    GRANULE = "granule"


class Category(StrEnum):
    """Kinds of data the policy distinguishes (§3)."""

    SOURCE = "source"
    OBSERVATION = "observation"
    ENGINEERING = "engineering"
    EXPERIMENT = "experiment"
    SIMULATION = "simulation"
    ANALYSIS = "analysis"
    DOCUMENT = "document"
    SOFTWARE = "software"


class Platform(StrEnum):
    SATELLITE = "satellite"
    PROBE = "probe"
    BALLOON = "balloon"
    SOUNDING_ROCKET = "sounding-rocket"
    GROUND = "ground"
    LABORATORY = "laboratory"
    COMPUTER = "computer"


class AccessStatus(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"


class RestrictionReason(StrEnum):
    """The only four reasons data may be non-public (§4)."""

    PRIVACY_OR_SAFETY = "privacy-or-safety"
    INCOMPLETE_PROCESSING = "incomplete-processing"
    PROPRIETARY_PERIOD = "proprietary-period"
    RIGHTS_GRANTED = "rights-granted"


class AfterDeadline(StrEnum):
    """What happens when a restriction's deadline passes."""

    RELEASE = "release"
    REVIEW = "review"
    DISCARD = "discard"


class Reproducible(StrEnum):
    NO = "no"
    COSTLY = "costly"
    EASY = "easy"


class RetentionClass(StrEnum):
    """How long the policy says to keep data (§7)."""

    LONG_TERM = "long-term"
    AVOID_DISCARD = "avoid-discard"
    DISCARDABLE = "discardable"


class LifecycleState(StrEnum):
    ACTIVE = "active"
    DISCARDED = "discarded"


class CreatorKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


class Visibility(StrEnum):
    """What the public may see of a record at a given moment.

    `deleted` is a record that was visible once and is no more (discarded or withdrawn): it is shown as a
    tombstone. `hidden` is never shown anywhere, not even as a tombstone.
    """

    PUBLIC = "public"
    RESTRICTED = "restricted"
    DELETED = "deleted"
    HIDDEN = "hidden"

    @property
    def shows_metadata(self) -> bool:
        return self in (Visibility.PUBLIC, Visibility.RESTRICTED)


class Severity(StrEnum):
    ERROR = "error"
    """The policy is broken: fix the record."""
    WARNING = "warning"
    """A decision is due or a guideline is exceeded."""
    INFO = "info"
    """Worth a look."""


class AuditCode(StrEnum):
    """What the audit reports; each code is one rule of the policy."""

    OVERDUE_REVIEW = "overdue-review"
    OVERDUE_DISCARD = "overdue-discard"
    RESTRICTED_WITHOUT_REASON = "restricted-without-reason"
    RESTRICTED_WITHOUT_SCOPE = "restricted-without-scope"
    RESTRICTED_WITHOUT_DEADLINE = "restricted-without-deadline"
    PROPRIETARY_BEYOND_GUIDELINE = "proprietary-beyond-guideline"
    INCOMPLETE_WITHOUT_SCHEDULE = "incomplete-without-schedule"
    PUBLIC_WITHOUT_DOI = "public-without-doi"
    PUBLIC_WITHOUT_ISSUED = "public-without-issued"
    CREDIT_UNSTATED = "credit-unstated"
    DISCARD_WITHOUT_REASON = "discard-without-reason"
    DISCARDED_WITHIN_RETENTION = "discarded-within-retention"


class AccessRight(StrEnum):
    """What the public may do with a dataset's data, in the terms harvesters read (COAR, OpenAIRE)."""

    OPEN = "open"
    """Public: COAR c_abf2, `info:eu-repo/semantics/openAccess`."""
    EMBARGOED = "embargoed"
    """Restricted until a known date, then public by itself: COAR c_f1cf, `embargoedAccess`."""
    RESTRICTED = "restricted"
    """Restricted to a scope of users (a team, an institution): COAR c_16ec, `restrictedAccess`."""
    METADATA_ONLY = "metadata-only"
    """Closed for privacy or safety, or no longer kept: COAR c_14cb, `closedAccess`."""


class Granularity(StrEnum):
    """The two datestamp granularities of OAI-PMH (spec 3.3): what our provider offers, what a harvested one says."""

    DAY = "YYYY-MM-DD"
    SECOND = "YYYY-MM-DDThh:mm:ssZ"
