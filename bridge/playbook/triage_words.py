"""The built-in word lists of triage: spam, abuse, noise, brand matters, tags and urgent words.

Data, not logic: each rule has a name that reads well in a reason ("matched rule spam.crypto_links").
A playbook adds to these, switches named ones off (``disabled_rules``) or drops them all
(``builtin_rules: false``); see :mod:`bridge.playbook.triage_rules`.
"""

from __future__ import annotations

from bridge.playbook.patterns import Cue, Pattern, Rule


def terms(text: str) -> list[str]:
    """Terms written as one string, separated by '|'."""
    return [term.strip() for term in text.split("|") if term.strip()]


def rule(name: str, **patterns: list[str]) -> Rule:
    return Rule(name=name, **patterns)


def cue(name: str, weight: float, explains: bool = True, **patterns: list[str]) -> Cue:
    return Cue(name=name, weight=weight, explains=explains, **patterns)


DEFAULT_SPAM_RULES: tuple[Rule, ...] = (
    rule(
        "spam.crypto_links",
        phrases=terms("free nft | claim your airdrop | crypto giveaway | double your bitcoin"),
        regex=[
            (
                r"(?s)^(?=.*?(?:https?://|www\.|t\.co/))(?=.*?(?<!\w)(?:crypto|bitcoin|btc|ethereum|eth|nfts?|"
                r"airdrop|usdt|forex|binance|metamask|seed phrase|presale)(?!\w)).{0,40}"
            ),
        ],
    ),
    rule(
        "spam.follow_back",
        keywords=terms("f4f | follow4follow | l4l"),
        phrases=terms(
            "follow back | follow me back | followback | follow for follow | sub4sub | gain followers | "
            "buy followers | cheap followers | automatically checked by | check out my channel | "
            "check out my page"
        ),
        hashtags=terms("teamfollowback | followback | f4f | follow4follow"),
    ),
    rule(
        "spam.get_rich",
        phrases=terms(
            "make money from home | work from home and earn | earn $ | passive income | "
            "guaranteed profit | investment opportunity | dm me to invest | link in bio | "
            "click the link in my bio | 100% free | limited time offer click"
        ),
    ),
    rule(
        "spam.adult",
        keywords=terms("onlyfans | nudes | xxx"),
        phrases=terms("hot singles | sex cam | 18+ content"),
    ),
)

DEFAULT_ABUSE_RULES: tuple[Rule, ...] = (
    rule(
        "abuse.insults",
        phrases=terms(
            "fuck you | fuck off | f*** you | f*ck you | screw you | go to hell | stfu | eat shit | "
            "suck my | piece of shit company"
        ),
        regex=[
            (
                r"(?<!\w)(you|u|ya|you're|youre|you are|ur|y'all|you guys are)\s+(\w+\s+)?"
                r"(idiots?|morons?|stupid|retard\w*|clowns?|losers?|scum|trash|garbage|dumbass\w*|dickheads?|"
                r"wankers?|twats?|bastards?|assholes?|arseholes?|shit ?heads?|pigs?|cunts?|imbeciles?)(?!\w)"
            )
        ],
    ),
    rule(
        "abuse.threats",
        keywords=terms("kys"),
        phrases=terms(
            "kill yourself | kill yourselves | i will kill | i'll kill | gonna kill you | "
            "die in a fire | hope you die | hope you all die | burn your store | burn it down | "
            "shoot up | bomb your | watch your back"
        ),
    ),
)

DEFAULT_NOISE_RULES: tuple[Rule, ...] = (
    rule(
        "noise.praise",
        phrases=terms(
            "thank you | thanks | thx | love it | love this | love you | love my | love the | loving | "
            "awesome | amazing | great job | great service | well done | kudos | shout out | shoutout | "
            "brilliant | fantastic | much appreciated | you rock | best service | so helpful | "
            "very helpful | <3 | ❤ | ❤️ | 😍 | 🙏"
        ),
    ),
    rule(
        "noise.promotion",  # an advertisement discloses itself: it promotes, it does not ask
        hashtags=terms("ad | ads | sponsored | promotion | promo | partner | paidpartnership"),
        phrases=terms("enter to win | chance to win | promo code | discount code | use code"),
        regex=[r"#\w*(?:giveaway|contest|sweepstakes)\b"],
    ),
    rule(
        "noise.acknowledgement",
        regex=[
            (
                r"^[^\w@]*(?:@\w+[^\w@]*)*(ok|okay|alright|done|sent|correct|yes|yep|no worries|"
                r"will do|got it|just sent( the| you a)? dm|dm'?e?d( you)?( again)?|sorted|all good)\b"
            )
        ],
    ),
)

DEFAULT_BRAND_RULES: tuple[Rule, ...] = (
    rule(
        "brand.reputation",
        keywords=terms(
            "boycott* | racist | racism | sexist | sexism | homophobic | transphobic | discriminat* | "
            "unethical | scandal | disgrace* | hypocrit*"
        ),
        phrases=terms("shame on you | ashamed of you | never buying from | will never shop"),
    ),
    rule(
        "brand.advertising",
        keywords=terms(
            "ad | ads | advert* | commercial | campaign | sponsor* | ambassador | influencer* | "
            "marketing | slogan | logo | billboard"
        ),
    ),
    rule(
        "brand.corporate",
        keywords=terms(
            "ceo | executives | shareholders | investors | layoffs | laid off | strike | union | "
            "lawsuit | sued | merger | acquisition"
        ),
        phrases=terms("press release | public statement | stock price"),
    ),
    rule(
        "brand.values",
        keywords=terms("sustainab* | climate | environment* | plastic | sweatshop* | diversity"),
        phrases=terms("animal testing | human rights | child labour | child labor | pride month"),
    ),
)

DEFAULT_TAGGERS: dict[str, Pattern] = {
    "billing": Pattern(
        keywords=terms(
            "refund* | charge | charged | overcharg* | bill | billing | billed | invoice* | payment* | "
            "fee | fees | reimburs* | subscription"
        ),
    ),
    "delivery": Pattern(
        keywords=terms(
            "deliver* | parcel* | package* | shipping | shipped | courier | tracking | dispatch* | order"
        ),
    ),
    "outage": Pattern(
        keywords=terms("outage | down | offline | blackout"),
        phrases=terms("no service | no internet | no signal | no power | not loading"),
    ),
    "account": Pattern(
        keywords=terms(
            "login | log in | password | account | locked | hacked | suspended | verification | 2fa"
        ),
    ),
    "defect": Pattern(
        keywords=terms(
            "broken | broke | faulty | defective | damaged | cracked | ripped | crash* | glitch* | "
            "bug | error*"
        ),
        phrases=terms("not working | stopped working | doesn't work | won't work"),
    ),
    "travel": Pattern(
        keywords=terms(
            "flight | flights | train | bus | delayed | cancelled | canceled | luggage | baggage | "
            "gate | boarding"
        ),
    ),
    "safety": Pattern(
        keywords=terms("fire | smoke | injur* | hospital | recall* | unsafe | dangerous | allerg* | poison*"),
    ),
}

DEFAULT_URGENT_WORDS: tuple[str, ...] = tuple(
    terms(
        "urgent* | emergency | asap | immediately | right now | danger* | unsafe | safety | fire | "
        "smoke | injur* | hospital | stranded | fraud* | hacked | stolen | data breach | lawyer | "
        "legal action | police | recall* | food poisoning | allergic reaction"
    )
)


__all__ = [
    "DEFAULT_ABUSE_RULES",
    "DEFAULT_BRAND_RULES",
    "DEFAULT_NOISE_RULES",
    "DEFAULT_SPAM_RULES",
    "DEFAULT_TAGGERS",
    "DEFAULT_URGENT_WORDS",
    "cue",
    "rule",
    "terms",
]
