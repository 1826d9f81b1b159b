"""A report keeps its files only when its content and its rendering are those they were written
with, and its files still hold the bytes indexed (pipelines.reports.fingerprint, build)."""

from dataclasses import replace
from datetime import date

import pytest

from pipelines.content.table import Colonne, Masque, Tableau, Type, Valeur
from pipelines.reports import build
from pipelines.reports.fingerprint import fingerprint, rendering_files
from pipelines.reports.model import Rapport, Section
from pipelines.settings import PROJECT_ROOT


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
        lot.sha256[build._key(path)] = build._sha256(path)
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


@pytest.mark.parametrize("tamper", ["edit", "delete", "index", "entries"])
def test_a_file_changed_or_gone_since_indexed_is_rendered_again(tmp_path, tamper):
    rapport = _rapport()
    current, folder = _indexed_set(tmp_path, rapport)
    pdf = folder / f"{rapport.fichier}.pdf"
    if tamper == "edit":
        pdf.write_bytes(b"autre contenu")
    elif tamper == "delete":
        pdf.unlink()
    elif tamper == "index":
        (current / "index.json").write_text("[1, 2", encoding="utf-8")
    else:
        (current / "index.json").write_text('{"empreintes": [1]}', encoding="utf-8")
    rendered, lot = _batch(tmp_path, current, rapport)
    assert len(rendered) == 1 and lot.repris == 0


def test_the_index_claims_the_bytes_written_not_what_replaced_them_since(tmp_path):
    """A file another writer replaced between the batch's write and its index (a ``csf
    report`` of an older snapshot) is indexed with the digest of the batch's bytes: the next
    batch renders it again instead of keeping the other writer's figures."""
    rapport = _rapport()
    current = tmp_path / "reports"
    folder = current / build.ACHETEURS
    lot = build.Lot(instantane=rapport.instantane, periode=rapport.periode)
    batch = list(build._fingerprinted([(rapport, folder)], ("xlsx",), current, lot))
    for item, where in batch:
        build._collect(lot, build.write_files(item, {}, where, ("xlsx",)))
    (written,) = lot.fichiers
    written.write_bytes(b"classeur d'un autre instantane")
    build._write_index(current, lot)
    entry = build._read_index(current)["empreintes"][f"{build.ACHETEURS}/{written.name}"]
    assert entry["sha256"] != build._sha256(written)
    staging = tmp_path / "lot"
    again = build.Lot()
    rendered = list(
        build._fingerprinted(
            [(rapport, staging / build.ACHETEURS)], ("xlsx",), staging, again, current=current
        )
    )
    assert len(rendered) == 1 and again.repris == 0
    assert not (staging / build.ACHETEURS / written.name).exists()  # the link was taken back


def test_the_rendering_fingerprint_reads_the_templates_fonts_and_chart_bundle():
    read = {str(p.relative_to(PROJECT_ROOT)) for p in rendering_files()}
    for expected in (
        "pipelines/reports/templates/rapport.html.j2",
        "pipelines/reports/pdf.py",
        "pipelines/content/formatting.py",
        "dashboards/assets/vendor/dsfr/fonts/Marianne-Regular.woff",
        "dashboards/static/plotly-basic.min.js",
    ):
        assert expected in read, expected
    assert not any("__pycache__" in name for name in read)
