"""The audit trail: every committed write, who made it, and the record before and after.

Entries form a hash chain (each entry's hash covers the previous entry's hash), kept append-only;
``verify`` finds the first entry that was altered, removed or inserted out of order. The chain head
(``audit_head``) is advanced with ``UPDATE … RETURNING`` so concurrent writers on PostgreSQL or
SQLite serialise on it instead of forking the chain.
"""
