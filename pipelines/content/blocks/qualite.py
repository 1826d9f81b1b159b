"""Data quality blocks (no filter applies: they describe the files and the whole snapshot):
freshness per scope, rows set aside or flagged per file and rule, the reconciliation of
parcours, the GX suites and the model's own tests, files received. The MLDS files describe
youths: they are shown only to the roles that see youths."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from pipelines.content import figures
from pipelines.content import formatting as fmt
from pipelines.content.block import Block, Context, Refus, Vide, View
from pipelines.content.labels import (
    ETAPES_QUALITE,
    LIGNES_RAPPROCHEMENT,
    STATUTS_CONTROLES_MODELE,
    TRAITEMENTS,
    TYPES_CONTROLES_MODELE,
    de,
    libelle_regle,
    phrase_regle,
)
from pipelines.content.table import Colonne, Tableau, Type

REFUS_FICHIERS_JEUNES = (
    "Votre profil ne donne pas accès au contrôle des fichiers de suivi des jeunes (MLDS)."
)


def _sources_visibles(ctx: Context, colonne: str = "source") -> str:
    """A SQL condition on a quality table: without access to youths, the MLDS files (their
    rows describe youths, and their counts are youth counts) are left out."""
    return "true" if ctx.audience.peut_voir("jeunes") else f"{colonne} not like 'mlds%'"


def _exiger_fichiers_jeunes(ctx: Context) -> None:
    """Blocks about the MLDS files only: the roles that see them (see _sources_visibles)."""
    if not ctx.audience.peut_voir("jeunes"):
        raise Refus(REFUS_FICHIERS_JEUNES)


def _notes_sources(ctx: Context) -> list[str]:
    if ctx.audience.peut_voir("jeunes"):
        return []
    return ["Les fichiers de suivi des jeunes (MLDS) ne sont pas présentés à votre profil."]


def _sans_filtre(build: Callable[[Context, View], Block]) -> Callable[[Context, View], Block]:
    """A quality block describes the whole snapshot: no filter applies, and it says so."""

    @functools.wraps(build)
    def wrapped(ctx: Context, view: View) -> Block:
        bloc = build(ctx, view)
        bloc.filtres_ignores = tuple(view.actifs())
        return bloc

    return wrapped


def _tableau(colonnes: list[str], lignes: list[list]) -> Tableau:
    """A table whose column types follow its cells: counts stay numbers, dates dates."""

    def kind(i: int) -> Type:
        values = {type(line[i]) for line in lignes if line[i] is not None} - {str}
        if values and values <= {int}:
            return Type.ENTIER
        if values and all(issubclass(v, date) for v in values):
            return Type.DATE
        return Type.TEXTE

    return Tableau(
        [Colonne(c, kind(i), max(14, len(c) + 2)) for i, c in enumerate(colonnes)], lignes
    )


@_sans_filtre
def fichiers(ctx: Context, view: View) -> Block:
    rows = ctx.rows(
        f"select * from marts.qualite_fichiers where {_sources_visibles(ctx)} "
        "order by charge_le desc, fichier"
    )
    return Block(
        id="fichiers",
        titre="Fichiers reçus",
        resume="Chaque fichier reçu, ce qu'il est devenu et combien de ses lignes ont été "
        "chargées ou mises en quarantaine ; parmi les lignes chargées, celles que le "
        "rapprochement entre fichiers exclut des indicateurs ou signale.",
        tableau=_tableau(
            [
                "Fichier",
                "Source",
                "Statut",
                "Lignes lues",
                "Chargées",
                "En quarantaine",
                "Exclues au rapprochement",
                "Signalées au rapprochement",
                "Chargé le",
            ],
            [
                [
                    r["fichier"],
                    fmt.label(r["source"]),
                    fmt.label(r["statut"]) + ("" if r["est_courant"] else " (remplacé)"),
                    r["lignes_lues"],
                    r["lignes_propres"],
                    r["lignes_en_quarantaine"],
                    r["lignes_exclues"],
                    r["lignes_signalees"],
                    r["charge_le"],
                ]
                for r in rows
            ],
        ),
        notes=_notes_sources(ctx),
    )


@_sans_filtre
def quarantaine(ctx: Context, view: View) -> Block:
    """Per file and rule, the rows set aside at reading (quarantine) and those the cross-file
    rules exclude or flag in the warehouse: nothing leaves the figures without a line here."""
    rows = ctx.rows(
        "select regle, fichier, etape, traitement, lignes from marts.qualite_regles "
        f"where {_sources_visibles(ctx)} "
        "order by etape, fichier, lignes desc, regle"
    )
    familles: dict[str, int] = {}
    for r in rows:
        famille = libelle_regle(r["regle"])
        familles[famille] = familles.get(famille, 0) + r["lignes"]
    ordre = sorted(familles, key=lambda famille: (-familles[famille], famille))
    return Block(
        id="quarantaine",
        titre="Lignes écartées ou signalées, par fichier et par règle",
        resume="Lignes mises en quarantaine à la lecture des fichiers, et lignes chargées que le "
        "rapprochement entre fichiers exclut des indicateurs ou signale (parcours sans clause "
        "connue, suivi daté avant le début de son parcours…) ; le graphique les totalise par "
        "type de règle, le tableau les détaille par fichier.",
        tableau=_tableau(
            [
                "Règle",
                "Type de règle",
                "Fichier",
                "Étape",
                "Devenir des lignes",
                "Lignes",
                "Code de la règle",  # what the data team searches the exports' documentation for
            ],
            [
                [
                    phrase_regle(r["regle"]),
                    libelle_regle(r["regle"]),
                    r["fichier"] or "–",
                    ETAPES_QUALITE.get(r["etape"], r["etape"]),
                    TRAITEMENTS.get(r["traitement"], r["traitement"]),
                    r["lignes"],
                    r["regle"],
                ]
                for r in rows
            ],
        ),
        figure=figures.barres(
            ordre,
            [familles[famille] for famille in ordre],
            [fmt.number(familles[famille]) for famille in ordre],
            "Lignes",
            horizontal=True,
        ),
        vide=None
        if rows
        else Vide("Aucune ligne mise en quarantaine à la lecture ni écartée au rapprochement."),
        notes=_notes_sources(ctx),
    )


@_sans_filtre
def rapprochement(ctx: Context, view: View) -> Block:
    """The parcours counted on the youth side, reconciled with those the procurement side
    counts plus the parcours without a known clause (records, national; MLDS files' view)."""
    _exiger_fichiers_jeunes(ctx)
    rows = ctx.rows("select ligne, parcours from marts.qualite_rapprochement order by ordre")
    return Block(
        id="rapprochement",
        titre="Rapprochement des parcours : côté jeunes et côté achats",
        resume="Les parcours commencés que comptent les indicateurs sur les jeunes sont ceux "
        "que comptent les clauses, plus les parcours sans clause connue, par cas ; l'écart est "
        "nul.",
        tableau=_tableau(
            ["Parcours", "Nombre"],
            [[LIGNES_RAPPROCHEMENT.get(r["ligne"], r["ligne"]), r["parcours"]] for r in rows],
        ),
        notes=[
            "Un parcours sans clause connue compte parmi les jeunes (ce sont de vrais jeunes), "
            "pas dans l'activation des clauses : il ne peut être rattaché à aucune. Un parcours "
            "dont le jeune est inconnu compte des deux côtés. Voir la méthodologie, « Parcours "
            "et suivis non rattachés »."
        ],
    )


@_sans_filtre
def clauses_inconnues(ctx: Context, view: View) -> Block:
    """The clause identifiers parcours name but the register lacks: what to correct."""
    _exiger_fichiers_jeunes(ctx)
    rows = ctx.rows("select * from marts.qualite_clauses_inconnues order by clause_id")
    return Block(
        id="clauses-inconnues",
        titre="Clauses citées par des parcours mais absentes du registre",
        resume="Les identifiants de clause que des parcours citent et que le registre ne "
        "contient pas, ou dont la ligne a été mise en quarantaine : à corriger dans le "
        "registre (ou dans l'export des parcours).",
        tableau=_tableau(
            [
                "Clause",
                "Situation",
                "Règle du registre",
                "Fichier du registre",
                "Fichiers de parcours",
            ],
            [
                [
                    r["clause_id"],
                    fmt.label(r["rattachement_clause"]),
                    (phrase_regle(r["regle_registre"]) if r["regle_registre"] else "–"),
                    r["fichier_registre"] or "–",
                    r["fichiers_parcours"] or "–",
                ]
                for r in rows
            ],
        ),
        notes=[] if rows else ["Aucune : chaque parcours cite une clause du registre."],
    )


@_sans_filtre
def controles(ctx: Context, view: View) -> Block:
    rows = ctx.rows(
        "select table_brute, controle, count(*) filter (where reussi) as reussis, "
        "count(*) filter (where not reussi) as echecs, max(verifie_le) as dernier "
        f"from marts.qualite_controles where {_sources_visibles(ctx, 'table_brute')} "
        "group by all order by table_brute, controle"
    )
    return Block(
        id="controles",
        titre="Contrôles de qualité (Great Expectations)",
        resume="Résultat des suites de contrôle par table : structure (bloquante) et qualité "
        "(alerte), sur le dernier lot de chaque fichier.",
        tableau=_tableau(
            ["Table", "Suite", "Lots conformes", "Lots en anomalie", "Dernier contrôle"],
            [
                [
                    fmt.label(r["table_brute"]),
                    fmt.label(r["controle"]),
                    r["reussis"],
                    r["echecs"],
                    r["dernier"],
                ]
                for r in rows
            ],
        ),
        notes=_notes_sources(ctx),
    )


@_sans_filtre
def controles_modele(ctx: Context, view: View) -> Block:
    """The model's tests (dbt) that found something, warnings first: they do not stop a publish,
    so this is where they are seen. Tests on the MLDS side only for the roles that see it."""
    visibles = (
        "true"
        if ctx.audience.peut_voir("jeunes")
        else "not regexp_matches(coalesce(modele, ''), 'mlds|jeune|parcours|suivi')"
    )
    rows = ctx.rows(
        "select type_controle, modele, colonne, gravite, statut, nb_anomalies, verifie_le "
        f"from meta.controles_modele where {visibles} "
        "order by statut = 'pass', gravite, modele, colonne, controle"
    )
    trouves = [r for r in rows if r["statut"] != "pass"]
    conformes = len(rows) - len(trouves)
    return Block(
        id="controles-modele",
        titre="Contrôles du modèle de données",
        resume=(
            f"{conformes} contrôles conformes sur {len(rows)}. Un "
            "avertissement signale des données à corriger à la source sans bloquer la "
            "publication ; un échec bloquant empêche toute publication."
        ),
        tableau=_tableau(
            ["Contrôle", "Table", "Colonne", "Résultat", "Lignes en anomalie", "Contrôlé le"],
            [
                [
                    TYPES_CONTROLES_MODELE.get(r["type_controle"], fmt.label(r["type_controle"])),
                    fmt.label(r["modele"], "modele") if r["modele"] else fmt.ABSENT,
                    fmt.label(r["colonne"], "colonne_modele") if r["colonne"] else fmt.ABSENT,
                    STATUTS_CONTROLES_MODELE.get(r["statut"], r["statut"]),
                    r["nb_anomalies"],
                    r["verifie_le"],
                ]
                for r in trouves
            ],
        ),
        notes=_notes_sources(ctx),
    )


@_sans_filtre
def fraicheur(ctx: Context, view: View) -> Block:
    """Latest export per scope, late after 45 days (CSF_retard) before the snapshot was
    built (a date that belongs to the snapshot, so the page is the same for everyone)."""
    retard = ctx.late_after_days
    publication = ctx.publication
    rows = ctx.rows(
        "select case when source = 'decp' then 'DECP (nationale)' else perimetre end as perimetre,"
        " source, max(enregistre_le) as dernier from marts.qualite_fichiers "
        f"where est_courant and {_sources_visibles(ctx)} "
        "group by all order by perimetre, source"
    )
    built = publication.get("published_at")
    names = {
        r["code_academie"]: r["libelle_academie"]
        for r in ctx.rows("select * from marts.dim_academies")
    }

    def scope(value: str | None) -> str:
        if value and value.startswith("academie:"):
            code = value.split(":", 1)[1]
            return "Académie " + de(names.get(code, code))
        return {"registre": "Registre des clauses"}.get(value or "", value or "–")

    lignes = []
    for r in rows:
        age = (built.date() - r["dernier"].date()).days if built and r["dernier"] else None
        late = age is not None and age > retard
        lignes.append(
            [
                scope(r["perimetre"]),
                fmt.label(r["source"]),
                r["dernier"],
                max(age, 0) if age is not None else None,
                f"en retard (plus de {retard} jours)" if late else "à jour",
            ]
        )
    # The late scopes first (a stable sort keeps the scopes' order): a page shows the first
    # rows of a long table.
    lignes.sort(key=lambda ligne: ligne[4] == "à jour")
    return Block(
        id="fraicheur",
        titre="Fraîcheur des données",
        resume="Date du dernier export reçu pour chaque périmètre et source, et son ancienneté "
        f"à la publication ; au-delà de {retard} jours, le périmètre est en retard.",
        tableau=_tableau(
            ["Périmètre", "Source", "Dernier export", "Jours", "État"],
            lignes,
        ),
        notes=_notes_sources(ctx),
    )


BLOCS = (
    "fichiers",
    "quarantaine",
    "rapprochement",
    "clauses-inconnues",
    "controles",
    "controles-modele",
    "fraicheur",
)
