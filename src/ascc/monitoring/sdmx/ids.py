"""The identifiers of the platform's indicator data in SDMX: the dataflow (agency ASEAN, id,
version) and its data structure, which a file may name instead (``STRUCTURE=datastructure``)."""

DATAFLOW = "ASEAN:DF_ASCC_IND(1.0)"
DATAFLOW_ID = "DF_ASCC_IND"
DATASTRUCTURE = "ASEAN:DSD_ASCC_IND(1.0)"
DATASTRUCTURE_ID = "DSD_ASCC_IND"
