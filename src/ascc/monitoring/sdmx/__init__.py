"""SDMX exchange of the indicator data: data messages written in SDMX-ML, SDMX-JSON and SDMX-CSV
(``messages``), the SDMX-REST data queries (``rest``) and structure queries (``structures``). Reading
SDMX files in is the imports' work (``monitoring.imports``); this package never imports it."""
