//! Every number that decides what a search answers and in which order, in
//! one place, each with why it is what it is. The labelled sets
//! (`tests/integration/search.rs`) are what each was measured against.

use super::question::{self, Kind, Offer};
use super::DocRef;

/// How much a match in each field counts.
#[derive(Debug, Clone, Copy)]
pub struct FieldBoosts {
    /// A model's or term's names: a question naming one wants it.
    pub names: f32,
    /// The headings above a text.
    pub title: f32,
    pub body: f32,
    /// The curator's card text: finds a card, never shown.
    pub facts: f32,
}

/// The ranking's and the answer gate's numbers.
#[derive(Debug, Clone, Copy)]
pub struct RankWeights {
    pub fields: FieldBoosts,
    /// Two words next to each other in the question, near each other in a
    /// text (within `neighbour_slop` words): a bonus of this weight.
    pub neighbour_boost: f32,
    pub neighbour_slop: u32,
    /// Synonyms of one concept: the best counts, the others this much
    /// (a text that says both 对齐税 and alignment tax is not twice as good).
    pub synonym_tie: f32,
    /// A vocabulary match of two or three words counts this much more per
    /// word past the first (`in-context learning` over `learning`).
    pub longer_name: f32,
    /// BM25 times (share of the question's concepts covered) to this power
    /// (Lucene's "coord", squared): the whole question over one word.
    pub coord_power: i32,
    /// A card's weight for questions that ask for more than what a thing is.
    pub card_else: f32,
    /// A term's card for "what is", a model's card for "what is".
    pub term_card_defines: f32,
    pub model_card_defines: f32,
    /// A word the notes lack counts against a question from this weight on
    /// ([`super::information`]: 0 says nothing, 1 says all): below it,
    /// words as common as "bad", "level", "想" are talk more than subject.
    pub lacking_word: f32,
    /// The notes don't cover a question when the words they lack weigh at
    /// least this share of what it asks (its content words but the models
    /// it names): "the price of code-davinci-002" lacks all of it.
    pub lacking_share: f32,
    /// What a term of the notes weighs among what a question asks: half a
    /// rare word. A term is mostly what the question is about (its
    /// subject), as a model is (which counts for nothing); what is asked of
    /// it is the rest ("which RL algorithm does RLHF use, PPO?").
    pub term_share: f32,
    /// `lacking_share` for a message with no question wording and no
    /// question mark: "my code is davinci level bad" is talk that names a
    /// model; "refuse questions outside its knowledge" is a query.
    pub statement_lacking_share: f32,
    /// How rare a word the notes lack must be to make the word written
    /// against it part of one compound (窗口 in 上下文窗口).
    pub glued_word: f32,
    /// What a model the question names weighs, against 1 for each other
    /// concept, in choosing the part of a long text a snippet shows: the
    /// model is what the question is about, not what it asks of it.
    pub snippet_subject: f32,
}

pub const WEIGHTS: RankWeights = RankWeights {
    fields: FieldBoosts {
        names: 3.0,
        title: 1.5,
        body: 1.0,
        facts: 0.8,
    },
    neighbour_boost: 0.5,
    neighbour_slop: 3,
    synonym_tie: 0.2,
    longer_name: 0.25,
    coord_power: 2,
    card_else: 0.1,
    term_card_defines: 1.3,
    model_card_defines: 1.1,
    lacking_word: 0.3,
    lacking_share: 0.5,
    term_share: 0.5,
    statement_lacking_share: 0.25,
    glued_word: 0.6,
    snippet_subject: 0.25,
};

/// How well a document's kind fits what the question asks for: a
/// multiplier of its score. A card answers "what is"; for other questions
/// the text that states the answer outranks a card that only names the
/// entity. Each kind favours the documents that offer it (see [`question`]); the multipliers are each kind's, measured on the labelled natural questions.
pub(super) fn fit(
    kinds: question::Kinds,
    doc: DocRef,
    offers: question::Offers,
    under: bool,
    compares_terms: bool,
) -> f32 {
    let asks_other = kinds.iter().any(|k| k != Kind::Definition);
    if doc.is_card() {
        // "SFT 和 RLHF 有啥区别": two terms differ by what each of them is.
        let defines = kinds.has(Kind::Definition)
            || (compares_terms && kinds.has(Kind::Difference) && matches!(doc, DocRef::Term(_)));
        return if defines {
            if matches!(doc, DocRef::Term(_)) {
                WEIGHTS.term_card_defines
            } else {
                WEIGHTS.model_card_defines
            }
        } else if asks_other {
            WEIGHTS.card_else
        } else {
            1.0
        };
    }
    let mut f = 1.0;
    for kind in kinds.iter() {
        f *= match kind {
            Kind::Reason if offers.has(Offer::Cause) => 2.5,
            Kind::Purpose if offers.has(Offer::Purpose) => 2.0,
            // What the notes list under the subject (its heading, the item
            // above it, or its label names it).
            Kind::Purpose if offers.has(Offer::Listed) && under => 2.0,
            Kind::Purpose if under => 1.5,
            Kind::Purpose if offers.has(Offer::Listed) => 1.2,
            Kind::Which if offers.has(Offer::Model) => 2.0,
            Kind::Quantity if offers.has(Offer::Number) => 1.8,
            Kind::Difference if offers.has(Offer::Comparison) => 2.0,
            _ => 1.0,
        };
    }
    f
}
