"""The triage section of a playbook: which words make a mention spam, abuse, noise or a brand matter.

An empty section works: the built-in rules below apply, each with a name that reads well in a reason
("matched rule spam.crypto_links"). Rules a playbook lists are added to the built-in ones;
``disabled_rules`` switches named built-ins off and ``builtin_rules: false`` drops them all. Every model
forbids unknown keys, and every regex is compiled on load, so a typo or a bad pattern is an error that
names its key instead of a rule that silently never fires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from bridge.text.language import LATIN_LANGUAGES

DEFAULT_HIGH_REACH_FOLLOWERS = 10_000
DEFAULT_NEGATIVE_BELOW = -0.05  # VADER's own cut-offs for a negative / positive compound score
DEFAULT_POSITIVE_ABOVE = 0.05
DEFAULT_MAX_ANALYSED_CHARS = 5_000
DEFAULT_ABUSE_REPLY_MARGIN = 1.5
DEFAULT_REPLY_LANGUAGES = ("en",)  # the languages the built-in reply cues are written in

_RULE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def check_regexes(patterns: list[str]) -> list[str]:
    """Refuse a playbook whose regular expression does not compile, naming it and why."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
    return patterns


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")

Term = tuple[tuple[str, ...], bool]  # the words of a term, and whether its last word is a prefix


def _term(term: str) -> Term:
    """A literal term matched as whole words; a trailing ``*`` after a letter matches any ending."""
    prefix = len(term) > 1 and term.endswith("*") and (term[-2].isalnum() or term[-2] == "_")
    words = tuple(w.lower() for w in _TOKEN.findall(term[:-1] if prefix else term))
    return words, prefix


class Pattern(Strict):
    """What a rule looks for: whole words, phrases, hashtags or regular expressions (case-insensitive)."""

    keywords: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)

    _terms: tuple[Term, ...] = PrivateAttr(default=())
    _regexes: tuple[re.Pattern[str], ...] = PrivateAttr(default=())
    _matcher: Matcher | None = PrivateAttr(default=None)

    _listify = field_validator("keywords", "phrases", "hashtags", "regex", mode="before")(_as_list)

    @field_validator("keywords", "phrases", "hashtags")
    @classmethod
    def _not_blank(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not _term(term.strip())[0]:
                raise ValueError(f"empty term {term!r}")
        return [term.strip() for term in terms]

    @field_validator("regex")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return check_regexes(patterns)

    @model_validator(mode="after")
    def _compile(self) -> Pattern:
        if not (self.keywords or self.phrases or self.hashtags or self.regex):
            raise ValueError("a rule needs at least one of keywords, phrases, hashtags or regex")
        hashtags = ("#" + tag.lstrip("#") for tag in self.hashtags)
        self._terms = tuple(_term(term) for term in (*self.keywords, *self.phrases, *hashtags))
        self._regexes = tuple(re.compile(p, re.IGNORECASE) for p in self.regex)
        return self

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    @property
    def regexes(self) -> tuple[re.Pattern[str], ...]:
        return self._regexes

    def find(self, text: str) -> str | None:
        """The first stretch of ``text`` this pattern matches, or None."""
        if self._matcher is None:
            self._matcher = Matcher([("", self)])
        return self._matcher.scan(text).get("")


_Entry = tuple[str, tuple[str, ...], bool]


class Matcher:
    """Which of many patterns match a text, found in one pass over its words (then their regexes)."""

    def __init__(self, patterns: Iterable[tuple[str, Pattern]]) -> None:
        self._exact: dict[str, list[_Entry]] = {}  # one-word terms, and two-word terms ending in a prefix
        self._pairs: dict[tuple[str, str], list[_Entry]] = {}  # longer terms, by their first two words
        self._prefix: dict[int, dict[str, list[_Entry]]] = {}  # one-word prefixes, by length
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        for key, pattern in patterns:
            for words, prefix in pattern.terms:
                entry = (key, words, prefix)
                if len(words) == 1 and prefix:
                    self._prefix.setdefault(len(words[0]), {}).setdefault(words[0], []).append(entry)
                elif len(words) == 1 or (len(words) == 2 and prefix):
                    self._exact.setdefault(words[0], []).append(entry)
                else:
                    self._pairs.setdefault((words[0], words[1]), []).append(entry)
            self._regexes.extend((key, regex) for regex in pattern.regexes)
        self._lengths = tuple(sorted(self._prefix))

    def scan(self, text: str) -> dict[str, str]:
        """For every pattern key that matches, the first stretch of ``text`` it matched."""
        spans = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        hits: dict[str, str] = {}
        last = len(spans) - 1
        for i, (word, _, _) in enumerate(spans):
            entries = self._exact.get(word)
            if entries:
                self._extend(entries, spans, i, text, hits)
            if i < last:
                entries = self._pairs.get((word, spans[i + 1][0]))
                if entries:
                    self._extend(entries, spans, i, text, hits)
            for length in self._lengths:
                if len(word) < length:
                    break
                entries = self._prefix[length].get(word[:length])
                if entries:
                    self._extend(entries, spans, i, text, hits)
        for key, regex in self._regexes:
            if key not in hits and (m := regex.search(text)):
                hits[key] = m.group(0) or regex.pattern
        return hits

    @staticmethod
    def _extend(
        entries: list[_Entry], spans: list[tuple[str, int, int]], i: int, text: str, hits: dict[str, str]
    ) -> None:
        for key, words, prefix in entries:
            if key in hits:
                continue
            last = i + len(words) - 1
            if last >= len(spans):
                continue
            if any(spans[i + k][0] != words[k] for k in range(1, len(words) - 1)):
                continue
            tail = spans[last][0]
            if len(words) > 1 and not (tail.startswith(words[-1]) if prefix else tail == words[-1]):
                continue
            hits[key] = text[spans[i][1] : spans[last][2]]


class Rule(Pattern):
    """A named pattern; the name is what reasons, cards and the audit show."""

    name: str

    @field_validator("name")
    @classmethod
    def _name_is_a_word(cls, name: str) -> str:
        if not _RULE_NAME.match(name):
            raise ValueError(f"rule name {name!r} may hold only letters, digits, '_', '.' and '-'")
        return name


class Cue(Rule):
    """A sign that a mention needs a reply (positive weight) or does not (negative weight).

    ``explains: false`` keeps a structural cue (an @mention, a question mark) out of the reasons people
    read; it still counts in the score.
    """

    weight: float
    explains: bool = True


_SOME = ("two", "three", "four", "five", "six", "several", "many", "multiple", "few")
_UNITS = ("minutes", "hours", "hrs", "days", "weeks", "months", "years", "times", "calls", "emails")


def _terms(text: str) -> list[str]:
    """Terms written as one string, separated by '|'."""
    return [term.strip() for term in text.split("|") if term.strip()]


def _rule(name: str, **patterns: list[str]) -> Rule:
    return Rule(name=name, **patterns)


def _cue(name: str, weight: float, explains: bool = True, **patterns: list[str]) -> Cue:
    return Cue(name=name, weight=weight, explains=explains, **patterns)


DEFAULT_SPAM_RULES: tuple[Rule, ...] = (
    _rule(
        "spam.crypto_links",
        phrases=_terms("free nft | claim your airdrop | crypto giveaway | double your bitcoin"),
        regex=[
            r"(?s)^(?=.*?(?:https?://|www\.|t\.co/))(?=.*?(?<!\w)(?:crypto|bitcoin|btc|ethereum|eth|nfts?|"
            r"airdrop|usdt|forex|binance|metamask|seed phrase|presale)(?!\w)).{0,40}",
        ],
    ),
    _rule(
        "spam.follow_back",
        keywords=_terms("f4f | follow4follow | l4l"),
        phrases=_terms(
            "follow back | follow me back | followback | follow for follow | sub4sub | gain followers | "
            "buy followers | cheap followers | automatically checked by | check out my channel | "
            "check out my page"
        ),
        hashtags=_terms("teamfollowback | followback | f4f | follow4follow"),
    ),
    _rule(
        "spam.get_rich",
        phrases=_terms(
            "make money from home | work from home and earn | earn $ | passive income | "
            "guaranteed profit | investment opportunity | dm me to invest | link in bio | "
            "click the link in my bio | 100% free | limited time offer click"
        ),
    ),
    _rule(
        "spam.adult",
        keywords=_terms("onlyfans | nudes | xxx"),
        phrases=_terms("hot singles | sex cam | 18+ content"),
    ),
)

DEFAULT_ABUSE_RULES: tuple[Rule, ...] = (
    _rule(
        "abuse.insults",
        phrases=_terms(
            "fuck you | fuck off | f*** you | f*ck you | screw you | go to hell | stfu | eat shit | "
            "suck my | piece of shit company"
        ),
        regex=[
            r"(?<!\w)(you|u|ya|you're|youre|you are|ur|y'all|you guys are)\s+(\w+\s+)?"
            r"(idiots?|morons?|stupid|retard\w*|clowns?|losers?|scum|trash|garbage|dumbass\w*|dickheads?|"
            r"wankers?|twats?|bastards?|assholes?|arseholes?|shit ?heads?|pigs?|cunts?|imbeciles?)(?!\w)"
        ],
    ),
    _rule(
        "abuse.threats",
        keywords=_terms("kys"),
        phrases=_terms(
            "kill yourself | kill yourselves | i will kill | i'll kill | gonna kill you | "
            "die in a fire | hope you die | hope you all die | burn your store | burn it down | "
            "shoot up | bomb your | watch your back"
        ),
    ),
)

DEFAULT_NOISE_RULES: tuple[Rule, ...] = (
    _rule(
        "noise.praise",
        phrases=_terms(
            "thank you | thanks | thx | love it | love this | love you | love my | love the | loving | "
            "awesome | amazing | great job | great service | well done | kudos | shout out | shoutout | "
            "brilliant | fantastic | much appreciated | you rock | best service | so helpful | "
            "very helpful | <3 | ❤ | ❤️ | 😍 | 🙏"
        ),
    ),
    _rule(
        "noise.acknowledgement",
        regex=[
            r"^[^\w@]*(?:@\w+[^\w@]*)*(ok|okay|alright|done|sent|correct|yes|yep|no worries|will do|got it|"
            r"just sent( the| you a)? dm|dm'?e?d( you)?( again)?|sorted|all good)\b"
        ],
    ),
)

DEFAULT_BRAND_RULES: tuple[Rule, ...] = (
    _rule(
        "brand.reputation",
        keywords=_terms(
            "boycott* | racist | racism | sexist | sexism | homophobic | transphobic | discriminat* | "
            "unethical | scandal | disgrace* | hypocrit*"
        ),
        phrases=_terms("shame on you | ashamed of you | never buying from | will never shop"),
    ),
    _rule(
        "brand.advertising",
        keywords=_terms(
            "ad | ads | advert* | commercial | campaign | sponsor* | ambassador | influencer* | "
            "marketing | slogan | logo | billboard"
        ),
    ),
    _rule(
        "brand.corporate",
        keywords=_terms(
            "ceo | executives | shareholders | investors | layoffs | laid off | strike | union | "
            "lawsuit | sued | merger | acquisition"
        ),
        phrases=_terms("press release | public statement | stock price"),
    ),
    _rule(
        "brand.values",
        keywords=_terms("sustainab* | climate | environment* | plastic | sweatshop* | diversity"),
        phrases=_terms("animal testing | human rights | child labour | child labor | pride month"),
    ),
)

DEFAULT_TAGGERS: dict[str, Pattern] = {
    "billing": Pattern(
        keywords=_terms(
            "refund* | charge | charged | overcharg* | bill | billing | billed | invoice* | payment* | "
            "fee | fees | reimburs* | subscription"
        ),
    ),
    "delivery": Pattern(
        keywords=_terms(
            "deliver* | parcel* | package* | shipping | shipped | courier | tracking | dispatch* | order"
        ),
    ),
    "outage": Pattern(
        keywords=_terms("outage | down | offline | blackout"),
        phrases=_terms("no service | no internet | no signal | no power | not loading"),
    ),
    "account": Pattern(
        keywords=_terms(
            "login | log in | password | account | locked | hacked | suspended | verification | 2fa"
        ),
    ),
    "defect": Pattern(
        keywords=_terms(
            "broken | broke | faulty | defective | damaged | cracked | ripped | crash* | glitch* | "
            "bug | error*"
        ),
        phrases=_terms("not working | stopped working | doesn't work | won't work"),
    ),
    "travel": Pattern(
        keywords=_terms(
            "flight | flights | train | bus | delayed | cancelled | canceled | luggage | baggage | "
            "gate | boarding"
        ),
    ),
    "safety": Pattern(
        keywords=_terms(
            "fire | smoke | injur* | hospital | recall* | unsafe | dangerous | allerg* | poison*"
        ),
    ),
}

DEFAULT_URGENT_WORDS: tuple[str, ...] = tuple(
    _terms(
        "urgent* | emergency | asap | immediately | right now | danger* | unsafe | safety | fire | "
        "smoke | injur* | hospital | stranded | fraud* | hacked | stolen | data breach | lawyer | "
        "legal action | police | recall* | food poisoning | allergic reaction"
    )
)

# The reply model: a logistic score over named cues, one combination (reply.negative_question, below) and
# the VADER compound score. Weights were fitted on complaints-dev with ``bench/triage_quality.py --fit``
# (the bench also reports a 5-fold cross-validated figure, with these weights refitted on each split).
DEFAULT_REPLY_BIAS = -3.33
DEFAULT_REPLY_THRESHOLD = -0.55
DEFAULT_NEGATIVE_SENTIMENT_WEIGHT = 0.34
DEFAULT_POSITIVE_SENTIMENT_WEIGHT = -0.93
DEFAULT_REPLY_CUES: tuple[Cue, ...] = (
    _cue(
        "reply.broken",
        2.03,
        keywords=_terms(
            "broken | broke | breaks | faulty | defective | damaged | cracked | ripped | torn | "
            "crash* | glitch* | bug | bugs | buggy | error* | fail | fails | failed | failing | "
            "failure | malfunction* | freez* | frozen | laggy | lagging | stutter* | outage | leak* | "
            "rusting | expired | stale | mould* | mold* | dead | deleted | disappeared | vanished | wiped"
        ),
        phrases=_terms(
            "not working | stopped working | doesn't work | does not work | don't work | won't work | "
            "isn't working | no longer works | won't load | won't start | not loading | doesn't load | "
            "is down | are down | went down | still down | no service | no signal | no internet | "
            "no power | no wifi | no water | power cut | power is out | keeps dropping | "
            "keeps crashing | stops working | switched off | turned off"
        ),
    ),
    _cue(
        "reply.issue",
        1.12,
        keywords=_terms(
            "issue | issues | problem | problems | wrong | slow | impossible | invalid | blocked | "
            "stuck | unable | incorrect* | refused | denied | declined | rejected"
        ),
        phrases=_terms("not letting | won't let | doesn't let | not accepted | not allowed | no way to"),
    ),
    _cue(
        "reply.not_received",
        1.32,
        keywords=_terms("missing | late | delay | delayed | delays | cancelled | canceled | lost | stranded"),
        phrases=_terms(
            "never arrived | never received | never got | not received | haven't received | "
            "have not received | hasn't arrived | has not arrived | didn't arrive | didn't receive | "
            "not arrived | yet to receive | wrong item | wrong order | wrong size | the wrong | "
            "never came | never showed | no sign of | still haven't | still not | still no | "
            "still nothing | still waiting | hasn't even"
        ),
    ),
    _cue(
        "reply.no_response",
        0.95,
        keywords=_terms("unanswered | ignored | ignoring | unhelpful | awaiting | chasing"),
        phrases=_terms(
            "no response | no reply | no answer | no one | nobody | not heard back | haven't heard | "
            "never heard | no call back | never called | call back | hung up | on hold | no help | "
            "not helpful | waste of time | wasted | got nowhere | no update | get back to me"
        ),
    ),
    _cue(
        "reply.money",
        1.5,
        keywords=_terms(
            "refund* | charged | charging | overcharg* | billed | bill | fee | fees | reimburs* | "
            "compensat* | ripoff | scam* | robbers | extortion"
        ),
        phrases=_terms("money back | rip off | what am i paying for | my money"),
    ),
    _cue(
        "reply.transaction",
        0.51,
        explains=False,
        keywords=_terms(
            "bought | ordered | purchased | paid | booked | subscribed | delivered | purchase | order | "
            "booking | package | parcel | subscription | warranty | receipt"
        ),
        phrases=_terms("signed up | my order | my account | my car | my phone"),
    ),
    _cue(
        "reply.bad_service",
        2.17,
        keywords=_terms(
            "worst | terrible | horrible | awful | pathetic | useless | rubbish | shocking | "
            "disgusting | disgrace* | unacceptable | ridiculous | appalling | dreadful | poor | lousy | "
            "incompetent | joke | disappoint* | frustrat* | annoy* | angry | furious | fuming | livid | "
            "upset | irritat* | mess | sucks | suck | misery | mistreated | inadequate | inconvenient | "
            "nightmare | hate | nasty | embarrass* | impolite | rude"
        ),
        phrases=_terms(
            "customer service | cust service | fed up | sick of | tired of | not happy | "
            "not impressed | never again | get your act together | get it together | sort it out | "
            "sort this out | not good enough | not acceptable | not cool | last time | no excuse | "
            "final straw | not thrilled | letting me down | let down | let me down"
        ),
        hashtags=_terms("fail | nothappy | badservice | worstservice | smh | notcool"),
    ),
    _cue(
        "reply.profanity",
        0.81,
        keywords=_terms("fuck* | f***ing | shit* | wtf | damn* | crap* | bloody | pissed | ffs | ugh | smh"),
    ),
    _cue(
        "reply.rhetorical",
        1.17,
        keywords=_terms("why | y | seriously | really | cmon | omg"),
        phrases=_terms(
            "what's the point | how come | what happened | what is going on | what's going on | "
            "what gives | what's up with | what the | is this really | is this typical | how is it | "
            "come on | are you serious | is this how | is this what"
        ),
    ),
    _cue(
        "reply.help_request",
        0.65,
        keywords=_terms(
            "help | assist | advise | fix | resolve | escalate | complaint | complain* | replace* | cancel | "
            "question | questions | query | queries | enquiry | enquiries | inquiry | inquiries"
        ),
        phrases=_terms(
            "what do i do | what can i do | look into | sort it | any fixes | please explain | take action"
        ),
    ),
    _cue(
        "reply.persistence",
        1.11,
        keywords=_terms(
            "still | again | keeps | keep | constantly | repeatedly | continually | continuously | "
            "anymore | supposed | ages | forever"
        ),
        phrases=_terms("every time | each time | over and over | times now"),
    ),
    _cue(
        "reply.duration",
        1.24,
        phrases=[f"{n} {unit}" for n in _SOME for unit in _UNITS],
        regex=[
            r"(?<!\d)\d+\+?\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?|times|calls|emails)\b"
        ],
    ),
    _cue(
        "reply.strong_negation",
        0.81,
        keywords=_terms(
            "can't | cant | cannot | couldn't | couldnt | won't | wont | wouldn't | isn't | isnt | "
            "aren't | wasn't | weren't | doesn't | doesnt | didn't | didnt | haven't | havent | "
            "hasn't | hasnt | hadn't | never | shouldn't"
        ),
    ),
    _cue(
        "reply.negation",
        0.65,
        keywords=_terms("no | not | don't | dont | nothing | none | nor"),
    ),
    _cue(
        "reply.service_failure",
        1.12,
        regex=[
            r"(?<!\w)(?:no|not|never|can't|cant|cannot|won't|wont|didn't|didnt|doesn't|doesnt|isn't|isnt|"
            r"haven't|havent|hasn't|hasnt)\s(?:[^.!?\n]{0,30}?\s)?(?:work\w*|arriv\w*|receiv\w*|deliver\w*|"
            r"respond\w*|repl(?:y|ied|ies)|answer\w*|help\w*|fix\w*|connect\w*|load\w*|refund\w*|sent|"
            r"get|got|show\w*|open\w*|access\w*|use|log\w*)(?!\w)"
        ],
    ),
    _cue(
        "reply.laughter",
        -1.04,
        keywords=_terms("lol | lmao | lmfao | rofl | haha* | hehe*"),
        phrases=_terms("😂 | 🤣"),
    ),
    _cue(
        "reply.exclaim",
        -0.09,
        explains=False,
        regex=[r"!|\?\?"],
    ),
    _cue(
        "reply.question",
        0.4,
        explains=False,
        regex=[r"\?"],
    ),
    _cue(
        "reply.support_handle",
        0.66,
        explains=False,
        regex=[r"@\w*(help|support|care|cares|service|svc|custserv|askus|heretohelp|_social|_uki)\b"],
    ),
    _cue(
        "reply.addressed",
        -0.74,
        explains=False,
        regex=[r"^[^\w@]*@\w"],
    ),
    _cue(
        "reply.mention",
        2.34,
        explains=False,
        regex=[r"@\w+"],
    ),
    _cue(
        "reply.greeting",
        0.19,
        explains=False,
        regex=[r"^[^\w@]*(?:@\w+[^\w@]*)*(hi|hello|hey|hiya|heya|dear|good (morning|afternoon|evening))\b"],
    ),
    _cue(
        "reply.first_person",
        -0.1,
        explains=False,
        keywords=_terms("my | i | i'm | i've | me | our | we | us"),
    ),
    _cue(
        "reply.second_person",
        0.08,
        explains=False,
        keywords=_terms("you | your | you're | u | ur | y'all | yall | you guys"),
    ),
    _cue(
        "reply.thanks",
        -0.02,
        explains=False,
        keywords=_terms("thanks | thank | thx | ty | cheers | appreciate* | grateful"),
    ),
    _cue(
        "reply.praise",
        -0.76,
        keywords=_terms(
            "love | loving | awesome | amazing | great | excellent | brilliant | fantastic | "
            "wonderful | kudos | happy | pleased | helpful | kind | best | yay | yummy | nice | "
            "perfect | wins | favorite | favourite | congrats | excited"
        ),
        phrases=_terms("well done | shout out | shoutout | <3 | ❤"),
    ),
    _cue(
        "reply.resolved",
        -0.29,
        keywords=_terms(
            "done | sent | dm'd | dmed | ok | okay | alright | sorted | resolved | worked | correct | "
            "yes | yep | restored | solved | found"
        ),
        phrases=_terms("no worries | will do | that helped | it helped | just sent | all good"),
    ),
    _cue(
        "reply.info_question",
        -0.12,
        phrases=_terms(
            "how do i | how can i | is it possible | do you have | do you sell | do you offer | "
            "do you accept | when will | when is | is there | are there | in stock | available | "
            "availability | would like to know | i was wondering | looking for | recommend*"
        ),
        regex=[
            r"^[^\w@]*(?:@\w+[^\w@]*)*(?:(?:hi|hello|hey|hiya)\b[^\w@]*)?"
            r"(do|does|can|could|is|are|will|would|when|how|where|which|who|any|should)\b"
        ],
    ),
    _cue(
        "reply.long",
        0.54,
        explains=False,
        regex=[r"(?s)^.{100}"],
    ),
    _cue(
        "reply.link",
        -1.07,
        explains=False,
        regex=[r"https?://|www\.|pic\.twitter\.com"],
    ),
    _cue(
        "reply.hashtag",
        0.27,
        explains=False,
        regex=[r"#\w+"],
    ),
)


# A signal that is not a word list but a combination, named like a cue in the reasons:
# reply.negative_question — the text asks something ('?') and its sentiment is negative ("why is my
# order still not here?"): a question that is also a complaint, not a request for information.
NEGATIVE_QUESTION = "reply.negative_question"
DEFAULT_NEGATIVE_QUESTION_WEIGHT = 0.44


class ReplyModel(Strict):
    """Whether a mention needs a reply: bias + matched cue weights + sentiment weights ≥ threshold."""

    bias: float = DEFAULT_REPLY_BIAS
    threshold: float = DEFAULT_REPLY_THRESHOLD
    negative_sentiment_weight: float = DEFAULT_NEGATIVE_SENTIMENT_WEIGHT
    positive_sentiment_weight: float = DEFAULT_POSITIVE_SENTIMENT_WEIGHT
    negative_question_weight: float = DEFAULT_NEGATIVE_QUESTION_WEIGHT  # reply.negative_question
    cues: list[Cue] = Field(default_factory=list)


class TriageRules(Strict):
    """The triage section of a playbook. Rule lists add to the built-in ones named ``DEFAULT_*``."""

    builtin_rules: bool = True  # false: only the rules listed here apply
    disabled_rules: list[str] = Field(default_factory=list)  # names of built-in rules to switch off
    spam: list[Rule] = Field(default_factory=list)  # -> ignore
    abuse: list[Rule] = Field(default_factory=list)  # -> monitor (respond if it also reports a problem)
    noise: list[Rule] = Field(default_factory=list)  # named reasons for noise (praise, acknowledgements)
    brand_matter: list[Rule] = Field(default_factory=list)  # kind brand instead of service
    taggers: dict[str, Pattern] = Field(default_factory=dict)  # tag name -> what earns it
    urgent_words: list[str] = Field(default_factory=list)  # raise priority
    reply: ReplyModel = Field(default_factory=ReplyModel)  # what needs a reply
    ignore_authors: list[str] = Field(default_factory=list)  # handles of bots and partners, without '@'
    ignore_retweets_without_text: bool = True
    noise_gets_card: bool = False  # noise is tagged for insight; true also posts a card
    questions_need_reply: bool = False  # true: any question ('?') that is not noise gets a reply
    abuse_reply_margin: float = DEFAULT_ABUSE_REPLY_MARGIN  # reply score above threshold that outweighs abuse
    high_reach_followers: int = Field(default=DEFAULT_HIGH_REACH_FOLLOWERS, ge=0)
    negative_below: float = Field(default=DEFAULT_NEGATIVE_BELOW, ge=-1, le=1)  # VADER compound
    positive_above: float = Field(default=DEFAULT_POSITIVE_ABOVE, ge=-1, le=1)
    languages: list[str] = Field(default_factory=lambda: list(LATIN_LANGUAGES))  # Latin-script candidates
    reply_languages: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REPLY_LANGUAGES)
    )  # others: a person
    max_analysed_chars: int = Field(default=DEFAULT_MAX_ANALYSED_CHARS, gt=0)

    _urgent: Pattern | None = PrivateAttr(default=None)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        unknown = [code for code in languages if code not in LATIN_LANGUAGES]
        if unknown:
            raise ValueError(f"no word list for {unknown}; known: {', '.join(LATIN_LANGUAGES)}")
        return languages

    @field_validator("urgent_words")
    @classmethod
    def _urgent_words_not_blank(cls, words: list[str]) -> list[str]:
        Pattern(keywords=words or ["x"])  # same checks as a rule's keywords
        return words

    @model_validator(mode="after")
    def _check_names(self) -> TriageRules:
        builtin = {rule.name for rule in _all_builtin()}
        unknown = [name for name in self.disabled_rules if name not in builtin]
        if unknown:
            raise ValueError(f"disabled_rules names no built-in rule: {', '.join(unknown)}")
        seen: set[str] = set()
        for rule in (
            *self.spam_rules,
            *self.abuse_rules,
            *self.noise_rules,
            *self.brand_rules,
            *self.reply_cues,
        ):
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        if self.positive_above < self.negative_below:
            raise ValueError("positive_above must not be below negative_below")
        words = [*(DEFAULT_URGENT_WORDS if self.builtin_rules else ()), *self.urgent_words]
        self._urgent = Pattern(keywords=words) if words else None
        return self

    def _merge(self, builtin: tuple[Rule, ...], extra: list[Rule]) -> tuple[Rule, ...]:
        kept = [r for r in builtin if r.name not in self.disabled_rules] if self.builtin_rules else []
        return (*kept, *extra)

    @property
    def spam_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_SPAM_RULES, self.spam)

    @property
    def abuse_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_ABUSE_RULES, self.abuse)

    @property
    def noise_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_NOISE_RULES, self.noise)

    @property
    def brand_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_BRAND_RULES, self.brand_matter)

    @property
    def reply_cues(self) -> tuple[Cue, ...]:
        kept = (
            [c for c in DEFAULT_REPLY_CUES if c.name not in self.disabled_rules] if self.builtin_rules else []
        )
        return (*kept, *self.reply.cues)

    @property
    def all_taggers(self) -> dict[str, Pattern]:
        return {**(DEFAULT_TAGGERS if self.builtin_rules else {}), **self.taggers}

    @property
    def urgent(self) -> Pattern | None:
        return self._urgent


def _all_builtin() -> tuple[Rule, ...]:
    return (
        *DEFAULT_SPAM_RULES,
        *DEFAULT_ABUSE_RULES,
        *DEFAULT_NOISE_RULES,
        *DEFAULT_BRAND_RULES,
        *DEFAULT_REPLY_CUES,
    )


__all__ = [
    "DEFAULT_ABUSE_RULES",
    "DEFAULT_BRAND_RULES",
    "DEFAULT_NOISE_RULES",
    "DEFAULT_REPLY_CUES",
    "DEFAULT_SPAM_RULES",
    "DEFAULT_TAGGERS",
    "DEFAULT_URGENT_WORDS",
    "NEGATIVE_QUESTION",
    "Cue",
    "Matcher",
    "Pattern",
    "ReplyModel",
    "Rule",
    "TriageRules",
]
