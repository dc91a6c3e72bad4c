"""National plans and programmes of action: how a member state carries a regional plan home.

A member state's focal point records its national plans (period, responsible ministries, status),
their measures, each measure's alignment to outcomes and outputs of a regional plan's results
framework, the national results reported against national targets, and the consultation of the
draft with named ministries. Adopting a plan locks its text.
"""
