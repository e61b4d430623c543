"""Fourth held-out round for the red-flag lexicon, written after the part-near-complaint
rules and scored once as written (bench/red_flags.py); never tuned on."""

from __future__ import annotations

from shared.domain.red_flags import RedFlag

F = RedFlag

POSITIVES: list[tuple[str, set[RedFlag]]] = [
    ("there is a heavy weight on my chest and I feel sick", {F.CHEST_PAIN}),
    ("my heart is pounding and my chest aches badly", {F.CHEST_PAIN}),
    ("в груди жжёт и отдаёт в левую руку", {F.CHEST_PAIN}),
    ("心口一直絞痛", {F.CHEST_PAIN}),
    ("I can hardly breathe after the injection", {F.BREATHING}),
    ("she is gasping and turning blue", {F.BREATHING}),
    ("мне очень трудно дышать", {F.BREATHING}),
    ("呼吸越來越困難", {F.BREATHING}),
    ("his face went droopy on the left", {F.STROKE}),
    ("my mother suddenly cannot talk", {F.STROKE}),
    ("у отца перекосило рот и онемела рука", {F.STROKE}),
    ("爸爸突然講話含糊", {F.STROKE}),
    ("he cut his hand and it won't stop bleeding", {F.BLEEDING}),
    ("my son is throwing up blood", {F.BLEEDING}),
    ("у мамы сильное кровотечение после родов", {F.BLEEDING}),
    ("大出血", {F.BLEEDING}),
    ("I want to die", {F.SUICIDE}),
    ("я думаю о самоубийстве", {F.SUICIDE}),
    ("我不想活下去", {F.SUICIDE}),
    ("my lips and tongue are swelling after the antibiotic", {F.ANAPHYLAXIS}),
    ("у сына отёк Квинке", {F.ANAPHYLAXIS}),
    ("全身起疹子，喉嚨好緊", {F.ANAPHYLAXIS}),
    ("my baby is convulsing", {F.SEIZURE}),
    ("у жены судороги и пена изо рта", {F.SEIZURE}),
    ("他癲癇發作倒在地上", {F.SEIZURE}),
    ("he collapsed and isn't breathing", {F.UNCONSCIOUS, F.BREATHING}),
    ("муж не просыпается", {F.UNCONSCIOUS}),
    ("阿嬤叫不醒", {F.UNCONSCIOUS}),
    ("she took a whole box of sleeping pills", {F.OVERDOSE}),
    ("ребёнок съел все таблетки из упаковки", {F.OVERDOSE}),
    ("我吃了整盒藥", {F.OVERDOSE}),
]

HARMLESS: list[str] = [
    "my heart is full of joy today",
    "I have heartburn after spicy food",
    "chest day at the gym was heavy",
    "my blood pressure and heart rate are normal",
    "the fresh air makes it easy to breathe",
    "I had a nosebleed last week",
    "у меня давление и сердце в норме",
    "сердце не болит",
    "我的血壓和心跳都正常",
    "心情很沉重",
    "can you explain what causes chest pain?",
    "I cut my finger a little while cooking",
]
