"""Targets and progress: targets per indicator (``models``, ``service``), the progress method
(``progress``), scorecards of plans and member states (``scorecards``) and the plan report
(``reports``)."""
