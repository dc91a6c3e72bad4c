"""The consensus decision cycle of ASEAN socio-cultural cooperation (seed 001).

An item passes five stages in order: identify the issue → discuss and consult → formulate the
policy → implement → monitor and evaluate. Stepping back is allowed with a reason.

In formulation the proposal text is versioned, and each member state's focal point records one
position on the current version: join, join with a reservation (text required), ad referendum
(capital clearance due by a date), or object (reason required). Adoption needs consensus: every
member state that is a member on the decision date has a position on the current version, none
objects, and no ad referendum clearance is outstanding. Alternatively the Secretariat circulates
the text under a silence procedure: it is adopted if no member state objects by the deadline
(the reads show it adopted from then on; the job, or the next write of the item, stores it).
A new proposal version starts the positions afresh.
"""
