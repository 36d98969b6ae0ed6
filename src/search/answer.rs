//! Stages 4–6 in order for one question: read it, plan it, retrieve the
//! candidates, score each by coverage and kind, keep what answers. Every
//! number it uses is in [`super::weights`].

use super::*;

/// A candidate after re-ranking.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scored {
    pub(super) score: f32,
    pub(super) doc: DocRef,
    /// Weighty content concepts it covers (title included), and content
    /// concepts in its own words.
    pub(super) covered: usize,
    /// [`Hit::confidence`].
    pub(super) confidence: f32,
    /// Which concepts it covers, by index (the first 64).
    pub(super) counts: Covers,
    pub(super) own: usize,
    /// One of the notes' own words among the covered ones.
    pub(super) anchor: bool,
    /// It offers what the question asks for (a cause, a number…).
    pub(super) fits: bool,
    /// It covers a model or term the question names.
    pub(super) entity: bool,
    /// A comparison section that sets the very models a difference question
    /// names side by side: ranked above everything else.
    pub(super) side_by_side: bool,
}

impl SearchIndex {
    /// The text search, and what the knowledge's graph and catalogue answer
    /// of the question: the lineage steps it asks about, or the size of the
    /// model whose size it asks.
    pub(super) fn organic(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<(Results, Option<lineage::Graph>)> {
        let searcher = self.reader.searcher();
        let frequencies = Frequencies::new(&searcher);
        let mut query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let known = |t: &str| -> tantivy::Result<bool> {
            for (f, _) in self.field_boosts() {
                if frequencies.of(f, t)? > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        // "Did you mean": Latin words the notes do not have are replaced by
        // their closest written form before anything else.
        let mut corrections = Vec::new();
        for (word, from, to) in self.segmenter.latin_words(&query).into_iter().rev() {
            let tokens = self.segmenter.tokens(&word);
            let mut unknown = !tokens.is_empty();
            for t in &tokens {
                unknown &= !known(t)? && !self.vocabulary.knows(t);
            }
            if unknown {
                if let Some(fixed) = self.did_you_mean(&searcher, &word)? {
                    query.replace_range(from..to, &fixed);
                    corrections.insert(0, (word, fixed));
                }
            }
        }
        // Question wording (为什么, what … for, thanks) says what kind of
        // answer is wanted; it is not what the question is about.
        let question = question::read(&query);
        // What a difference question sets side by side: the models and
        // generations it names.
        let subjects = if question.kinds.has(Kind::Difference) {
            self.named_subjects(&query)
        } else {
            Vec::new()
        };
        let pieces = self.segmenter.pieces(&query);
        let mut concepts = self.concepts(&query, &pieces, &question, &known)?;
        // Talk is held to the notes' own words: no translations.
        if !question.is_talk() {
            self.bridge(&mut concepts, &known)?;
        }
        let concepts = concepts;
        // What a quantity question counts ("how many parameters", "多少人工
        // 标注者") is what it asks: an answer must say it.
        let counted = counted(&concepts, &question);
        let mut descent = self.descent(&query, &concepts).map(lineage::Graph::Steps);
        match counted.and_then(|i| self.size_asked(&concepts, i)) {
            // The catalogue knows every size the notes give: one it lacks,
            // the notes don't say.
            Some((_, false)) => {
                let i = counted.expect("a counted concept");
                return Ok((
                    Results {
                        lacking: vec![concepts[i].typed.clone()],
                        kinds: question.kinds,
                        corrections,
                        ..Results::default()
                    },
                    None,
                ));
            }
            Some((model, true)) => descent = Some(lineage::Graph::Size(model)),
            None => {}
        }
        // The notes' own words: in the text of the notes, or a name of the
        // vocabulary. A question must be about at least one of them.
        let f = self.fields;
        // Per concept: one of the notes' own words (anchored), and whether a
        // reader could see it anywhere at all (seen: not only in hidden facts).
        let mut anchored: Vec<bool> = Vec::with_capacity(concepts.len());
        let mut seen: Vec<bool> = Vec::with_capacity(concepts.len());
        for c in &concepts {
            let (mut a, mut v) = (c.content && c.named, false);
            for alt in &c.alternatives {
                if !c.content {
                    break;
                }
                a = a || frequencies.all_in(&[f.body], alt)?;
                v = v || frequencies.all_in(&[f.body, f.title, f.names], alt)?;
            }
            anchored.push(a);
            seen.push(v);
        }
        let content = concepts.iter().filter(|c| c.content).count();
        let mut found: Vec<bool> = vec![false; concepts.len()];
        let mut clauses: Vec<Scoring> = Vec::new();
        let mut flat: HashMap<Term, f32> = HashMap::default();
        let mut wanted: HashSet<String> = HashSet::default();
        let mut shown: snippet::Wanted = HashMap::default();
        for (ci, c) in concepts.iter().enumerate() {
            let mut alternatives: Vec<Scoring> = Vec::new();
            // The concept's alternatives of one known word: each stands in
            // the first pass for itself.
            let mut words: Vec<&str> = Vec::new();
            for alt in &c.alternatives {
                if let [word] = alt.as_slice() {
                    if known(word)? {
                        words.push(word);
                    }
                }
            }
            for alt in &c.alternatives {
                let mut all_known = true;
                for t in alt {
                    all_known &= known(t)?;
                }
                if !all_known {
                    continue;
                }
                wanted.extend(alt.iter().cloned());
                // In choosing what a snippet shows, a model the question
                // names is its subject: what it asks of it counts more.
                let weight = if c.model {
                    weights::WEIGHTS.snippet_subject
                } else {
                    1.0
                };
                for t in alt {
                    shown.entry(t.clone()).or_insert((ci as u32, weight));
                }
                alternatives.push(self.alternative(alt, &frequencies)?);
                // A phrase holding one of those words (`text davinci 002`
                // beside `002`) matches only documents that hold the word,
                // which the first pass already looks for with the same
                // weight: its own stand-in (its rarest word, here `text`,
                // in half the grown notes) brings none the word does not,
                // only many the phrase never matches.
                let covered = alt.len() > 1 && alt.iter().any(|t| words.contains(&t.as_str()));
                if !covered {
                    self.flatten(&frequencies, alt, c.weight, &mut flat)?;
                }
            }
            if alternatives.is_empty() {
                continue;
            }
            found[ci] = true;
            clauses.push(Scoring::Boost(
                c.weight,
                Box::new(Scoring::Max(alternatives, weights::WEIGHTS.synonym_tie)),
            ));
        }
        // A question that shares too little with the notes gets no answer
        // rather than noise.
        let nothing = |corrections| Results {
            corrections,
            kinds: question.kinds,
            ..Results::default()
        };
        if content == 0 || !anchored.contains(&true) {
            return Ok((nothing(corrections), descent));
        }
        // What the question asks that the notes lack: a question is about
        // its heavy words, and when those the notes never mention weigh as
        // much as the rest of what it asks, the notes don't cover it
        // ("how many layers does text-davinci-002 have": `layers`).
        let lacking = lacking(&concepts, &found, &question, &|c: &Concept| {
            c.alternatives
                .iter()
                .all(|alt| alt.iter().all(|t| self.vocabulary.only_inside_longer(t)))
        });
        if tracing::enabled!(tracing::Level::DEBUG) {
            let shown: Vec<String> = concepts
                .iter()
                .zip(&found)
                .map(|(c, f)| {
                    format!(
                        "{}{}{}{}:{:.2}",
                        c.typed,
                        if c.content { "" } else { "/w" },
                        if c.model {
                            "/m"
                        } else if c.entity {
                            "/e"
                        } else {
                            ""
                        },
                        if *f { "" } else { "/absent" },
                        c.info
                    )
                })
                .collect();
            tracing::debug!(concepts = ?shown, ?lacking, kinds = ?question.kinds, "question read");
        }
        if !lacking.is_empty() {
            return Ok((
                Results {
                    lacking,
                    ..nothing(corrections)
                },
                descent,
            ));
        }
        // Words next to each other in the question score more when they are
        // near each other in the text.
        let words = vocabulary::match_form(&pieces);
        for pair in words.windows(2) {
            if pair[0] != pair[1] && frequencies.all_in(&[self.fields.body], pair)? {
                let terms = pair
                    .iter()
                    .map(|t| Term::from_field_text(self.fields.body, t))
                    .collect();
                let mut phrase = PhraseQuery::new(terms);
                phrase.set_slop(weights::WEIGHTS.neighbour_slop);
                clauses.push(Scoring::Boost(
                    weights::WEIGHTS.neighbour_boost,
                    Box::new(Scoring::Leaf(Box::new(phrase))),
                ));
            }
        }
        let q = Scoring::Sum(clauses);
        let limit = limit.clamp(1, 100);
        let offset = offset.min(1_000);
        // BM25 finds the candidates; the share of the question's concepts a
        // document covers then decides between them (Lucene's old "coord"),
        // so one word matched very well does not beat the whole question.
        let candidates = (offset + limit).max(RERANK_DEPTH);
        let pool = (candidates * POOL_PER_CANDIDATE).max(POOL_MIN);
        let (top, total, exhaustive) =
            top_candidates(&frequencies, &q, flat, candidates, pool, self.exhaustive)?;
        let contained = self.contained(&frequencies, &top, &wanted)?;
        let columns = |name: &str| {
            searcher
                .segment_readers()
                .iter()
                .map(|segment| segment.fast_fields().u64(name))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let (doc_ids, file_ids, offers) = (
            columns(DOC_FIELD)?,
            columns(FILE_FIELD)?,
            columns(OFFERS_FIELD)?,
        );
        // What the question asks, weighed: at least one word's worth.
        let asked_info = concepts
            .iter()
            .filter(|c| weighty(c))
            .map(|c| c.info)
            .sum::<f32>()
            .max(1.0);
        // A difference between two terms (and no model): what each is.
        let compares_terms = concepts
            .iter()
            .filter(|c| c.content && c.entity && !c.model)
            .count()
            >= 2
            && !concepts.iter().any(|c| c.content && c.model);
        let mut scored: Vec<Scored> = Vec::with_capacity(top.len());
        for (i, (score, addr)) in top.iter().enumerate() {
            let segment = addr.segment_ord as usize;
            let file = file_ids[segment].first(addr.doc_id);
            let Some(doc) = doc_ids[segment]
                .first(addr.doc_id)
                .zip(file)
                .and_then(|(id, file)| self.files.resolve(&self.knowledge, file, id))
            else {
                continue;
            };
            // A whole comparison section answers "what is the difference";
            // for anything else its items answer on their own.
            if !question.kinds.has(Kind::Difference) && self.is_section(doc) {
                continue;
            }
            let has = |set: &HashSet<(&str, usize)>, c: &Concept| {
                c.alternatives
                    .iter()
                    .any(|alt| alt.iter().all(|w| set.contains(&(w.as_str(), i))))
            };
            let covered: Vec<bool> = concepts.iter().map(|c| has(&contained.any, c)).collect();
            let count = |flags: &mut dyn Iterator<Item = bool>| {
                concepts
                    .iter()
                    .zip(flags)
                    .filter(|(c, h)| c.content && *h)
                    .count()
            };
            let hit = count(&mut covered.iter().copied());
            let own = count(&mut concepts.iter().map(|c| has(&contained.own, c)));
            // The weighty concepts it covers: how many, and what they weigh.
            let (weighty_hit, weighty_info) = concepts
                .iter()
                .zip(&covered)
                .filter(|(c, &h)| h && weighty(c))
                .fold((0, 0.0f32), |(n, info), (c, _)| (n + 1, info + c.info));

            let anchor = covered.iter().zip(&anchored).any(|(&h, &a)| h && a);
            let entity = concepts
                .iter()
                .zip(&covered)
                .any(|(c, &h)| h && c.content && c.entity);
            let under = concepts
                .iter()
                .any(|c| c.content && has(&contained.near, c));
            let coord = hit as f32 / content as f32;
            let offer = question::Offers(offers[segment].first(addr.doc_id).unwrap_or(0));
            let fit = weights::fit(question.kinds, doc, offer, under, compares_terms);
            scored.push(Scored {
                score: score * coord.powi(weights::WEIGHTS.coord_power) * fit,
                doc,
                covered: weighty_hit,
                confidence: weighty_info / asked_info,
                counts: Covers::of(&covered),
                own,
                anchor,
                fits: fit > 1.0,
                entity,
                side_by_side: self.sets_side_by_side(doc, &subjects),
            });
        }
        scored.sort_by(|a, b| {
            (b.side_by_side, b.score)
                .partial_cmp(&(a.side_by_side, a.score))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // A hit must cover what the question is about, and one of the notes'
        // own words among it:
        // - a question that names no model or term, or that comes with talk
        //   ("thanks for the prompt reply"): all its content words when it
        //   has one or two ("who wants pizza" has none covered), else a
        //   third of them and two at least;
        // - one that names a model or term: that model or term, and when it
        //   has more than two content words a reader could find in the
        //   notes at all ("when was ChatGPT released": not `released`), a
        //   third of those.
        // Words that say little (below `lacking_word`) are not required:
        // "how does RLHF work" is about RLHF.
        // Talk ([`Question::is_talk`]) names things without asking of them.
        let names_entity = concepts.iter().any(|c| c.content && c.entity) && !question.is_talk();
        let wanted_words: Vec<&Concept> = concepts
            .iter()
            .zip(&seen)
            .filter(|(c, &v)| weighty(c) && (v || !names_entity))
            .map(|(c, _)| c)
            .collect();
        let need = wanted_words.len();
        let answers = |s: &Scored| {
            let enough = if !names_entity {
                if need <= 2 {
                    s.covered >= need
                } else {
                    s.covered >= 2 && s.covered * 3 >= need
                }
            } else {
                s.entity && (need <= 2 || s.covered * 3 >= need)
            };
            s.anchor && enough && counted.is_none_or(|i| s.counts[i])
        };
        // Only what answers is shown; nothing answers → no hits at all.
        let before = scored.len();
        scored.retain(answers);
        if scored.is_empty() {
            return Ok((nothing(corrections), descent));
        }
        let scored = self.one_per_place(scored, question.kinds.has(Kind::Difference));
        // Every match was examined, or fewer of the examined ones answer than
        // were examined: the places found are all a "next page" can show
        // (the matches past the examined ones are counted only when every
        // examined one answered).
        let total = if top.len() < candidates || scored.len() < candidates {
            scored.len()
        } else {
            total.saturating_sub(before - scored.len())
        };
        let hits = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|s| self.hit(s.doc, (s.score, s.confidence), &shown))
            .collect();
        Ok((
            Results {
                hits,
                total,
                total_is_lower_bound: !exhaustive,
                corrections,
                kinds: question.kinds,
                lacking: Vec::new(),
                steps: Vec::new(),
                failed: false,
            },
            descent,
        ))
    }
}
