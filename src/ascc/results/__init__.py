"""Results chain: each plan's results framework (goals → outcomes → outputs, each serving the plan's
priority areas; outcomes measured by indicator codes) and the programmes and projects that carry it
out, as IATI "activities".

Invariants: framework records come only from the seeds, each with its seed file and a verbatim
quote (``data/frameworks.yaml``, checked by ``ascc results check``). An activity links only to
records that exist: registry bodies, partners, member states, programmes and funds, plan outcomes,
decisions and disaster events; anything unknown is refused naming the field, and nothing is stored.
An activity's identifier follows IATI: the reporting organisation's reference, a hyphen, the local id.
"""
