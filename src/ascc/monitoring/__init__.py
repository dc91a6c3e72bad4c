"""Indicator monitoring: indicator definitions, areas, observations with revisions, imports, SDMX."""
