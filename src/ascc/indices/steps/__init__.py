"""The steps of a build, in COINr's order: denominate, impute, screen, treat, normalise, aggregate.

Each step takes a ``Frame`` and its spec and returns a new ``Frame``; none modifies its input.
Steps work per time point where COINr works per coin of a purse (imputation, screening,
treatment); normalisation may instead pool all time points so that scores compare over time.
"""
