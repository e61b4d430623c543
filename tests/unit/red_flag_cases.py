"""Labelled messages for the red-flag lexicon (shared/domain/red_flags.py): emergencies
as patients and relatives type them, and harmless mentions of the same words."""

from __future__ import annotations

from shared.domain.red_flags import RedFlag

F = RedFlag

# (text, the flags it must raise)
POSITIVES: list[tuple[str, set[RedFlag]]] = [
    # chest pain
    ("I have chest pain", {F.CHEST_PAIN}),
    ("my chest hurts and my left arm feels heavy", {F.CHEST_PAIN}),
    ("crushing pain in my chest since an hour", {F.CHEST_PAIN}),
    ("I think my husband is having a heart attack", {F.CHEST_PAIN}),
    ("у меня сильно болит в груди", {F.CHEST_PAIN}),
    ("давит за грудиной уже час", {F.CHEST_PAIN}),
    ("похоже на инфаркт", {F.CHEST_PAIN}),
    ("醫生，我從昨天開始胸口很痛", {F.CHEST_PAIN}),
    ("胸悶", {F.CHEST_PAIN}),
    ("我胸部一陣一陣刺痛", {F.CHEST_PAIN}),
    # breathing
    ("I can't breathe", {F.BREATHING}),
    ("my son is struggling to breathe", {F.BREATHING}),
    ("shortness of breath when lying down", {F.BREATHING}),
    ("her lips are turning blue", {F.BREATHING}),
    ("не могу дышать", {F.BREATHING}),
    ("ребенок задыхается", {F.BREATHING}),
    ("мне не хватает воздуха", {F.BREATHING}),
    ("現在呼吸很喘", {F.BREATHING}),
    ("喘不過氣來", {F.BREATHING}),
    ("我媽媽氣喘發作了", {F.BREATHING}),
    # stroke
    ("I think my father is having a stroke", {F.STROKE}),
    ("her face is drooping and her speech is slurred", {F.STROKE}),
    ("suddenly can't move my left arm", {F.STROKE}),
    ("у папы перекосило лицо", {F.STROKE}),
    ("невнятная речь и онемела рука", {F.STROKE}),
    ("кажется, у мамы инсульт", {F.STROKE}),
    ("爸爸突然嘴歪", {F.STROKE}),
    ("他說話不清楚，半邊無力", {F.STROKE}),
    ("我覺得阿嬤中風了", {F.STROKE}),
    # severe bleeding
    ("the cut is bleeding heavily", {F.BLEEDING}),
    ("he won't stop bleeding", {F.BLEEDING}),
    ("I am vomiting blood", {F.BLEEDING}),
    ("сильное кровотечение из носа", {F.BLEEDING}),
    ("кровь не останавливается", {F.BLEEDING}),
    ("傷口血流不止", {F.BLEEDING}),
    ("他吐血了", {F.BLEEDING}),
    # suicidal thoughts
    ("I want to kill myself", {F.SUICIDE}),
    ("I don't want to live anymore", {F.SUICIDE}),
    ("I have suicidal thoughts", {F.SUICIDE}),
    ("я хочу умереть", {F.SUICIDE}),
    ("думаю покончить с собой", {F.SUICIDE}),
    ("我不想活了", {F.SUICIDE}),
    ("我想自殺", {F.SUICIDE}),
    # anaphylaxis
    ("my throat is closing after the shrimp", {F.ANAPHYLAXIS}),
    ("her lips are swollen and she needs her epipen", {F.ANAPHYLAXIS}),
    ("у него отек горла после укола", {F.ANAPHYLAXIS}),
    ("опухло лицо и язык", {F.ANAPHYLAXIS}),
    ("打完針喉嚨腫起來", {F.ANAPHYLAXIS}),
    ("過敏性休克", {F.ANAPHYLAXIS}),
    # seizure
    ("my daughter is having a seizure", {F.SEIZURE}),
    ("he is convulsing on the floor", {F.SEIZURE}),
    ("у ребенка судороги", {F.SEIZURE}),
    ("у него припадок", {F.SEIZURE}),
    ("小孩一直抽搐", {F.SEIZURE}),
    ("他癲癇發作了", {F.SEIZURE}),
    # unconsciousness
    ("my mother passed out and won't wake up", {F.UNCONSCIOUS}),
    ("he is unresponsive", {F.UNCONSCIOUS}),
    ("мама потеряла сознание", {F.UNCONSCIOUS}),
    ("он без сознания", {F.UNCONSCIOUS}),
    ("阿公昏倒了，叫不醒", {F.UNCONSCIOUS}),
    ("她失去意識", {F.UNCONSCIOUS}),
    # overdose
    ("I took too many pills", {F.OVERDOSE}),
    ("my son swallowed a whole bottle of paracetamol", {F.OVERDOSE}),
    ("I think I overdosed on insulin", {F.OVERDOSE}),
    ("он выпил всю упаковку таблеток", {F.OVERDOSE}),
    ("передозировка снотворного", {F.OVERDOSE}),
    ("我藥吃太多了", {F.OVERDOSE}),
    ("他吃了一整瓶安眠藥", {F.OVERDOSE}),
    # several at once; a harmless part does not hide the rest
    ("醫生，我從昨天開始胸口很痛，呼吸也很喘", {F.CHEST_PAIN, F.BREATHING}),
    ("no fever, but my chest hurts", {F.CHEST_PAIN}),
    ("I don't have a cough, I just can't breathe", {F.BREATHING}),
    ("he had a stroke 5 years ago and now his face is drooping again", {F.STROKE}),
    ("температуры нет, но болит в груди", {F.CHEST_PAIN}),
]

# Harmless mentions of the same words: nothing is raised.
HARMLESS: list[str] = [
    "my chest X-ray appointment is on Monday",
    "I have no chest pain",
    "no shortness of breath, just a runny nose",
    "I don't want to die of cancer, what screening do you recommend?",
    "I need a leaflet about stroke",
    "what are the signs of a stroke?",
    "stroke prevention",
    "my father had a stroke 5 years ago",
    "I take seizure medication every day",
    "information on suicide prevention",
    "I stroked the dog",
    "I have leg cramps at night",
    "my nose bled a little this morning",
    "I ate too much at dinner",
    "the pharmacist said not to overdo it",
    "у меня нет боли в груди",
    "боли в груди нет",
    "мне нужна памятка про инсульт",
    "в прошлом году у мамы был инсульт",
    "выпил всю воду",
    "профилактика инсульта",
    "我沒有胸痛",
    "胸口不痛了",
    "中風衛教",
    "我想了解中風",
    "去年中風過",
    "我晚上吃太多了",
    "小腿抽筋",
    "胸部X光檢查",
]
