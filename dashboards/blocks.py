"""The dashboard's side of the content blocks (``pipelines.content.blocks``): each block is
built from the snapshot this request pinned, for the user of the request. The page and the
CSV download both build their content here, so a download is exactly what is displayed, and
access rules are enforced server-side for both."""

from __future__ import annotations

from collections.abc import Mapping

from dashboards import access_log, queries
from dashboards.auth import Identite
from pipelines.content.block import Block, Context, Refus, View
from pipelines.content.blocks import BLOCS, FILTRES, PARAMETRES_PAGE
from pipelines.content.blocks.jeunes import DETAIL_MAX, REFUS_DETAIL
from pipelines.content.blocks.territoires import CARTE_INDICATEURS

__all__ = [
    "BLOCS",
    "CARTE_INDICATEURS",
    "DETAIL_MAX",
    "FILTRES",
    "PARAMETRES_PAGE",
    "REFUS_DETAIL",
    "SNAPSHOT",
    "Refus",
    "construire",
    "contexte",
]


class _Snapshot:
    """The request's pinned snapshot, read through the dashboard's cached queries."""

    def rows(self, sql: str, *params: object) -> list[dict]:
        return queries.rows(sql, *params)

    @property
    def publication(self) -> Mapping:
        return queries.publication() or {}


SNAPSHOT = _Snapshot()


def contexte(identite: Identite) -> Context:
    """What every block of this request reads: the snapshot, the user, the settings."""
    return Context(SNAPSHOT, identite, late_after_days=queries.settings().late_after_days)


def construire(bloc_id: str, vue: View, identite: Identite, *args: str) -> Block:
    """Block ``bloc_id`` for the view and the user (``Refus`` when the role does not allow it).
    A refusal and a block of row-level youth data are logged (``access_log``)."""
    try:
        bloc = BLOCS[bloc_id](contexte(identite), vue, *args)
    except Refus:
        access_log.noter(access_log.REFUS, 403, bloc_id)
        raise
    if bloc.donnees_individuelles:
        access_log.noter(access_log.DETAIL_JEUNES, 200, bloc_id)
    return bloc
