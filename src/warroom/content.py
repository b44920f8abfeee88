"""Where shipped content lives that more than one domain reads.

The playbooks folder holds the playbooks (read by ``playbooks``) and, in its
``templates/`` folder, the message templates (read by ``comms``). Both domains
find it here, so that comms need not import the playbook runner, which itself
sends comms messages: the two would import each other.
"""

from __future__ import annotations

from pathlib import Path

from warroom.config import WarroomSettings, shipped_dir


class ContentSettings(WarroomSettings):
    """The folder of playbooks and message templates (``WARROOM_PLAYBOOKS_DIR``)."""

    playbooks_dir: Path | None = None
    """Folder of playbook files; default: the shipped ``playbooks/``."""


def playbooks_directory() -> Path:
    return ContentSettings.current().playbooks_dir or shipped_dir("playbooks")
