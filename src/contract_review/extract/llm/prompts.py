"""The versioned prompt files of the LLM chain (``prompts/*.md``, shipped as package data):
YAML front matter (``name``, ``version``, ``variables``, the parts it names) and a body with
``{{placeholders}}``; a missing or undeclared variable is a :class:`ConfigError` naming it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ...errors import ConfigError

PROMPT_NAME = "insurance-extract"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

DELIMITER = "contract_excerpts"
_TAG = re.compile(rf"</?\s*{DELIMITER}\s*>", re.I)


def prompts_dir() -> Path:
    """``contract_review/prompts`` (package data, a symlink to the top-level ``prompts/`` in
    a checkout), else the checkout's ``prompts/``."""
    pkg = resources.files("contract_review") / "prompts"
    if pkg.is_dir():
        return Path(str(pkg))
    return Path(__file__).resolve().parents[4] / "prompts"


@dataclass(frozen=True)
class Prompt:
    """One prompt file: YAML front matter (``name``, ``version``, ``variables``) + a body
    with ``{{placeholders}}``."""

    name: str
    version: int
    variables: tuple[str, ...]
    body: str
    meta: dict

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: Any) -> str:
        """The body with every placeholder filled. A missing variable is a ConfigError that
        names it; values are inserted once (text inside a value is never re-expanded)."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ConfigError(f"prompt {self.ref}: missing variable(s) {', '.join(repr(m) for m in missing)}")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.body)


def parse_prompt(text: str, origin: str = "<prompt>") -> Prompt:
    """A prompt from the text of its file; every placeholder must be a declared variable."""
    m = _FRONT_MATTER.match(text)
    if not m:
        raise ConfigError(f"prompt {origin}: no YAML front matter (--- name/version/variables ---)")
    meta = yaml.safe_load(m.group(1)) or {}
    for key in ("name", "version"):
        if key not in meta:
            raise ConfigError(f"prompt {origin}: front matter has no {key!r}")
    body = text[m.end() :]
    declared = tuple(meta.get("variables") or ())
    used = sorted(set(_PLACEHOLDER.findall(body)))
    undeclared = [u for u in used if u not in declared]
    if undeclared:
        raise ConfigError(
            f"prompt {meta['name']}@{meta['version']}: placeholder(s) not declared in "
            f"variables: {', '.join(repr(u) for u in undeclared)}"
        )
    return Prompt(str(meta["name"]), int(meta["version"]), declared, body, meta)


@lru_cache(maxsize=16)
def load_prompt(name: str, directory: str | None = None) -> Prompt:
    """The prompt file ``<name>.md`` of ``directory`` (default :func:`prompts_dir`)."""
    path = Path(directory) if directory else prompts_dir()
    file = path / f"{name}.md"
    if not file.is_file():
        raise ConfigError(f"prompt {name!r} not found in {path}")
    prompt = parse_prompt(file.read_text(encoding="utf-8"), str(file))
    if prompt.name != name:
        raise ConfigError(f"prompt file {file} declares name {prompt.name!r}")
    return prompt


@dataclass(frozen=True)
class PromptBundle:
    system: Prompt
    examples: Prompt
    extract: Prompt

    @property
    def version(self) -> str:
        return self.extract.ref


def load_bundle(name: str = PROMPT_NAME, directory: str | None = None) -> PromptBundle:
    """The extract prompt with the system prompt and examples it names (``system:
    insurance-system@1``); a version that disagrees is an error naming both."""
    extract = load_prompt(name, directory)
    parts = {}
    for role in ("system", "examples"):
        ref = extract.meta.get(role)
        if not ref or "@" not in str(ref):
            raise ConfigError(f"prompt {extract.ref}: front matter must name its {role} prompt as name@version")
        pname, pver = str(ref).split("@", 1)
        p = load_prompt(pname, directory)
        if str(p.version) != pver:
            raise ConfigError(
                f"prompt {extract.ref} expects {ref} but {p.ref} is installed; bump the versions together"
            )
        parts[role] = p
    return PromptBundle(parts["system"], parts["examples"], extract)


def delimit(text: str) -> str:
    """Neutralise any copy of the delimiter tags inside the contract text, so that the
    document cannot close its own data block."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")"), text)
