"""Reading observation files into checked rows: the file's bytes into text chunks (``reading``), the
producers' layouts into SDMX-CSV columns (``profiles``), the checks every row passes (``importer``),
SDMX-ML data messages (``sdmx_ml``) and the focal points' entry of values (``entry``)."""
