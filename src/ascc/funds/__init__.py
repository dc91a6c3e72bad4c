"""Fund calls and proposal review: a fund (owned by an ASCC body) opens calls, member states'
focal points submit proposals, the owner body checks eligibility, scores them (conflicts of interest
declared) and recommends; the recommendation is decided through the decision cycle, and an approved
proposal becomes a results-chain activity with its budget (and so an IATI activity).

Invariants: a fund's reference record comes only from the seeds (``data/funds.yaml``: seed file and a
verbatim quote; no budget the seeds do not give). A focal point submits for its own member state
only, before the call's deadline, for no more than the call's ceiling. Proposals, scores and
deliberation are read only by the owner body's chairs, the Secretariat and the submitting member
state's focal points (their own proposal); everyone else gets 404. A proposal is approved when the
decision item made for its recommendation is adopted (derived when read, never stored twice).
"""
