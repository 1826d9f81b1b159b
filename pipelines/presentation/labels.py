"""What both publishers name the same way: outcome horizons and situations, and how far a
clause's stage may be shown."""

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
