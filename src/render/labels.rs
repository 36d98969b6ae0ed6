//! Every label the bot shows, in English and Chinese. The knowledge itself
//! shows in both languages where the notes have both; labels follow the
//! reader's locale.

use crate::domain::Status;
use crate::engine::Locale;

/// Simplified Chinese in Traditional characters, as read in Taiwan (OpenCC's
/// `s2twp`: characters and Taiwanese phrasing). Text that is not Chinese is
/// left as it is.
pub fn to_traditional(s: &str) -> String {
    static OPENCC: std::sync::OnceLock<Option<ferrous_opencc::OpenCC>> = std::sync::OnceLock::new();
    let opencc = OPENCC.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2twp)
            .map_err(|e| tracing::error!(error = %e, "no Traditional Chinese: OpenCC did not load"))
            .ok()
    });
    match opencc {
        Some(o) if s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => o.convert(s),
        _ => s.to_string(),
    }
}

/// Text in the reader's script: Simplified Chinese converted for zh-TW.
pub fn localise(s: &str, locale: Locale) -> String {
    if locale.is_traditional() {
        to_traditional(s)
    } else {
        s.to_string()
    }
}

/// A fixed label in Traditional characters, converted once.
pub fn traditional_label(zh: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static DONE: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let done = DONE.get_or_init(Mutex::default);
    if let Some(t) = done.lock().unwrap_or_else(|p| p.into_inner()).get(zh) {
        return t;
    }
    // The labels are a fixed set: each is leaked once.
    let t: &'static str = Box::leak(to_traditional(zh).into_boxed_str());
    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
    done.entry(zh).or_insert(t);
    done[zh]
}

/// A label in both languages.
pub struct Label {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Label {
    pub fn get(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.en,
            Locale::Zh => self.zh,
            Locale::ZhTw => traditional_label(self.zh),
        }
    }

    /// The label with `{0}`, `{1}`… replaced by `args`, in one pass (an
    /// argument that contains `{1}` stays as written).
    pub fn fill(&self, locale: Locale, args: &[&str]) -> String {
        let template = self.get(locale);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let slot = after
                .find('}')
                .and_then(|close| Some((after[..close].parse::<usize>().ok()?, close)));
            match slot {
                Some((n, close)) if n < args.len() => {
                    out.push_str(args[n]);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
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
    TRAINING = "Training ✎", "训练方式 ✎";
    GAINED = "Gained ✎", "获得 ✎";
    GAVE_UP = "Gave up ✎", "代价 ✎";
    CURATOR_WORDS = "✎ the curator's summary, not a quote of the notes", "✎ 整理者的概括，并非笔记原文";
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
    NOT_IN_NOTES = "not in the notes", "笔记未提及";
    NO_SECTION = "The notes have no section comparing these two; try /search with both names.", "笔记中没有直接比较这两个模型的章节；可以用 /search 搜索两个名字。";
    SAME_MODEL_TITLE = "The same model twice", "同一个模型";
    SEARCH_NOTHING = "Nothing in the notes matches this. Try a model (`/model chatgpt`), a term (`/term alignment-tax`) or other words.", "笔记中没有匹配的内容。试试模型（`/model chatgpt`）、术语（`/term alignment-tax`）或换个说法。";
    NEXT = "Next page", "下一页";
    SEARCH_FAILED = "The search failed; it is logged. Try again in a moment.", "搜索出错，已记录。请稍后再试。";
    NOTES_DONT_SAY = "The notes don't say anything about {0}. What they say about the rest of the question:", "笔记里没有关于{0}的内容。笔记里与问题其余部分有关的内容：";
    NOTES_DONT_SAY_AT_ALL = "The notes don't say anything about {0}.", "笔记里没有关于{0}的内容。";
    IN_THE_LINEAGE = "In the lineage", "谱系中";
    MORE_IN_NOTES = "More in the notes", "笔记中的更多内容";
    PREVIOUS = "Previous page", "上一页";
    FAMILY_TREE = "Family tree", "家族树";
    DID_YOU_MEAN = "Did you mean", "你是不是想找";
    NOTHING_CLOSE = "Nothing close. `/lineage` lists every model, `/help` every command.", "没有相近的名字。`/lineage` 列出所有模型，`/help` 列出所有命令。";
    WHICH = "Which one do you mean by", "你指的是哪一个：";
    LEGEND = "★ the model you asked · · its ancestors", "★ 你问的模型 · · 它的祖先";
    SEE_ABOVE = " (see above)", "（见上）";
    YOU_ASKED = "   ← you asked", "   ← 你问的模型";
    TREE_TITLE = "Lineage: GPT-3 → ChatGPT", "谱系：GPT-3 → ChatGPT";
    GENERATIONS = "generations", "代际比较";
    ONLY_ASKER_DELETES = "Only the person who asked can delete this answer.", "只有提问的人可以删除这条回复。";
    POST_PUBLICLY = "Post publicly", "公开发布";
    NO_TEXT_TO_ASK = "That message has no text to look up.", "那条消息没有可查找的文字。";
    BUTTON_EXPIRED = "This button has expired, ask again.", "这个按钮已过期，请重新提问。";
    BUTTON_GONE = "This button no longer works; run the command again.", "这个按钮已失效，请重新运行命令。";
    UNSUPPORTED = "This kind of interaction is not supported.", "不支持这种交互。";
    OWNERS_ONLY = "Only the bot's owners can reload the notes.", "只有机器人的所有者可以重新加载笔记。";
    FOR_OWNERS = "For owners", "所有者须知";
    OWNER_GRANT = "`/reload` reads the notes again; `/gaps [days]` lists what they could not answer. Both are hidden from members without Administrator: if you are not an admin, ask one to allow them for you (Server Settings → Integrations → this app).", "`/reload` 立即重新读取笔记；`/gaps [天数]` 列出笔记没能回答的问题。两者对没有管理员权限的成员隐藏：如果你不是管理员，请管理员为你开启（服务器设置 → 整合 → 本应用）。";
    RELOADED = "Reloaded: ", "已重新加载：";
    VOTED_UP = "Thanks! Marked as helpful.", "谢谢！已标记为有帮助。";
    VOTED_DOWN = "Thanks! Marked as unhelpful; the curator will see this question.", "谢谢！已标记为没有帮助，整理笔记的人会看到这个问题。";
    VOTES_OFF = "Thanks! Feedback is not being recorded right now.", "谢谢！目前没有记录反馈。";
    GAPS_OWNERS_ONLY = "Only the bot's owners can see the gaps.", "只有机器人的所有者可以查看缺口。";
    GAPS_TITLE = "Questions the notes could not answer, and answers voted down (last {0} days):", "笔记没能回答的问题和被标记为没有帮助的回答（最近 {0} 天）：";
    GAPS_SINCE_RELOAD = "Since the last reload: {0} now answered, {1} changed, {2} lost.", "自上次重新加载以来：{0} 个问题新得到回答，{1} 个回答改变，{2} 个失去回答。";
    GAPS_OFF = "Nothing is being recorded (data.record is off or the store could not be opened; see the log).", "没有在记录（data.record 已关闭或无法打开数据库，见日志）。";
    NOT_RELOADED = "Not reloaded; still serving the last good notes:", "未重新加载，仍在使用上一版有效的笔记：";
    FAILED = "Something went wrong on our side; it has been logged. Error id: `{0}`", "出了点问题，已记录。错误编号：`{0}`";
    REL_PARENT = "{0} was made from {1} by {2}.", "{0} 由 {1} 经 {2} 得到。";
    REL_SIBLINGS = "Both were made from {0}.", "两者都由 {0} 得到。";
    REL_DESCENDS = "One descends from the other: {0}", "一脉相承：{0}";
    REL_COUSINS = "Related through a common ancestor: {0}", "通过共同祖先相连：{0}";
    REL_UNRELATED = "They are not connected in the tree.", "两者在谱系中不相连。";
    N_MODELS = "{0} ({1} models)", "{0} ({1} 个模型)";
    SAME_MODEL_TEXT = "Both names are {0}. Pick two different models, e.g. `/compare 002 003`.", "两个名字都是 {0}。请选两个不同的模型，例如 `/compare 002 003`。";
    HITS_RANGE = "{0}–{1} of {2}", "第 {0}–{1} 条，共 {2} 条";
    HITS_RANGE_OF_MANY = "{0}–{1} of more than {2}", "第 {0}–{1} 条，共 {2} 多条";
    NO_MODEL_CALLED = "No model called “{0}”", "没有名为 “{0}” 的模型";
    NO_TERM_CALLED = "No term called “{0}”", "没有名为 “{0}” 的术语";
    NO_CAPABILITY_CALLED = "No capability called “{0}”", "没有名为 “{0}” 的能力";
    CAPABILITY_TITLE = "Capability: {0}", "能力：{0}";
    CAPABILITIES = "Capabilities", "能力";
    ALONG_THE_LINEAGE = "{0} along the lineage (`/capability` has the notes' words):", "{0} 沿谱系的变化（`/capability` 有笔记原文）：";
    CAPABILITY_BUTTON = "Capability: {0}", "能力：{0}";
    CAPABILITY_INTRO = "Along the lineage, model by model: its status in the notes, the step that made it, and the notes' words.", "沿谱系逐个模型：笔记中的状态、得到它的那一步，以及笔记原文。";
    MATRIX_TITLE = "Every capability along the lineage", "各能力沿谱系一览";
    MATRIX_INTRO = "What each model gained and gave up, capability by capability, as the notes say. A cell with two signs: the notes say both. `/capability <name>` has the notes' words with `file:line`.", "按能力列出每个模型得到与失去的，依笔记所述。一格两个符号：笔记两种说法都有。`/capability <名称>` 附笔记原文与 `文件:行`。";
    MATRIX_NOTHING = "The notes follow no capability yet.", "笔记还没有跟踪任何能力。";
    OPEN_IN_BROWSER = "Open in browser", "在浏览器中打开";
    ALSO_SAID = "the notes also say", "笔记中另有说法";
    TERM_BUTTON = "Term: {0}", "术语：{0}";
    READ_AS_PAIRED = "*(read “{0}” as {1}, the same family as {2})*", "*（已将 “{0}” 理解为 {1}，与 {2} 同一家族）*";
    READ_AS_NAME = "*(read “{0}” as {1})*", "*（已将 “{0}” 理解为 {1}）*";
    HELP_TITLE = "lineage-bot: how GPT-3 became ChatGPT", "lineage-bot：GPT-3 如何演变为 ChatGPT";
    HELP_INTRO = "Answers from the curator's notes, in Chinese or English. Names forgive case, spaces, shorthands (`003`) and misspellings (`devinci`, `chatgtp`).", "根据整理者的笔记回答，中英文皆可。名字不区分大小写，支持简称（`003`）和常见拼写错误（`devinci`、`chatgtp`）。";
    HELP_FREE = "Free text", "自由提问";
    HELP_FREE_TEXT = "In a search channel, or mentioning the bot, just ask: `对齐税是什么`, `which model restored in-context learning`.", "在搜索频道里或 @ 机器人，直接提问：`对齐税是什么`、`which model restored in-context learning`。";
}

/// A capability status, as the reader reads it.
pub fn status(s: Status, locale: Locale) -> &'static str {
    let (en, zh) = match s {
        Status::Gained => ("gained", "获得"),
        Status::Strong => ("strong", "强"),
        Status::Improved => ("improved", "增强"),
        Status::Kept => ("kept", "保持"),
        Status::Weakened => ("weakened", "减弱"),
        Status::Restored => ("restored", "恢复"),
        Status::TradedAway => ("traded away", "被换掉"),
        Status::Absent => ("absent", "没有"),
    };
    if locale.is_zh() {
        zh
    } else {
        en
    }
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
        (
            "/capability name",
            if zh {
                "一种能力沿谱系的变化，附笔记原文与图。例：`/capability 上下文学习`、`/capability zero-shot`"
            } else {
                "One capability along the whole lineage, with the notes' words and a picture. e.g. `/capability in-context-learning`, `/capability CoT`"
            },
        ),
        ("/help", if zh { "本说明。" } else { "This help." }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zh_tw_reads_traditional_characters() {
        assert_eq!(LINEAGE.get(Locale::ZhTw), "譜系");
        assert_eq!(LINEAGE.get(Locale::Zh), "谱系");
        assert_eq!(
            BUTTON_EXPIRED.get(Locale::ZhTw),
            to_traditional(BUTTON_EXPIRED.zh)
        );
        assert_eq!(to_traditional("GPT-3 → ChatGPT"), "GPT-3 → ChatGPT");
    }

    #[test]
    fn templates_fill_in_one_pass() {
        assert_eq!(
            REL_PARENT.fill(Locale::En, &["b", "a {1}", "SFT"]),
            "b was made from a {1} by SFT."
        );
        assert_eq!(
            REL_PARENT.fill(Locale::Zh, &["b", "a", "SFT"]),
            "b 由 a 经 SFT 得到。"
        );
        assert_eq!(
            FAILED.fill(Locale::En, &[]),
            "Something went wrong on our side; it has been logged. Error id: `{0}`"
        );
    }
}
