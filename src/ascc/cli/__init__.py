"""The ``ascc`` command line: thin commands over the services."""
