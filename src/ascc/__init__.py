"""ASCC platform: the ASEAN Socio-Cultural Community as software."""

__version__ = "0.1.0"
