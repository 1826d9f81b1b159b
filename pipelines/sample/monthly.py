"""One académie's MLDS export as it stood a month earlier, for measuring an incremental refresh.

The sample describes the world on ``AS_OF``. Its export from a month before holds the youths
spotted by then, the parcours positioned by then and the follow-ups observed by then, each as it
stood that day (a parcours still running, a youth not yet out). Loading that export first, then
the sample's own (the next monthly export, a month of new rows), is what an académie sends.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

from pipelines.sample.world import AS_OF, World, draw_world, resolve_scale
from pipelines.sample.writers import write_mlds


def as_of(world: World, academie: str, day: date) -> World:
    """``world`` with ``academie``'s MLDS records as they stood on ``day``."""
    spotted = [y for y in world.youths if y.academie != academie or y.spotted <= day]
    kept = {id(y) for y in spotted}
    youths = [_youth_on(y, day) if y.academie == academie else y for y in spotted]
    parcours = [
        _parcours_on(p, day) if p.youth.academie == academie else p
        for p in world.parcours
        if id(p.youth) in kept and (p.youth.academie != academie or p.positioned <= day)
    ]
    follow_ups = [
        f
        for f in world.follow_ups
        if id(f.youth) in kept and (f.youth.academie != academie or f.observed <= day)
    ]
    return dataclasses.replace(
        world,
        academies={academie: world.academies[academie]},
        youths=youths,
        parcours=parcours,
        follow_ups=follow_ups,
    )


def _youth_on(youth, day: date):
    if youth.exit is not None and youth.exit > day:
        return dataclasses.replace(youth, exit=None, exit_situation=None)
    return youth


def _parcours_on(parcours, day: date):
    changes: dict = {}
    if parcours.real_end is not None and parcours.real_end > day:
        changes = {"real_end": None, "hours_done": None, "status": "en cours", "interruption": ""}
    if parcours.start is not None and parcours.start > day:
        changes = {**changes, "start": None, "real_end": None, "hours_done": None}
        changes["status"] = "convention signée" if parcours.agreement else "positionné"
    return dataclasses.replace(parcours, **changes) if changes else parcours


def write_previous_month(
    out: Path, academie: str, scale: str = "national", seed: int | None = None
) -> list[Path]:
    """Write ``academie``'s three MLDS files as exported 30 days before the sample's date;
    ``scale`` is a named scale or a factor of the national volumes (``csf sample --scale``)."""
    from pipelines.sample import DEFAULT_SEED

    seed = DEFAULT_SEED if seed is None else seed
    world = draw_world(seed, resolve_scale(scale))
    if academie not in world.academies:
        raise ValueError(f"académie {academie!r} absente de l'échantillon {scale}")
    out.mkdir(parents=True, exist_ok=True)
    return write_mlds(as_of(world, academie, AS_OF - timedelta(days=30)), out, seed)
