"""Writers that lay a synthetic world out as the real exports would look.

Each académie exports in its own style (encoding, separator, header wording, date format, labels
or codes), and every file carries a few percent of dirty rows of each kind the readers must
survive. Every row or document is marked synthetic.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipelines.ingest.sources import SYNTHETIC_MARKER
from pipelines.sample.world import (
    AS_OF,
    LAST_NAMES,
    SECTORS,
    World,
    add_months,
    scale_date,
    siret,
)


@dataclass(frozen=True)
class Style:
    """How one académie's office tools write CSV."""

    encoding: str
    separator: str
    header: str  # label | snake | upper
    dates: str  # dmy | iso | dmy_short
    labels: str  # words | codes
    newline: str


STYLES = {
    "24": Style("cp1252", ";", "label", "dmy", "words", "\r\n"),
    "25": Style("utf-8-sig", ";", "snake", "dmy", "codes", "\r\n"),
    "70": Style("utf-8", ",", "upper", "iso", "words", "\n"),
    "23": Style("cp1252", "\t", "label", "dmy", "words", "\r\n"),
    "04": Style("utf-8", ";", "snake", "dmy_short", "codes", "\n"),
    "31": Style("utf-8-sig", ",", "label", "dmy", "words", "\r\n"),
    "28": Style("utf-8", ";", "label", "dmy", "codes", "\n"),
}


def style_of(academie: str) -> Style:
    """The académie's export style; académies beyond the demo's seven reuse one of those."""
    if academie in STYLES:
        return STYLES[academie]
    styles = list(STYLES.values())
    return styles[int(academie) % len(styles)]


REGISTER_STYLE = Style("cp1252", ";", "label", "dmy", "words", "\r\n")

LABELS = {
    "ine": "INE",
    "nom": "Nom",
    "prenom": "Prénom",
    "date_naissance": "Date de naissance",
    "sexe": "Sexe",
    "code_academie": "Code académie",
    "departement": "Département",
    "uai_etablissement_origine": "UAI établissement origine",
    "derniere_classe": "Dernière classe",
    "diplome_le_plus_eleve": "Diplôme le plus élevé",
    "date_reperage": "Date repérage",
    "source_reperage": "Source repérage",
    "date_entree_mlds": "Date entrée MLDS",
    "action_mlds": "Action MLDS",
    "date_sortie_mlds": "Date sortie MLDS",
    "situation_sortie": "Situation de sortie",
    "telephone": "Téléphone",
    "id_parcours": "Identifiant parcours",
    "id_clause": "Identifiant clause",
    "siret_entreprise": "SIRET entreprise",
    "date_positionnement": "Date positionnement",
    "date_convention": "Date convention",
    "date_debut": "Date début",
    "date_fin_prevue": "Date fin prévue",
    "date_fin_reelle": "Date fin réelle",
    "heures_prevues": "Heures prévues",
    "heures_realisees": "Heures réalisées",
    "statut": "Statut",
    "motif_interruption": "Motif interruption",
    "date_observation": "Date observation",
    "horizon": "Horizon",
    "situation": "Situation",
    "id_marche": "Identifiant marché",
    "siret_acheteur": "SIRET acheteur",
    "nom_organisme_acheteur": "Nom organisme acheteur",
    "type_acheteur": "Type acheteur",
    "objet_marche": "Objet du marché",
    "lot": "Lot",
    "date_notification_marche": "Date de notification du marché",
    "date_fin_clause_sociale": "Date fin clause sociale",
    "date_fin_clause_sociale_reconduction_comprise": (
        "Date fin clause sociale reconduction comprise"
    ),
    "montant_previsionnel_ht": "Montant prévisionnel HT",
    "heures_parcours": "Heures parcours",
    "siret_titulaire": "SIRET titulaire",
    "nom_entreprise": "Nom entreprise",
    "secteur_activite_entreprise": "Secteur activité entreprise",
    "academie_parcours": "Académie parcours",
    "departement_parcours": "Département parcours",
    "fiche_entreprise_recue": "Fiche entreprise reçue",
    "date_transmission_mlds": "Date transmission MLDS",
    "date_declaration_offre": "Date déclaration offre",
    "nom_prenom_contact_acheteur": "Nom prénom contact acheteur",
    "mail_contact_acheteur": "Mail contact acheteur",
    "telephone_contact_acheteur": "Téléphone contact acheteur",
    "nom_prenom_referent_entreprise": "Nom prénom référent entreprise",
    "mail_referent_entreprise": "Mail référent entreprise",
    "telephone_referent_entreprise": "Téléphone référent entreprise",
    SYNTHETIC_MARKER: "Données synthétiques",
}
WORDS = {
    "retour_formation_initiale": "Retour en formation initiale",
    "apprentissage": "Apprentissage",
    "contrat_professionnalisation": "Contrat de professionnalisation",
    "formation_professionnelle": "Formation professionnelle",
    "emploi": "Emploi",
    "service_civique": "Service civique",
    "nouvelle_action_mlds": "Nouvelle action MLDS",
    "autre_accompagnement": "Autre accompagnement",
    "sans_solution": "Sans solution",
    "perdu_de_vue": "Perdu de vue",
    "autre": "Autre",
    "propose": "Proposé",
    "positionne": "Positionné",
    "convention_signee": "Convention signée",
    "en_cours": "En cours",
    "termine": "Terminé",
    "interrompu": "Interrompu",
    "non_commence": "Non commencé",
    "sortie": "Sortie",
    "3_mois": "3 mois",
    "6_mois": "6 mois",
    "12_mois": "12 mois",
    "parcours_csf": "Parcours CSF",
    "module_remobilisation": "Module de remobilisation",
    "preparation_diplome": "Préparation au diplôme",
    "siei": "SIEI",
    "gpds": "GPDS",
    "cio": "CIO",
    "psad": "PSAD",
    "spontane": "Spontané",
    "rectorat": "Rectorat",
    "administration_centrale": "Administration centrale",
    "etablissement": "Établissement",
}


class Table:
    """Rows in canonical column order, written in one académie's style with dirty rows mixed in."""

    def __init__(self, columns: list[str], style: Style, rng: random.Random) -> None:
        self.columns = [*columns, SYNTHETIC_MARKER]
        self.style = style
        self.rng = rng
        self.rows: list[list[str]] = []

    def date(self, day: date | None) -> str:
        if day is None:
            return ""
        if self.style.dates == "iso":
            return day.isoformat()
        if self.style.dates == "dmy_short":
            return f"{day.day}/{day.month}/{day.year % 100:02d}"
        return day.strftime("%d/%m/%Y")

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        return WORDS.get(code, code) if self.style.labels == "words" else code

    def add(self, values: dict[str, object]) -> None:
        self.rows.append([str(values.get(c, "")) for c in self.columns[:-1]] + ["oui"])

    def dirty(
        self, rate: float, faults: dict[str, Callable[[list[str]], list[str] | None]]
    ) -> None:
        """Replace about ``rate`` of the rows, per fault kind, with a faulty copy."""
        count = max(1, round(len(self.rows) * rate))
        for fault in faults.values():
            for index in self.rng.sample(range(len(self.rows)), min(count, len(self.rows))):
                row = self.rows[index]
                faulty = fault(list(row))
                if faulty is None:  # a duplicate: keep the row and add its copy after it
                    self.rows.insert(index + 1, list(row))
                else:
                    self.rows[index] = faulty

    def header(self) -> list[str]:
        if self.style.header == "snake":
            return self.columns
        if self.style.header == "upper":
            return [c.upper() for c in self.columns]
        return [LABELS.get(c, c) for c in self.columns]

    def write(self, path: Path) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(
            buffer, delimiter=self.style.separator, lineterminator=self.style.newline
        )
        writer.writerow(self.header())
        writer.writerows(self.rows)
        path.write_bytes(buffer.getvalue().encode(self.style.encoding))

    def col(self, name: str) -> int:
        return self.columns.index(name)


def _set(table: Table, column: str, value: str) -> Callable[[list[str]], list[str]]:
    def fault(row: list[str]) -> list[str]:
        row[table.col(column)] = value
        return row

    return fault


def _ragged(row: list[str]) -> list[str]:
    """An unquoted separator typed into a free-text cell: one field too many."""
    return [*row[:3], "", *row[3:]]


def _duplicate(row: list[str]) -> None:
    return None


MLDS_JEUNES_COLUMNS = [
    "ine",
    "nom",
    "prenom",
    "date_naissance",
    "sexe",
    "code_academie",
    "departement",
    "uai_etablissement_origine",
    "derniere_classe",
    "diplome_le_plus_eleve",
    "date_reperage",
    "source_reperage",
    "date_entree_mlds",
    "action_mlds",
    "date_sortie_mlds",
    "situation_sortie",
    "telephone",
]
MLDS_PARCOURS_COLUMNS = [
    "id_parcours",
    "ine",
    "id_clause",
    "siret_entreprise",
    "date_positionnement",
    "date_convention",
    "date_debut",
    "date_fin_prevue",
    "date_fin_reelle",
    "heures_prevues",
    "heures_realisees",
    "statut",
    "motif_interruption",
]
MLDS_SUIVIS_COLUMNS = ["ine", "id_parcours", "date_observation", "horizon", "situation"]
REGISTER_COLUMNS = [
    "id_clause",
    "id_marche",
    "siret_acheteur",
    "nom_organisme_acheteur",
    "type_acheteur",
    "objet_marche",
    "lot",
    "date_notification_marche",
    "date_fin_clause_sociale",
    "date_fin_clause_sociale_reconduction_comprise",
    "montant_previsionnel_ht",
    "heures_parcours",
    "siret_titulaire",
    "nom_entreprise",
    "secteur_activite_entreprise",
    "academie_parcours",
    "departement_parcours",
    "fiche_entreprise_recue",
    "date_transmission_mlds",
    "date_declaration_offre",
    "nom_prenom_contact_acheteur",
    "mail_contact_acheteur",
    "telephone_contact_acheteur",
    "nom_prenom_referent_entreprise",
    "mail_referent_entreprise",
    "telephone_referent_entreprise",
]
DIRTY_RATE = 0.01


def write_mlds(world: World, out: Path, seed: int) -> list[Path]:
    """Three files per académie, each in that académie's style."""
    written = []
    youths_of: dict[str, list] = defaultdict(list)
    parcours_of: dict[str, list] = defaultdict(list)
    follow_ups_of: dict[str, list] = defaultdict(list)
    for y in world.youths:
        youths_of[y.academie].append(y)
    for p in world.parcours:
        parcours_of[p.youth.academie].append(p)
    for f in world.follow_ups:
        follow_ups_of[f.youth.academie].append(f)
    for academie in world.academies:
        style = style_of(academie)
        rng = random.Random(f"{seed}-mlds-{academie}")
        youths = youths_of[academie]
        jeunes = Table(MLDS_JEUNES_COLUMNS, style, rng)
        for y in youths:
            code = academie
            if academie == "70" and y.entry < date(2020, 1, 1):
                code = rng.choice(["05", "21"])  # exported under the pre-2020 académie
            elif academie == "70" and rng.random() < 0.1:
                code = rng.choice(["05", "21"])  # old codes linger in local tools
            jeunes.add(
                {
                    "ine": y.ine,
                    "nom": y.last_name,
                    "prenom": y.first_name,
                    "date_naissance": jeunes.date(y.birth),
                    "sexe": y.sex,
                    "code_academie": code,
                    "departement": y.departement,
                    "uai_etablissement_origine": y.uai,
                    "derniere_classe": y.last_class,
                    "diplome_le_plus_eleve": y.diploma,
                    "date_reperage": jeunes.date(y.spotted),
                    "source_reperage": jeunes.label(y.spotted_by),
                    "date_entree_mlds": jeunes.date(y.entry),
                    "action_mlds": jeunes.label(y.action),
                    "date_sortie_mlds": jeunes.date(y.exit),
                    "situation_sortie": jeunes.label(y.exit_situation),
                    "telephone": y.phone,
                }
            )
        jeunes.dirty(
            DIRTY_RATE,
            {
                "ine": _set(jeunes, "ine", "12345"),
                "date": _set(jeunes, "date_entree_mlds", "31/02/2024"),
                "label": _set(jeunes, "situation_sortie", "En attente"),
                "academie": _set(jeunes, "code_academie", "99"),
                "future": _set(jeunes, "date_entree_mlds", jeunes.date(date(2099, 1, 15))),
                "missing": _set(jeunes, "ine", ""),
                "duplicate": _duplicate,
                "ragged": _ragged,
            },
        )

        parcours = Table(MLDS_PARCOURS_COLUMNS, style, rng)
        for p in parcours_of[academie]:
            parcours.add(
                {
                    "id_parcours": p.id_parcours,
                    "ine": p.youth.ine,
                    "id_clause": p.clause.id_clause,
                    "siret_entreprise": p.clause.holder_siret,
                    "date_positionnement": parcours.date(p.positioned),
                    "date_convention": parcours.date(p.agreement),
                    "date_debut": parcours.date(p.start),
                    "date_fin_prevue": parcours.date(p.planned_end),
                    "date_fin_reelle": parcours.date(p.real_end),
                    "heures_prevues": p.hours_planned,
                    "heures_realisees": "" if p.hours_done is None else p.hours_done,
                    "statut": parcours.label(p.status),
                    "motif_interruption": p.interruption,
                }
            )
        parcours.dirty(
            DIRTY_RATE,
            {
                "label": _set(parcours, "statut", "Suspendu"),
                "date": _set(parcours, "date_debut", "le 3 mars"),
                "missing": _set(parcours, "id_parcours", ""),
                # Not a number in any form ("cent" is one since issue 20: it reads as 100).
                "number": _set(parcours, "heures_prevues", "à définir"),
                "duplicate": _duplicate,
            },
        )

        suivis = Table(MLDS_SUIVIS_COLUMNS, style, rng)
        for f in follow_ups_of[academie]:
            cited = f.parcours if f.cites_parcours else None
            suivis.add(
                {
                    "ine": f.youth.ine,
                    "id_parcours": cited.id_parcours if cited else "",
                    "date_observation": suivis.date(f.observed),
                    "horizon": suivis.label(f.horizon),
                    "situation": suivis.label(f.situation),
                }
            )
        suivis.dirty(
            DIRTY_RATE,
            {
                "horizon": _set(suivis, "horizon", "18 mois"),
                "label": _set(suivis, "situation", "Déménagé"),
                "date": _set(suivis, "date_observation", "00/00/0000"),
                "future": _set(suivis, "date_observation", suivis.date(date(2099, 6, 1))),
                "duplicate": _duplicate,
            },
        )
        for kind, table in (("jeunes", jeunes), ("parcours", parcours), ("suivis", suivis)):
            path = out / f"mlds_{academie}_{kind}.csv"
            table.write(path)
            written.append(path)
    return written


def write_register(world: World, out: Path, seed: int) -> Path:
    """The CSF clause register, as the Mission des achats' spreadsheet exports it."""
    rng = random.Random(f"{seed}-register")
    table = Table(REGISTER_COLUMNS, REGISTER_STYLE, rng)
    for c in world.clauses:
        contact = f"{rng.choice(['Claire', 'Hugo', 'Nadia', 'Paul'])} {rng.choice(LAST_NAMES)}"
        referent = f"{rng.choice(['Julie', 'Marc', 'Sonia', 'Karim'])} {rng.choice(LAST_NAMES)}"
        academie = world.academie_names[c.academie] if rng.random() < 0.5 else c.academie
        table.add(
            {
                "id_clause": c.id_clause,
                "id_marche": c.id_marche,
                "siret_acheteur": c.buyer.siret,
                "nom_organisme_acheteur": c.buyer.name,
                "type_acheteur": table.label(c.buyer.kind),
                "objet_marche": c.subject,
                "lot": c.lot,
                "date_notification_marche": table.date(c.notified),
                "date_fin_clause_sociale": table.date(c.end),
                "date_fin_clause_sociale_reconduction_comprise": table.date(c.end_with_renewals),
                "montant_previsionnel_ht": f"{c.amount:,.2f}".replace(",", " ").replace(".", ","),
                "heures_parcours": c.hours,
                "siret_titulaire": c.holder_siret,
                "nom_entreprise": c.holder_name,
                "secteur_activite_entreprise": c.sector[2],
                "academie_parcours": academie,
                "departement_parcours": c.departement,
                "fiche_entreprise_recue": "Oui" if c.form_received else "Non",
                "date_transmission_mlds": table.date(c.transmitted),
                "date_declaration_offre": table.date(c.offer_declared),
                "nom_prenom_contact_acheteur": contact,
                "mail_contact_acheteur": contact.lower().replace(" ", ".") + "@ac-exemple.fr",
                "telephone_contact_acheteur": f"01 {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
                f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                "nom_prenom_referent_entreprise": referent,
                "mail_referent_entreprise": referent.lower().replace(" ", ".")
                + "@entreprise-exemple.fr",
                "telephone_referent_entreprise": f"06{rng.randrange(10**7, 10**8)}",
            }
        )
    table.dirty(
        DIRTY_RATE,
        {
            "date": _set(table, "date_notification_marche", "2023-13-45"),
            "missing": _set(table, "id_marche", ""),
            # Variants a person reads at once, read by the reader too since issue 20 (a
            # collectivité is an "autre" buyer, vocabulaires/types_acheteur.csv; hours in words):
            # these rows load clean.
            "label": _set(table, "type_acheteur", "Collectivité"),
            "number": _set(table, "heures_parcours", "cent cinquante"),
            "duplicate": _duplicate,
        },
    )
    path = out / "registre_clauses_csf.csv"
    table.write(path)
    return path


def write_decp(world: World, out: Path, seed: int) -> list[Path]:
    """DECP v1.5 for contracts notified before 2024, v2 from 2024, with real-world quirks."""
    rng = random.Random(f"{seed}-decp")
    v15: list[dict] = []
    v2: list[dict] = []
    for c in world.clauses:
        record = _contract(
            rng,
            c.id_marche,
            c.buyer.siret,
            c.buyer.name,
            c.subject,
            c.sector[1],
            c.notified,
            c.amount,
            c.holder_siret,
            c.holder_name,
            social=True,
        )
        (v2 if c.notified >= date(2024, 1, 1) else v15).append(record)
    buyers = [b for b in world.buyers] + [None] * 6  # other public buyers, not in the register
    for i in range(world.other_contracts):
        buyer = rng.choice(buyers)
        sector = rng.choice(SECTORS)
        notified = scale_date(rng, date(AS_OF.year - 4, AS_OF.month, 1), AS_OF)
        record = _contract(
            rng,
            f"{notified.year}-{i:06d}",
            buyer.siret if buyer else siret(rng),
            buyer.name if buyer else f"Commune de {rng.choice(LAST_NAMES)}-sur-Mer",
            f"{sector[2]} - marché {i}",
            sector[1],
            notified,
            round(rng.lognormvariate(11, 1.2), 2),
            siret(rng),
            f"{rng.choice(LAST_NAMES)} SAS",
            social=rng.random() < 0.2,
        )
        (v2 if notified >= date(2024, 1, 1) else v15).append(record)
    _quirks(rng, v15, v2)
    v15_doc = {
        "$schema": "https://schema.data.gouv.fr/schemas/139bercy/format-commande-publique/1.5.0/marches.json",
        "donneesSynthetiques": True,
        "marches": [_as_v15(r) for r in v15],
    }
    concessions = [_concession(rng, i) for i in range(3)]
    v2_doc = {
        "donneesSynthetiques": True,
        "marches": {"marche": [_as_v2(r) for r in v2], "contrat-concession": concessions},
    }
    paths = [out / "decp_2022_2023_v1.5.json", out / "decp_2024_2026_v2.json"]
    for path, doc in zip(paths, (v15_doc, v2_doc), strict=True):
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return paths


def _contract(
    rng,
    id_marche,
    buyer_siret,
    buyer_name,
    subject,
    cpv,
    notified,
    amount,
    holder_siret,
    holder_name,
    social,
) -> dict:
    considerations = ["Clause sociale"] if social else ["Pas de considération sociale"]
    if social and rng.random() < 0.3:
        considerations.append("Critère social")
    return {
        "id": id_marche,
        "acheteur": {"id": buyer_siret, "nom": buyer_name},
        "nature": "Marché",
        "objet": subject,
        "codeCPV": cpv,
        "procedure": rng.choice(["Appel d'offres ouvert", "Procédure adaptée"]),
        "lieuExecution": {"code": f"{rng.randrange(10, 95)}000", "typeCode": "Code postal"},
        "dureeMois": rng.choice([12, 24, 36, 48]),
        "dateNotification": notified.isoformat(),
        "datePublicationDonnees": (notified + timedelta(days=rng.randint(3, 60))).isoformat(),
        "montant": amount,
        "formePrix": rng.choice(["Forfaitaire", "Unitaire", "Mixte"]),
        "titulaires": [
            {"typeIdentifiant": "SIRET", "id": holder_siret, "denominationSociale": holder_name}
        ],
        "considerationsSociales": considerations,
    }


def _quirks(rng: random.Random, v15: list[dict], v2: list[dict]) -> None:
    """Real DECP faults, a few percent each (see data-contracts.md)."""
    everything = v15 + v2

    def pick(rate: float) -> list[dict]:
        # At most every record: a world of a handful of contracts (tests) has fewer than one
        # fault per kind to give.
        return rng.sample(everything, min(len(everything), max(1, round(len(everything) * rate))))

    for r in pick(0.03):
        r["dureeMois"] = "NC"
    for r in pick(0.02):
        r["montant"] = 1.0
    for r in pick(0.04):
        r["codeCPV"] = r["codeCPV"].split("-")[0].lstrip("0")  # no check digit, leading 0 lost
    for r in pick(0.02):
        r["titulaires"][0]["typeIdentifiant"] = "TVA"
        r["titulaires"][0]["id"] = f"FR{rng.randrange(10**10, 10**11)}"
    for r in pick(0.02):
        r["titulaires"][0]["id"] = r["titulaires"][0]["id"][:-1] + "0"  # broken Luhn
    for r in pick(0.01):
        r["dateNotification"] = "2023-02-30"
    for r in pick(0.01):
        r["acheteur"] = {"nom": r["acheteur"]["nom"]}
    for r in pick(0.04):
        r["dateNotification"] += "+02:00"
    for r in pick(0.05):
        r["modifications"] = [
            {
                "objetModification": "Avenant n°1",
                "dateNotificationModification": r["datePublicationDonnees"],
                "datePublicationDonneesModification": r["datePublicationDonnees"],
                "montant": round(r["montant"] * 1.1, 2),
            }
        ]
    for target in (v15, v2):  # republished contracts: the later publication wins
        for r in rng.sample(target, min(len(target), max(1, round(len(target) * 0.02)))):
            again = json.loads(json.dumps(r))
            again["datePublicationDonnees"] = add_months(
                date.fromisoformat(r["datePublicationDonnees"][:10]), 1
            ).isoformat()
            target.append(again)


def _as_v15(r: dict) -> dict:
    out = {k: v for k, v in r.items() if k != "considerationsSociales"}
    return {"_type": "Marché", **out}


def _as_v2(r: dict) -> dict:
    out = dict(r)
    out["acheteur"] = {k: v for k, v in r["acheteur"].items() if k == "id"}
    out["titulaires"] = [
        {"titulaire": {"typeIdentifiant": t["typeIdentifiant"], "id": t["id"]}}
        for t in r["titulaires"]
    ]
    out["considerationsSociales"] = {"considerationSociale": r["considerationsSociales"]}
    for m in out.get("modifications", []):
        m.pop("objetModification", None)
    if "modifications" in out:
        out["modifications"] = [
            {"modification": {"id": i + 1, **m}} for i, m in enumerate(out["modifications"])
        ]
    return out


def _concession(rng: random.Random, i: int) -> dict:
    signed = scale_date(rng, date(2024, 1, 1), AS_OF)
    return {
        "id": f"CONC{signed.year}{i:03d}",
        "autoriteConcedante": {"id": siret(rng)},
        "nature": "Concession de service",
        "objet": f"Restauration scolaire - concession {i}",
        "procedure": "Procédure négociée ouverte",
        "dureeMois": 60,
        "dateSignature": signed.isoformat(),
        "datePublicationDonnees": signed.isoformat(),
        "dateDebutExecution": signed.isoformat(),
        "valeurGlobale": round(rng.uniform(1e5, 5e6), 2),
        "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "SIRET", "id": siret(rng)}}],
        "considerationsSociales": {"considerationSociale": ["Pas de considération sociale"]},
    }
