"""Where a client stands among the workspace's other clients, per dimension, without naming them.

Peers are the workspace's other active clients with results for the same quarter on the same
bank version, so every index compared was computed from the same questions. With fewer than
`MIN_CLIENTS` clients (this one included) there is no comparison: a percentile among three
clients says more about the three than about the client.

A client's percentile in a dimension is the share of peers whose index is lower, ties counting
half; 50 is the middle of the pack. Reads the peers' results snapshots: two queries whatever
the number of clients.
"""

from dataclasses import dataclass

from assessments.models import Assessment
from assessments.scoring import Results

MIN_CLIENTS = 5


@dataclass(frozen=True)
class PeerStanding:
    key: str
    name: str
    index: float
    percentile: int  # 0 to 100
    peers: int  # how many other clients have an index in this dimension


def percentile(value: float, others: list[float]) -> int:
    """The share of `others` below `value`, ties counting half, as a whole percentage."""
    below = sum(other < value for other in others)
    tied = sum(other == value for other in others)
    return round(100 * (below + tied / 2) / len(others))


def peer_assessments(assessment: Assessment):
    return Assessment.objects.filter(
        client__workspace_id=assessment.client.workspace_id,
        client__archived_at__isnull=True,
        year=assessment.year,
        quarter=assessment.quarter,
        bank_version_id=assessment.bank_version_id,
    ).exclude(client_id=assessment.client_id)


def peer_standings(assessment: Assessment, results: Results) -> list[PeerStanding]:
    """Per dimension with an index, where this client stands; empty with too few peers."""
    peers = peer_assessments(assessment)
    summaries = list(peers.with_results().values_list("index_summary", flat=True))
    if len(summaries) + 1 < MIN_CLIENTS:
        return []
    standings = []
    for dimension in results.dimensions:
        others = [
            index
            for summary in summaries
            if (index := summary.get("dimensions", {}).get(dimension.key)) is not None
        ]
        if dimension.index is None or len(others) + 1 < MIN_CLIENTS:
            continue
        standings.append(
            PeerStanding(
                dimension.key,
                dimension.name,
                dimension.index,
                percentile(dimension.index, others),
                len(others),
            )
        )
    return standings
