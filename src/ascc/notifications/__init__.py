"""Notifications: the in-platform inbox and the e-mail outbox, derived from committed domain rows.

``events.derive`` runs in every audited session's ``before_flush`` (``ascc.wiring``): a new
proposal text, a silence procedure started or ended, a submission approved or returned, a situation
report issued, a data call opened become notification rows (and queued e-mails) in the same
transaction as the change. ``reminders.derive`` makes the time-based ones (a data call's or a
meeting's paper deadline nears) in the notify job, once per recipient and threshold.
``mail.deliver`` sends the queued e-mails over SMTP as a job (``ascc notify run``), never in a request.
"""
