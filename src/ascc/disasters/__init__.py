"""Disasters: one event record per disaster, however many feeds describe it.

ASEAN is the most disaster-prone region (seed 003: in 2022 about four hazards a day and 5.6 million
people affected). An event has a hazard (GLIDE hazard code, grouped by the IRDR peril families), an
optional GLIDE number (e.g. FL-2024-000199-IDN), dates, the member states affected and impact
counts. Records from several feeds that describe the same disaster merge into one event (by GLIDE
number, else by hazard, member state and overlapping dates); every source record is kept beside it.
"""
