"""What both publishers name the same way: outcome horizons and situations, and how far a
clause's stage may be shown; and the French names of the quality rules, which the quality page
and ``csf status`` share."""

from __future__ import annotations

HORIZONS = [("sortie", "À la sortie"), ("3m", "À 3 mois"), ("6m", "À 6 mois"), ("12m", "À 12 mois")]
RESULTATS = [
    ("taux_retour_formation_initiale", "Retour en formation initiale"),
    ("taux_apprentissage", "Apprentissage"),
    ("taux_contrat_professionnalisation", "Contrat de professionnalisation"),
    ("taux_sortie_positive", "Sortie positive"),
    ("taux_perdus_de_vue", "Perdus de vue"),
]
# Stages after "parcours commencé" describe a youth: a list of clauses stops there.
ETAPE_PUBLIQUE_MAX = 7
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
    "parcours_commences": "Parcours commencés, côté jeunes (fct_parcours)",
    "indicateur_nb_parcours": "Indicateur « parcours commencés » (national, toutes années)",
    "parcours_clause_connue": "dont rattachés à une clause du registre, côté achats (fct_clauses)",
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
    "singulier": "Contrôle de cohérence",
}
STATUTS_CONTROLES_MODELE = {
    "pass": "Conforme",
    "warn": "Avertissement",
    "fail": "Échec bloquant",
    "error": "Erreur d'exécution",
    "skipped": "Non exécuté",
}
