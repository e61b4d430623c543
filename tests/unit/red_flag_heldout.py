"""Held-out messages for the red-flag lexicon, written after it and scored once as
written by bench/red_flags.py (never tuned on)."""

from __future__ import annotations

from shared.domain.red_flags import RedFlag

F = RedFlag

POSITIVES: list[tuple[str, set[RedFlag]]] = [
    ("there's a tight pressure in my chest and I'm sweating", {F.CHEST_PAIN}),
    ("my heart hurts really bad", {F.CHEST_PAIN}),
    ("жжёт в груди и отдаёт в руку", {F.CHEST_PAIN}),
    ("胸口好悶好痛", {F.CHEST_PAIN}),
    ("I can barely breathe", {F.BREATHING}),
    ("my baby is gasping for air", {F.BREATHING}),
    ("тяжело дышать, задыхаюсь", {F.BREATHING}),
    ("呼吸好困難", {F.BREATHING}),
    ("mom's face went numb on one side", {F.STROKE}),
    ("grandpa's speech is suddenly slurred", {F.STROKE}),
    ("у бабушки отнялась рука и заплетается язык", {F.STROKE}),
    ("阿公講話突然說不清楚", {F.STROKE}),
    ("blood is pouring out of the wound", {F.BLEEDING}),
    ("she's coughing up blood", {F.BLEEDING}),
    ("очень много крови, не могу остановить", {F.BLEEDING}),
    ("流了很多血止不住", {F.BLEEDING}),
    ("I'm thinking about ending my life", {F.SUICIDE}),
    ("I want to end it all", {F.SUICIDE}),
    ("не хочу больше жить", {F.SUICIDE}),
    ("活不下去了，想死", {F.SUICIDE}),
    ("his tongue is swelling up after the peanut", {F.ANAPHYLAXIS}),
    ("у меня анафилаксия", {F.ANAPHYLAXIS}),
    ("嘴唇腫起來，呼吸困難", {F.ANAPHYLAXIS, F.BREATHING}),
    ("he's having convulsions", {F.SEIZURE}),
    ("у сына начались судороги", {F.SEIZURE}),
    ("孩子全身抽動", {F.SEIZURE}),
    ("grandma collapsed and isn't responding", {F.UNCONSCIOUS}),
    ("dad fainted in the bathroom", {F.UNCONSCIOUS}),
    ("муж упал в обморок", {F.UNCONSCIOUS}),
    ("媽媽昏迷了", {F.UNCONSCIOUS}),
    ("my daughter took all of my sleeping pills", {F.OVERDOSE}),
    ("overdose", {F.OVERDOSE}),
    ("наглотался таблеток", {F.OVERDOSE}),
    ("他服藥過量", {F.OVERDOSE}),
]

HARMLESS: list[str] = [
    "I had a chest CT last week, results are normal",
    "can you explain what a heart attack is?",
    "no breathing problems",
    "my grandmother died of a stroke in 2010",
    "I bled a bit after brushing my teeth",
    "she has epilepsy but no seizures for years",
    "нет одышки, просто кашель",
    "у меня нет судорог",
    "расскажите про инфаркт",
    "раньше был обморок, сейчас всё хорошо",
    "我沒有呼吸困難",
    "請給我心肌梗塞的衛教",
    "我想預防中風",
    "以前昏倒過一次",
    "chest pain leaflet in Russian",
    "I'm allergic to penicillin",
]
