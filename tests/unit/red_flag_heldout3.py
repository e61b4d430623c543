"""Third held-out round for the red-flag lexicon, written after round 2's fixes and
scored once as written (bench/red_flags.py); never tuned on."""

from __future__ import annotations

from shared.domain.red_flags import RedFlag

F = RedFlag

POSITIVES: list[tuple[str, set[RedFlag]]] = [
    ("I have a crushing feeling in my chest", {F.CHEST_PAIN}),
    ("pain spreading from my chest to my jaw", {F.CHEST_PAIN}),
    ("грудь сдавило, трудно вдохнуть", {F.CHEST_PAIN, F.BREATHING}),
    ("胸口像被石頭壓住", {F.CHEST_PAIN}),
    ("I'm wheezing and can't get air", {F.BREATHING}),
    ("my kid is choking on a grape", {F.BREATHING}),
    ("дышать не могу", {F.BREATHING}),
    ("我快不能呼吸了", {F.BREATHING}),
    ("dad suddenly can't speak and his arm is weak", {F.STROKE}),
    ("у мужа внезапно отнялась левая рука", {F.STROKE}),
    ("媽媽突然半邊臉麻", {F.STROKE}),
    ("the wound is gushing blood", {F.BLEEDING}),
    ("кровь из носа хлещет уже полчаса", {F.BLEEDING}),
    ("傷口一直在流血，止不住", {F.BLEEDING}),
    ("I don't see the point of living anymore", {F.SUICIDE}),
    ("мне незачем жить", {F.SUICIDE}),
    ("我想結束這一切", {F.SUICIDE}),
    ("after eating peanuts my throat feels tight and swollen", {F.ANAPHYLAXIS}),
    ("у дочки опухло горло после укуса осы", {F.ANAPHYLAXIS}),
    ("吃了蝦之後嘴唇腫起來", {F.ANAPHYLAXIS}),
    ("grandpa is having a seizure right now", {F.SEIZURE}),
    ("у него начался припадок", {F.SEIZURE}),
    ("弟弟抽筋抽到翻白眼，全身抽搐", {F.SEIZURE}),
    ("my wife passed out in the kitchen", {F.UNCONSCIOUS}),
    ("бабушка потеряла сознание и не отвечает", {F.UNCONSCIOUS}),
    ("爺爺昏倒了", {F.UNCONSCIOUS}),
    ("my toddler swallowed a bottle of pills", {F.OVERDOSE}),
    ("я выпил слишком много таблеток", {F.OVERDOSE}),
    ("他一次吃了太多顆安眠藥", {F.OVERDOSE}),
]

HARMLESS: list[str] = [
    "chest pain after lifting weights last month, now fine",
    "what is a stroke?",
    "I used to have seizures as a child",
    "no bleeding since the surgery",
    "у меня нет кровотечения",
    "расскажите о профилактике инсульта",
    "我沒有過敏",
    "請給我中風預防的衛教",
    "my chest X-ray results",
    "I took my pills",
]
