//! Every label the bot shows, in English and Chinese. The knowledge itself
//! shows in both languages where the notes have both; labels follow the
//! reader's locale.

use crate::engine::Locale;

/// A label in both languages.
pub struct Label {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Label {
    pub fn get(&self, locale: Locale) -> &'static str {
        if locale.is_zh() {
            self.zh
        } else {
            self.en
        }
    }
}

macro_rules! labels {
    ($($name:ident = $en:literal, $zh:literal;)*) => {
        $(pub const $name: Label = Label { en: $en, zh: $zh };)*
    };
}

labels! {
    LINEAGE = "Lineage", "谱系";
    FAMILY = "Family", "家族";
    GENERATION = "Generation", "代";
    PARAMETERS = "Parameters", "参数量";
    TRAINING = "Training", "训练方式";
    GAINED = "Gained", "获得";
    GAVE_UP = "Gave up", "代价";
    ALSO_CALLED = "Also called", "别名";
    FROM_NOTES = "From the notes", "笔记出处";
    ROOT = "The root of the tree: GPT-3 itself.", "谱系的起点：GPT-3 本身。";
    NO_CHILDREN = "No descendants in the notes.", "笔记中没有后继模型。";
    MEANING = "Meaning", "含义";
    ENGLISH = "English", "英文";
    CHINESE = "中文", "中文";
    ABBREVIATIONS = "Abbreviations", "缩写";
    RELATED = "Related terms", "相关术语";
    MODELS = "Where it matters", "相关模型";
    SOURCE = "Source", "出处";
    PARENT = "Parent", "父模型";
    ICL = "In-context learning", "上下文学习";
    ZERO_SHOT = "Zero-shot", "零样本";
    DIALOGUE = "Dialogue", "对话";
    CODE = "Code", "代码";
    NOT_IN_NOTES = "not in the notes", "笔记未提及";
    NO_SECTION = "The notes have no section comparing these two; try /search with both names.", "笔记中没有直接比较这两个模型的章节；可以用 /search 搜索两个名字。";
    SAME_MODEL_TITLE = "The same model twice", "同一个模型";
    SEARCH_NOTHING = "Nothing in the notes matches this. Try a model (`/model chatgpt`), a term (`/term alignment-tax`) or other words.", "笔记中没有匹配的内容。试试模型（`/model chatgpt`）、术语（`/term alignment-tax`）或换个说法。";
    NEXT = "Next page", "下一页";
    PREVIOUS = "Previous page", "上一页";
    FAMILY_TREE = "Family tree", "家族树";
    DID_YOU_MEAN = "Did you mean", "你是不是想找";
    NOTHING_CLOSE = "Nothing close. `/lineage` lists every model, `/help` every command.", "没有相近的名字。`/lineage` 列出所有模型，`/help` 列出所有命令。";
    WHICH = "Which one do you mean by", "你指的是哪一个：";
    LEGEND = "★ the model you asked · · its ancestors", "★ 你问的模型 · · 它的祖先";
    TREE_TITLE = "Lineage: GPT-3 → ChatGPT", "谱系：GPT-3 → ChatGPT";
    READ_AS = "read", "已将";
    GENERATIONS = "generations", "代际比较";
    HELP_TITLE = "lineage-bot: how GPT-3 became ChatGPT", "lineage-bot：GPT-3 如何演变为 ChatGPT";
    HELP_INTRO = "Answers from the curator's notes, in Chinese or English. Names forgive case, spaces, shorthands (`003`) and misspellings (`devinci`, `chatgtp`).", "根据整理者的笔记回答，中英文皆可。名字不区分大小写，支持简称（`003`）和常见拼写错误（`devinci`、`chatgtp`）。";
    HELP_FREE = "Free text", "自由提问";
    HELP_FREE_TEXT = "In a search channel, or mentioning the bot, just ask: `对齐税是什么`, `which model restored in-context learning`.", "在搜索频道里或 @ 机器人，直接提问：`对齐税是什么`、`which model restored in-context learning`。";
}

/// Field label of a command in /help, with an example.
pub fn help_entries(locale: Locale) -> Vec<(&'static str, &'static str)> {
    let zh = locale.is_zh();
    vec![
        (
            "/model name",
            if zh {
                "模型卡片：谱系、训练方式、获得与代价。例：`/model chatgpt`、`/model 003`"
            } else {
                "A model's card: lineage, training, what it gained and gave up. e.g. `/model chatgpt`, `/model 003`"
            },
        ),
        (
            "/term name",
            if zh {
                "术语的中英文与含义。例：`/term alignment-tax`、`/term 思维链`、`/term RLHF`"
            } else {
                "A term in both languages, with its meaning. e.g. `/term alignment-tax`, `/term 思维链`, `/term RLHF`"
            },
        ),
        (
            "/compare first second",
            if zh {
                "两个模型或两代并排比较。例：`/compare 002 003`、`/compare chatgpt text-davinci-003`"
            } else {
                "Two models or generations side by side. e.g. `/compare 002 003`, `/compare chatgpt text-davinci-003`"
            },
        ),
        (
            "/search query",
            if zh {
                "在笔记中搜索最相关的段落。例：`/search 对齐税`"
            } else {
                "The best passages of the notes. e.g. `/search alignment tax`"
            },
        ),
        (
            "/lineage [name]",
            if zh {
                "家族树，可高亮某个模型。例：`/lineage chatgpt`"
            } else {
                "The family tree, a model highlighted. e.g. `/lineage chatgpt`"
            },
        ),
        ("/help", if zh { "本说明。" } else { "This help." }),
    ]
}
