"""Every published block, by id: the one definition the dashboard, the reports and the CSV
downloads render (see ``pipelines.content.block``)."""

from __future__ import annotations

from collections.abc import Callable

from pipelines.content.block import Block
from pipelines.content.blocks import attente, clauses, jeunes, qualite, synthese, territoires

BLOCS: dict[str, Callable[..., Block]] = {
    "chiffres-cles": synthese.chiffres_cles,
    "activation": clauses.activation,
    "calibrage": clauses.calibrage,
    "entonnoir": clauses.entonnoir,
    "dormantes": clauses.dormantes,
    "dormantes-acheteurs": clauses.dormantes_acheteurs,
    "clauses-acheteur": clauses.clauses_acheteur,
    "sorties-positives": jeunes.sorties_positives,
    "resultats-6m": jeunes.resultats_6m,
    "parcours-academie": jeunes.parcours_academie,
    "carte": territoires.carte,
    "classement": territoires.classement,
    "attente-situation": attente.situation,
    "attente-flux": attente.flux,
    "attente-delai": attente.delai,
    "attente-tension": attente.tension,
    "attente-expirations": attente.expirations,
    "attente-echeances": attente.echeances,
    "fichiers": qualite.fichiers,
    "quarantaine": qualite.quarantaine,
    "rapprochement": qualite.rapprochement,
    "clauses-inconnues": qualite.clauses_inconnues,
    "controles": qualite.controles,
    "controles-modele": qualite.controles_modele,
    "fraicheur": qualite.fraicheur,
}

# The blocks that read the page's month and département (``mois``, ``departement``) besides the
# view: the download route passes them as the page does.
PARAMETRES_PAGE = {bloc_id: ("mois", "departement") for bloc_id in attente.BLOCS}

# The filters each block honours (the others are named on the block when set): a page's form
# disables a filter that no block of the page honours.
FILTRES: dict[str, tuple[str, ...]] = {
    "chiffres-cles": synthese.HONORE,
    "activation": clauses.SERIE,
    "calibrage": clauses.SERIE,
    "entonnoir": clauses.ENTONNOIR,
    "dormantes": clauses.DORMANTES,
    "dormantes-acheteurs": clauses.ACHETEURS_DORMANTS,
    "clauses-acheteur": clauses.CLAUSES_ACHETEUR,
    "sorties-positives": jeunes.COMPARAISON,
    "resultats-6m": jeunes.RESULTATS_6M,
    "parcours-academie": ("annee", "academie"),
    "carte": territoires.TERRITOIRES,
    "classement": territoires.TERRITOIRES,
    **{bloc_id: attente.HONORE for bloc_id in attente.BLOCS},
    **{bloc_id: () for bloc_id in qualite.BLOCS},
}
