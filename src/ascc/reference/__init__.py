"""Reference data: the ASCC as the seed documents describe it, as reviewable YAML with sources.

``files`` reads and checks the YAML; ``loader`` writes it into the database idempotently.
"""
