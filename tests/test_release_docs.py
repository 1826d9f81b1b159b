"""A release's README, CITATION.cff and change log, read back as a researcher would.

Releases are written by the real ``csf export`` on the demo snapshot and on a tiny random world
(no clause, no year), then on a second snapshot of that world. The checks share no code with the
writer: references are found with a regular expression, the CFF file is validated against the
Citation File Format 1.2.0 JSON schema (``tests/fixtures/cff-1.2.0.schema.json``, copied from
the citation-file-format repository at tag 1.2.0, CC-BY-4.0), the reading snippets run in a new
Python process, and the change log is recomputed from the two releases' CSV files with polars.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import polars as pl
import pytest
import yaml

from pipelines.content.formatting import LEGENDE_SECRET
from pipelines.sample import generate
from pipelines.sample.world import Scale
from tests.conftest import csf

CFF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "cff-1.2.0.schema.json"
DOCUMENTS = {
    "README.md",
    "CITATION.cff",
    "dictionnaire.md",
    "notes-de-version.md",
    "datapackage.json",
    "SHA256SUMS",
}
# A mention of a file: a name with an extension, after no other path character.
FILE_MENTION = re.compile(
    r"(?<![\w/.{}-])((?:[\w-]+/)*[\w.-]*\w\.(?:md|csv|parquet|json|cff|txt|html|ya?ml|sql|py|"
    r"toml|xlsx|pdf))\b"
)
# Names of the warehouse's internals that a reader of the release cannot open.
INTERNAL = re.compile(r"\b(?:(?:ref|stg|int)_[a-z_]+|docs/|indicators\.md|methodologie\.md)")
WAREHOUSE_MODEL = re.compile(r"(?<![.\w])(?:fct|dim)_[a-z_]+")


def export(home: Path, name: str) -> Path:
    result = csf(home, "export", "--release", name)
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip())


def plain(text: str) -> str:
    """French number spacing removed: ``1 234`` → ``1234``."""
    return text.replace("\u202f", "").replace("\u00a0", "")


def section(readme: str, anchor: str) -> str:
    return readme.split(f'<a id="{anchor}"></a>', 1)[1].split('<a id="', 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables of ``text``, cells stripped."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return rows


def snippet(readme: str, marker: str) -> str:
    return readme.split(f"<!-- {marker} -->", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def package(release: Path) -> dict:
    return json.loads((release / "datapackage.json").read_text(encoding="utf-8"))


def raw_rows(release: Path, table: str) -> list[dict[str, str]]:
    with (release / "csv" / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def copy_home(source: Path, target: Path) -> Path:
    """A new CSF_HOME serving the same published snapshot, with no release yet."""
    (target / "warehouse").mkdir(parents=True)
    shutil.copy2(source / "warehouse" / "published.duckdb", target / "warehouse")
    shutil.copytree(source / "keys", target / "keys")
    return target


# --------------------------------------------------------------------------------------------
# The checks every release must pass, whatever its world


def check_references(release: Path) -> None:
    """Every file the documents mention exists; every file is described by the README, the
    data files by the dictionary and the descriptor too."""
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    data = {p for p in present if p not in DOCUMENTS}
    assert present >= DOCUMENTS and data

    texts = {
        name: (release / name).read_text(encoding="utf-8") for name in DOCUMENTS - {"SHA256SUMS"}
    }
    descriptor = package(release)
    strings: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key not in ("mediatype", "format", "profile"):
            strings.append(node)

    walk(descriptor)
    texts["datapackage.json"] = "\n".join(strings)
    for name, text in texts.items():
        readable = re.sub(r"https?://\S+", "", text)
        for mention in FILE_MENTION.findall(readable):
            assert mention in present, f"{name} cite {mention}, absent de la diffusion"
        assert not INTERNAL.findall(readable), (name, INTERNAL.findall(readable))
        released = {r["name"] for r in descriptor["resources"]}
        assert set(WAREHOUSE_MODEL.findall(readable)) <= released, name
    assert "SHA256SUMS" in texts["README.md"]

    readme = texts["README.md"]
    described = {row[0].strip("`") for row in table_rows(section(readme, "fichiers"))[1:]}
    assert described == present
    assert {r["path"] for r in descriptor["resources"]} == data
    dictionary = texts["dictionnaire.md"]
    for path in data:
        assert f"`{path}`" in dictionary, path


def check_citation(release: Path) -> dict:
    citation = yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert not [e.message for e in validator.iter_errors(citation)]
    # The validator can fail: a French date is not a CFF date.
    assert list(validator.iter_errors({**citation, "date-released": "01/12/2026"}))
    assert citation["version"] == release.name
    return citation


def text_codes(release: Path) -> dict[str, set[str]]:
    """Found here, from the CSV text: the string columns where some value is digits only."""
    found = {}
    for resource in package(release)["resources"]:
        if resource["format"] != "csv":
            continue
        rows = raw_rows(release, resource["name"])
        found[resource["name"]] = {
            f["name"]
            for f in resource["schema"]["fields"]
            if f["type"] == "string" and any(re.fullmatch(r"[0-9]+", r[f["name"]]) for r in rows)
        }
    return found


READ_BACK = """
import csv as _csv
import json as _json

_zeros = []
for _table, _columns in CODES.items():
    _frame = {reader}(_table)
    with open(f"{{DOSSIER}}/csv/{{_table}}.csv", newline="", encoding="utf-8") as _handle:
        _raw = list(_csv.DictReader(_handle))
    for _column in _columns:
        _read = {values}
        _text = [_row[_column] for _row in _raw]
        assert _read == _text, (_table, _column, _read[:5], _text[:5])
        _zeros += [v for v in _text if len(v) > 1 and v.startswith("0") and v.isdigit()]
print(_json.dumps({{"codes": CODES, "zeros": sorted(set(_zeros))}}))
"""
READERS = {
    "lecture-polars": ("lire", '_frame[_column].fill_null("").to_list()'),
    "lecture-pandas": ("lire_pandas", '_frame[_column].fillna("").tolist()'),
}


def check_reading(release: Path) -> set[str]:
    """Run the README's Python snippets against the release; return the leading-zero codes
    they kept (each checked equal, as text, to the CSV's own cells)."""
    readme = (release / "README.md").read_text(encoding="utf-8")
    expected = text_codes(release)
    zeros: set[str] = set()
    for marker, (reader, values) in READERS.items():
        code = snippet(readme, marker) + READ_BACK.format(reader=reader, values=values)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=release, capture_output=True, text=True
        )
        assert result.returncode == 0, (marker, result.stderr[-3000:])
        out = json.loads(result.stdout.strip().splitlines()[-1])
        # Generated from the release's columns: every digits-only text column, all tables.
        assert set(out["codes"]) == set(expected)
        for table, columns in out["codes"].items():
            assert expected[table] <= set(columns), (marker, table)
        zeros |= set(out["zeros"])
    assert "```r" in readme and "col_character()" in readme
    assert "Texte" in section(readme, "lire")  # the spreadsheet note
    return zeros


def check_release(release: Path) -> str:
    check_references(release)
    check_citation(release)
    readme = (release / "README.md").read_text(encoding="utf-8")
    assert LEGENDE_SECRET in readme
    assert "Licence Ouverte / Open Licence version 2.0" in readme
    assert "par défaut" in section(readme, "licence")
    assert "@" in section(readme, "contact")
    assert (
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=release).returncode
        == 0
    )
    return readme


# --------------------------------------------------------------------------------------------
# The demo


@pytest.fixture(scope="module")
def demo_release(demo_home: Path) -> Path:
    return export(demo_home, "documentee-2026")


def test_demo_release_documents_itself(demo_release):
    readme = check_release(demo_release)
    assert readme.startswith("# ")
    # What, when, from where: the snapshot of the descriptor, the sources, the years.
    descriptor = package(demo_release)
    assert descriptor["version"] in readme
    coverage = section(readme, "couverture")
    assert "de 2022 à 2026" in coverage and "2026 est incomplète" in coverage
    assert "Bordeaux (04)" in coverage
    # Rows per file, as the files hold them.
    rows = {r[0].strip("`"): r[2] for r in table_rows(section(readme, "fichiers"))[1:]}
    for resource in descriptor["resources"]:
        if resource["format"] == "csv":
            count = len(raw_rows(demo_release, resource["name"]))
            assert plain(rows[resource["path"]]) == str(count)
    # The change log starts from the previous named release of an earlier snapshot in the same
    # folder, if the session's demo home holds one (other tests write releases), else it says
    # it is a first publication.
    changes = section(readme, "changements")
    assert ("Première publication" in changes) != ("Diffusion précédente : `" in changes)
    if "Diffusion précédente : `" in changes:
        previous = changes.split("Diffusion précédente : `", 1)[1].split("`", 1)[0]
        assert (demo_release.parent / previous).is_dir(), previous
    notes = (demo_release / "notes-de-version.md").read_text(encoding="utf-8")
    assert "README.md" in notes


def test_demo_reading_snippets_keep_codes_as_text(demo_release):
    # Read with defaults, the académie code "04" becomes 4: what the snippets must prevent.
    default = pl.read_csv(demo_release / "csv" / "academies.csv")
    assert default.schema["code_academie"].is_integer()
    zeros = check_reading(demo_release)
    assert "04" in zeros
    readme = (demo_release / "README.md").read_text(encoding="utf-8")
    codes = section(readme, "lire")
    for table, columns in {
        "academies": ["code_academie"],
        "clauses": ["siret_acheteur", "division_cpv", "code_academie"],
        "indicateurs": ["code_niveau"],
    }.items():
        (row,) = [r for r in table_rows(codes) if r[0] == f"`{table}`"]
        for column in columns:
            assert f"`{column}`" in row[1], (table, column)


def test_a_damaged_release_is_caught_by_the_reference_check(demo_release, tmp_path):
    copy = tmp_path / "copie"
    shutil.copytree(demo_release, copy)
    (copy / "csv" / "en-trop.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        check_references(copy)
    (copy / "csv" / "en-trop.csv").unlink()
    readme = copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nVoir `docs/a.md`.\n", "utf-8")
    with pytest.raises(AssertionError):
        check_references(copy)


# --------------------------------------------------------------------------------------------
# The change log, against a previous release edited so that every kind of change shows


def edit_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    fields, rows = change(fields, rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)


def test_change_log_lists_every_change_against_the_previous_named_release(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    base = export(home, "base")
    assert "Première publication" in (base / "README.md").read_text(encoding="utf-8")

    # A previous named release, of an earlier snapshot, that differs in every way.
    old = home / "exports" / "ancienne"
    shutil.copytree(base, old)
    descriptor = package(old)
    descriptor["created"] = "2020-01-01T00:00:00+00:00"
    descriptor["resources"] = [
        r for r in descriptor["resources"] if not r["name"].startswith("academies")
    ]
    (old / "csv" / "academies.csv").unlink()
    (old / "csv" / "retiree.csv").write_text("x\n1\n2\n3\n", encoding="utf-8")
    descriptor["resources"].append(
        {"name": "retiree", "path": "csv/retiree.csv", "format": "csv",
         "schema": {"fields": [{"name": "x", "type": "integer"}]}}
    )  # fmt: skip
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        if resource["name"] == "clauses":
            resource["schema"]["fields"] = [f for f in fields if f["name"] != "lot"]
        if resource["name"] == "acheteurs":
            fields.append({"name": "ancienne_colonne", "type": "string"})
    (old / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    edit_csv(
        old / "csv" / "clauses.csv",
        lambda f, rows: ([c for c in f if c != "lot"], rows),
    )
    edit_csv(old / "csv" / "acheteurs.csv", lambda f, rows: ([*f, "ancienne_colonne"], rows))
    edit_csv(old / "csv" / "clauses_dormantes.csv", lambda f, rows: (f, rows[:-5]))
    new_rows = raw_rows(base, "indicateurs")
    national = {
        r["indicateur"]: r
        for r in new_rows
        if r["niveau"] == "national" and r["periode"] == "ensemble"
    }
    hidden = next(
        r
        for r in new_rows
        if r["diffusable"] == "false"
        and r["indicateur"] not in ("nb_clauses_csf", "taux_activation")
    )
    shown_count = national["nb_clauses_csf"]
    assert shown_count["diffusable"] == "true"
    dropped = next(r for r in new_rows if r["indicateur"] == "taux_activation")

    def indicators(fields, rows):
        edited = []
        for r in rows:
            if r == dropped:
                continue  # a cell the new release adds
            if r == shown_count:
                r = {**r, "valeur": str(int(float(r["valeur"])) - 2)}
            elif r == hidden:
                r = {**r, "diffusable": "true", "valeur": "0.5"}  # hidden since
            edited.append(r)
        return fields, edited

    edit_csv(old / "csv" / "indicateurs.csv", indicators)
    # An automatic release even later: a named release never compares with one.
    auto = home / "exports" / "auto-20210101T000000Z-a"
    shutil.copytree(old, auto)
    auto_descriptor = package(auto)
    auto_descriptor["created"] = "2021-01-01T00:00:00+00:00"
    (auto / "datapackage.json").write_text(json.dumps(auto_descriptor), encoding="utf-8")

    new = export(home, "nouvelle")
    readme = check_release(new)
    changes = section(readme, "changements")
    assert "Diffusion précédente : `ancienne`" in changes
    assert "Tables ajoutées : `academies`." in changes
    assert "Tables retirées : `retiree`." in changes
    assert "Colonnes ajoutées : `clauses.lot`." in changes
    assert "Colonnes retirées : `acheteurs.ancienne_colonne`." in changes
    counts = {r[0].strip("`"): [plain(c) for c in r[1:]] for r in table_rows(changes)}
    dormant = len(raw_rows(new, "clauses_dormantes"))
    assert counts["clauses_dormantes"] == [str(dormant - 5), str(dormant), "+5"]
    assert counts["academies"][0] == "absente"
    assert counts["retiree"] == ["3", "absente", ""]
    assert counts["indicateurs"][2] == "+1"
    changed = {
        re.search(r"\(`(\w+)`\)", r[0]).group(1): [plain(c) for c in r[1:]]
        for r in table_rows(changes)
        if "(`" in r[0]
    }
    after = int(float(shown_count["valeur"]))
    assert changed["nb_clauses_csf"] == ["1", "0", "0", "0", "0", f"{after - 2} → {after}"]
    assert changed["taux_activation"][1] == "1"
    assert changed[hidden["indicateur"]][3] == "1"
    assert set(changed) == {"nb_clauses_csf", "taux_activation", hidden["indicateur"]}

    # Rewritten from the same snapshot, the release (and its change log) is the same bytes.
    again = csf(home, "export", "--release", "nouvelle")
    assert again.returncode == 0 and "déjà à jour" in again.stderr


def test_an_automatic_release_compares_with_the_latest_release_of_either_kind(
    demo_home, tmp_path, monkeypatch
):
    from pipelines.exports.release import write_release
    from pipelines.settings import load_settings

    home = copy_home(demo_home, tmp_path / "home")
    named = export(home, "nommee")
    for name, created in (("auto-20200101T000000Z-a", "2020"), ("premiere", "2019")):
        shutil.copytree(named, home / "exports" / name)
        descriptor = package(home / "exports" / name)
        descriptor["created"] = f"{created}-01-01T00:00:00+00:00"
        (home / "exports" / name / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    monkeypatch.setenv("CSF_HOME", str(home))
    monkeypatch.setenv("CSF_PSEUDO_KEY", "")
    release = write_release(load_settings(), "auto-20990101T000000Z-b", automatic=True)
    assert release.previous == "auto-20200101T000000Z-a"
    readme = (release.folder / "README.md").read_text(encoding="utf-8")
    assert "Diffusion précédente : `auto-20200101T000000Z-a`" in readme
    assert "Aucune valeur publiée d'un indicateur n'a changé." in readme


# --------------------------------------------------------------------------------------------
# A tiny world: nothing dated at first, then a second snapshot with data


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("petit_monde")
    home, inbox = root / "home", root / "inbox"
    empty = Scale(
        clauses=0,
        other_contracts=0,
        comparison_per_csf_youth=0.0,
        first_year=2026,
        clause_years=(2026, 2026),
        buyers=1,
    )
    generate(inbox, empty, 11)
    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    return home, export(home, "petite-1")


@pytest.mark.slow
def test_a_tiny_world_release_says_what_it_lacks(tiny_world):
    _, release = tiny_world
    readme = check_release(release)
    coverage = section(readme, "couverture")
    assert "Années des indicateurs : aucune" in coverage
    assert "Académies présentes dans les indicateurs : aucune" in coverage
    assert "Première publication" in section(readme, "changements")
    check_reading(release)
    assert "Aucune ligne n'est masquée" in readme or "Lignes masquées" in readme


@pytest.mark.slow
def test_second_snapshot_change_log_matches_the_two_releases(tiny_world, tmp_path):
    home, first = tiny_world
    inbox = tmp_path / "inbox"
    richer = Scale(
        clauses=12, other_contracts=4, comparison_per_csf_youth=0.5, first_year=2024, buyers=2
    )
    generate(inbox, richer, 11)
    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    second = export(home, "petite-2")
    readme = check_release(second)
    check_reading(second)
    changes = section(readme, "changements")
    assert "Diffusion précédente : `petite-1`" in changes
    assert "Tables ajoutées : aucune." in changes and "Tables retirées : aucune." in changes

    # Rows before and after, counted here from both releases' files.
    counts = {r[0].strip("`"): [plain(c) for c in r[1:]] for r in table_rows(changes)}
    for resource in package(second)["resources"]:
        if resource["format"] != "csv":
            continue
        name = resource["name"]
        before, after = len(raw_rows(first, name)), len(raw_rows(second, name))
        gap = after - before
        assert counts[name] == [str(before), str(after), f"{'+' if gap > 0 else ''}{gap}"]
    assert counts["clauses"][0] == "0" and int(counts["clauses"][1]) > 0

    # Indicators whose published value changed, recomputed with polars.
    key = ["indicateur", "periode", "niveau", "code_niveau"]

    def cells(release: Path) -> pl.DataFrame:
        return pl.read_csv(release / "csv" / "indicateurs.csv", infer_schema=False).select(
            *key, pl.col("diffusable") == "true", pl.col("valeur").cast(pl.Float64)
        )

    joined = cells(first).join(cells(second), on=key, how="full", suffix="_n", coalesce=True)
    before_in = pl.col("diffusable").is_not_null()
    after_in = pl.col("diffusable_n").is_not_null()
    summary = (
        joined.with_columns(
            modifiees=before_in
            & after_in
            & pl.col("diffusable")
            & pl.col("diffusable_n")
            & pl.col("valeur").ne_missing(pl.col("valeur_n")),
            ajoutees=~before_in,
            retirees=~after_in,
            masquees=before_in & after_in & pl.col("diffusable") & ~pl.col("diffusable_n"),
            diffusees=before_in & after_in & ~pl.col("diffusable") & pl.col("diffusable_n"),
        )
        .group_by("indicateur")
        .agg(pl.col("modifiees", "ajoutees", "retirees", "masquees", "diffusees").sum())
        .filter(pl.sum_horizontal("modifiees", "ajoutees", "retirees", "masquees", "diffusees") > 0)
    )
    assert summary.height > 0
    listed = {
        re.search(r"\(`(\w+)`\)", r[0]).group(1): [plain(c) for c in r[1:6]]
        for r in table_rows(changes)
        if "(`" in r[0]
    }
    assert listed == {
        row["indicateur"]: [
            str(row[c]) for c in ("modifiees", "ajoutees", "retirees", "masquees", "diffusees")
        ]
        for row in summary.iter_rows(named=True)
    }
