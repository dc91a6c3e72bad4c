"""Composite indices: build, audit and stress-test indices such as the ASEAN Youth Development Index.

A composite index summarises many indicators of the member states (education, health,
employment, participation ...) in one score per country and year. An index is defined as data,
in a versioned YAML file: the hierarchy (indicators, domains or pillars, sub-indices, the index),
each indicator's direction, weight, denominator, goalposts and target, and the method chosen at
every step. Two editions of one index, such as the first (2017) and second (2022) ASEAN YDI,
are two files with the same ``index.code`` and different editions.

The engine reproduces the R package COINr (v1.1, the JRC's composite indicator toolkit) step by
step: denominate, impute, screen units, treat outliers, normalise, aggregate, rank; see
``docs/indices.md`` for the methods and their exact semantics. It is a library: it imports no
web, CLI or database framework and no other domain, so it can be used on its own::

    from ascc.indices import service
    result = service.compute(definition="examples/indices/asem.yaml", data="asem_idata.csv")
    result.aggregated.to_pandas()

Invariants: a definition is checked completely before anything is computed, and every problem
names its file and line; a build never modifies its inputs; results are written all at once or
not at all, with the definition version and the data snapshot (SHA-256) they came from.
"""
