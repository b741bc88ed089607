"""Evaluate a mention before anyone answers it: verdict, kind, sentiment, language, tags, priority.

Every decision carries the reasons people see on the card and in the audit ("matched rule
spam.crypto_links", "sentiment -0.72 (negative)"). Triage never raises: whatever the text, a mention
gets a verdict, and if something inside goes wrong it is handed to a person (``respond``) with the
error as its reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bridge.playbook.need_cues import ADDRESSED, FIRST_PERSON, PROBLEM, QUESTION_RULES
from bridge.playbook.patterns import Matcher, Pattern, Rule
from bridge.playbook.reply_cues import NEGATIVE_QUESTION
from bridge.playbook.triage_rules import TriageRules
from bridge.text.language import SENTIMENT_LANGUAGES, UNDETERMINED, detect_language, normalise_hint, warm_up
from bridge.triage.learning.features import cues_of, vectorise
from bridge.triage.learning.model import NeedModel
from bridge.triage.outcome import Kind, Polarity, Priority, Triage, TriageInput, Verdict

log = structlog.get_logger(__name__)

MAX_REASON_SNIPPET_CHARS = 40
MAX_CUES_IN_REASONS = 4
MAX_SENTIMENT_WORDS = 150  # VADER's negation checks grow with the square of a text's sentiment words

_RETWEET_PREFIX = re.compile(r"^\s*RT\s+@\w+", re.IGNORECASE)
_MENTIONS_AND_LINKS = re.compile(r"@\w+|https?://\S+|www\.\S+|\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "＇": "'"})
_LEADING_MENTIONS = re.compile(r"^[^\w@]*(?:@\w+[^\w@]*)*")


def _sentence_ending_at(text: str, end: int) -> str:
    """The sentence that ends at ``text[end]``, in linear time whatever the text's length."""
    start = max(text.rfind(stop, 0, end) for stop in ".!?\n") + 1
    return text[start : end + 1]


@dataclass(frozen=True)
class _Hit:
    rule: str
    snippet: str

    def reason(self) -> str:
        return f"matched rule {self.rule} ('{_snippet(self.snippet)}')"


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_REASON_SNIPPET_CHARS:
        return text[: MAX_REASON_SNIPPET_CHARS - 1] + "…"
    return text


def _first_hit(group: str, rules: tuple[Rule, ...], hits: dict[str, str]) -> _Hit | None:
    for rule in rules:
        found = hits.get(f"{group}:{rule.name}")
        if found is not None:
            return _Hit(rule.name, found)
    return None


class Triager:
    """Built once per playbook: holds the sentiment analyser and the compiled rules."""

    def __init__(
        self, rules: TriageRules | None = None, model: Callable[[], NeedModel | None] | None = None
    ) -> None:
        self.rules = rules if rules is not None else TriageRules()
        self._model = model  # the fitted model, where one is saved (bridge.triage.learning.active)
        self._vader = SentimentIntensityAnalyzer()
        self._spam = self.rules.spam_rules
        self._abuse = self.rules.abuse_rules
        self._noise = self.rules.noise_rules
        self._needs = tuple(
            r
            for r in self.rules.need_rules
            if self.rules.questions_need_reply or r.name not in QUESTION_RULES
        )
        self._brand = self.rules.brand_rules
        self._cues = self.rules.reply_cues
        self._tag_names = tuple(self.rules.all_taggers)
        self._ignored_authors = frozenset(h.lstrip("@").casefold() for h in self.rules.ignore_authors)
        patterns: list[tuple[str, Pattern]] = [
            *((f"spam:{r.name}", r) for r in self._spam),
            *((f"abuse:{r.name}", r) for r in self._abuse),
            *((f"need:{r.name}", r) for r in self._needs),
            ("addressed", ADDRESSED),
            ("first_person", FIRST_PERSON),
            *((f"noise:{r.name}", r) for r in self._noise),
            *((f"brand:{r.name}", r) for r in self._brand),
            *((f"cue:{c.name}", c) for c in self._cues),
            *((f"tag:{name}", p) for name, p in self.rules.all_taggers.items()),
        ]
        if self.rules.urgent is not None:
            patterns.append(("urgent", self.rules.urgent))
        self._matcher = Matcher(patterns)
        warm_up(self.rules.languages)

    def clean(self, text: str) -> str:
        """The text rules look at: bounded in length, HTML entities decoded, curly quotes straightened."""
        return html.unescape(text[: self.rules.max_analysed_chars]).translate(_QUOTES)

    def hits(self, clean_text: str) -> dict[str, str]:
        """Every rule that matches (``need:…``, ``cue:…``, ``noise:…`` …) and the words it matched."""
        return self._matcher.scan(clean_text)

    def sentiment(self, clean_text: str) -> float:
        """VADER's compound score in [-1, 1] over the first words; 0.0 when it cannot score the text."""
        emojis = self._vader.emojis
        parts: list[str] = []
        previous_space = True
        for ch in clean_text:  # VADER's own emoji expansion, done once here so the text can be capped
            description = emojis.get(ch)
            if description is None:
                parts.append(ch)
                previous_space = ch == " "
            else:
                parts.append(description if previous_space else " " + description)
                previous_space = False
        words = "".join(parts).split()
        try:
            scores = self._vader.polarity_scores(" ".join(words[:MAX_SENTIMENT_WORDS]))
            return float(scores["compound"])
        except Exception:  # the analyser is third-party code; a mention must still be triaged
            log.warning("triage.sentiment_failed", exc_info=True)
            return 0.0

    @property
    def reply_feature_names(self) -> list[str]:
        """Every input of the reply model, in the order ``--fit`` prints weights for them."""
        return [
            *(cue.name for cue in self._cues),
            NEGATIVE_QUESTION,
            "sentiment.negative",
            "sentiment.positive",
        ]

    def _combinations(self, text: str, sentiment: float) -> dict[str, str]:
        """The reply signals that combine others, each with the words that show it.

        reply.negative_question: a question ('?') in a mention whose sentiment is negative.
        """
        found: dict[str, str] = {}
        mark = text.find("?")
        if sentiment <= self.rules.negative_below and mark >= 0:
            asked = _LEADING_MENTIONS.sub("", _sentence_ending_at(text, mark))
            found[NEGATIVE_QUESTION] = asked.strip() or "?"
        return found

    def reply_features(self, clean_text: str, sentiment: float) -> dict[str, float]:
        """The reply model's inputs: 1.0 per matched cue and combination, and the parts of sentiment."""
        hits = self._matcher.scan(clean_text)
        features = {cue.name: 1.0 for cue in self._cues if f"cue:{cue.name}" in hits}
        features.update(dict.fromkeys(self._combinations(clean_text, sentiment), 1.0))
        features["sentiment.negative"] = max(0.0, -sentiment)
        features["sentiment.positive"] = max(0.0, sentiment)
        return features

    def _reply_score(self, text: str, hits: dict[str, str], sentiment: float) -> tuple[float, list[str]]:
        """The reply model's score and the reasons behind it (strongest positive signals first)."""
        model = self.rules.reply
        score = model.bias
        signals: list[tuple[float, str]] = []
        for cue in self._cues:
            found = hits.get(f"cue:{cue.name}")
            if found is not None:
                score += cue.weight
                if cue.explains:
                    signals.append((cue.weight, f"cue {cue.name} ('{_snippet(found)}', {cue.weight:+.2f})"))
        weights = {NEGATIVE_QUESTION: model.negative_question_weight}
        for name, found in self._combinations(text, sentiment).items():
            weight = weights[name]
            if weight:
                score += weight
                signals.append((weight, f"cue {name} ('{_snippet(found)}', {weight:+.2f})"))
        negative = model.negative_sentiment_weight * max(0.0, -sentiment)
        positive = model.positive_sentiment_weight * max(0.0, sentiment)
        score += negative + positive
        if negative:
            signals.append((negative, f"negative sentiment ({negative:+.2f})"))
        if positive:
            signals.append((positive, f"positive sentiment ({positive:+.2f})"))
        signals.sort(key=lambda s: s[0], reverse=True)
        return score, [text for weight, text in signals[:MAX_CUES_IN_REASONS] if weight > 0]

    def triage(self, item: TriageInput) -> Triage:
        """Triage one mention. Never raises: on an internal error the mention goes to a person."""
        try:
            return self._triage(item)
        except Exception as exc:
            log.exception("triage.failed", author=item.author_handle)
            hint = normalise_hint(item.lang_hint) if isinstance(item.lang_hint, str) else None
            return Triage(
                verdict=Verdict.RESPOND,
                kind=Kind.SERVICE,
                sentiment=0.0,
                language=hint or UNDETERMINED,
                tags=(),
                priority=Priority.NORMAL,
                reasons=(f"triage failed ({type(exc).__name__}): a person decides",),
                gets_card=True,
            )

    def _triage(self, item: TriageInput) -> Triage:
        rules = self.rules
        text = self.clean(item.text or "")
        detected = detect_language(text, item.lang_hint, rules.languages)
        known = detected.code == UNDETERMINED or detected.code in SENTIMENT_LANGUAGES
        sentiment = self.sentiment(text) if known else 0.0
        hits = self._matcher.scan(text)
        reasons: list[str] = []
        needs = self._needs_found(hits)
        verdict, score = self._verdict(item, text, hits, needs, sentiment, detected.code, reasons)
        verdict = self._second_opinion(text, hits, verdict, detected.code, reasons)
        kind = self._kind(hits, reasons)
        tags = self._tags(hits, reasons)
        polarity = self._polarity(sentiment) if known else Polarity.UNKNOWN
        if known:
            reasons.append(f"sentiment {sentiment:+.2f} ({polarity})")
        else:
            reasons.append(f"sentiment unknown (the sentiment model reads English; this is {detected.code})")
        reasons.append(detected.reason)
        priority = self._priority(item, hits, verdict, polarity, reasons)
        gets_card = verdict in (Verdict.RESPOND, Verdict.MONITOR) or (
            verdict is Verdict.NOISE and rules.noise_gets_card
        )
        return Triage(
            verdict=verdict,
            kind=kind,
            sentiment=round(sentiment, 4),
            language=detected.code,
            tags=tags,
            priority=priority,
            reasons=tuple(reasons),
            reply_score=round(score, 4),
            gets_card=gets_card,
            polarity=polarity,
            needs=tuple(hit.rule for hit in needs) if verdict is Verdict.RESPOND else (),
        )

    def _second_opinion(
        self, text: str, hits: dict[str, str], verdict: Verdict, language: str, reasons: list[str]
    ) -> Verdict:
        """Where the rules set a mention aside as noise, the fitted model may still hand it to a
        person: respond if either says respond. Spam, bots and trolls stay with the rules."""
        model = self._model() if self._model is not None and verdict is Verdict.NOISE else None
        if model is None:
            return verdict
        p = model.probability(vectorise(text, cues_of(hits, verdict.value, language)))
        if p < model.threshold:
            reasons.append(f"model: {p:.2f} needs a person, below {model.threshold:.2f}")
            return verdict
        reasons.insert(0, f"model: {p:.2f} needs a person (fitted {model.fitted_at}; the rules said noise)")
        return Verdict.RESPOND

    def _needs_found(self, hits: dict[str, str]) -> list[_Hit]:
        """The need rules that hold: each needs an addressee ("@…", "you") or the writer's own matter."""
        if "noise:noise.promotion" in hits:
            return []  # an advertisement's "Hungry?" asks nobody for anything
        if "addressed" not in hits and "first_person" not in hits:
            return []
        found = []
        for rule in self._needs:
            snippet = hits.get(f"need:{rule.name}")
            if snippet is not None:
                found.append(_Hit(rule.name, snippet))
        return found

    def _verdict(
        self,
        item: TriageInput,
        text: str,
        hits: dict[str, str],
        needs: list[_Hit],
        sentiment: float,
        language: str,
        reasons: list[str],
    ) -> tuple[Verdict, float]:
        rules = self.rules
        ignored = self._ignored(item, text, hits)
        if ignored:
            reasons.append(ignored)
            return Verdict.IGNORE, 0.0
        score, signals = self._reply_score(text, hits, sentiment)
        threshold = rules.reply.threshold
        complains = score >= threshold
        abuse = _first_hit("abuse", self._abuse, hits)
        if abuse is not None:
            reasons.append(abuse.reason())
            reports = [n for n in needs if n.rule == PROBLEM]  # insults with demands stay monitored
            if score >= threshold + rules.abuse_reply_margin or reports:
                why = f"reply score {score:+.2f}" if not reports else reports[0].reason()
                reasons.append(f"abusive, but reports a problem: {why}")
                reasons.extend(signals)
                return Verdict.RESPOND, score
            return Verdict.MONITOR, score
        asks = "asks for a person: " + "; ".join(n.reason() for n in needs[:MAX_CUES_IN_REASONS])
        if complains:
            reasons.append(f"needs a reply: score {score:+.2f} ≥ {threshold:+.2f}")
            reasons.extend(signals)
            reasons.extend([asks] if needs else [])
            return Verdict.RESPOND, score
        if needs:
            reasons.append(asks)
            return Verdict.RESPOND, score
        if language != UNDETERMINED and language not in rules.reply_languages:
            reasons.append(
                f"written in {language}; the reply cues cover {', '.join(rules.reply_languages)}: "
                "a person decides"
            )
            return Verdict.RESPOND, score
        noise = _first_hit("noise", self._noise, hits)
        reasons.append(noise.reason() if noise is not None else "chatter: asks nothing, reports nothing")
        reasons.append(f"reply score {score:+.2f} < {threshold:+.2f}")
        return Verdict.NOISE, score

    def _ignored(self, item: TriageInput, text: str, hits: dict[str, str]) -> str:
        """Why nobody should look (our own post, a listed bot, a bare retweet, spam), or ''."""
        if item.is_own_account:
            return "our own post"
        if item.author_handle.lstrip("@").casefold() in self._ignored_authors:
            return f"author @{item.author_handle.lstrip('@')} is in ignore_authors"
        if self.rules.ignore_retweets_without_text and (item.is_retweet or _RETWEET_PREFIX.match(text)):
            return "retweet without text of its own"
        if not _MENTIONS_AND_LINKS.sub("", text):
            return "no text beyond mentions and links"
        spam = _first_hit("spam", self._spam, hits)
        return spam.reason() if spam is not None else ""

    def _kind(self, hits: dict[str, str], reasons: list[str]) -> Kind:
        brand = _first_hit("brand", self._brand, hits)
        if brand is None:
            reasons.append("kind service (no brand-matter rule matched)")
            return Kind.SERVICE
        reasons.append(f"kind brand: {brand.reason()}")
        return Kind.BRAND

    def _tags(self, hits: dict[str, str], reasons: list[str]) -> tuple[str, ...]:
        found: list[str] = []
        for name in self._tag_names:
            snippet = hits.get(f"tag:{name}")
            if snippet is not None:
                found.append(name)
                reasons.append(f"tag {name} ('{_snippet(snippet)}')")
        return tuple(found)

    def _polarity(self, sentiment: float) -> Polarity:
        if sentiment <= self.rules.negative_below:
            return Polarity.NEGATIVE
        if sentiment >= self.rules.positive_above:
            return Polarity.POSITIVE
        return Polarity.NEUTRAL

    def _priority(
        self,
        item: TriageInput,
        hits: dict[str, str],
        verdict: Verdict,
        polarity: Polarity,
        reasons: list[str],
    ) -> Priority:
        rules = self.rules
        urgent = hits.get("urgent")
        high_reach = item.author_followers >= rules.high_reach_followers
        why: list[str] = []
        if urgent is not None:
            why.append(f"urgent word '{_snippet(urgent)}'")
        if high_reach:
            why.append(f"author has {item.author_followers:,} followers (≥ {rules.high_reach_followers:,})")
        if verdict is Verdict.RESPOND:
            if polarity == "negative":
                why.append("negative sentiment")
            points = 2 * (urgent is not None) + high_reach + (polarity == "negative")
            priority = Priority.URGENT if points >= 3 else Priority.HIGH if points == 2 else Priority.NORMAL
        elif verdict is Verdict.MONITOR:
            priority = Priority.HIGH if urgent else Priority.NORMAL if high_reach else Priority.LOW
        else:
            priority, why = Priority.LOW, []
        reasons.append(f"priority {priority}" + (f": {', '.join(why)}" if why else ""))
        return priority


__all__ = ["Kind", "Polarity", "Priority", "Triage", "TriageInput", "Triager", "Verdict"]
