"""Upgrading a warehouse erases what earlier versions kept outside the contracts (issue 19)."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.connection import ensure_schema


def test_an_upgrade_erases_columns_kept_outside_the_contract(tmp_path):
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    ensure_schema(con)
    # As an earlier version left it: extra columns kept verbatim, and in quarantine.
    con.execute("delete from ingest.migrations")
    con.execute(
        "insert into raw.mlds_jeunes (jeune_id, extra_columns, _file_sha256, _line_number) values "
        """('a', '{"responsable_legal": "Jean Dupont", "nir": "1 85 06 75 123 456"}', 'x', 2)"""
    )
    con.execute(
        "insert into raw.csf_clauses (id_clause, extra_columns, _file_sha256, _line_number) values "
        """('c', '{"code_cpv": "45000000", "observations": "appeler M. Martin"}', 'x', 2)"""
    )
    con.execute(
        "insert into ingest.quarantine (file_sha256, file_name, source, line_number, rule, "
        "record, quarantined_at) values "
        """('x', 'f.csv', 'mlds_jeunes', 2, 'r', '{"jeune_id": "a", "sexe": "F", """
        """"observations": "née le 03/04/2009, 12 rue des Lilas"}', now())"""
    )
    ensure_schema(con)
    texte = " ".join(
        str(v)
        for table in ("raw.mlds_jeunes", "raw.csf_clauses", "ingest.quarantine")
        for row in con.execute(f"select * from {table}").fetchall()
        for v in row
    )
    for personnel in ("Dupont", "1 85 06", "Martin", "Lilas", "03/04/2009"):
        assert personnel not in texte
    # What the contracts and the allow-list keep stays.
    assert con.execute("select extra_columns->>'code_cpv' from raw.csf_clauses").fetchone()[0] == (
        "45000000"
    )
    assert con.execute("select record->>'sexe' from ingest.quarantine").fetchone()[0] == "F"
    con.close()
