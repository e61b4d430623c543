"""Second held-out round for the red-flag lexicon, written after the fixes round 1
prompted and scored once as written (bench/red_flags.py)."""

from __future__ import annotations

from shared.domain.red_flags import RedFlag

F = RedFlag

POSITIVES: list[tuple[str, set[RedFlag]]] = [
    ("sharp pain in the chest when I breathe in", {F.CHEST_PAIN}),
    ("chest feels like an elephant is sitting on it", {F.CHEST_PAIN}),
    ("сердце болит и давит", {F.CHEST_PAIN}),
    ("心臟好痛", {F.CHEST_PAIN}),
    ("she can't catch her breath", {F.BREATHING}),
    ("he stopped breathing", {F.BREATHING}),
    ("мужу нечем дышать", {F.BREATHING}),
    ("透不過氣", {F.BREATHING}),
    ("his arm suddenly went weak", {F.STROKE}),
    ("my wife can't lift her right arm and her mouth is crooked", {F.STROKE}),
    ("у мамы внезапно онемела половина лица", {F.STROKE}),
    ("媽媽臉歪一邊，講話含糊", {F.STROKE}),
    ("there's so much blood", {F.BLEEDING}),
    ("кровотечение никак не останавливается", {F.BLEEDING}),
    ("一直流血停不下來", {F.BLEEDING}),
    ("I keep thinking about killing myself", {F.SUICIDE}),
    ("хочется умереть", {F.SUICIDE}),
    ("我想結束自己的生命", {F.SUICIDE}),
    ("after the bee sting her face is swelling", {F.ANAPHYLAXIS}),
    ("распухли губы и горло", {F.ANAPHYLAXIS}),
    ("舌頭腫起來了", {F.ANAPHYLAXIS}),
    ("my son is having a fit", {F.SEIZURE}),
    ("эпилептический приступ у дочки", {F.SEIZURE}),
    ("爸爸在抽搐", {F.SEIZURE}),
    ("she blacked out", {F.UNCONSCIOUS}),
    ("дедушка не реагирует", {F.UNCONSCIOUS}),
    ("奶奶暈倒了", {F.UNCONSCIOUS}),
    ("I accidentally took too much insulin", {F.OVERDOSE}),
    ("сын проглотил целую упаковку таблеток", {F.OVERDOSE}),
    ("他吞了一整瓶藥", {F.OVERDOSE}),
]

HARMLESS: list[str] = [
    "is chest pain a side effect of this drug?",
    "I don't have any trouble breathing",
    "my uncle had a heart attack years ago",
    "what causes seizures in children?",
    "I cut my finger, it bled a little",
    "у меня нет аллергии",
    "расскажите о профилактике инфаркта",
    "два года назад был инсульт",
    "我沒有昏倒",
    "請給我癲癇的衛教",
    "我沒有胸悶",
    "I breathe fine now",
]
