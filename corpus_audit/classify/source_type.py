"""Decide each document's source type (labeling.md section 2) and record how.

Metadata decides when it is decisive (a source field naming a source type or a
known data set, a listed domain, a telling URL path); the fastText text model
decides when metadata is silent, and overrides weak metadata (a blog platform,
a generic host) when it is confident: a story on a blog is fiction. It never
overrides metadata with `other`, the residual type: "no particular kind of
writing" is no evidence against a hint that names one.
Rules: source_rules.yaml; model: classifiers/source_type.bin (SOURCE_TYPE.md).
"""
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus_audit.classify.source_rules import MetadataRules, domain_of
from corpus_audit.classify.source_text import SourceTextModel
from corpus_audit.hashing import unit_hash
from corpus_audit.labels import UNKNOWN_SOURCE
from corpus_audit.resources import classifiers_dir

RESIDUAL_TYPE = "other"  # what is left when no kind fits: never overrides metadata (SOURCE_TYPE.md)

__all__ = ["SourceDecision", "SourceTypeResolver", "domain_of", "load_source_map", "default_model_path"]


@dataclass(frozen=True)
class SourceDecision:
    source_type: str  # one of labels.SOURCE_TYPES, or "unknown" when nothing decides
    decided_by: str  # "metadata", "text" or "none"
    domain: str  # host without www.
    disagree: bool = False  # metadata and text model both had an answer and they differ
    sampling: str | None = None  # with a sample rate: "read" (the sample) or "skipped"; None outside the sample's stratum


def default_model_path() -> Path:
    return classifiers_dir() / "source_type.bin"


def load_source_map(source_map: dict | str | Path | None) -> dict:
    """The user's map (YAML file or dict): source-field value or domain -> source type."""
    if source_map is None:
        return {}
    if isinstance(source_map, dict):
        return source_map
    loaded = yaml.safe_load(Path(source_map).read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{source_map}: a source map is a YAML mapping 'field value or domain: source type'")
    return loaded


class SourceTypeResolver:
    """Source type of one document from its text, URL and source field.

    override_threshold: text-model probability above which the text overrides
        weak metadata with a type other than `other` (see classifiers/SOURCE_TYPE.md).
    answer_threshold: below this probability the text model is not counted as
        having an answer when comparing it with metadata (the `disagree` flag).
    check_decisive: run the text model where metadata is decisive too; its answer
        cannot change the type there, only flag a disagreement, so False saves its
        cost on corpora whose data-set names or hosts are listed.
    sample_rate: when set, the text model reads every document the caller marks as
        needed (those that pass the AI gate, decisive metadata included) and this
        share of the others whose metadata is not decisive, drawn by document id;
        the rest are "skipped" and keep what metadata alone says. The report counts
        them through the sample (aggregate/estimate.py). None: no sampling.
    """

    def __init__(
        self,
        source_map: dict | str | Path | None = None,
        model_path=None,
        use_text_model: bool = True,
        override_threshold: float = 0.8,
        answer_threshold: float = 0.5,
        check_decisive: bool = True,
        sample_rate: float | None = None,
    ):
        if sample_rate is not None and not 0.0 < sample_rate <= 1.0:
            raise ValueError(f"the source-type sample rate is a share of documents in (0, 1], not {sample_rate}")
        self.source_map = source_map
        self.model_path = model_path
        self.use_text_model = use_text_model
        self.override_threshold = override_threshold
        self.answer_threshold = answer_threshold
        self.check_decisive = check_decisive
        self.sample_rate = sample_rate
        self.rules_ = MetadataRules(user_map=load_source_map(source_map))
        self.text_model_ = SourceTextModel(model_path or default_model_path()) if use_text_model else None

    @property
    def model_version(self) -> str:
        return self.text_model_.version if self.text_model_ else ""

    def resolve(self, text: str, url: str | None = None, source_field: str | None = None) -> SourceDecision:
        return self.resolve_batch([text], [url], [source_field])[0]

    def resolve_batch(self, texts: list[str], urls: list[str | None], source_fields: list[str | None],
                      keys: list[str] | None = None, needed: list[bool] | None = None) -> list[SourceDecision]:
        """Decisions for a batch: all the metadata first, then the text model over all the texts (keeping
        the model's tables in the CPU cache instead of alternating it with the rules).

        keys, needed: with a sample rate, each document's id (drawn into the sample or not) and whether it
        must be read whatever the draw (it passed the AI gate). Without them every document is needed."""
        domains = [domain_of(url) for url in urls]
        hints = [self.rules_.hint(url, domain, field) for url, domain, field in zip(urls, domains, source_fields)]
        sampling = [None] * len(texts)
        if not self.text_model_:
            read = []
        elif self.sample_rate is None:
            read = [i for i, hint in enumerate(hints) if self.check_decisive or hint is None or not hint.decisive]
        else:
            read = []
            for i, hint in enumerate(hints):
                if needed is None or needed[i]:
                    read.append(i)  # decisive metadata too: a page that can carry a tag gets its disagreement flag
                elif hint is not None and hint.decisive:
                    continue
                elif unit_hash(keys[i] if keys else texts[i][:200], salt="source-type") < self.sample_rate:
                    read.append(i)
                    sampling[i] = "read"
                else:
                    sampling[i] = "skipped"
        guesses = [(None, 0.0)] * len(texts)
        for i, guess in zip(read, self.text_model_.predict_batch([texts[i] or "" for i in read]) if read else ()):
            guesses[i] = guess
        return [self._decide(hint, guess, confidence, domain, sample)
                for hint, (guess, confidence), domain, sample in zip(hints, guesses, domains, sampling)]

    def _decide(self, hint, guess: str | None, confidence: float, domain: str, sampling: str | None) -> SourceDecision:
        if hint is None:
            if guess is None:
                return SourceDecision(UNKNOWN_SOURCE, "none", domain, sampling=sampling)
            return SourceDecision(guess, "text", domain, sampling=sampling)
        differs = guess is not None and guess != hint.source_type
        if differs and not hint.decisive and guess != RESIDUAL_TYPE and confidence >= self.override_threshold:
            return SourceDecision(guess, "text", domain, disagree=True, sampling=sampling)
        return SourceDecision(hint.source_type, "metadata", domain, disagree=differs and confidence >= self.answer_threshold,
                              sampling=sampling)
