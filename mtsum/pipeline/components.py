"""The models of one run, built from the registry on first use.

One translator per language, composed model backend → hallucination guard →
persistent cache (English: the identity), and one summarizer per kind. Building one
loads nothing: a backend loads its tokenizer, then its weights, when first asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mtsum.errors import ConfigError

if TYPE_CHECKING:
    from mtsum.config import ModelsConfig
    from mtsum.summarization.bart import Summarizer
    from mtsum.translation.cache import TranslationStore
    from mtsum.translation.translator import Translator

SUMMARIZERS = ("bart", "extractive")


class Components:
    """Translators and summarizers for a registry and the run's backend settings."""

    def __init__(self, config: ModelsConfig, *, backend: str, device: str, offline: bool | None,
                 compute_type: str | None, batch_size: int, max_batch_tokens: int, progress: bool,
                 store: TranslationStore | None) -> None:
        self.config = config
        self.backend = backend
        self.device = device
        self.offline = offline
        self.compute_type = compute_type
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.progress = progress
        self.store = store
        self.translators: dict[str, Translator] = {}
        self.summarizers: dict[str, Summarizer] = {}

    def translator(self, language: str) -> Translator:
        """The translator for *language*, created once.

        Raises:
            ConfigError, ModelUnavailableError: no usable model for the language.
        """
        if language not in self.translators:
            self.translators[language] = self._translator(language)
        return self.translators[language]

    def summarizer(self, kind: str = "bart") -> Summarizer:
        """The summarizer of this kind (``bart`` or ``extractive``), created once.

        Raises:
            ConfigError: an unknown kind, or no summarization model configured.
        """
        if kind not in self.summarizers:
            self.summarizers[kind] = self._summarizer(kind)
        return self.summarizers[kind]

    def _translator(self, language: str) -> Translator:
        from mtsum.translation.translator import IdentityTranslator

        if language == "en":
            return IdentityTranslator()
        from mtsum.translation.guard import GuardedTranslator
        from mtsum.translation.translator import ModelTranslator

        spec = self.config.translation_spec(language)
        translator: Translator = ModelTranslator(
            self._backend(spec, "translation"), language, max_batch_tokens=self.max_batch_tokens,
            batch_size=self.batch_size, progress=self.progress)
        translator = GuardedTranslator(translator, self.config.guard)
        if self.store is not None:
            from mtsum.translation.cache import CachedTranslator

            translator = CachedTranslator(translator, self.store)
        return translator

    def _summarizer(self, kind: str) -> Summarizer:
        if kind == "extractive":
            from mtsum.summarization.extractive import ExtractiveSummarizer

            return ExtractiveSummarizer()
        if kind != "bart":
            raise ConfigError(f"unknown summarizer '{kind}': use {' or '.join(SUMMARIZERS)}")
        from mtsum.summarization.bart import BartSummarizer

        if self.config.summarization is None:
            raise ConfigError(f"{self.config.path}: no summarization model configured "
                              "(add summarization.model, or use --summarizer extractive)")
        return BartSummarizer(self._backend(self.config.summarization, "summarization"),
                              max_batch_tokens=self.max_batch_tokens, batch_size=self.batch_size,
                              progress=self.progress)

    def _backend(self, spec: Any, task: str) -> Any:
        from mtsum.backends import create_backend

        return create_backend(spec, task, backend=self.backend, device=self.device, offline=self.offline,
                              compute_type=self.compute_type)
