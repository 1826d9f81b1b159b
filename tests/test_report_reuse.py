"""A report keeps its files only when its content and its rendering are those they were written
with, and its files still hold the bytes indexed (pipelines.reports.fingerprint, build)."""

from dataclasses import replace
from datetime import date

import pytest

from pipelines.content.table import Colonne, Masque, Tableau, Type, Valeur
from pipelines.reports import build
from pipelines.reports.fingerprint import fingerprint
from pipelines.reports.model import Rapport, Section


def _rapport(**changes) -> Rapport:
    tableau = Tableau(
        [Colonne("Indicateur"), Colonne("Valeur", Type.INDICATEUR), Colonne("Le", Type.DATE)],
        [
            ["Taux", Valeur(0.25, Type.TAUX), date(2025, 12, 31)],
            ["Jeunes", Masque("secret", "secret statistique"), None],
        ],
    )
    rapport = Rapport(
        titre="Rapport",
        sous_titre="Acheteur",
        fichier="rapport-acheteur-x-2025",
        periode="2025",
        date_observation=date(2026, 6, 30),
        instantane="20261201T000000Z-aaaaaaaa",
        synthetique=True,
        sections=[Section("s", "Section", "Onglet", paragraphes=["Texte."], tableau=tableau)],
        genere_le=date(2026, 12, 1),
    )
    return replace(rapport, **changes)


def test_the_fingerprint_ignores_only_the_snapshot_id_and_the_day_of_making():
    base = fingerprint(_rapport())
    assert fingerprint(_rapport(instantane="autre", genere_le=date(2027, 1, 1))) == base
    for changes in (
        {"periode": "2026"},
        {"date_observation": date(2026, 7, 31)},
        {"synthetique": False},
        {"contact": "csf@education.gouv.fr"},
        {"titre": "Rapport 2"},
    ):
        assert fingerprint(_rapport(**changes)) != base, changes
    changed = _rapport()
    changed.sections[0].tableau.lignes[0][1] = Valeur(0.26, Type.TAUX)
    assert fingerprint(changed) != base
    # A date cell and a text cell of its ISO form are rendered differently.
    as_text = _rapport()
    as_text.sections[0].tableau.lignes[0][2] = "2025-12-31"
    assert fingerprint(as_text) != base


def test_content_without_a_canonical_form_is_refused_not_hashed_by_address():
    odd = _rapport()
    odd.sections[0].tableau.lignes[0][2] = object()
    with pytest.raises(TypeError, match="forme canonique"):
        fingerprint(odd)


def _indexed_set(tmp_path, rapport: Rapport) -> tuple:
    """A current set holding ``rapport``'s two files, indexed as a batch would index them."""
    current = tmp_path / "reports"
    folder = current / build.ACHETEURS
    folder.mkdir(parents=True)
    lot = build.Lot(instantane=rapport.instantane, periode=rapport.periode)
    list(build._fingerprinted([(rapport, folder)], build.FORMATS, current, lot))
    for kind in build.FORMATS:
        path = folder / f"{rapport.fichier}.{kind}"
        path.write_bytes(f"{kind} de {rapport.titre}".encode())
        lot.fichiers.append(path)
    build._write_index(current, lot)
    return current, folder


def _batch(tmp_path, current, rapport: Rapport) -> tuple[list, build.Lot]:
    staging = tmp_path / f"lot-{len(list(tmp_path.iterdir()))}"
    lot = build.Lot()
    rendered = list(
        build._fingerprinted(
            [(rapport, staging / build.ACHETEURS)], build.FORMATS, staging, lot, current=current
        )
    )
    return rendered, lot


def test_an_unchanged_report_keeps_its_files_and_a_changed_one_is_rendered(tmp_path):
    current, folder = _indexed_set(tmp_path, _rapport())
    rendered, lot = _batch(tmp_path, current, _rapport(instantane="nouveau"))
    assert rendered == [] and lot.repris == 1 and lot.instantane == "nouveau"
    kept = {p.name: p for p in lot.fichiers}
    for kind in build.FORMATS:
        name = f"{_rapport().fichier}.{kind}"
        assert kept[name].stat().st_ino == (folder / name).stat().st_ino
    rendered, lot = _batch(tmp_path, current, _rapport(periode="2026", fichier="autre"))
    assert len(rendered) == 1 and lot.repris == 0 and lot.fichiers == []


@pytest.mark.parametrize("tamper", ["edit", "delete", "index"])
def test_a_file_changed_or_gone_since_indexed_is_rendered_again(tmp_path, tamper):
    rapport = _rapport()
    current, folder = _indexed_set(tmp_path, rapport)
    pdf = folder / f"{rapport.fichier}.pdf"
    if tamper == "edit":
        pdf.write_bytes(b"autre contenu")
    elif tamper == "delete":
        pdf.unlink()
    else:
        (current / "index.json").write_text("[1, 2", encoding="utf-8")
    rendered, lot = _batch(tmp_path, current, rapport)
    assert len(rendered) == 1 and lot.repris == 0
