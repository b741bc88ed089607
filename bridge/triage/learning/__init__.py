"""Triage that learns from the desk: labels harvested from what people did with cases, a linear
model fitted on them (``bridge triage fit``), the process's fitted model for triage to consult, and
routing suggestions for the playbook (``bridge playbook suggest``).

Labels keep anonymised features only (hashed word and character n-grams, the names of the rules that
matched), never a text, a handle or an id. May import :mod:`bridge.domain`, :mod:`bridge.text`,
:mod:`bridge.playbook` and :mod:`bridge.store`; :mod:`bridge.triage.triager` imports only
:mod:`bridge.triage.learning.active` and :mod:`~bridge.triage.learning.features` from here.
"""
