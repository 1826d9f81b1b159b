"""Deterministic synthetic exports (``csf sample``): the same seed and scale give the same bytes."""

from __future__ import annotations

from pathlib import Path

from pipelines.sample.world import AS_OF, Scale, draw_world, resolve_scale
from pipelines.sample.writers import write_decp, write_mlds, write_register

DEFAULT_SEED = 2026

README = """# Données de démonstration — entièrement synthétiques

Ces fichiers sont générés par `csf sample --scale {scale} --seed {seed}`. Aucun jeune, acheteur
ni marché réel n'y figure : les identifiants, noms, téléphones et montants sont tirés au hasard.
Chaque ligne CSV porte la colonne « Données synthétiques » et chaque fichier DECP la clé
`donneesSynthetiques` : le tableau de bord affiche alors le bandeau « données de démonstration ».

Situation décrite au {as_of:%d/%m/%Y}. Environ 1 % des lignes de chaque fichier sont volontairement
erronées (dates impossibles, libellés inconnus, INE invalides, doublons, lignes décalées...) pour
exercer la mise en quarantaine.
"""


def generate(out: Path, scale: str | Scale = "demo", seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every export format of data-contracts.md into ``out``; return the files written.

    ``scale`` names one of ``SCALES``, is a factor of the national volumes (``"0.1"``, ``"3"``)
    or is a ``Scale``, for tests of a smaller world."""
    size = resolve_scale(scale)
    out.mkdir(parents=True, exist_ok=True)
    world = draw_world(seed, size)
    paths = [
        *write_decp(world, out, seed),
        write_register(world, out, seed),
        *write_mlds(world, out, seed),
    ]
    if size.bulk_decp:
        # The national open-data file: every public buyer's contracts (over 1 GB at 1.5 M).
        # Imported here: it needs polars, which `csf` commands should not pay for at start.
        from pipelines.sample.decp_bulk import write_decp_bulk

        bulk = out / "decp_national_v2.json"
        paths.append(write_decp_bulk(bulk, size.bulk_decp, seed))
    readme = out / "LISEZMOI.md"
    name = scale if isinstance(scale, str) else "personnalisée"  # a factor as typed
    readme.write_text(README.format(scale=name, seed=seed, as_of=AS_OF), encoding="utf-8")
    return [*paths, readme]
