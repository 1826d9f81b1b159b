"""Who to write to: role mailboxes from the contacts file (``Settings.contacts_file``), read by
the dashboard's footer, the reports and the releases. Never a person's name from the exports."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class ContactsError(ValueError):
    """The contacts file is missing, unreadable or incomplete (the message is French)."""


@dataclass(frozen=True)
class Contact:
    """A role mailbox: its name, address and optional phone number."""

    nom: str
    courriel: str
    telephone: str | None = None

    def texte(self) -> str:
        """« Nom — courriel — téléphone », as printed in a report."""
        return " — ".join(p for p in (self.nom, self.courriel, self.telephone) if p)


@dataclass(frozen=True)
class Contacts:
    """The service's, the buyers' and every académie's MLDS contact."""

    service: Contact
    achats: Contact
    mlds_defaut: Contact
    mlds: dict[str, Contact]

    def mlds_de(self, code_academie: str | None, libelle_academie: str | None) -> Contact:
        """The MLDS contact of an académie (the default one, with its name, when not listed)."""
        if code_academie in self.mlds:
            return self.mlds[code_academie]
        name = libelle_academie or code_academie or "inconnue"

        def fill(text: str) -> str:
            if name[:1].upper() in "AEIOUÉ":  # French elision: « de l'académie d'Amiens »
                text = text.replace("de {academie}", "d'{academie}")
            return text.replace("{academie}", name)

        return Contact(
            fill(self.mlds_defaut.nom), fill(self.mlds_defaut.courriel), self.mlds_defaut.telephone
        )


def _contact(entry: object, where: str, path: Path) -> Contact:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(k), str) and entry[k].strip() for k in ("nom", "courriel")
    ):
        raise ContactsError(f"{path} : l'entrée [{where}] doit avoir un nom et un courriel")
    phone = entry.get("telephone")
    return Contact(entry["nom"].strip(), entry["courriel"].strip(), phone if phone else None)


def load_contacts(path: Path) -> Contacts:
    """The contacts of ``path``; a French error naming the file when it is not usable."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContactsError(f"fichier de contacts illisible ({path}) : {exc}") from exc
    mlds = data.get("mlds", {})
    if not isinstance(mlds, dict):
        raise ContactsError(f"{path} : [mlds] doit associer un code d'académie à un contact")
    return Contacts(
        service=_contact(data.get("service"), "service", path),
        achats=_contact(data.get("achats"), "achats", path),
        mlds_defaut=_contact(data.get("mlds_defaut"), "mlds_defaut", path),
        mlds={str(code): _contact(v, f"mlds.{code}", path) for code, v in mlds.items()},
    )
