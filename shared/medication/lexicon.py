"""Word tables of the parser, per language. Data only: the scanner decides what they do.

* SEPARATORS split a sentence into medications or times ("and", "и", "和", ",").
* FILLERS carry no meaning for a schedule and are skipped ("please", "каждый день", "每天").
* STOP_WORDS make the parser give up: they change the meaning in ways a ParsedCommand cannot
  hold (negation, frequency other than daily, meals, "all", other users...) or they are
  ordinary words that must never be taken for a medication name.
* GENERIC_NAMES are words for "medicine" itself: never a name ("add the pill at 9").
"""

from __future__ import annotations

# ";" is left out: in "9;00" it is a mistyped colon, not a list separator.
SEPARATOR_CHARS = frozenset(",、，；.!?。！？")
SKIPPED_CHARS = frozenset("\"'()[]{}«»「」『』“”„*:_-")

SEPARATORS: frozenset[str] = frozenset({
    "and", "&", "plus", "as well as",
    "и", "а также", "плюс",
    "和", "跟", "與", "与", "及", "以及", "還有", "还有",
})  # fmt: skip

FILLERS: frozenset[str] = frozenset({
    # English
    "my", "the", "please", "pls", "plz", "daily", "every day", "everyday", "each day",
    "of", "reminder", "reminders", "medication", "medicine", "meds", "med", "also",
    "from the list", "from my list", "from my schedule", "from the schedule",
    "from my medications", "anymore", "any more",
    # Russian
    "пожалуйста", "мне", "мой", "мою", "мое", "мои", "каждый день", "ежедневно", "по",
    "еще", "тоже", "также", "напоминание", "напоминания", "лекарство", "препарат",
    "из списка", "прием", "приема", "уже", "только что",
    # Chinese
    "每天", "每日", "天天", "每次", "在", "的", "請", "幫我", "一下", "要", "提醒", "都",
    "藥物", "剛剛", "剛", "已經",
})  # fmt: skip

STOP_WORDS: frozenset[str] = frozenset({
    # English
    "not", "don't", "dont", "didn't", "didnt", "never", "no", "none", "every", "other",
    "week", "weeks", "weekly", "monthly", "day", "days", "twice", "once", "thrice", "times",
    "time", "before", "after", "with", "without", "for", "to", "from", "until", "till",
    "in", "on", "at", "by", "morning", "evening", "night", "afternoon", "tomorrow", "today",
    "yesterday", "tonight", "breakfast", "lunch", "dinner", "supper", "meal", "meals",
    "food", "bed", "bedtime", "sleep", "all", "everything", "everyone", "it", "this",
    "that", "them", "those", "these", "their", "his", "her", "user", "users", "take",
    "taking", "took", "taken", "drink", "i", "you", "me", "we", "he", "she", "they", "is",
    "are", "was", "were", "be", "been", "if", "when", "as", "needed", "prn", "hour", "hours",
    "minute", "minutes", "later", "earlier", "instead", "except", "only", "half", "quarter",
    "past", "or", "maybe", "ignore", "instructions", "previous", "system", "admin",
    "forget", "forgot", "skip", "skipped", "missed", "should", "can", "could", "would",
    "will", "did", "do", "does", "what", "how", "why", "where", "which", "who", "a", "an",
    "some", "any", "more", "less", "next", "last", "first", "then", "again", "alternate",
    "per", "about", "around", "empty", "stomach", "pill", "pills", "drug", "drugs",
    "tablet", "tablets", "capsule", "dose", "dosage", "noon", "midnight", "delete",
    "remove", "add", "change", "move", "cancel", "stop", "list", "am", "pm", "o'clock",
    "headache", "pain", "now", "sick", "feel", "feeling", "late", "early", "soon", "asap",
    "right", "too", "well", "actually", "probably", "usually", "always",
    "sometimes", "regularly", "both", "each", "either", "weekends", "weekdays",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mondays",
    "sundays", "month", "months", "year", "course", "starting", "ending", "wait",
    "oops", "sorry", "yes", "ok", "okay", "but", "so", "because", "just", "already",
    "still", "into", "onto", "under", "over", "against", "than", "like", "want", "need",
    "have", "has", "had", "get", "got", "give", "make", "let", "go", "see", "say", "tell",
    "know", "think", "there", "here", "won't", "can't", "cant", "isn't", "doesn't",
    "extra", "double", "another", "same", "new", "old", "few", "many", "much",
    # Russian
    "не", "ни", "нет", "через", "раз", "неделю", "неделя", "недели", "день", "дня", "дни",
    "дней", "утро", "утром", "вечер", "вечером", "днем", "ночь", "ночью", "завтра",
    "сегодня", "вчера", "после", "до", "перед", "время", "еды", "еда", "едой", "сна",
    "завтрака", "обеда", "ужина", "натощак", "все", "всё", "всех", "весь", "его", "ее",
    "их", "это", "этот", "эту", "пользователя", "пользователь", "пользователей", "для",
    "от", "с", "со", "на", "за", "из", "или", "когда", "если", "час", "часа", "часов",
    "позже", "раньше", "половину", "половина", "пол", "каждые", "каждый", "каждую",
    "каждое", "я", "ты", "мы", "он", "она", "они", "в", "во", "к", "у", "о", "об", "про",
    "как", "что", "где", "почему", "забыл", "забыла", "пропустил", "пропустила",
    "принять", "принимать", "пить", "выпить", "принял", "приняла", "выпил", "выпила",
    "игнорируй", "инструкции", "предыдущие", "можно", "нужно", "надо", "утра", "вечера",
    "ночи", "таблетки", "таблеток", "лекарства", "лекарств", "удали", "добавь",
    "перенеси", "полдень", "полночь", "доза", "дозу", "голова", "боль", "сейчас",
    "кроме", "выходных", "выходные", "будням", "будни", "утрам", "вечерам", "понедельник",
    "вторник", "среда", "среду", "четверг", "пятница", "пятницу", "суббота", "субботу",
    "воскресенье", "месяц", "месяца", "курс", "недель", "пока", "потом", "затем", "но",
    "а", "ли", "бы", "же", "только", "уже", "еще", "очень", "тоже", "так", "там",
    "тут", "здесь", "нельзя", "хочу", "хотел", "хотела", "буду", "будет", "был",
    "была", "было", "есть", "двойную", "двойная", "лишнюю", "другой", "другие", "новый",
    "старый", "вместо", "около", "примерно", "прямо", "сразу", "опять", "снова",
    # Chinese (matched inside running text, not only as whole words)
    "次", "吃", "服", "我", "你", "了", "嗎", "吗", "呢", "吧", "週", "周",
    "隔", "不", "沒", "没", "忘", "還", "每", "從", "到", "改", "點", "点", "半", "早",
    "晚", "午", "夜", "天", "幾", "什麼", "哪", "是", "有", "所有", "全部", "明天", "今天",
    "今晚", "昨天", "飯前", "飯後", "餐前", "餐後", "睡前", "空腹", "星期", "禮拜", "用戶",
    "使用者", "之前", "指令", "忽略", "時區", "劑量", "時間", "小時", "分鐘", "早上",
    "晚上", "下午", "中午", "上午", "凌晨", "或", "或者", "還是", "然後", "再", "先", "就",
    "但", "可是", "直到", "除了", "以後", "之後", "以前", "連續", "持續", "大概", "左右",
    "前後", "各", "一起", "分開", "多", "少", "減", "增", "倍", "量", "想", "會", "能",
    "可以", "應該",
})  # fmt: skip

GENERIC_NAMES: frozenset[str] = frozenset({
    "medicine", "medication", "medications", "meds", "med", "pill", "pills", "drug",
    "drugs", "tablet", "tablets", "лекарство", "лекарства", "таблетка", "таблетки",
    "таблетку", "препарат", "藥", "藥物", "藥品", "藥丸", "药",
})  # fmt: skip

# Politeness around a whole request: stripped before the templates are tried.
POLITE_PREFIXES: tuple[str, ...] = (
    "please", "pls", "plz", "could you", "can you", "would you", "could you please",
    "can you please", "пожалуйста", "можешь", "можете", "будь добр", "請", "麻煩",
    "麻煩你", "可以幫我", "能不能",
)  # fmt: skip
POLITE_SUFFIXES: tuple[str, ...] = ("please", "pls", "plz", "пожалуйста", "謝謝", "thanks")

# English adverbs ("nightly", "regularly") must not become part of a new name; no common
# drug name ends like this.
STOP_SUFFIXES_LATIN: tuple[str, ...] = ("ly",)
MIN_SUFFIX_WORD = 5

# Limits on a new medication name.
MAX_NAME_WORDS = 3
MAX_CJK_NAME_CHARS = 10
MIN_CJK_NAME_CHARS = 2  # one character is a particle far more often than a medication
