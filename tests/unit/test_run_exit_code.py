"""``bridge run`` turns its children's exit codes into one honest code for the group."""

from __future__ import annotations

import signal

from bridge.app.processes import group_exit_code


def test_children_killed_by_our_own_sigterm_are_a_clean_stop() -> None:
    assert group_exit_code([-signal.SIGTERM, 0, -signal.SIGTERM], crashed=False) == 0


def test_a_child_that_failed_gives_its_code() -> None:
    assert group_exit_code([0, 2, -signal.SIGTERM], crashed=True) == 2


def test_a_child_killed_by_another_signal_reports_it_shell_style() -> None:
    assert group_exit_code([-signal.SIGKILL, 0], crashed=True) == 128 + signal.SIGKILL


def test_a_child_that_ended_on_its_own_without_an_error_still_fails_the_group() -> None:
    assert group_exit_code([0, -signal.SIGTERM], crashed=True) == 1


def test_the_group_polls_whichever_social_platform_is_configured() -> None:
    from bridge.app.processes import child_commands
    from bridge.app.settings import Settings

    mastodon_only = Settings(mastodon_base_url="https://social.example", mastodon_access_token="t")
    assert child_commands(mastodon_only) == ["serve", "worker", "poll"]
    assert child_commands(Settings(x_bearer_token="b")) == ["serve", "worker", "poll"]
    bluesky_only = Settings(bluesky_handle="acme.bsky.social", bluesky_app_password="abcd-efgh")
    assert child_commands(bluesky_only) == ["serve", "worker", "poll"]
    assert child_commands(Settings(slack_bot_token="xoxb-1")) == ["serve", "worker"]
