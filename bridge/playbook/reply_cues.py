"""The built-in cues of the complaint model: word lists with weights, and how they combine.

The model is a logistic score over named cues, one combination (``reply.negative_question``) and the
VADER compound score. It says whether a mention *complains*; whether it *asks* something is
:mod:`bridge.playbook.need_cues`. Weights were fitted with ``bench/triage_quality.py --fit``.
"""

from __future__ import annotations

from bridge.playbook.patterns import Cue
from bridge.playbook.triage_words import cue, terms

_SOME = ("two", "three", "four", "five", "six", "several", "many", "multiple", "few")
_UNITS = ("minutes", "hours", "hrs", "days", "weeks", "months", "years", "times", "calls", "emails")

# The reply model: a logistic score over named cues, one combination (reply.negative_question, below) and
# the VADER compound score. Weights were fitted on complaints-dev with ``bench/triage_quality.py --fit``
# (the bench also reports a 5-fold cross-validated figure, with these weights refitted on each split).
DEFAULT_REPLY_BIAS = -3.33
DEFAULT_REPLY_THRESHOLD = -0.55
DEFAULT_NEGATIVE_SENTIMENT_WEIGHT = 0.34
DEFAULT_POSITIVE_SENTIMENT_WEIGHT = -0.93
DEFAULT_REPLY_CUES: tuple[Cue, ...] = (
    cue(
        "reply.broken",
        2.03,
        keywords=terms(
            "broken | broke | breaks | faulty | defective | damaged | cracked | ripped | torn | "
            "crash* | glitch* | bug | bugs | buggy | error* | fail | fails | failed | failing | "
            "failure | malfunction* | freez* | frozen | laggy | lagging | stutter* | outage | leak* | "
            "rusting | expired | stale | mould* | mold* | dead | deleted | disappeared | vanished | wiped"
        ),
        phrases=terms(
            "not working | stopped working | doesn't work | does not work | don't work | won't work | "
            "isn't working | no longer works | won't load | won't start | not loading | doesn't load | "
            "is down | are down | went down | still down | no service | no signal | no internet | "
            "no power | no wifi | no water | power cut | power is out | keeps dropping | "
            "keeps crashing | stops working | switched off | turned off"
        ),
    ),
    cue(
        "reply.issue",
        1.12,
        keywords=terms(
            "issue | issues | problem | problems | wrong | slow | impossible | invalid | blocked | "
            "stuck | unable | incorrect* | refused | denied | declined | rejected"
        ),
        phrases=terms("not letting | won't let | doesn't let | not accepted | not allowed | no way to"),
    ),
    cue(
        "reply.not_received",
        1.32,
        keywords=terms("missing | late | delay | delayed | delays | cancelled | canceled | lost | stranded"),
        phrases=terms(
            "never arrived | never received | never got | not received | haven't received | "
            "have not received | hasn't arrived | has not arrived | didn't arrive | didn't receive | "
            "not arrived | yet to receive | wrong item | wrong order | wrong size | the wrong | "
            "never came | never showed | no sign of | still haven't | still not | still no | "
            "still nothing | still waiting | hasn't even"
        ),
    ),
    cue(
        "reply.no_response",
        0.95,
        keywords=terms("unanswered | ignored | ignoring | unhelpful | awaiting | chasing"),
        phrases=terms(
            "no response | no reply | no answer | no one | nobody | not heard back | haven't heard | "
            "never heard | no call back | never called | call back | hung up | on hold | no help | "
            "not helpful | waste of time | wasted | got nowhere | no update | get back to me"
        ),
    ),
    cue(
        "reply.money",
        1.5,
        keywords=terms(
            "refund* | charged | charging | overcharg* | billed | bill | fee | fees | reimburs* | "
            "compensat* | ripoff | scam* | robbers | extortion"
        ),
        phrases=terms("money back | rip off | what am i paying for | my money"),
    ),
    cue(
        "reply.transaction",
        0.51,
        explains=False,
        keywords=terms(
            "bought | ordered | purchased | paid | booked | subscribed | delivered | purchase | order | "
            "booking | package | parcel | subscription | warranty | receipt"
        ),
        phrases=terms("signed up | my order | my account | my car | my phone"),
    ),
    cue(
        "reply.bad_service",
        2.17,
        keywords=terms(
            "worst | terrible | horrible | awful | pathetic | useless | rubbish | shocking | "
            "disgusting | disgrace* | unacceptable | ridiculous | appalling | dreadful | poor | lousy | "
            "incompetent | joke | disappoint* | frustrat* | annoy* | angry | furious | fuming | livid | "
            "upset | irritat* | mess | sucks | suck | misery | mistreated | inadequate | inconvenient | "
            "nightmare | hate | nasty | embarrass* | impolite | rude"
        ),
        phrases=terms(
            "customer service | cust service | fed up | sick of | tired of | not happy | "
            "not impressed | never again | get your act together | get it together | sort it out | "
            "sort this out | not good enough | not acceptable | not cool | last time | no excuse | "
            "final straw | not thrilled | letting me down | let down | let me down"
        ),
        hashtags=terms("fail | nothappy | badservice | worstservice | smh | notcool"),
    ),
    cue(
        "reply.profanity",
        0.81,
        keywords=terms("fuck* | f***ing | shit* | wtf | damn* | crap* | bloody | pissed | ffs | ugh | smh"),
    ),
    cue(
        "reply.rhetorical",
        1.17,
        keywords=terms("why | y | seriously | really | cmon | omg"),
        phrases=terms(
            "what's the point | how come | what happened | what is going on | what's going on | "
            "what gives | what's up with | what the | is this really | is this typical | how is it | "
            "come on | are you serious | is this how | is this what"
        ),
    ),
    cue(
        "reply.help_request",
        0.65,
        keywords=terms(
            "help | assist | advise | fix | resolve | escalate | complaint | complain* | replace* | cancel | "
            "question | questions | query | queries | enquiry | enquiries | inquiry | inquiries"
        ),
        phrases=terms(
            "what do i do | what can i do | look into | sort it | any fixes | please explain | take action"
        ),
    ),
    cue(
        "reply.persistence",
        1.11,
        keywords=terms(
            "still | again | keeps | keep | constantly | repeatedly | continually | continuously | "
            "anymore | supposed | ages | forever"
        ),
        phrases=terms("every time | each time | over and over | times now"),
    ),
    cue(
        "reply.duration",
        1.24,
        phrases=[f"{n} {unit}" for n in _SOME for unit in _UNITS],
        regex=[
            r"(?<!\d)\d+\+?\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?|times|calls|emails)\b"
        ],
    ),
    cue(
        "reply.strong_negation",
        0.81,
        keywords=terms(
            "can't | cant | cannot | couldn't | couldnt | won't | wont | wouldn't | isn't | isnt | "
            "aren't | wasn't | weren't | doesn't | doesnt | didn't | didnt | haven't | havent | "
            "hasn't | hasnt | hadn't | never | shouldn't"
        ),
    ),
    cue(
        "reply.negation",
        0.65,
        keywords=terms("no | not | don't | dont | nothing | none | nor"),
    ),
    cue(
        "reply.service_failure",
        1.12,
        regex=[
            (
                r"(?<!\w)(?:no|not|never|can't|cant|cannot|won't|wont|didn't|didnt|doesn't|doesnt|isn't|isnt|"
                r"haven't|havent|hasn't|hasnt)\s(?:[^.!?\n]{0,30}?\s)?(?:work\w*|arriv\w*|receiv\w*|deliver\w*|"
                r"respond\w*|repl(?:y|ied|ies)|answer\w*|help\w*|fix\w*|connect\w*|load\w*|refund\w*|sent|"
                r"get|got|show\w*|open\w*|access\w*|use|log\w*)(?!\w)"
            )
        ],
    ),
    cue(
        "reply.laughter",
        -1.04,
        keywords=terms("lol | lmao | lmfao | rofl | haha* | hehe*"),
        phrases=terms("😂 | 🤣"),
    ),
    cue(
        "reply.exclaim",
        -0.09,
        explains=False,
        regex=[r"!|\?\?"],
    ),
    cue(
        "reply.question",
        0.4,
        explains=False,
        regex=[r"\?"],
    ),
    cue(
        "reply.support_handle",
        0.66,
        explains=False,
        regex=[r"@\w*(help|support|care|cares|service|svc|custserv|askus|heretohelp|_social|_uki)\b"],
    ),
    cue(
        "reply.addressed",
        -0.74,
        explains=False,
        regex=[r"^[^\w@]*@\w"],
    ),
    cue(
        "reply.mention",
        2.34,
        explains=False,
        regex=[r"@\w+"],
    ),
    cue(
        "reply.greeting",
        0.19,
        explains=False,
        regex=[r"^[^\w@]*(?:@\w+[^\w@]*)*(hi|hello|hey|hiya|heya|dear|good (morning|afternoon|evening))\b"],
    ),
    cue(
        "reply.first_person",
        -0.1,
        explains=False,
        keywords=terms("my | i | i'm | i've | me | our | we | us"),
    ),
    cue(
        "reply.second_person",
        0.08,
        explains=False,
        keywords=terms("you | your | you're | u | ur | y'all | yall | you guys"),
    ),
    cue(
        "reply.thanks",
        -0.02,
        explains=False,
        keywords=terms("thanks | thank | thx | ty | cheers | appreciate* | grateful"),
    ),
    cue(
        "reply.praise",
        -0.76,
        keywords=terms(
            "love | loving | awesome | amazing | great | excellent | brilliant | fantastic | "
            "wonderful | kudos | happy | pleased | helpful | kind | best | yay | yummy | nice | "
            "perfect | wins | favorite | favourite | congrats | excited"
        ),
        phrases=terms("well done | shout out | shoutout | <3 | ❤"),
    ),
    cue(
        "reply.resolved",
        -0.29,
        keywords=terms(
            "done | sent | dm'd | dmed | ok | okay | alright | sorted | resolved | worked | correct | "
            "yes | yep | restored | solved | found"
        ),
        phrases=terms("no worries | will do | that helped | it helped | just sent | all good"),
    ),
    cue(
        "reply.info_question",
        -0.12,
        phrases=terms(
            "how do i | how can i | is it possible | do you have | do you sell | do you offer | "
            "do you accept | when will | when is | is there | are there | in stock | available | "
            "availability | would like to know | i was wondering | looking for | recommend*"
        ),
        regex=[
            (
                r"^[^\w@]*(?:@\w+[^\w@]*)*(?:(?:hi|hello|hey|hiya)\b[^\w@]*)?"
                r"(do|does|can|could|is|are|will|would|when|how|where|which|who|any|should)\b"
            )
        ],
    ),
    cue(
        "reply.long",
        0.54,
        explains=False,
        regex=[r"(?s)^.{100}"],
    ),
    cue(
        "reply.link",
        -1.07,
        explains=False,
        regex=[r"https?://|www\.|pic\.twitter\.com"],
    ),
    cue(
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


__all__ = [
    "DEFAULT_NEGATIVE_QUESTION_WEIGHT",
    "DEFAULT_NEGATIVE_SENTIMENT_WEIGHT",
    "DEFAULT_POSITIVE_SENTIMENT_WEIGHT",
    "DEFAULT_REPLY_BIAS",
    "DEFAULT_REPLY_CUES",
    "DEFAULT_REPLY_THRESHOLD",
    "NEGATIVE_QUESTION",
]
