"""Reminders: the rules of one (``rules``), what a delivery run does with due ones (``delivery``), and the
ports a run needs from the world (``ports``).

A reminder is one item, ``USER#{user}`` / ``REMINDER#{id}``. While it waits for
delivery it sits in GSI1 under ``DUE#{shard}`` / ``{when}#{id}``, ``when`` being
the next attempt time as fixed-width UTC ISO text, so a run reads each shard's
due reminders with one range query. Final states (sent, failed) leave the
index.

Item attributes:

- ``reminder_id``, ``user_id``, ``text`` (1-500 characters, not blank), ``channel``
  (``in_app``: WebSocket to every live connection, else a notification item;
  ``email``: SES to the profile's address; ``push``: Expo to the user's devices)
- ``due_at``: the occurrence being delivered (``YYYY-MM-DDTHH:MM:SSZ``)
- ``recurrence`` (``none``, ``daily``, ``weekly``) and ``timezone`` (IANA name:
  a daily reminder keeps its wall-clock time across daylight-saving changes)
- ``status``: ``pending`` -> ``sending`` (claimed by one run, until
  ``claim_expires_at``) -> ``sent`` or ``failed`` (``failed_reason``); a
  recurring reminder goes back to ``pending`` with its next ``due_at``
- ``attempts`` (of the current occurrence), ``last_error``, ``occurrences``
  (delivered so far), ``sent_via``, ``shard``, ``created_at``, ``updated_at``
"""
