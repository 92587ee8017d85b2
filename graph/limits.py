"""Limits that protect the database: a request beyond them is refused, not run.

Every limit is named; `QueryLimitError` carries the name, the maximum and the value asked for,
so the API can answer 400 with the limit named and the CLI can say which option to lower.
"""

from __future__ import annotations

from typing import Any

#: the largest values a caller may ask for
LIMITS: dict[str, int] = {
    "max_hops": 6,  # path length
    "k": 5,  # number of paths
    "ego_hops": 3,  # radius of an ego network
    "ego_limit": 2000,  # nodes in an ego network
    "results": 500,  # rows of a list (nodes, overlaps, missing links)
    "matrix": 100,  # initiatives in an overlap matrix
    "offset": 100_000,  # pagination offset
    "projection_nodes": 20_000,  # nodes in a projection for network measures
    "overlap_rows": 200_000,  # (initiative, shared item, initiative) rows behind one answer
}

#: what each limit is called in Norwegian, for messages
LIMIT_LABELS: dict[str, str] = {
    "max_hops": "maks antall steg i en sti",
    "k": "maks antall stier",
    "ego_hops": "maks radius for et egonettverk",
    "ego_limit": "maks antall noder i et egonettverk",
    "results": "maks antall resultater",
    "matrix": "maks antall satsinger i en overlappmatrise",
    "offset": "maks forskyvning (offset)",
    "projection_nodes": "maks antall noder i en projeksjon for nettverksmål (bruk scope)",
    "overlap_rows": "maks antall delte naboer bak ett overlappsvar",
}


class RequestError(ValueError):
    """A request the analytics cannot answer as asked; `field` names the parameter at fault
    and `status` is the HTTP status the API answers with (404 unknown id, 422 bad value)."""

    def __init__(self, message: str, field: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.status = status


class QueryLimitError(ValueError):
    """A request beyond one of `LIMITS`."""

    def __init__(self, limit: str, value: Any, field: str | None = None):
        self.limit = limit
        self.maximum = LIMITS[limit]
        self.value = value
        self.field = field or limit
        super().__init__(
            f"{self.field}={value} er over grensen {limit}={self.maximum} ({LIMIT_LABELS[limit]})"
        )


def check(limit: str, value: int, field: str | None = None) -> int:
    """`value` if it is within the limit; raises `QueryLimitError` otherwise."""
    if value > LIMITS[limit]:
        raise QueryLimitError(limit, value, field)
    return value
