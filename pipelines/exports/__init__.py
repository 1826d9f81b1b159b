"""Research data releases: the published marts made safe to share, as a Frictionless package.

``tables`` says what each released table holds and what the disclosure rules remove from it,
``microdata`` re-keys and k-anonymises the one-row-per-youth files, ``documentation`` writes the
package descriptor, the data dictionary and the release notes, ``changes`` compares a release with
the previous one, ``readme`` writes the README (with that change log and the reading snippets)
and the CITATION.cff, and ``release`` puts them together in ``$CSF_HOME/exports/<name>/``.
"""
