"""The Teams app package people upload: a manifest Teams accepts, with both icons at their sizes."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

from bridge.desk.commands import HELP

PACKAGE = Path(__file__).resolve().parents[2] / "adapters" / "teams" / "app_package"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def manifest() -> dict[str, Any]:
    return dict(json.loads((PACKAGE / "manifest.json").read_text()))


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGBA rows of an 8-bit RGBA, non-interlaced PNG without filters."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, kind = struct.unpack(">IIBB", data[16:26])
    assert (depth, kind) == (8, 6)
    idat, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]
    assert all(raw[y * stride] == 0 for y in range(height))
    return width, height, rows


def test_the_manifest_names_the_bot_its_scopes_and_its_icons() -> None:
    m = manifest()
    assert m["manifestVersion"] == "1.17" and m["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert GUID.match(m["id"]) and len(m["name"]["short"]) <= 30
    assert len(m["description"]["short"]) <= 80 and len(m["description"]["full"]) <= 4000
    bot = m["bots"][0]
    assert bot["botId"] == m["webApplicationInfo"]["id"]  # one app registration: replace both
    assert set(bot["scopes"]) == {"team", "personal"}
    assert (PACKAGE / m["icons"]["color"]).is_file() and (PACKAGE / m["icons"]["outline"]).is_file()


def test_the_bot_reads_channel_replies_without_being_mentioned() -> None:
    permissions = manifest()["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in permissions


def test_the_command_list_offers_only_commands_the_bridge_has() -> None:
    commands = manifest()["bots"][0]["commandLists"][0]["commands"]
    assert 0 < len(commands) <= 10
    for command in commands:
        assert command["title"] == "help" or f"`{command['title']}" in HELP


def test_the_color_icon_is_192_square_and_opaque() -> None:
    width, height, rows = read_png(PACKAGE / "color.png")
    assert (width, height) == (192, 192)
    assert all(row[i + 3] == 255 for row in rows for i in range(0, len(row), 4))


def test_the_outline_icon_is_32_square_white_on_transparent() -> None:
    width, height, rows = read_png(PACKAGE / "outline.png")
    assert (width, height) == (32, 32)
    pixels = {bytes(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)}
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}
