"""The contacts file: role mailboxes read once, the home's file before the bundled example, and
a clear French error for a file that cannot be used."""

from __future__ import annotations

import pytest

from pipelines.content.contacts import ContactsError, load_contacts
from pipelines.settings import BUNDLED_CONTACTS, load_settings


def test_bundled_example_loads_and_falls_back_per_academie():
    contacts = load_contacts(BUNDLED_CONTACTS)
    assert "@" in contacts.service.courriel and "@" in contacts.achats.courriel
    assert contacts.mlds_de("01", "Paris").nom == "MLDS de l'académie de Paris"
    assert contacts.mlds_de("24", "Créteil").nom == "MLDS de l'académie de Créteil"


def test_home_file_wins_over_the_example_and_the_setting_over_both(tmp_path):
    settings = load_settings({"CSF_HOME": str(tmp_path)})
    assert settings.contacts_file == BUNDLED_CONTACTS
    (tmp_path / "config").mkdir()
    own = tmp_path / "config" / "contacts.toml"
    own.write_text(BUNDLED_CONTACTS.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings({"CSF_HOME": str(tmp_path)}).contacts_file == own
    other = tmp_path / "ailleurs.toml"
    chosen = load_settings({"CSF_HOME": str(tmp_path), "CSF_CONTACTS_FILE": str(other)})
    assert chosen.contacts_file == other


@pytest.mark.parametrize(
    "text",
    [
        "[service]\nnom = 'x'\n",  # no mailbox, no other section
        "not toml = = =",
        "[service]\nnom='a'\ncourriel='b'\n[achats]\nnom='a'\ncourriel='b'\n"
        "[mlds_defaut]\nnom='a'\ncourriel='b'\n[mlds]\n'01' = 'texte'\n",
    ],
)
def test_an_unusable_file_is_a_french_error_naming_it(tmp_path, text):
    path = tmp_path / "contacts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContactsError, match="contacts"):
        load_contacts(path)
