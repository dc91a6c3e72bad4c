"""Meetings: when ASCC bodies meet, who chairs, and the record of what they adopt.

The cycle engine works forward from anchors. The ASEAN chairmanship rotates yearly in the
alphabetical order of member states' English names, from the last year of the sourced table of
ASEAN chairs (``reference/data/asean_chairs.yaml``; the Philippines in 2026).
A body's chair rotates by its own rule (alphabetical each year, alphabetical every three years,
or by expression of interest); its anchor (who chaired in a given year) is entered by users, since
the sources don't give one. New members join the rotation from their admission (Timor-Leste from
26 October 2025). Where a rule says so, the host follows the ASEAN chair.
"""
