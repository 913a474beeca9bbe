"""Moderation backends behind one interface, and their registry.

A `ModerationBackend` has a `name`, the `categories` it scores, `available()`
returning `(ok, why)`, and `score(texts)` returning one dict of category ->
probability in [0, 1] per text, computed in one batch. Backends: `profanity`
(alt-profanity-check), `hatesonar` (its ONNX model, with the StringNormalizer
locale fix), `abuse` (an offensive-language model fitted by
scripts/calibrate_moderation.py), `spam` (the model trained by
scripts/train_spam.py), `rules`
(see `core.moderation.rules`) and `detoxify` (only with a local checkpoint).
Models load lazily on first `score` and are cached per process by
`get_backend`. This module does not decide levels; see `decision.py`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import HeraldError
from core.moderation.rules import score_rules, strip_known_links
from core.moderation.technical import spam_view
from utils.settings import Settings

__all__ = [
    "ModerationBackend",
    "ProfanityBackend",
    "HateSonarBackend",
    "load_profanity_weights",
    "load_hatesonar_session",
    "load_sonar_weights",
    "LinearModelBackend",
    "SpamBackend",
    "AbuseBackend",
    "RulesBackend",
    "DetoxifyBackend",
    "UnknownBackendError",
    "register_backend",
    "get_backend",
    "backend_names",
    "SPAM_MODEL_PATH",
    "ABUSE_MODEL_PATH",
]

LOG = logging.getLogger(__name__)
SPAM_MODEL_PATH = Path(__file__).parent / "spam_model.json.gz"
ABUSE_MODEL_PATH = Path(__file__).parent / "abuse_model.json.gz"


class UnknownBackendError(HeraldError):
    """A moderation backend name that is not registered."""


class ModerationBackend:
    """One way of scoring text; subclasses set `name`, `categories`, `unit` and implement `_score`."""

    name: str = ""
    categories: tuple[str, ...] = ()
    # "unit": consecutive sentences up to a tweet's length; "sentence": one sentence; "text": all of it
    unit: str = "unit"
    uses_unleet: bool = True  # score the de-leeted text (toxicity) or the plain normalised text

    def __init__(self, settings: Settings | None = None):
        self.settings = settings
        self._lock = threading.Lock()
        self._model: Any = None

    def available(self) -> tuple[bool, str]:
        """(True, "") when the backend can run here, else (False, why)."""
        return True, ""

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        """Scores for each text, category -> probability in [0, 1], in one batch."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return []
        out = self._score(texts)
        return [{k: min(1.0, max(0.0, float(v))) for k, v in row.items()} for row in out]

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        raise NotImplementedError

    def _loaded(self, loader: Callable[[], Any]) -> Any:
        with self._lock:
            if self._model is None:
                self._model = loader()
            return self._model


class ProfanityBackend(ModerationBackend):
    """alt-profanity-check: a linear SVM on words; probability of profanity or insult."""

    name = "profanity"
    categories = ("insult",)

    def available(self) -> tuple[bool, str]:
        """Whether alt-profanity-check is installed."""
        try:
            import profanity_check  # noqa: F401
        except Exception as exc:  # a broken install is a fallback, not a crash
            return (
                False,
                f"alt-profanity-check not installed ({type(exc).__name__}); pip install alt-profanity-check",
            )
        return True, ""

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        return [{"insult": p} for p in self._loaded(load_profanity_weights).predict_proba(texts).tolist()]


@dataclass
class ProfanityWeights:
    """alt-profanity-check's vectorizer and its 5 sigmoid-calibrated linear SVMs, run with numpy.

    Same numbers as `profanity_check.predict_prob` (a test checks it) without sklearn's
    per-call validation, which costs milliseconds per call.
    """

    vectorizer: Any
    coef: Any  # (folds, features)
    intercept: Any  # (folds,)
    a: Any
    b: Any

    def predict_proba(self, texts: list[str]) -> Any:
        """Probability of profanity for each text."""
        import numpy as np

        d = self.vectorizer.transform(texts) @ self.coef.T + self.intercept
        return (1.0 / (1.0 + np.exp(self.a * d + self.b))).mean(axis=1)


def load_profanity_weights() -> ProfanityWeights:
    """Unpack the model that alt-profanity-check ships (a CalibratedClassifierCV of LinearSVCs)."""
    import numpy as np
    from profanity_check import profanity_check as pc

    folds = pc.model.calibrated_classifiers_
    return ProfanityWeights(
        vectorizer=pc.vectorizer,
        coef=np.vstack([f.estimator.coef_.ravel() for f in folds]),
        intercept=np.array([float(f.estimator.intercept_[0]) for f in folds]),
        a=np.array([float(f.calibrators[0].a_) for f in folds]),
        b=np.array([float(f.calibrators[0].b_) for f in folds]),
    )


def load_hatesonar_session(threads: int = 2) -> Any:
    """hatesonar's ONNX model with `locale="C.UTF-8"` on its StringNormalizer and no ZipMap."""
    import onnx
    import onnxruntime as ort
    from hatesonar.api import DEFAULT_MODEL_FILE

    model = onnx.load(str(DEFAULT_MODEL_FILE))
    graph = model.graph
    for node in graph.node:
        if node.op_type == "StringNormalizer":
            for attr in [a for a in node.attribute if a.name == "locale"]:
                node.attribute.remove(attr)
            node.attribute.append(onnx.helper.make_attribute("locale", "C.UTF-8"))
    # ZipMap turns the probability tensor into a list of dicts: slow and not needed.
    for node in [n for n in graph.node if n.op_type == "ZipMap"]:
        source = node.input[0]
        graph.node.remove(node)
        for out in [o for o in graph.output if o.name == node.output[0]]:
            graph.output.remove(out)
        graph.output.append(onnx.helper.make_tensor_value_info(source, onnx.TensorProto.FLOAT, [None, 3]))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session, graph.output[-1].name


@dataclass
class SonarWeights:
    """hatesonar's tf-idf + logistic weights read from its ONNX graph, run with numpy (10x faster)."""

    vectorizer: Any
    idf: Any
    coef: Any  # (classes, features)
    intercept: Any

    def predict_proba(self, texts: list[str]) -> Any:
        """Class probabilities (hate, offensive, neither) exactly as the ONNX graph computes them."""
        import numpy as np

        x = self.vectorizer.transform(texts).astype(np.float32).multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        z = (x @ self.coef.T) / norms[:, None] + self.intercept
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


def load_sonar_weights() -> SonarWeights:
    """Read vocabulary, idf and coefficients out of hatesonar's ONNX file."""
    import numpy as np
    import onnx
    from hatesonar.api import DEFAULT_MODEL_FILE
    from onnx import numpy_helper
    from sklearn.feature_extraction.text import CountVectorizer

    graph = onnx.load(str(DEFAULT_MODEL_FILE)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    attrs = {n.op_type: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute} for n in graph.node}
    tfidf, linear, tokenizer = attrs["TfIdfVectorizer"], attrs["LinearClassifier"], attrs["Tokenizer"]
    vocab = {
        w.decode("utf-8"): int(i) for w, i in zip(tfidf["pool_strings"], tfidf["ngram_indexes"], strict=True)
    }
    n_classes = len(linear["classlabels_ints"])
    vectorizer = CountVectorizer(
        lowercase=True, vocabulary=vocab, token_pattern=tokenizer["tokenexp"].decode("utf-8")
    )
    return SonarWeights(
        vectorizer=vectorizer,
        idf=np.asarray(init["idfcst"], dtype=np.float32),
        coef=np.asarray(linear["coefficients"], dtype=np.float32).reshape(n_classes, -1),
        intercept=np.asarray(linear["intercepts"], dtype=np.float32),
    )


class HateSonarBackend(ModerationBackend):
    """hatesonar (Davidson et al. 2017 tf-idf + logistic regression): hate and offensive.

    Scores with the weights read from hatesonar's ONNX file (`load_sonar_weights`); the
    contract test checks they match the ONNX session built by `load_hatesonar_session`.
    """

    name = "hatesonar"
    categories = ("hate", "offensive")

    def available(self) -> tuple[bool, str]:
        """Whether hatesonar and onnx are installed."""
        try:
            import hatesonar  # noqa: F401
            import onnx  # noqa: F401
        except Exception as exc:
            return False, f"hatesonar unavailable ({type(exc).__name__}: {exc}); pip install hatesonar onnx"
        return True, ""

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        probs = self._loaded(load_sonar_weights).predict_proba(texts)
        return [{"hate": float(p[0]), "offensive": float(p[1])} for p in probs.tolist()]


class LinearModelBackend(ModerationBackend):
    """A `LinearTextModel` file trained by a script in scripts/; subclasses name file and category."""

    model_file: Path = SPAM_MODEL_PATH
    script: str = ""

    def __init__(self, settings: Settings | None = None, model_path: Path | None = None):
        super().__init__(settings)
        self.model_path = Path(model_path or self.model_file)

    def available(self) -> tuple[bool, str]:
        """Whether the trained model file is present."""
        if not self.model_path.exists():
            return False, f"no model at {self.model_path}; run {self.script}"
        return True, ""

    def threshold(self) -> float:
        """The threshold chosen by the training script's cross-validation (0.5 when absent)."""
        return float(self.model().meta.get("threshold", 0.5))

    def model(self) -> Any:
        """The loaded model (cached)."""
        from core.moderation.linear import load_linear_model

        return self._loaded(lambda: load_linear_model(self.model_path))

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        (category,) = self.categories
        return [{category: p} for p in self.model().predict_proba(texts)]


class SpamBackend(LinearModelBackend):
    """The spam model trained by scripts/train_spam.py on SMS spam (whole text)."""

    name = "spam"
    categories = ("spam",)
    unit = "text"
    uses_unleet = False
    model_file = SPAM_MODEL_PATH
    script = "scripts/train_spam.py"

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        # links to code hosts and docs are normal in posts; SMS spam taught the model that URLs are spam,
        # and that figures are: sizes, counts and issue numbers of software read as neutral words
        return super()._score([spam_view(strip_known_links(t)) for t in texts])


class AbuseBackend(LinearModelBackend):
    """Word + char n-gram model of offensive tweets, fitted by scripts/calibrate_moderation.py."""

    name = "abuse"
    categories = ("abuse",)
    model_file = ABUSE_MODEL_PATH
    script = "scripts/calibrate_moderation.py"


class RulesBackend(ModerationBackend):
    """Patterns: threats, personal data (emails, phone numbers), unknown links, shouting."""

    name = "rules"
    categories = ("threat", "personal_data", "link", "shouting")
    unit = "sentence"
    uses_unleet = False

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        return [score_rules(t) for t in texts]


class DetoxifyBackend(ModerationBackend):
    """Detoxify from a local checkpoint (`HERALD_DETOXIFY_CHECKPOINT`); never downloads."""

    name = "detoxify"
    categories = ("toxicity", "insult", "threat", "hate", "obscene")

    def available(self) -> tuple[bool, str]:
        """Whether a checkpoint is configured, exists and the detoxify package imports."""
        path = (self.settings.detoxify_checkpoint if self.settings else "") or ""
        if not path:
            return False, "no checkpoint (set HERALD_DETOXIFY_CHECKPOINT to a local .ckpt file)"
        if not Path(path).exists():
            return False, f"checkpoint {path} not found; fix HERALD_DETOXIFY_CHECKPOINT"
        try:
            import detoxify  # noqa: F401
        except Exception as exc:
            return False, f"detoxify not installed ({type(exc).__name__}); pip install detoxify"
        return True, ""

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        def load() -> Any:
            from detoxify import Detoxify

            return Detoxify(
                checkpoint=self.settings.detoxify_checkpoint if self.settings else None, device="cpu"
            )

        raw = self._loaded(load).predict(texts)
        rows = []
        for i in range(len(texts)):
            rows.append(
                {
                    "toxicity": float(raw.get("toxicity", [0.0] * len(texts))[i]),
                    "insult": float(raw.get("insult", [0.0] * len(texts))[i]),
                    "threat": float(raw.get("threat", [0.0] * len(texts))[i]),
                    "hate": float(
                        raw.get("identity_attack", raw.get("identity_hate", [0.0] * len(texts)))[i]
                    ),
                    "obscene": float(raw.get("obscene", [0.0] * len(texts))[i]),
                }
            )
        return rows


_REGISTRY: dict[str, type[ModerationBackend]] = {}
_CACHE: dict[tuple[str, str], ModerationBackend] = {}
_CACHE_LOCK = threading.Lock()


def register_backend(cls: type[ModerationBackend]) -> type[ModerationBackend]:
    """Add a backend class to the registry under its `name` (usable as a decorator)."""
    _REGISTRY[cls.name] = cls
    return cls


for _cls in (ProfanityBackend, HateSonarBackend, AbuseBackend, SpamBackend, RulesBackend, DetoxifyBackend):
    register_backend(_cls)


def backend_names() -> tuple[str, ...]:
    """Registered backend names, in the order they run."""
    return tuple(_REGISTRY)


def get_backend(name: str, settings: Settings | None = None) -> ModerationBackend:
    """The process-wide instance of a backend (models load on first use)."""
    if name not in _REGISTRY:
        raise UnknownBackendError(f"Unknown moderation backend {name!r}; choose from {', '.join(_REGISTRY)}")
    key = (name, (settings.detoxify_checkpoint if settings else "") if name == "detoxify" else "")
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _REGISTRY[name](settings)
        return _CACHE[key]
