"""What shows that a mention asks the brand for something: a question, a request, a problem to solve.

Triage answers "should a person look?", not "is this a complaint?". These rules are general signs of
that, written for several languages (English, Spanish, German, French, Portuguese, Italian, Dutch):

- ``need.question``: a question mark (or ``¿``), outside links;
- ``need.question_opening``: a sentence that opens like a question ("how do I …", "is the … open",
  "wie kann ich …", "dónde está …"), with or without its question mark;
- ``need.help``: a request for help or advice ("any help", "please help", "what could be the problem");
- ``need.request``: something the customer wants done ("I want to cancel", "please add", "ich möchte");
- ``need.problem``: a problem report ("not working", "hazy", "left my parcel in the rain").

Each counts when the post is addressed to someone (an @handle that is not a "via" credit, "you",
"anyone") or speaks of the writer's own situation ("my", "I"): a rhetorical question in a post to
nobody about nothing of the writer's stays chatter. The words are general
language, not phrases lifted from any data file; ``bench/triage_quality.py --ablate`` shows what each
rule adds on every benchmark at once.
"""

from __future__ import annotations

from bridge.playbook.patterns import Pattern, Rule
from bridge.playbook.triage_words import rule, terms

QUESTION = "need.question"
QUESTION_OPENING = "need.question_opening"
#: The need rules that are questions: ``questions_need_reply: false`` switches exactly these off.
QUESTION_RULES = (QUESTION, QUESTION_OPENING)
PROBLEM = "need.problem"

_LEAD = (  # the start of a sentence, past @handles and a greeting
    r"(?:^|[.!?\n]\s*|[:;]\s+)(?:@\w+[\s,:]*)*"
    r"(?:(?:hi|hello|hey|hiya|dear|hallo|hola|bonjour|ciao|olá|oi)\b[\s,!:]*)?"
)
_NOT_EXCLAIMED = r"(?![^.!?\n]*!)"  # "what a day!", "how cute is this!" exclaim rather than ask
_OPENINGS = (
    # English: wh-words (not "what a …", "how lovely"), and auxiliaries that open a yes/no question
    r"(?:how (?:do|does|did|can|could|should|would|will|long|much|many|often|come|is|are|to)|"
    r"what(?!\s+an?\b)|why|when|where|which|who|whom|whose|"
    r"(?:can|could|would|will|do|does|did|is|are|was|were|should|shall|may|has|have|am)"
    r"\s+(?:i|you|we|they|it|he|she|u|y'all|there|this|that|the|my|your|our|any|anyone|someone|somebody|"
    r"all|everything|anything)|"
    r"any(?:one|body)?\s+(?:know|help|idea|advice|update|news|luck|way|chance|reason|suggestions?|tips?)|"
    r"is there|are there)"
    # Spanish, German, French, Portuguese, Italian, Dutch: only openings no English sentence starts with
    r"|(?:qué|cómo|cuándo|dónde|por qué|cuál|cuánto|puedo|pueden|podrían|tienen|hacen)"
    r"|(?:warum|wieso|weshalb|wann|woher|welche[rsmn]?|kann ich|können sie|könnt ihr|gibt es|habt ihr|"
    r"haben sie)"
    r"|(?:comment|pourquoi|quand|où|quel(?:le)?s?|combien|est-ce que|pouvez-vous|puis-je|y a-t-il)"
    r"|(?:onde|por que|qual|quanto|posso|podem|vocês)"
    r"|(?:perché|quale|potete|c'è)"
    r"|(?:waarom|wanneer|welke|kunnen|kunt|is er|zijn er)"
)

#: What customers ask a company to do: the verb after "I want to …".
_SERVICE_VERBS = terms(
    "cancel | change | return | exchange | order | book | know | ask | report | complain | speak | talk | "
    "update | delete | remove | close | transfer | reset | recover | find | check | pay | upgrade | "
    "downgrade | unsubscribe | confirm | claim | track | contact | reach | install | download | access | "
    "log | sign | move | add | fix | apply | redeem | activate | verify | refund | replace | repair | stop | "
    "restore | release | unban | unlock | reactivate | send | sort | help | call | dm | reply | respond | "
    "answer | email | chat"
)
_WANTS = terms(
    "i need | we need | i want | we want | i would like | we would like | i'd like | we'd like | i wish | "
    "i am trying | i'm trying | we're trying | i have been trying | i've been trying | i tried | we tried"
)
#: Orders a customer gives a company ("fix this", "refund my order").
_ORDERS = terms(
    "fix | stop | cancel | refund | restore | release | unban | unlock | reactivate | remove | delete | "
    "replace | repair | reply | respond | answer | dm | call | contact | update | add | reset | sort | "
    "unsuspend | reinstate | resend"
)
_ORDERED = ("it", "this", "that", "my", "our")
#: Something done to the customer's things: "left my parcel in the rain".
_MISHANDLED = terms(
    "left | dumped | threw | thrown | dropped | lost | broke | damaged | crushed | opened | kept | took | "
    "cancelled | canceled"
)
_BELONGINGS = terms(
    "parcel | package | order | delivery | item | items | box | bag | bags | luggage | suitcase | card | "
    "account | booking | ticket | tickets | flight | car | phone | money | payment"
)

DEFAULT_NEED_RULES: tuple[Rule, ...] = (
    rule(QUESTION, regex=[r"¿|\?(?![\w=&%/#.\"”-])"]),  # not in a link, not closing a quotation
    rule(QUESTION_OPENING, regex=[_LEAD + r"(?:" + _OPENINGS + r")\b" + _NOT_EXCLAIMED]),
    rule(
        "need.help",
        keywords=terms(
            "help | helps | assist | assistance | advice | advise | suggestions | troubleshoot* | "
            "hilfe | helfen | ayuda | ayúdenme | ayudar | aide | aidez | ajuda | ajudar | aiuto | hulp | "
            "helpen"
        ),
        phrases=terms(
            "what could be | what can be | what should i | what do i do | what can i do | "
            "how do i | how can i | how to | who do i | who can i | where do i | where can i | "
            "any idea | any ideas | any tips | anyone know | anybody know | can someone | "
            "can anyone | please advise | need support | tech support | customer support | contact you | "
            "reach you | get in touch | speak to someone | talk to someone | speak to a | talk to a | "
            "where can you | how can you | when can i | when can you | why can't i | why is my | "
            "why isn't | why doesn't | why won't | when do i | when will i | when will my | "
            "when will you | where is my | where's my | "
            "what happened to my | what to do | what do i | a question | have a question | quick question | "
            "question about | question regarding | i was wondering | i'm wondering | wondering if | "
            "wondering whether | send help | is this normal | is that normal | is it normal | "
            "await your | awaiting your | await ur | waiting for a reply | waiting for your reply | "
            "waiting for a response | waiting for an answer | been trying to | no sé | weiß nicht | "
            "je ne sais pas | não sei | non so | weet niet"
        ),
    ),
    rule(
        "need.request",
        phrases=terms(
            "please | pls | plz | kindly | bitte | por favor | s'il vous plaît | s'il vous plait | svp | "
            "per favore | alstublieft | graag | ich möchte | wir möchten | ich will | wir wollen | "
            "ich brauche | wir brauchen | hätte gern | quiero | quisiera | necesito | queremos | "
            "necesitamos | me gustaría | je voudrais | je veux | j'aimerais | j'ai besoin | nous voudrions | "
            "quero | queria | gostaria | preciso | precisamos | vorrei | voglio | ho bisogno | "
            "avrei bisogno | ik wil | ik zou graag | wij willen | nodig | money back | geld zurück | "
            "i need my | i want my | we need our | i need it | i need this | i need someone"
        )
        + [f"{want} to {verb}" for want in _WANTS for verb in _SERVICE_VERBS]
        + [f"{order} {what}" for order in _ORDERS for what in _ORDERED],
        keywords=terms(
            "refund | refunds | reimburse | reimbursement | reembolso | devolución | erstattung | "
            "rückerstattung | rückzahlung | remboursement | rimborso | terugbetaling"
        ),
    ),
    rule(
        PROBLEM,
        keywords=terms(
            "problem | problems | issue | issues | trouble | error | errors | bug | bugs | glitch* | "
            "crash* | "
            "broken | broke | faulty | defective | damaged | cracked | scratched | dented | torn | ripped | "
            "leaking | leaks | soaked | wet | ruined | hazy | blurry | foggy | fuzzy | flickering | frozen | "
            "freezes | unable | missing | stolen | delayed | cancelled | canceled | overcharged | "
            "hacked | hacking | locked | suspended | banned | disabled | declined | "
            "wrong | incorrect | outage | disappeared | vanished | "
            "problema | error | roto | rota | dañado | "
            "problem | fehler | kaputt | defekt | beschädigt | "
            "problème | erreur | cassé | cassée | endommagé | "
            "erro | quebrado | quebrada | "
            "errore | rotto | rotta | "
            "probleem | fout | kapot"
        ),
        phrases=terms(
            "not working | doesn't work | does not work | don't work | won't work | isn't working | "
            "stopped working | no longer works | not loading | won't load | won't open | won't start | "
            "can't log | can't access | can't get | can't find | cannot access | can't connect | "
            "not received | never received | never arrived | hasn't arrived | has not arrived | "
            "didn't arrive | didn't receive | haven't received | still waiting | only received | "
            "locked out | charged twice | no signal | no service | no internet | "
            "is down | are down | went down | lost my | is gone | are gone | it's gone | its gone | "
            "forgot my | can't remember my | can't recover | won't let me | doesn't let me | "
            "don't even let | "
            "hack my | hack into | sign into my | it does this | this happened | keeps happening | "
            "should have received | should have arrived | should've arrived | "
            "should have been delivered | was supposed to | were supposed to | was working | "
            "used to work | hung up | hangs up | hang up on | unsafe | "
            "no funciona | no puedo | no me llega | no ha llegado | no llegó | "
            "funktioniert nicht | geht nicht | kann nicht | nicht angekommen | nicht erhalten | "
            "ne marche pas | ne fonctionne pas | pas reçu | toujours pas | "
            "não funciona | não consigo | não chegou | não recebi | "
            "non funziona | non riesco | non è arrivato | non ho ricevuto | "
            "werkt niet | niet ontvangen | niet aangekomen"
        )
        + [
            f"{done} {whose} {thing}"
            for done in _MISHANDLED
            for whose in ("my", "our")
            for thing in _BELONGINGS
        ],
        regex=[
            r"\bstopped (?!\w*ing (?:by|in)\b)\w+ing\b",  # "stopped charging", "stopped syncing"
        ],
    ),
)

#: The post is addressed to someone: an @handle that is not a "via @source" credit, or second person.
ADDRESSED = Pattern(
    keywords=terms(
        "you | your | yours | you're | you've | you'll | u | ur | y'all | yall | anyone | anybody | "
        "someone | "
        "somebody | du | dich | dir | ihr | euch | sie | ihnen | usted | ustedes | vosotros | tú | "
        "vous | tu | você | vocês | voi | lei | jullie"
    ),
    regex=[r"(?<!\bvia )(?<![\w@])@\w+"],
)

#: The post is about the writer's own things or experience.
FIRST_PERSON = Pattern(
    keywords=terms(
        "i | i'm | i've | i'd | me | my | mine | we | we're | our | us | "
        "ich | mein | meine | meinen | meinem | meiner | mir | mich | wir | unser | unsere | "
        "yo | mi | mis | me | nosotros | nuestro | nuestra | je | j'ai | mon | ma | mes | moi | "
        "eu | meu | minha | io | mio | mia | miei | ik | mijn"
    ),
)

__all__ = [
    "ADDRESSED",
    "DEFAULT_NEED_RULES",
    "FIRST_PERSON",
    "PROBLEM",
    "QUESTION",
    "QUESTION_OPENING",
    "QUESTION_RULES",
]
