"""Server-rendered pages in English and Bahasa Indonesia; every page has a ``.json`` twin."""
