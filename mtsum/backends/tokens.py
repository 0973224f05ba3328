"""Tokenizers that load without model weights, shared by every backend.

Both backends tokenize and detokenize through these classes, so a text becomes the
same token ids whichever backend runs it, and the same ids become the same text:
backend equality then rests on decoding alone. They need only ``sentencepiece`` and
``tokenizers`` (never torch or transformers), and reproduce transformers'
``MarianTokenizer`` and ``BartTokenizer`` on ordinary text (tests/test_tokens.py).

One deliberate difference: a literal special-token string in the input (``<mask>``,
``</s>``, ``<unk>``, ``<pad>``) is ordinary text here. transformers maps it to the
special id, which for distilbart's ``<mask>`` lies outside the embedding (a crash) and
for Marian's ``</s>`` ends the input early; news text that quotes markup must not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtsum.errors import ModelLoadError

SPIECE_UNDERLINE = "▁"


class MarianTokens:
    """``MarianTokenizer`` without transformers: SentencePiece pieces looked up in vocab.json.

    The real opus-mt repos ship two SentencePiece models (``source.spm`` for the source
    language, ``target.spm`` for English) and one joint ``vocab.json``. Like
    transformers, text is encoded with the source model, and output is decoded with the
    source model too unless the vocabularies are separate, then ``▁`` becomes a space:
    English pieces unknown to the source model come back raw from ``decode_pieces``.
    """

    def __init__(self, folder: Path, meta: Mapping[str, Any] | None = None) -> None:
        import sentencepiece as spm

        meta = meta or {}
        self.eos = meta.get("eos_token") or "</s>"
        self.unk = meta.get("unk_token") or "<unk>"
        self.pad = meta.get("pad_token") or "<pad>"
        self.vocab: dict[str, int] = _read_json(folder / "vocab.json")
        if self.unk not in self.vocab or self.eos not in self.vocab:
            raise ModelLoadError(f"{folder / 'vocab.json'} has no {self.unk} or {self.eos}: not a Marian vocabulary")
        self.source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        separate = (folder / "target_vocab.json").is_file()
        target_vocab = _read_json(folder / "target_vocab.json") if separate else self.vocab
        self.target_ids: dict[str, int] = target_vocab
        self.pieces = {i: piece for piece, i in target_vocab.items()}
        self.decoder_spm = (spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
                            if separate else self.source)
        self.specials = {self.eos, self.unk, self.pad}
        self.special_ids = {target_vocab[t] for t in self.specials if t in target_vocab}
        self.special_tokens = 1  # </s> after the text

    def tokens(self, text: str) -> list[str]:
        code: list[str] = []
        # A leading >>xx<< target-language code is one token (multilingual opus-mt models).
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[:end + 2]], text[end + 2:]
        pieces = self.source.encode(text, out_type=str)
        return code + [p if p in self.vocab else self.unk for p in pieces]

    def count(self, text: str) -> int:
        return len(self.tokens(text))

    def model_input(self, text: str) -> list[str]:
        return [*self.tokens(text), self.eos]

    def input_ids(self, text: str) -> list[int]:
        return [self.vocab[t] for t in self.model_input(text)]

    def ids_of(self, tokens: list[str]) -> list[int]:
        return [self.target_ids.get(t, self.target_ids[self.unk]) for t in tokens]

    def decode_ids(self, ids: list[int]) -> str:
        pieces = [self.pieces.get(i, self.unk) for i in ids if i not in self.special_ids]
        return str(self.decoder_spm.decode_pieces(pieces)).replace(SPIECE_UNDERLINE, " ").strip()


class BartTokens:
    """BART's byte-level BPE through the ``tokenizers`` library.

    Built from ``vocab.json`` and ``merges.txt``, the files the real BART repos have
    (distilbart-cnn-12-6 has no ``tokenizer.json``); a folder with only
    ``tokenizer.json`` (conversions made by older mtsum versions) uses that.
    """

    def __init__(self, folder: Path, meta: Mapping[str, Any] | None = None) -> None:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        meta = meta or {}
        self.bos = meta.get("bos_token") or "<s>"
        self.eos = meta.get("eos_token") or "</s>"
        if (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
            self.tok = Tokenizer(models.BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt")))
            self.tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
            self.tok.decoder = decoders.ByteLevel()
        elif (folder / "tokenizer.json").is_file():
            self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.tok.encode_special_tokens = True  # literal "<mask>" is text (module docstring)
        else:
            raise ModelLoadError(f"{folder} has neither vocab.json + merges.txt nor tokenizer.json: "
                                 "not a BART tokenizer (re-run `mtsum models pull`)")
        specials = ("<s>", "<pad>", "</s>", "<unk>", "<mask>", self.bos, self.eos)
        self.special_ids = {i for t in specials if (i := self.tok.token_to_id(t)) is not None}
        self.special_tokens = 2  # <s> before and </s> after the text

    def tokens(self, text: str) -> list[str]:
        return list(self.tok.encode(text, add_special_tokens=False).tokens)

    def count(self, text: str) -> int:
        return len(self.tok.encode(text, add_special_tokens=False).ids)

    def model_input(self, text: str) -> list[str]:
        return [self.bos, *self.tokens(text), self.eos]

    def input_ids(self, text: str) -> list[int]:
        ids = self.tok.encode(text, add_special_tokens=False).ids
        return [self._id(self.bos), *ids, self._id(self.eos)]

    def ids_of(self, tokens: list[str]) -> list[int]:
        return [i for i in (self.tok.token_to_id(t) for t in tokens) if i is not None]

    def decode_ids(self, ids: list[int]) -> str:
        return str(self.tok.decode([i for i in ids if i not in self.special_ids], skip_special_tokens=False)).strip()

    def _id(self, token: str) -> int:
        found = self.tok.token_to_id(token)
        if found is None:
            raise ModelLoadError(f"the BART vocabulary has no {token}")
        return found


Tokens = MarianTokens | BartTokens


def load_tokens(folder: Path, kind: str, meta: Mapping[str, Any] | None = None) -> Tokens:
    """The tokenizer of a model folder or conversion; ``kind`` is ``marian`` or ``bart``."""
    return MarianTokens(folder, meta) if kind == "marian" else BartTokens(folder, meta)


def _read_json(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot read {path}: {exc} (re-run `mtsum models pull`)") from None
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} is not a vocabulary (a JSON object of token ids)")
    return data
