"""Choosing configured models by name, as the ``mtsum models`` commands take them."""

from __future__ import annotations

from mtsum.config import ModelsConfig, ModelSpec
from mtsum.errors import ConfigError


def select_specs(config: ModelsConfig, names: list[str] | tuple[str, ...] | None) -> list[ModelSpec]:
    """The specs named by ``names`` (all when empty).

    Accepted names: registry keys (``translation.sv``, ``summarization``), a bare
    language (``sv``) and ``translation`` for every translation model.

    Raises:
        ConfigError: a name matches no configured model; the message lists valid names.
    """
    specs = config.all_specs()
    if not names:
        return specs
    by_name: dict[str, list[ModelSpec]] = {s.name: [s] for s in specs}
    for lang, spec in config.translation.items():
        by_name.setdefault(lang, [spec])
    by_name["translation"] = list(config.translation.values())
    chosen: list[ModelSpec] = []
    for name in names:
        if name not in by_name:
            valid = ", ".join(s.name for s in specs)
            raise ConfigError(
                f"unknown model name '{name}' in {config.path}: use one of {valid} "
                f"(or a language like {', '.join(config.translation)})"
            )
        chosen.extend(s for s in by_name[name] if s not in chosen)
    return chosen
