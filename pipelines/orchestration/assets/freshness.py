"""Freshness: a warning check per source when a scope has sent nothing for 45 days.

It reads ``marts.qualite_fichiers`` once dbt has built it, so every scope (académie, register)
is known, new files included; the dashboard's quality page applies the same threshold.
"""

from datetime import datetime

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check
from dagster_dbt import get_asset_key_for_model

from pipelines.orchestration.assets.transform import csf_dbt_models
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.connection import connect

QUALITE_FICHIERS = get_asset_key_for_model([csf_dbt_models], "qualite_fichiers")


def late_scopes(con, now: datetime, days: int) -> list[dict]:
    """Scope and source of each current export older than ``days`` at ``now``."""
    cursor = con.execute(
        """
        select perimetre, source, max(enregistre_le) as dernier
        from marts.qualite_fichiers
        where est_courant and statut = 'loaded' and source != 'decp'
        group by all
        having date_diff('day', max(enregistre_le), ?::timestamp) > ?
        order by perimetre, source
        """,
        [now, days],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@asset_check(
    asset=QUALITE_FICHIERS,
    name="fraicheur",
    blocking=False,
    description="Avertit quand un périmètre (académie, registre) n'a envoyé aucun export depuis "
    "plus de CSF_LATE_AFTER_DAYS jours (45 par défaut).",
)
def freshness(csf: CsfResource) -> AssetCheckResult:
    """Late scopes, as a warning: a late académie must not stop the others' publication."""
    days = csf.settings.late_after_days
    with connect(csf.settings.build_db, read_only=True) as con:
        late = late_scopes(con, datetime.now(), days)
    summary = "; ".join(
        f"{r['perimetre']} ({r['source']}) : dernier export le {r['dernier']:%d/%m/%Y}"
        for r in late
    )
    return AssetCheckResult(
        passed=not late,
        severity=AssetCheckSeverity.WARN,
        description=f"en retard (plus de {days} jours) : {summary}" if late else "tout est à jour",
        metadata={"en_retard": len(late), "perimetres": summary or "–"},
    )
