"""Red flags: words in a patient's message that may mean an emergency (pure, no I/O).

A deterministic lexicon in zh-TW (and the simplified forms patients also type), en and
ru, checked on every text and transcript in every mode (the dialog puts the emergency
number of the patient's region first, then its normal answer; it never suppresses the
answer). It covers chest pain, can't breathe, stroke signs, severe bleeding, suicidal
thoughts, anaphylaxis, seizure, unconsciousness and overdose.

A wrongly shown emergency number costs one line; a missed one may cost a life. So a sign
counts unless the same clause clearly says it is not happening now:

* negated just before it ("no chest pain", "нет боли в груди", "沒有胸痛") or just after
  in Russian and Chinese ("боли в груди нет", "胸痛已經好了");
* a topic, not a symptom ("a leaflet about stroke", "памятка про инсульт", "中風衛教",
  "stroke prevention", "seizure medication");
* past history ("had a stroke 5 years ago", "в прошлом году", "去年中風過"), unless the
  clause also says now or again ("now", "опять", "又", "從昨天開始").

Clauses end at sentence punctuation, commas and "but" ("no fever, but my chest hurts"
keeps the chest). Words that only look alike ("my chest X-ray appointment", "leg
cramps", "抽筋") are not signs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class RedFlag(StrEnum):
    CHEST_PAIN = "chest_pain"
    BREATHING = "breathing"
    STROKE = "stroke"
    BLEEDING = "bleeding"
    SUICIDE = "suicide"
    ANAPHYLAXIS = "anaphylaxis"
    SEIZURE = "seizure"
    UNCONSCIOUS = "unconscious"
    OVERDOSE = "overdose"


# Chinese degree words between a body part and its complaint ("胸口很痛", "呼吸也很喘").
_ZH_DEGREE: Final = (r"(?:很|好|非常|超級?|真的|有點|有点|有些|一直|突然|好像|會|会|開始|开始|"
                     r"又|也|還|还|特別|特别|蠻|蛮|滿|满|實在|实在|悶悶|悶|闷|一陣一陣|一阵一阵"
                     r"|劇烈|剧烈|越來越|越来越|愈來愈){0,3}")
_PERSON_EN: Final = r"(?:my|his|her|their|the|your|our)"

_SIGNS: Final[dict[RedFlag, tuple[str, ...]]] = {
    RedFlag.CHEST_PAIN: (
        r"chest (?:pains?|tightness|pressure|discomfort|hurts|is hurting|feels (?:tight|heavy)"
        r"|is (?:tight|heavy))",
        rf"(?:pain|pressure|tightness|squeezing|crushing|burning|heaviness) (?:in|on|across)"
        rf" {_PERSON_EN}? ?chest",
        r"(?:tight|crushing|heavy|painful) chest|heart (?:hurts|is hurting|pain|aches)"
        r"|chest (?:feels|is) like (?:an? )?(?:elephant|weight|vice|brick)",
        r"бол(?:ь|и|ит|ят|ело)\w* (?:в|за) груд\w*",
        r"(?:давит|давление|жжет|жжение|сжимает|колет|тяжесть|ломит)\w* (?:в|за) груд\w*",
        r"груд\w* (?:болит|давит|жжет|сжимает|колет)",
        r"болит (?:в )?(?:груд\w*|сердце)|сердце болит",
        rf"胸(?:口|部|前|腔)?{_ZH_DEGREE}(?:痛|疼|悶|闷|緊|紧|壓迫|压迫|刺痛|絞痛|绞痛|壓|压)",
        rf"心(?:絞痛|绞痛)|心口痛|心(?:臟|脏){_ZH_DEGREE}(?:痛|疼|絞痛|绞痛)",
    ),
    RedFlag.BREATHING: (
        r"(?:can'?t|cannot|can not|couldn'?t|can (?:barely|hardly)|unable to|struggling to"
        r"|hard to|trouble|difficulty|difficult to|problems?) (?:breathe|breathing"
        r"|catch (?:my|his|her|their) breath)"
        r"|(?:don'?t think|not sure) (?:i|he|she|they|we) can breathe",
        r"short(?:ness)? of breath|out of breath|breathless|stopped breathing"
        r"|(?:isn'?t|is not|not|no longer|doesn'?t seem to be|aren'?t) breathing"
        r"|gasping|choking|suffocating|turning blue|(?:lips|face) (?:are |is )?(?:turning )?blue"
        r"|(?:need|needs|want) air",
        r"(?:не могу|не может|не можем|невозможно|трудно|тяжело|не получается|нечем)"
        r" (?:дышать|вдохнуть|продохнуть)",
        r"задыха\w*|одышк\w*|не хватает воздуха|не дышит|перестал\w* дышать|удушь\w*"
        r"|посинел\w*",
        rf"呼吸{_ZH_DEGREE}(?:困難|困难|不過來|不过来|不到|不順|不顺|急促|喘|不了)",
        r"喘不過氣|喘不过气|透不過氣|透不过气|吸不到氣|吸不到气|無法呼吸|无法呼吸|不能呼吸"
        r"|沒辦法呼吸|没办法呼吸|窒息|(?:沒有|没有|沒|没)(?:了)?呼吸(?:了|心跳)|停止呼吸",
        r"(?:很|好|非常|超|一直|突然)喘|喘得|喘到|(?:氣喘|哮喘|气喘)發作|(?:气喘|哮喘)发作",
        r"嘴唇發紫|嘴唇发紫|臉色發紫|脸色发紫",
    ),
    RedFlag.STROKE: (
        r"face (?:is )?(?:drooping|droopy|drooped)|drooping (?:face|mouth|smile)"
        r"|(?:mouth|smile) (?:is )?(?:crooked|drooping)",
        r"slurred speech|slurring|speech (?:is |was )?(?:suddenly )?slurred"
        r"|can'?t (?:speak|talk) (?:properly|clearly"
        r"|suddenly)|suddenly can'?t (?:speak|talk|see)",
        rf"can'?t (?:move|feel|lift) {_PERSON_EN} (?:(?:left|right) )?"
        r"(?:arm|leg|face|hand|side)",
        rf"(?:one side|side of {_PERSON_EN} (?:body|face)|(?:{_PERSON_EN} |\w+'s )?"
        r"(?:(?:left|right) )?(?:arm|leg|face))"
        r" (?:is |went |feels |has gone |suddenly )*(?:numb|weak|paralyzed|paralysed)"
        r"|sudden (?:numbness|weakness)",
        r"перекосил\w* (?:лицо|рот)|(?:лицо|рот|улыбк\w*) перекосил\w*|перекос\w* лица",
        r"онемел\w* (?:рука|нога|лицо|половина)|(?:рука|нога|лицо|половина \w+) онемел\w*",
        r"невнятн\w* речь|речь невнятн\w*|(?:заплетается язык|язык заплетается)",
        r"не (?:может|могу) пошевелить (?:рукой|ногой)|отнял\w* (?:рука|нога)",
        r"嘴(?:巴)?歪|臉歪|脸歪|口齒不清|口齿不清|(?:說話|说话|講話|讲话)(?:突然)?(?:不清楚|含糊|說不清|说不清)"
        r"|大舌頭|大舌头",
        r"(?:半邊|半边|一邊|一边|單側|单侧)(?:身體|身体|臉|脸)?(?:突然)?(?:無力|无力|麻|不能動|不能动"
        r"|動不了|动不了|沒力|没力)|突然(?:手|腳|脚|手腳|手脚)(?:無力|无力|麻|不能動|不能动|動不了|动不了)",
    ),
    RedFlag.BLEEDING: (
        r"(?:bleeding|bleeds|bled) (?:a lot|heavily|badly|profusely|everywhere|non-?stop"
        r"|and (?:it )?won'?t stop|that won'?t stop)",
        r"(?:heavy|severe|massive|uncontrolled|uncontrollable|profuse|serious) bleeding"
        r"|won'?t stop bleeding|can'?t stop (?:the )?bleeding|bleeding (?:won'?t|doesn'?t) stop",
        r"(?:vomiting|throwing up|coughing up|coughing|spitting) (?:up )?blood|blood everywhere"
        r"|lost a lot of blood|(?:a lot of|lots of|so much) blood"
        r"|blood (?:is )?(?:pouring|gushing|spurting|squirting)|(?:pouring|gushing) blood",
        r"(?:сильн|обильн|массивн)\w* кровотечени\w*"
        r"|(?:кровотечени\w*|кровь) (?:никак |все |всё |до сих пор )?не"
        r" (?:останавлива|прекраща)\w*|не (?:могу|можем) остановить кровь|кровь хлещет"
        r"|много крови|(?:рвота|рвет|рвало|рвёт) кровью|кашля\w* кровью|кашель с кровью",
        r"大量(?:出血|流血)|血流不止|一直流血|流血不止|止不住血|血止不住|止不了血|吐血|咳血"
        r"|大出血|流很多血|流了很多血|血一直流|出血不止|很多血",
    ),
    RedFlag.SUICIDE: (
        r"(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) myself"
        r"|end(?:ing)? (?:my (?:own )?life|it all)|tak(?:e|ing) my (?:own )?life"
        r"|(?:want|wanna|going) to die|don'?t want to (?:live|be alive|wake up)|better off dead"
        r"|no reason to live|wish i (?:was|were) dead"
        r"|(?:thinking|thoughts?|think) (?:about|of) (?:suicide|killing myself|ending my life"
        r"|ending it all)",
        r"(?:думаю|думать|мысли|мысль)\w* (?:о|об) (?:самоубийств\w*|суицид\w*|смерти)"
        r"|покончить с собой|(?:хочу|хочется) умереть|не хочу (?:больше |уже )?жить"
        r"|убить себя|убью себя|причинить себе вред|св(?:ести|еду) сч[её]ты с жизнью"
        r"|жить не хочется|незачем жить|лучше бы я умер\w*|порезать себя|режу себя",
        r"想死|不想活|輕生|轻生|結束(?:自己的)?生命|结束(?:自己的)?生命|活不下去"
        r"|傷害自己|伤害自己|割腕|跳樓|跳楼|尋死|寻死",
    ),
    RedFlag.ANAPHYLAXIS: (
        r"severe allergic reaction",
        r"(?:throat|tongue|lips?|face) (?:is |are )?(?:swelling|swollen|closing)"
        r"|swelling (?:of|in) (?:my|his|her|the) (?:throat|tongue|lips|face)",
        r"отек\w* (?:горла|гортани|языка|лица|губ)|отек квинке"
        r"|(?:горло|язык|губы|лицо) (?:опух\w*|отек\w*|отекает|распух\w*)|горло сжимается"
        r"|(?:опух|отек|распух)\w* (?:горло|гортань|язык|губы|лицо)"
        r"|(?:сильн|тяжел)\w* аллерги\w*",
        r"喉嚨(?:腫|肿|緊|紧)|喉咙(?:腫|肿|紧)|(?:嘴唇|舌頭|舌头|臉|脸)(?:都)?(?:腫|肿)"
        r"|嚴重過敏|严重过敏",
    ),
    RedFlag.SEIZURE: (
        r"seizing|convulsing|having a (?:fit|seizure)|shaking uncontrollably",
        r"бь[её]тся в конвульси\w*|трясет всего",
        r"全身抽動|全身抽动|一直抽搐",
    ),
    RedFlag.UNCONSCIOUS: (
        r"unconscious|passed out|fainted|blacked out|won'?t wake up|not waking up"
        r"|can'?t wake (?:him|her|them|my \w+)(?: up)?|unresponsive|not responding"
        r"|collapsed|lost consciousness",
        r"без сознания|потерял\w* сознание|потеря сознания|(?:упал\w* в )?обморок\w*"
        r"|не приходит в себя|не просыпается|не (?:могу|можем) разбудить|не реагирует"
        r"|отключил\w* сознание",
        r"昏迷|昏倒|暈倒|晕倒|昏過去|昏过去|暈過去|晕过去|失去意識|失去意识|不省人事|叫不醒"
        r"|沒有反應|没有反应|沒反應|没反应|(?<!過敏性)(?<!过敏性)休克|倒地不起",
    ),
    RedFlag.OVERDOSE: (
        r"took too (?:many|much)|taken too (?:many|much)"
        r"|swallowed (?:a|the|an entire|a whole|the whole) (?:whole )?(?:bottle|pack|box|packet)"
        r"|(?:took|has taken|have taken|swallowed) (?:all|the whole|a whole|a full|an entire)"
        r"(?: (?:bottle|pack|box|packet))?(?: of)?(?: (?:my|the|his|her|their))?(?: \w+)?"
        r" (?:pills|tablets|medicines?|meds|capsules)",
        r"(?:выпил|принял|съел|проглотил)\w* (?:все|всю|целую|целый|пачку"
        r"|упаковку|горсть|слишком много|много)(?: \w+)? ?(?:таблет\w*|лекарств\w*"
        r"|упаковк\w*|пачк\w*|блистер\w*|пилюл\w*)|наглотал\w*|слишком много таблеток",
        r"(?:藥|药)吃太多|吃(?:了)?太多(?:藥|药|顆|颗|粒)|吃了(?:一整|整)(?:瓶|盒|包)"
        r"|吞了(?:一整|整)(?:瓶|盒)",
    ),
}

# Names of conditions: often a topic ("stroke prevention", "seizure medication") or past
# history, so what follows them also counts ("... prevention", "... medication").
_CONDITIONS: Final[dict[RedFlag, tuple[str, ...]]] = {
    RedFlag.CHEST_PAIN: (r"heart attack|cardiac arrest",
                         r"сердечн\w* приступ|инфаркт\w*|остановк\w* сердца",
                         r"心臟病發|心脏病发|心肌梗塞|心肌梗死"),
    RedFlag.STROKE: (r"stroke|mini-?stroke|tia", r"инсульт\w*|микроинсульт\w*",
                     r"中風|中风|腦梗塞|脑梗塞|腦溢血|脑溢血|腦出血|脑出血"),
    RedFlag.SUICIDE: (r"suicid(?:e|al)", r"суицид\w*|самоубийств\w*", r"自殺|自杀"),
    RedFlag.ANAPHYLAXIS: (r"anaphyla(?:xis|ctic)|epi-?pen", r"анафилак\w*|отек квинке",
                          r"過敏性休克|过敏性休克"),
    RedFlag.SEIZURE: (r"seizures?|convulsions?|epileptic (?:fit|attack)s?",
                      r"судорог\w*|припад\w*|эпилептическ\w* приступ\w*|конвульси\w*",
                      r"抽搐|癲癇發作|癫痫发作|羊癲瘋|羊癫疯|痙攣|痉挛"),
    RedFlag.OVERDOSE: (r"overdos(?:e|ed|es|ing)", r"передозиров\w*",
                       r"服藥過量|服药过量|藥物過量|药物过量|吃藥過量|吃药过量|用藥過量|用药过量"),
}


def _near(first: str, then: str, words: int = 4) -> str:
    """`first`, then `then` within a few words (Latin and Cyrillic), with no negation
    between ("сердце не болит" is no complaint)."""
    gap = r"(?:\W+(?!(?:не|нет|not|no|never|isn'?t|doesn'?t)\b)\w+)"
    return rf"(?:{first})\w*{gap}{{0,{words}}}?\W+(?:{then})"


def _near_zh(first: str, then: str, chars: int = 6) -> str:
    """`first`, then `then` within a few characters, with no clause break and no
    negation between ("胸口不痛" is no complaint)."""
    return rf"(?:{first})[^，。！？,.!?不沒没無无]{{0,{chars}}}?(?:{then})"


# A body part and what is wrong with it close together, in either order ("pain
# spreading from my chest", "грудь сдавило", "胸口像被石頭壓住"): how people describe
# the same emergency in words no phrase list foresees.
_CHEST_EN: Final = r"chest|heart"
_CHEST_WRONG_EN: Final = (r"pain|pains|painful|hurts?|hurting|aches?|aching|crushing|pressing"
                          r"|tight|tightness|squeez\w*|heavy|heaviness|burning|stabbing|sharp")
_CHEST_RU: Final = r"груд\w*|сердц\w*|сердце"
_CHEST_WRONG_RU: Final = (r"бол\w*|давит|сдавил\w*|сдавлив\w*|сжима\w*|сжал\w*|жж[её]т\w*"
                          r"|жжени\w*|колет|ломит|тяжест\w*|печ[её]т")
_BREATH_EN: Final = r"breathe|breathing|breath|air"
_CANNOT_EN: Final = (r"can'?t|cannot|can not|couldn'?t|unable to|barely|hardly|struggling to"
                     r"|struggle to|hard to|trouble|difficulty")
_WOUND: Final = r"blood|bleeding|wound|cut|nose"
_SWELL_PART_EN: Final = r"throat|tongue|lips?|face"
_SWELL_EN: Final = r"swell\w*|swollen|closing|tight"
_NEAR: Final[dict[RedFlag, tuple[str, ...]]] = {
    RedFlag.CHEST_PAIN: (
        _near(_CHEST_EN, _CHEST_WRONG_EN, 3), _near(_CHEST_WRONG_EN, _CHEST_EN, 4),
        _near(_CHEST_RU, _CHEST_WRONG_RU, 3), _near(_CHEST_WRONG_RU, _CHEST_RU, 3),
        _near_zh(r"胸|心口|心臟|心脏", r"痛|疼|悶|闷|壓|压|緊|紧|刺|絞|绞|重"),
    ),
    RedFlag.BREATHING: (
        _near(_CANNOT_EN, _BREATH_EN, 3) + r"(?!\s+(?:fine|normally|ok|okay|well))",
        r"(?:can'?t|cannot|unable to) get (?:any |enough )?air",
        _near(r"дыш\w*|вдох\w*|вдохн\w*|воздух\w*",
              r"не могу|не может|не можем|трудно|тяжело|нечем|не хватает|невозможно", 2),
        _near_zh(r"不能|不了|快不|沒辦法|没办法|無法|无法|困難|困难", r"呼吸|吸氣|吸气", 3),
    ),
    RedFlag.STROKE: (
        _near(r"suddenly", r"(?:can'?t|cannot) (?:speak|talk|see|move|walk|stand)|slurred"
              r"|numb|weak|paraly\w*|drooping", 4),
        _near(r"arm|leg|hand|face|side", r"numb|weak|paraly\w*|dead|drooping|droopy", 3),
        _near(r"отнял\w*|онемел\w*|парализ\w*", r"рук\w*|ног\w*|лиц\w*|сторон\w*", 2),
        _near_zh(r"突然|半邊|半边|一邊|一边", r"麻|無力|无力|不能動|不能动|動不了|动不了|歪", 4),
    ),
    RedFlag.BLEEDING: (
        _near(_WOUND, r"gushing|pouring|spurting|squirting|won'?t stop|will not stop"
              r"|doesn'?t stop|not stopping", 3),
        _near(r"кров\w*", r"хлещет|льется|льётся|не останавлива\w*|не прекраща\w*"
              r"|не могу остановить", 3),
        _near_zh(r"流血|出血|血", r"止不住|停不下|停不了|不止|止不了", 5),
    ),
    RedFlag.SUICIDE: (
        r"(?:don'?t see|no|there'?s no) (?:the )?(?:point|reason) (?:of|in|to) (?:living|live"
        r"|life|going on|go on)|(?:want|going) to end (?:it|everything|my life)",
        r"нет смысла жить|не вижу смысла (?:жить|в жизни)|покончить со всем",
        r"結束這一切|结束这一切|不想再活|活著沒意義|活着没意义",
    ),
    RedFlag.ANAPHYLAXIS: (
        _near(_SWELL_PART_EN, _SWELL_EN, 3),
        _near(r"горл\w*|язык\w*|губ\w*|гортан\w*", r"опух\w*|отек\w*|распух\w*|сжима\w*", 2),
        _near(r"опух\w*|отек\w*|распух\w*", r"горл\w*|язык\w*|губ\w*|гортан\w*|лиц\w*", 2),
        _near_zh(r"喉嚨|喉咙|舌頭|舌头|嘴唇|臉|脸", r"腫|肿|緊|紧", 4),
    ),
    RedFlag.OVERDOSE: (
        r"swallowed (?:a |the |an? (?:whole |entire ))?(?:whole )?(?:bottle|pack|box|packet)"
        r" of",
        _near(r"слишком много|целую упаковку|всю упаковку|всю пачку", r"таблет\w*|лекарств\w*"
              r"|капсул\w*", 2),
        _near_zh(r"太多", r"藥|药|顆|颗|粒", 3),
    ),
}
# Words that look like a complaint but are not one here ("blood pressure", "血壓").
_NOT_A_COMPLAINT: Final = re.compile(r"blood pressure|артериальн\w* давлени\w*|давлени\w*"
                                     r"|血壓|血压|heart ?rate|heartburn")


def _compiled(pattern: str) -> re.Pattern[str]:
    """Latin and Cyrillic signs are whole words ("stroked" is not "stroke"); Chinese has
    no spaces, so its signs match anywhere."""
    if re.search(r"[\u3400-\u9fff]", pattern):
        return re.compile(pattern)
    return re.compile(rf"(?<!\w)(?:{pattern})(?![a-z0-9])")


_SIGN_PATTERNS: Final = tuple(
    (flag, _compiled(pattern), condition)
    for condition, table in ((False, _SIGNS), (False, _NEAR), (True, _CONDITIONS))
    for flag, patterns in table.items() for pattern in patterns)

_CLAUSE_END: Final = re.compile(
    r"[.!?;。！？；\n,，、]+|\s(?:but|however|though|although|yet)\s|\s(?:но|однако|зато|а)\s"
    r"|(?<=\S)(?:但是|可是)")  # not 不過: "喘不過氣" is one complaint

# --- not happening now
_NEGATED_BEFORE: Final = re.compile(
    r"(?:^|\s)(?:no|not|don'?t|doesn'?t|didn'?t|never|without|denies|deny|denied|nor|isn'?t"
    r"|aren'?t|wasn'?t|haven'?t|hasn'?t|hadn'?t|none|free of|no more|no longer)"
    r"(?:\s+(?!think|know|believe|understand|remember|care)\S+){0,2}\s*$"
    r"|(?:^|\s)(?:не|нет|без|ни|никак\w*|отрицает)(?:\s+(?!знаю|думаю|понимаю|помню)\S+){0,2}\s*$"
    r"|(?:沒有|没有|沒|没|無|无|不會|不会|不是|否認|否认|並沒有|并没有|未|不)"
    r"(?:任何|什麼|什么|再|感到|覺得|觉得|感覺|感觉)?$")
_NEGATED_AFTER: Final = re.compile(
    r"^\s*(?:нет|не было|прошл\w*)\b"
    r"|^(?:已經|已经)?(?:沒有了|没有了|好了|消失了|不見了|不见了|緩解了|缓解了|停了)")
_TOPIC_BEFORE: Final = re.compile(
    r"(?:^|\s)(?:about|on|regarding|leaflet|information|info|signs of|symptoms of|what is"
    r"|what'?s|what are|what|what causes|prevent|preventing|prevention of|causes of|risks? of"
    r"|learn about"
    r"|know about|explain|treatment (?:of|for)|recovery from|recovering from|after)"
    r"\s+(?:an?\s+|the\s+)?$"
    r"|(?:^|\s)(?:про|о|об|памятк\w*|информаци\w*|что такое|признаки|симптомы"
    r"|профилактик\w*|риск\w*|после|лечени\w*)\s+$"
    r"|(?:關於|关于|了解|認識|认识|什麼是|什么是|預防|预防|介紹|介绍|有關|有关|衛教|卫教)$")
_TOPIC_AFTER: Final = re.compile(
    r"^\s*(?:prevention|awareness|leaflets?|information|info|risks?|symptoms|signs|survivors?"
    r"|rehab\w*|recovery|clinic|unit|ward|tests?|screening|medications?|medicines?|drugs?"
    r"|pills?|x-?rays?|scans?|appointments?|patients?)\b"
    r"|^\s*(?:профилактик\w*|реабилитаци\w*|лечени\w*|риск\w*|памятк\w*)"
    r"|^(?:的)?(?:衛教|卫教|資訊|资讯|預防|预防|症狀|症状|是什麼|是什么|風險|风险|復健|复健"
    r"|病史|藥|药|門診|门诊|病人|患者)")
# A message about a leaflet on the sign ("chest pain leaflet", "胸痛衛教").
_TOPIC_ABOUT: Final = re.compile(
    r"^\s*(?:leaflets?|handouts?|brochures?|information|info|education"
    r"|(?:an? )?side effects?)\b"
    r"|^\s*(?:памятк\w*|брошюр\w*|информаци\w*)|^(?:的)?(?:衛教|卫教|資訊|资讯)")
_HISTORY: Final = re.compile(
    r"\blast (?:year|month|week|spring|summer|autumn|fall|winter)\b|\b(?:(?:\d+|a|one|two"
    r"|three|few|several|many) )?(?:years?|months?|weeks?) ago\b|\bhistory of\b|\bin the past\b"
    r"|\bused to\b|\bin (?:19|20)\d\d\b"
    r"|в прошлом году|(?:лет|год|года|месяц\w*|недел\w*) назад|в анамнезе|когда-то|раньше был"
    r"|去年|前年|年前|個月前|个月前|以前|過去|过去|曾經|曾经|病史")
_NOW: Final = re.compile(
    r"\b(?:now|again|right now|today|tonight|currently|at the moment|this (?:morning|evening)"
    r"|since)\b|сейчас|опять|снова|сегодня|только что|прямо сейчас|с утра|со вчера"
    r"|現在|现在|又|剛剛|刚刚|今天|一直|開始|开始|此刻")

_FIRST_PERSON: Final = re.compile(r"\b(?:my|myself|me|i)\b|\bмо[йяеи]\b|себ[яе]|собой|我|自己")
_FOLD: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "ё": "е"})


@dataclass(frozen=True)
class Finding:
    flag: RedFlag
    clause: str


def red_flags(text: str) -> frozenset[RedFlag]:
    """The red flags a message raises (empty when none)."""
    return frozenset(f.flag for f in findings(text))


def findings(text: str) -> list[Finding]:
    """Each red flag with the clause that raised it (for tests; never logged)."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_FOLD).split())
    found: list[Finding] = []
    for clause in _CLAUSE_END.split(folded):
        clause = clause.strip()
        if not clause:
            continue
        clause = _NOT_A_COMPLAINT.sub(" ", clause)
        now = bool(_NOW.search(clause))
        for flag, pattern, condition in _SIGN_PATTERNS:
            if any(f.flag is flag and f.clause == clause for f in found):
                continue
            for match in pattern.finditer(clause):
                if _counts(clause, match, now, condition):
                    found.append(Finding(flag, clause))
                    break
    return found


def _counts(clause: str, match: re.Match[str], now: bool, condition: bool) -> bool:
    before, after = clause[:match.start()], clause[match.end():]
    if _NEGATED_BEFORE.search(before) or _NEGATED_AFTER.search(after):
        return False
    personal = bool(_FIRST_PERSON.search(match.group()))  # "thinking about ending my life"
    if not personal and (_TOPIC_BEFORE.search(before) or _TOPIC_ABOUT.search(after)
                         or (condition and _TOPIC_AFTER.search(after))):
        return False
    return now or not _HISTORY.search(clause)
