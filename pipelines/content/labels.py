"""What every publisher names the same way: outcome horizons and situations, and how far a
clause's stage may be shown; the French label of every code the marts can hold (statuses,
situations, buyer types, sources, quality checks...); and the French names and sentences of the
quality rules, which the quality page and ``csf status`` share.

A code is never turned into text by guessing (capitalising, replacing underscores: that is how
« Termine » and « Contrat professionnalisation » were shown): each vocabulary below lists its
codes, and a code no table knows is shown as « Autre (code …) », French and visibly unlisted
(``tests/test_words.py`` checks that no code of the demo warehouse, of the ingestion contract or
of the quarantine rules falls back to it)."""

from __future__ import annotations

import re

HORIZONS = [("sortie", "À la sortie"), ("3m", "À 3 mois"), ("6m", "À 6 mois"), ("12m", "À 12 mois")]
RESULTATS = [
    ("taux_retour_formation_initiale", "Retour en formation initiale"),
    ("taux_apprentissage", "Apprentissage"),
    ("taux_contrat_professionnalisation", "Contrat de professionnalisation"),
    ("taux_sortie_positive", "Sortie positive"),
    ("taux_perdus_de_vue", "Perdus de vue"),
]
# "Sortie positive à 6 mois", the last stage: clauses "stopped" there went all the way.
ETAPE_FINALE = 9

# Quality rules, by family (the code before the first ':' of a rule, e.g. date_invalide in
# date_invalide:date_debut): the one French label the quality page and ``csf status`` give them.
# Stage « ingestion »: the readers' quarantine (docs/ingestion.md); stage « rapprochement »: the
# cross-file rules decided in the warehouse (docs/methodologie.md, « Parcours et suivis non
# rattachés »). A family not listed is shown by its code.
FAMILLES_REGLES = {
    "valeur_manquante": "Valeur obligatoire manquante",
    "date_invalide": "Date illisible ou impossible",
    "date_future": "Date postérieure au chargement",
    "date_trop_ancienne": "Date antérieure à 2000",
    "nombre_invalide": "Nombre illisible",
    "nombre_ambigu": "Nombre ambigu (décimale ou milliers ?)",
    "booleen_invalide": "Oui/non illisible",
    "libelle_inconnu": "Libellé inconnu",
    "academie_inconnue": "Académie inconnue",
    "ine_invalide": "INE invalide",
    "doublon": "Doublon",
    "nombre_de_champs": "Nombre de champs incorrect (ligne décalée)",
    "ordre_dates": "Dates dans un ordre impossible",
    "age_hors_bornes": "Âge à l'entrée hors des bornes du dispositif",
    "heures_hors_bornes": "Nombre d'heures impossible",
    "naissance_apres_entree": "Naissance après l'entrée à la MLDS",
    "parcours_clause_absente": (
        "Parcours dont la clause est absente du registre (ou notifiée après la date d'observation)"
    ),
    "parcours_clause_en_quarantaine": "Parcours dont la clause est en quarantaine",
    "parcours_sans_identifiant_clause": "Parcours sans identifiant de clause",
    "parcours_jeune_absent": "Parcours d'un jeune absent des fichiers des jeunes",
    "parcours_jeune_en_quarantaine": "Parcours d'un jeune en quarantaine",
    "suivi_parcours_absent": "Suivi d'un parcours absent des fichiers",
    "suivi_parcours_en_quarantaine": "Suivi d'un parcours en quarantaine",
    "suivi_parcours_autre_jeune": "Suivi rattaché au parcours d'un autre jeune",
    "suivi_avant_debut_parcours": "Suivi daté avant le début du parcours",
    "suivi_jeune_absent": "Suivi d'un jeune inconnu (ni jeune ni parcours)",
    "suivi_jeune_en_quarantaine": "Suivi d'un jeune en quarantaine, sans parcours",
    "suivi_hors_fenetre": "Suivi sans parcours, hors de la fenêtre de tout horizon",
    "jeune_parcours_non_charge": "Jeune dont le parcours CSF n'est pas chargé",
}
# What became of the records a rule names (qualite_regles.traitement).
TRAITEMENTS = {
    "quarantaine": "non chargées (quarantaine)",
    "exclu": "chargées, hors des indicateurs",
    "hors_clauses": "comptées côté jeunes, pas dans les indicateurs des clauses",
    "signale": "comptées, sexe et âge du jeune non renseignés",
}
ETAPES_QUALITE = {"ingestion": "À la lecture", "rapprochement": "Rapprochement entre fichiers"}
# The reconciliation of the two sides (qualite_rapprochement.ligne).
LIGNES_RAPPROCHEMENT = {
    "parcours_commences": "Parcours commencés, côté jeunes",
    "indicateur_nb_parcours": "Indicateur « parcours commencés » (national, toutes années)",
    "parcours_clause_connue": "dont rattachés à une clause du registre, côté achats",
    "parcours_clause_absente": "dont parcours sans clause connue : clause absente du registre",
    "parcours_clause_en_quarantaine": "dont parcours sans clause connue : clause en quarantaine",
    "parcours_sans_identifiant_clause": "dont parcours sans clause connue : sans identifiant",
    "ecart": "Écart (doit être nul)",
    "parcours_jeune_absent": "Parcours d'un jeune absent des fichiers des jeunes (comptés)",
    "parcours_jeune_en_quarantaine": "Parcours d'un jeune en quarantaine (comptés)",
}


def famille_regle(regle: str) -> str:
    """The family code of a rule: ``libelle_inconnu:statut:abandonné`` → ``libelle_inconnu``."""
    return regle.split(":", 1)[0]


def libelle_regle(regle: str) -> str:
    """The French label of a rule's family (its code when the family is not listed)."""
    famille = famille_regle(regle)
    return FAMILLES_REGLES.get(famille, famille)


# The model's own tests (dbt), by kind: what the quality page calls them. A warning does not stop
# a publish (docs/blocking-checks.md); a blocking failure publishes nothing.
TYPES_CONTROLES_MODELE = {
    "relationships": "Référence introuvable",
    "accepted_values": "Valeur hors de la liste attendue",
    "not_null": "Valeur manquante",
    "unique": "Doublon",
    "unique_combination": "Doublon",
    "has_length": "Code de longueur inattendue",
    "singulier": "Contrôle de cohérence",
}
STATUTS_CONTROLES_MODELE = {
    "pass": "Conforme",
    "warn": "Avertissement",
    "fail": "Échec bloquant",
    "error": "Erreur d'exécution",
    "skipped": "Non exécuté",
}
GRAVITES_CONTROLES_MODELE = {"error": "Bloquant", "warn": "Avertissement"}

# ------------------------------------------------------------------------- codes of the marts

# The fallback of a code no vocabulary lists: French, and visibly not a reviewed label.
AUTRE_CODE = "Autre (code {code})"

# Each vocabulary: its codes (those of the ingestion contract, pipelines/ingest/sources.py and
# codes/, or those a model writes) and their labels. A label qualifying a noun agrees with it:
# a parcours (m.) is « Terminé », a file (m.) « Chargé », a convention (f.) « signée ».
VOCABULAIRES: dict[str, dict[str, str]] = {
    "type_acheteur": {
        "rectorat": "Rectorat",
        "administration_centrale": "Administration centrale",
        "etablissement": "Établissement",
        "autre": "Autre",
    },
    # A parcours's status (mlds_parcours.statut, fct_parcours.statut).
    "statut_parcours": {
        "propose": "Proposé",
        "positionne": "Jeune positionné",
        "convention_signee": "Convention signée",
        "en_cours": "En cours",
        "termine": "Terminé",
        "interrompu": "Interrompu",
        "non_commence": "Non commencé",
    },
    # A youth's situation, at the MLDS exit or at a follow-up horizon.
    "situation": {
        "retour_formation_initiale": "Retour en formation initiale",
        "apprentissage": "Apprentissage",
        "contrat_professionnalisation": "Contrat de professionnalisation",
        "formation_professionnelle": "Formation professionnelle",
        "emploi": "Emploi",
        "service_civique": "Service civique",
        "nouvelle_action_mlds": "Nouvelle action de la MLDS",
        "autre_accompagnement": "Autre accompagnement",
        "sans_solution": "Sans solution",
        "perdu_de_vue": "Perdu de vue",
        "autre": "Autre",
    },
    # The follow-up horizons: the exports' codes (mlds_suivis.horizon) and the indicators' ones.
    "horizon": {
        "sortie": "À la sortie",
        "3_mois": "À 3 mois",
        "6_mois": "À 6 mois",
        "12_mois": "À 12 mois",
        **{code: libelle for code, libelle in HORIZONS},
    },
    "sexe": {"F": "Filles", "M": "Garçons"},
    "source_reperage": {
        "siei": "SIEI (système interministériel d'échange d'informations)",
        "gpds": "GPDS (groupe de prévention du décrochage scolaire)",
        "cio": "CIO (centre d'information et d'orientation)",
        "psad": "PSAD (plateforme de suivi et d'appui aux décrocheurs)",
        "spontane": "Démarche spontanée",
        "autre": "Autre",
    },
    "action_mlds": {
        "parcours_csf": "Parcours CSF",
        "module_remobilisation": "Module de remobilisation",
        "preparation_diplome": "Préparation d'un diplôme",
        "autre": "Autre",
    },
    "derniere_classe": {
        "college_3e": "Troisième (collège)",
        "seconde_gt": "Seconde générale et technologique",
        "seconde_pro": "Seconde professionnelle",
        "premiere_gt": "Première générale ou technologique",
        "premiere_pro": "Première professionnelle",
        "terminale": "Terminale",
        "cap_1re_annee": "CAP, première année",
        "cap_2e_annee": "CAP, deuxième année",
        "autre": "Autre",
    },
    "motif_interruption": {
        "abandon_jeune": "Abandon du jeune",
        "demenagement": "Déménagement",
        "entree_formation_emploi": "Entrée en formation ou en emploi",
        "fin_entreprise": "Fin à l'initiative de l'entreprise",
        "raisons_personnelles": "Raisons personnelles",
        "autre": "Autre",
    },
    # How a parcours is tied to its clause and its youth (fct_parcours).
    "rattachement_clause": {
        "clause_connue": "Clause connue du registre",
        "clause_absente": "Clause absente du registre",
        "clause_en_quarantaine": "Clause en quarantaine dans le registre",
        "sans_identifiant_clause": "Sans identifiant de clause",
    },
    "rattachement_jeune": {
        "jeune_connu": "Jeune connu",
        "jeune_absent": "Jeune absent des fichiers des jeunes",
        "jeune_en_quarantaine": "Jeune en quarantaine",
    },
    # A received file (ingest.file_ledger.status, qualite_fichiers.statut).
    "statut_fichier": {"pending": "En attente", "loaded": "Chargé", "rejected": "Refusé"},
    # Where a file comes from (qualite_fichiers.source), and the raw table a batch filled.
    "source": {
        "csf_clauses": "Registre des clauses",
        "mlds_jeunes": "Jeunes suivis par la MLDS",
        "mlds_parcours": "Parcours CSF de la MLDS",
        "mlds_suivis": "Suivis des jeunes de la MLDS",
        "decp": "Données essentielles de la commande publique (DECP)",
        "decp_marches": "DECP : marchés",
        "decp_concessions": "DECP : contrats de concession",
        "inconnue": "Source non reconnue",
    },
    # The Great Expectations suites run on each batch (qualite_controles.controle).
    "suite_controle": {
        "gx_structure": "Structure du fichier (bloquant)",
        "gx_qualite": "Qualité des valeurs (alerte)",
    },
    # The blocking-point funnel's stages (fct_entonnoir_clauses.etape; their labels are those of
    # the seed ref_etapes_clause, which the marts carry as libelle_etape: a test compares them).
    "etape_clause": {
        "clause_redigee": "Clause rédigée (marché notifié)",
        "fiche_entreprise_recue": "Fiche entreprise reçue",
        "transmise_mlds": "Transmise à la MLDS",
        "offre_declaree": "Offre de parcours déclarée",
        "jeune_positionne": "Jeune positionné",
        "convention_signee": "Convention signée",
        "parcours_commence": "Parcours commencé",
        "parcours_termine": "Parcours terminé",
        "sortie_positive_6m": "Sortie positive à 6 mois",
    },
    # The warehouse's tables (dbt models), as the quality page names those a check looked at.
    "modele": {
        "dim_academies": "Académies",
        "dim_acheteurs": "Acheteurs",
        "dim_indicateurs": "Liste des indicateurs",
        "fct_attente_courbes": "Courbes d'attente des jeunes",
        "fct_attente_delais": "Délais d'attente des jeunes",
        "fct_clauses": "Clauses",
        "fct_clauses_dormantes": "Clauses dormantes",
        "fct_entonnoir_clauses": "Entonnoir des points de blocage",
        "fct_jeunes_comparaison": "Jeunes du groupe de comparaison",
        "fct_offres_attente": "Offres et jeunes en attente",
        "fct_offres_ouvertes": "Offres ouvertes à la date d'observation",
        "fct_parcours": "Parcours",
        "indicateurs": "Indicateurs publiés",
        "int_acheteurs": "Acheteurs (calcul)",
        "int_attente__comptes": "Offres et jeunes en attente avant secret statistique (calcul)",
        "int_attente__delais": "Délais d'attente avant secret statistique (calcul)",
        "int_attente__durees": "Durées d'attente des jeunes (calcul)",
        "int_attente__jeunes": "Jeunes en attente d'un parcours (calcul)",
        "int_attente__mois": "Mois observés (calcul)",
        "int_attente__territoires": "Territoires des offres et des jeunes (calcul)",
        "int_clauses__activation": "Activation des clauses (calcul)",
        "int_clauses__delai_activation": "Délai d'activation (calcul)",
        "int_clauses__delais_cellules": "Délais d'activation par clause (calcul)",
        "int_clauses__etapes": "Étapes atteintes par les clauses (calcul)",
        "int_decp__marches": "Marchés de la DECP (calcul)",
        "int_entonnoir__comptes": "Entonnoir avant secret statistique (calcul)",
        "int_indicateurs__agreges": "Indicateurs agrégés (calcul)",
        "int_indicateurs__mesures": "Indicateurs avant secret statistique (calcul)",
        "int_indicateurs__unites": "Unités de compte des indicateurs (calcul)",
        "int_jeunes__comparaison": "Écarts avec le groupe de comparaison (calcul)",
        "int_jeunes__episode_observe": "Prise en charge MLDS observée (calcul)",
        "int_jeunes__rattachement": "Rattachement des jeunes (calcul)",
        "int_jeunes_comparaison__cellules": "Strates de la comparaison (calcul)",
        "int_jeunes_comparaison__horizons": "Groupe de comparaison par horizon (calcul)",
        "int_jeunes_csf__horizons": "Parcours par horizon (calcul)",
        "int_jeunes_csf__resultats": "Jeunes en parcours CSF (calcul)",
        "int_observation_date": "Date d'observation (calcul)",
        "int_offres__ouvertures": "Périodes d'ouverture des offres (calcul)",
        "int_parcours__rattachement": "Rattachement des parcours (calcul)",
        "int_quarantaine__cles": "Lignes en quarantaine (calcul)",
        "int_secret_statistique": "Secret statistique (calcul)",
        "int_suivis__rattachement": "Rattachement des suivis (calcul)",
        "qualite_clauses_inconnues": "Clauses citées mais absentes du registre",
        "qualite_controles": "Contrôles des fichiers",
        "qualite_fichiers": "Fichiers reçus",
        "qualite_rapprochement": "Rapprochement des parcours",
        "qualite_regles": "Lignes écartées ou signalées",
        "stg_csf__clauses": "Registre des clauses (lecture)",
        "stg_decp__concessions": "Contrats de concession de la DECP (lecture)",
        "stg_decp__marches": "Marchés de la DECP (lecture)",
        "stg_decp__modifications": "Modifications des marchés de la DECP (lecture)",
        "stg_decp__publications": "Publications de la DECP (lecture)",
        "stg_ingest__controles": "Contrôles des fichiers (lecture)",
        "stg_ingest__fichiers": "Fichiers chargés (lecture)",
        "stg_ingest__fichiers_recus": "Fichiers reçus (lecture)",
        "stg_ingest__quarantaine": "Lignes en quarantaine (lecture)",
        "stg_mlds__episodes": "Prises en charge MLDS (lecture)",
        "stg_mlds__jeunes": "Jeunes suivis par la MLDS (lecture)",
        "stg_mlds__parcours": "Parcours CSF (lecture)",
        "stg_mlds__suivis": "Suivis des jeunes (lecture)",
        "stg_siret__validite": "Validité des SIRET (lecture)",
    },
    # The warehouse's columns a model check looks at (the quality page's « Colonne »).
    "colonne_modele": {
        "categorie_cpv": "Catégorie CPV",
        "clause_id": "Identifiant de la clause",
        "code_academie": "Académie",
        "code_cpv": "Code CPV",
        "domaine": "Domaine",
        "empreinte_sha256": "Empreinte du fichier",
        "etape": "Étape",
        "evenement": "Événement",
        "file_sha256": "Empreinte du fichier",
        "indicateur": "Indicateur",
        "is_calibrage_conforme": "Calibrage conforme",
        "is_heures_valides": "Heures valides",
        "is_retenu": "Ligne retenue",
        "is_uai_valide": "UAI valide",
        "jeune_id": "Jeune (pseudonyme)",
        "motif_fermeture": "Motif de fermeture",
        "nature": "Nature",
        "niveau": "Niveau",
        "observation_date": "Date d'observation",
        "parcours_id": "Identifiant du parcours",
        "perimetre": "Périmètre",
        "periode": "Période",
        "rattachement_clause": "Rattachement à la clause",
        "rattachement_jeune": "Rattachement au jeune",
        "rattachement_parcours": "Rattachement au parcours",
        "regle_exclusion": "Règle d'exclusion",
        "siret": "SIRET",
        "siret_acheteur": "SIRET de l'acheteur",
        "traitement": "Devenir des lignes",
        "uid": "Identifiant de publication",
        "unite": "Unité",
    },
    "etape_qualite": ETAPES_QUALITE,
    "traitement": TRAITEMENTS,
    "ligne_rapprochement": LIGNES_RAPPROCHEMENT,
    "type_controle": TYPES_CONTROLES_MODELE,
    "statut_controle": STATUTS_CONTROLES_MODELE,
    "gravite": GRAVITES_CONTROLES_MODELE,
    # The levels of marts.indicateurs (niveau) and the dimensions of ref_indicateurs.
    "niveau": {
        "national": "National",
        "academie": "Académie",
        "region_academique": "Région académique",
        "departement": "Département",
        "type_acheteur": "Type d'acheteur",
        "acheteur": "Acheteur",
        "secteur": "Secteur d'activité",
        "division_cpv": "Division CPV",
        "sexe": "Sexe",
        "tranche_age": "Tranche d'âge",
    },
    "domaine": {"achats": "Achats", "jeunes": "Jeunes", "offres": "Offres"},
    "unite": {
        "nombre": "Nombre",
        "taux": "Taux",
        "ratio": "Ratio",
        "jours": "Jours",
        "ecart": "Écart en points",
        "rapport": "Rapport",
    },
    # Offers and youths waiting (fct_offres_attente, fct_attente_*, fct_offres_ouvertes).
    "nature": {"stock": "Stock en fin de mois", "flux": "Flux du mois", "ratio": "Ratio"},
    "evenement_attente": {
        "positionnement": "Premier positionnement",
        "debut_parcours": "Début du parcours",
    },
    "motif_echeance": {
        "fin_periode": "Fin de la clause",
        "declaration": "Date limite de déclaration",
    },
    "unite_compte": {
        "clause": "Clause",
        "marche": "Marché",
        "heure": "Heure",
        "jeune": "Jeune",
        "parcours": "Parcours",
        "parcours_et_jeune": "Parcours et jeunes",
    },
}


def _fusion() -> tuple[dict[str, str], frozenset[str]]:
    """Every code of every vocabulary with its one label, so that a code is labelled without
    naming its vocabulary; and the codes two vocabularies label differently (``ecart``: a unit
    and a reconciliation line), which only their vocabulary can label."""
    found: dict[str, set[str]] = {}
    for table in VOCABULAIRES.values():
        for code, libelle in table.items():
            found.setdefault(code, set()).add(libelle)
    ambigus = frozenset(code for code, libelles in found.items() if len(libelles) > 1)
    return {code: next(iter(t)) for code, t in found.items() if code not in ambigus}, ambigus


LIBELLES, CODES_AMBIGUS = _fusion()


def autre_code(code: str) -> str:
    """The visible fallback of an unlisted code: ``xyz`` → ``Autre (code xyz)``."""
    return AUTRE_CODE.format(code=code)


def libelle(code: str, vocabulaire: str | None = None) -> str:
    """The French label of ``code`` in ``vocabulaire`` (any vocabulary when None); an unlisted
    code gives ``Autre (code …)``, never a guess."""
    table = LIBELLES if vocabulaire is None else VOCABULAIRES[vocabulaire]
    return table.get(code) or autre_code(code)


def est_liste(code: str, vocabulaire: str | None = None) -> bool:
    """True when ``code`` has a reviewed label (no fallback)."""
    return code in (LIBELLES if vocabulaire is None else VOCABULAIRES[vocabulaire])


# ------------------------------------------------------------------------ indicator labels

# An indicator's label (ref_indicateurs.libelle, the marts' libelle_indicateur) names its base
# in a final parenthesis wherever two indicators share a word: « Taux d'activation à 6 mois
# (clauses notifiées depuis au moins 6 mois) » beside « Taux d'activation sur toute la durée
# (clauses échues) ». A publisher short of room shows the name and puts the base under it.
_BASE = re.compile(r"^(?P<nom>.*?) \((?P<base>[^()]*)\)$")


def nom_et_base(libelle_indicateur: str) -> tuple[str, str | None]:
    """``Sortie positive à 6 mois (parcours finis depuis au moins 6 mois, hors perdus de vue)``
    → (``Sortie positive à 6 mois``, ``parcours finis depuis au moins 6 mois, hors perdus de
    vue``); a label without a base (a count) → (the label, None)."""
    found = _BASE.match(libelle_indicateur)
    if not found:
        return libelle_indicateur, None
    return found["nom"], found["base"]


# ------------------------------------------------------------------- quality rules as sentences

# The columns quality rules name (``<famille>:<colonne>``): the exports' columns (contract of
# pipelines/ingest/sources.py) and the DECP fields its rules check. Label and gender, so that a
# sentence agrees with it (« Date de début du parcours manquante », « INE du jeune manquant »).
COLONNES: dict[str, tuple[str, str]] = {
    # Register of clauses
    "id_clause": ("identifiant de la clause", "m"),
    "id_marche": ("identifiant du marché", "m"),
    "siret_acheteur": ("SIRET de l'acheteur", "m"),
    "nom_organisme_acheteur": ("nom de l'acheteur", "m"),
    "type_acheteur": ("type d'acheteur", "m"),
    "objet_marche": ("objet du marché", "m"),
    "lot": ("lot", "m"),
    "date_notification_marche": ("date de notification du marché", "f"),
    "date_fin_clause_sociale": ("date de fin de la clause", "f"),
    "date_fin_clause_sociale_reconduction_comprise": (
        "date de fin de la clause, reconductions comprises",
        "f",
    ),
    "montant_previsionnel_ht": ("montant prévisionnel hors taxes", "m"),
    "heures_parcours": ("nombre d'heures de parcours prévues par la clause", "m"),
    "siret_titulaire": ("SIRET du titulaire", "m"),
    "nom_entreprise": ("nom de l'entreprise titulaire", "m"),
    "secteur_activite_entreprise": ("secteur d'activité de l'entreprise", "m"),
    "academie_parcours": ("académie du parcours", "f"),
    "departement_parcours": ("département du parcours", "m"),
    "fiche_entreprise_recue": ("réception de la fiche entreprise", "f"),
    "date_transmission_mlds": ("date de transmission à la MLDS", "f"),
    "date_declaration_offre": ("date de déclaration de l'offre", "f"),
    # Youths followed by the MLDS
    "ine": ("INE du jeune", "m"),
    "date_naissance": ("date de naissance", "f"),
    "annee_naissance": ("année de naissance", "f"),
    "age_entree": ("âge à l'entrée à la MLDS", "m"),
    "sexe": ("sexe", "m"),
    "code_academie": ("académie", "f"),
    "departement": ("département", "m"),
    "uai_etablissement_origine": ("établissement d'origine (UAI)", "m"),
    "derniere_classe": ("dernière classe suivie", "f"),
    "diplome_le_plus_eleve": ("diplôme le plus élevé", "m"),
    "date_reperage": ("date de repérage", "f"),
    "source_reperage": ("source du repérage", "f"),
    "date_entree_mlds": ("date d'entrée à la MLDS", "f"),
    "action_mlds": ("action de la MLDS", "f"),
    "date_sortie_mlds": ("date de sortie de la MLDS", "f"),
    "situation_sortie": ("situation à la sortie de la MLDS", "f"),
    # Parcours
    "id_parcours": ("identifiant du parcours", "m"),
    "siret_entreprise": ("SIRET de l'entreprise d'accueil", "m"),
    "date_positionnement": ("date de positionnement du jeune", "f"),
    "date_convention": ("date de la convention", "f"),
    "date_debut": ("date de début du parcours", "f"),
    "date_fin_prevue": ("date de fin prévue du parcours", "f"),
    "date_fin_reelle": ("date de fin réelle du parcours", "f"),
    "heures_prevues": ("nombre d'heures prévues", "m"),
    "heures_realisees": ("nombre d'heures réalisées", "m"),
    "statut": ("statut du parcours", "m"),
    "motif_interruption": ("motif d'interruption", "m"),
    # Follow-ups
    "date_observation": ("date du suivi", "f"),
    "horizon": ("horizon du suivi", "m"),
    "situation": ("situation observée", "f"),
    # DECP records (their JSON fields)
    "id": ("identifiant du marché ou du contrat de concession", "m"),
    "acheteur.id": ("identifiant de l'acheteur", "m"),
    "dateNotification": ("date de notification", "f"),
    "autoriteConcedante.id": ("identifiant de l'autorité concédante", "m"),
}
# An unknown label, as the readers name those beyond the most frequent ones of a file and those
# with no letter or digit (pipelines/ingest/csv_reader.py, OTHER_LABELS and UNREADABLE_LABEL).
AUTRES_LIBELLES = "(autres libellés)"
LIBELLE_ILLISIBLE = "(illisible)"


def _colonne(code: str) -> tuple[str, str]:
    return COLONNES.get(code, (f"colonne « {code} »", "f"))


def _accord(genre: str, feminin: str = "e") -> str:
    return feminin if genre == "f" else ""


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _phrase_colonne(famille: str, colonne: str, suite: str | None) -> str | None:
    """The sentence of a rule on one column, or None for a family that names none."""
    nom, genre = _colonne(colonne)
    e = _accord(genre)
    gabarits = {
        "valeur_manquante": f"{nom} manquant{e}",
        "date_invalide": f"{nom} illisible ou impossible",
        "date_future": f"{nom} postérieur{e} au chargement du fichier",
        "date_trop_ancienne": f"{nom} antérieur{e} à l'an 2000",
        "nombre_invalide": f"{nom} illisible (nombre attendu)",
        "nombre_ambigu": (
            f"{nom} ambigu{_accord(genre, 'ë')} (virgule décimale ou séparateur de milliers ?)"
        ),
        "booleen_invalide": f"{nom} illisible (oui ou non attendu)",
        "academie_inconnue": f"{nom} inconnu{e}",
        "age_hors_bornes": f"{nom} hors des bornes du dispositif",
        "heures_hors_bornes": f"{nom} : valeur impossible",
        "naissance_apres_entree": f"{nom} postérieur{e} à l'entrée à la MLDS",
    }
    if famille in gabarits:
        return gabarits[famille]
    if famille == "libelle_inconnu":
        if suite is None:
            return f"{nom} : libellé inconnu"
        if suite == AUTRES_LIBELLES:
            return f"{nom} : autres libellés inconnus"
        if suite == LIBELLE_ILLISIBLE:
            return f"{nom} : libellé illisible"
        return f"{nom} : libellé inconnu « {suite} »"
    if famille == "ordre_dates" and ">" in colonne:
        avant, apres = colonne.split(">", 1)
        nom_avant, genre_avant = _colonne(avant)
        return f"{nom_avant} postérieur{_accord(genre_avant)} à la {_colonne(apres)[0]}"
    if famille == "doublon":
        memes = [f"même {_colonne(c)[0]}" for c in colonne.split("+")]
        liste = memes[0] if len(memes) == 1 else ", ".join(memes[:-1]) + " et " + memes[-1]
        return f"ligne en double ({liste} qu'une autre ligne)"
    return None


def phrase_regle(regle: str) -> str:
    """A rule as a French sentence naming the column and the problem:
    ``libelle_inconnu:horizon:18 mois`` → « Horizon du suivi : libellé inconnu « 18 mois » »,
    ``ordre_dates:date_debut>date_fin_reelle`` → « Date de début du parcours postérieure à la
    date de fin réelle du parcours ». A rule without a column reads as its family's label; an
    unlisted family as « Autre (code …) »."""
    famille, _, reste = regle.partition(":")
    if reste:
        colonne, _, suite = reste.partition(":")
        phrase = _phrase_colonne(famille, colonne, suite or None)
        if phrase is not None:
            return _majuscule(phrase)
    if famille in FAMILLES_REGLES:
        return FAMILLES_REGLES[famille] + (f" ({reste})" if reste else "")
    return autre_code(regle)


# ------------------------------------------------------------------------------- grammar


def de(nom: str) -> str:
    """The preposition « de » before a proper name, elided before a vowel: ``Créteil`` → « de
    Créteil », ``Aix-Marseille`` → « d'Aix-Marseille », ``La Réunion`` → « de La Réunion »."""
    return ("d'" if nom[:1].lower() in "aeiouyéèêîôâ" else "de ") + nom
