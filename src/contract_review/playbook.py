"""Playbooks: which rules run, their severity, required policies and minimum limits. STUB."""

from __future__ import annotations

from pydantic import BaseModel


class Playbook(BaseModel):
    name: str = "general"
    description: str = ""


def load_playbook(name_or_path: str | None = None) -> Playbook:
    return Playbook(name=name_or_path or "general")
