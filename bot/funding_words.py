"""Words that name a kind of funding or a founder's situation, on folded text (bot.directory.text.fold).

Shared by the funding finder (actions/funding_finder.py: which filters a question names) and the
NLU's keyword rescue (bot/nlp/keyword_rescue.py: an unsure message that clearly asks for funding).
"""

from typing import Tuple

KIND_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bzuschu\w*\b|\bzuschuesse\b|\bnicht zurueck\w*\b|\bgeschenkt\b|\bpraemie\b", "Zuschuss"),
    (r"stipendi\w*\b|\blebensunterhalt\b|\bscholarship\w*\b|\bstipend\w*\b|\bfellowship\w*\b", "Stipendium"),
    (r"kredit\w*\b|darlehe?n\b|\bloans?\b", "Kredit"),
    (r"beteiligung\w*\b|wagniskapital\b|risikokapital\b|\binvestor\w*\b|\bventure\b|\beigenkapital\b"
     r"|\bequity\b|\bbusiness angel\w*\b", "Beteiligung"),
    (r"\bgrants?\b", "Zuschuss"),
    (r"\bberatung\b|\bcoaching\b", "Beratung"),
)
# Situations ("zielgruppe" in data/directory/programme.yml): their programmes come first.
TARGET_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bbuergergeld\w*\b|\bjobcenter\b|\bhartz\b|\balg ?(2|ii)\b|\bgrundsicherung\b", "buergergeld"),
    (r"\barbeitslos\w*\b|\barbeitssuchend\w*\b|\balg ?(1|i)?\b|\bagentur fuer arbeit\b|\barbeitsagentur\b"
     r"|\bunemployed\b", "arbeitslos"),
    (r"\bausgruend\w*\b|\bspin ?off\b|\bforsch\w*\b|\bwissenschaft\w*\b|\bhochschul\w*\b|\buni\b"
     r"|\buniversit\w*\b|\bstudent\w*\b|\bstudier\w*\b|\bstudium\b|\bpromo\w*\b|\bdoktorand\w*\b"
     r"|\bpostdoc\w*\b|\bresearch\w*\b|\bfachhochschule\b|\binstitut\w*\b", "hochschule"),
    (r"\binnovati\w*\b|\btechnolog\w*\b|\bhigh ?tech\b|\bdeep ?tech\b|\btech start ?up\b", "innovativ"),
)
