"""How a case moves between platforms: ingest, chat updates (cards, previews, notices), publishing
the approved answer, follow-ups, escalation timers, out-of-hours replies and moderation.

May import desk, triage and the layers below them; reaches crisis mode only through
:class:`bridge.domain.ports.CrisisHook`.
"""
