from pathlib import Path

from pipelines.sample import DEFAULT_SEED, generate

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_generator_reproduces_the_committed_sample_byte_for_byte(tmp_path):
    generate(tmp_path, "demo", DEFAULT_SEED)
    produced = sorted(p.name for p in tmp_path.iterdir())
    assert produced == sorted(p.name for p in COMMITTED.iterdir())
    for name in produced:
        assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path):
    generate(tmp_path, "demo", DEFAULT_SEED + 1)
    assert (tmp_path / "registre_clauses_csf.csv").read_bytes() != (
        COMMITTED / "registre_clauses_csf.csv"
    ).read_bytes()
