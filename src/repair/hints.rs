//! Gentle hints for an apology that is still being written.
//!
//! A heartfelt apology can still lose its force through a few familiar turns
//! of phrase: an excuse tucked in after "sorry", a "you made me", an "if I hurt
//! you", an "it was only", or a push to move on. This module spots those
//! constructions so the preview can point them out. It never blocks sending;
//! the writer may dismiss any hint by its rule id.
//!
//! The rules are plain data in [`RULES`]. Each pattern targets a construction,
//! not a lone word, so an ordinary "but", "just" or "because" in a sincere
//! sentence stays quiet. Matching ignores case and accepts both straight (')
//! and curly (’) apostrophes.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// The kind of turn of phrase a hint points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HintKind {
    /// Explains the wrong away ("sorry, but", "I only did it because").
    Justifies,
    /// Hands part of the blame to the other person ("you made me").
    ShiftsBlame,
    /// Makes the apology depend on the other's reaction ("if I hurt you").
    Conditional,
    /// Makes the wrong sound smaller than it was ("it was only").
    Minimises,
    /// Asks for forgiveness or closure on the writer's timetable ("let's move on").
    PressesForClosure,
}

impl HintKind {
    /// Every kind, in the order the preview lists them.
    pub const ALL: [HintKind; 5] = [
        HintKind::Justifies,
        HintKind::ShiftsBlame,
        HintKind::Conditional,
        HintKind::Minimises,
        HintKind::PressesForClosure,
    ];

    /// A short label to show beside a hint.
    pub fn label(self) -> &'static str {
        match self {
            HintKind::Justifies => "Justifying",
            HintKind::ShiftsBlame => "Shifting blame",
            HintKind::Conditional => "Conditional",
            HintKind::Minimises => "Minimising",
            HintKind::PressesForClosure => "Pressing for closure",
        }
    }

    /// A stable name for storage, CSS classes and URLs; never changes.
    pub fn as_str(self) -> &'static str {
        match self {
            HintKind::Justifies => "justifies",
            HintKind::ShiftsBlame => "shifts_blame",
            HintKind::Conditional => "conditional",
            HintKind::Minimises => "minimises",
            HintKind::PressesForClosure => "presses_for_closure",
        }
    }
}

/// One hint rule: a pattern for a construction and what to say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id; a dismissal names it, so it must never be reused or renamed.
    pub id: &'static str,
    /// What kind of construction the rule looks for.
    pub kind: HintKind,
    /// Regex source. It is compiled case-insensitively and carries its own
    /// word boundaries (`\b`); apostrophes are written `['’]`. If it has a
    /// group named `hint`, only that group is highlighted and the rest of
    /// the match is context.
    pub pattern: &'static str,
    /// A calm sentence or two shown to the writer beside the match.
    pub explanation: &'static str,
}

/// A place in the text where a rule matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The id of the rule that matched.
    pub rule_id: &'static str,
    /// The kind of that rule.
    pub kind: HintKind,
    /// The rule's explanation for the writer.
    pub explanation: &'static str,
    /// The matched text, exactly as written.
    pub matched: String,
    /// Byte offset where the match starts.
    pub start: usize,
    /// Byte offset just past the end of the match.
    pub end: usize,
}

/// The hint rules. Order matters only to break ties between two rules that
/// match the same span: the earlier rule wins.
pub const RULES: &[Rule] = &[
    // --- Justifies ---------------------------------------------------------
    Rule {
        id: "sorry-but",
        kind: HintKind::Justifies,
        pattern: r"\b(?<hint>(?:sorry|apologi[sz]e)\s*[,;:–—-]?\s*but)\s+(?:I|you|it|that|this|there|we|at\s+least|in\s+my|honestly|to\s+be|the|my|what|if|when)\b",
        explanation: "A \"but\" straight after \"sorry\" tends to cancel what came before it; the reader hears the reason more than the regret. The apology may land better if it ends at the sorry.",
    },
    Rule {
        id: "but-excuse",
        kind: HintKind::Justifies,
        pattern: r"(?:,\s*)?\bbut\s+(?:I\s+(?:was|felt)\s+(?:(?:so|really|very|just|only|pretty|a\s+bit|a\s+little)\s+)*(?:scared|afraid|frightened|tired|exhausted|stressed|drunk|overwhelmed|angry|upset|lonely|confused|frustrated|desperate|under\s+(?:so\s+much\s+|a\s+lot\s+of\s+)?pressure|going\s+through|trying|protecting)|I\s+(?:only|just)\s+(?:wanted\s+to\s+(?:protect|spare|avoid|keep)|did\s+it|meant)|I\s+(?:had\s+to|had\s+no|thought|couldn['’]t\s+help|never\s+meant|didn['’]t\s+mean)|you\s+(?:never|always|also|too|started|did\s+it|have\s+to\s+understand|must\s+understand|know\s+how|pushed|made))\b",
        explanation: "Here a \"but\" brings in the reason it happened. Your reasons may be real, and there is a place for them when you explain what happened; inside the apology they can sound like a defence.",
    },
    Rule {
        id: "because-you",
        kind: HintKind::Justifies,
        pattern: r"\bbecause\s+you\s+(?:were|weren['’]t|was|did|didn['’]t|had|hadn['’]t|never|always|kept|made|said|wouldn['’]t|would\s+not|couldn['’]t|could\s+not|ignored|pushed|started|left|refused)\b",
        explanation: "Pinning the reason on something the other person did can make the apology feel like a counter-charge. Try keeping the focus on your own part.",
    },
    Rule {
        id: "only-because",
        kind: HintKind::Justifies,
        pattern: r"\bI\s+(?:only|just)\s+(?:did\s+(?:it|that|this|what\s+I\s+did)|lied|said\s+(?:it|that)|hid\s+(?:it|that)|kept\s+it\s+(?:secret|from\s+you)|cheated|went)\s+(?:because|to\s+protect)\b|\bI\s+did\s+(?:it|that|this)\s+(?:only|just)\s+(?:because|to\s+protect)\b|\bthe\s+only\s+reason\s+I\b",
        explanation: "\"I only did it because\" turns the apology towards your reasons. The person you hurt usually needs to hear first that you see what it did to them.",
    },
    Rule {
        id: "only-trying",
        kind: HintKind::Justifies,
        pattern: r"\bI\s+was\s+(?:only|just)\s+trying\s+to\b",
        explanation: "Good intentions are worth sharing some day, but leading with them can make the harm sound accidental. Naming what actually happened tends to mean more.",
    },
    Rule {
        id: "never-meant",
        kind: HintKind::Justifies,
        pattern: r"\bI\s+(?:never|didn['’]t|did\s+not)\s+mean(?:t)?\s+(?:to|for)\b|\bit\s+(?:was\s+never|wasn['’]t|was\s+not)\s+my\s+intention\b",
        explanation: "What you meant matters to you, and what it did matters to them. An apology usually lands better when it speaks to the effect rather than the intention.",
    },
    Rule {
        id: "in-my-defence",
        kind: HintKind::Justifies,
        pattern: r"\bin\s+my\s+defen[cs]e\b|\bI\s+had\s+(?:no|little)\s+(?:other\s+)?choice\b",
        explanation: "A defence invites the reader to weigh your side of the case. An apology is stronger when it is not arguing one.",
    },
    // --- Shifts blame ------------------------------------------------------
    Rule {
        id: "you-made-me",
        kind: HintKind::ShiftsBlame,
        pattern: r"\byou\s+(?:made|make|forced|pushed|drove)\s+me\s+(?:to|do|lie|hide|snap|react|act|say|angry|mad|jealous|look|go|cheat|feel\s+like\s+I\s+had\s+to)\b|\byou\s+(?:left|gave)\s+me\s+(?:no|little)\s+(?:other\s+)?choice\b",
        explanation: "\"You made me\" places the choice in the other person's hands. Owning that the choice was yours is often the part they most need to hear.",
    },
    Rule {
        id: "if-you-hadnt",
        kind: HintKind::ShiftsBlame,
        pattern: r"\bif\s+you\s+(?:hadn['’]t|had\s+not|had\s+(?:just|only|ever)|would\s+(?:just|only)|wouldn['’]t\s+always)\b|\bif\s+you\s+had\s+been\s+(?:there|around|home|more|less|honest|kinder|nicer)\b",
        explanation: "Saying what they could have done differently moves part of the weight onto them. The apology is clearer when it stays with what you did.",
    },
    Rule {
        id: "your-fault",
        kind: HintKind::ShiftsBlame,
        pattern: r"\b(?:it\s+was|it['’]s|it\s+is|that\s+was|that['’]s|that\s+is)\s+(?:partly\s+|also\s+|half\s+|as\s+much\s+|just\s+as\s+much\s+)?your\s+fault\b|\byou\s+(?:are|were)\s+(?:partly|also|just\s+as\s+much|as\s+much)\s+(?:to\s+blame|responsible)\b|\bit\s+takes\s+two\b|\byou(?:['’]re|\s+are|\s+were)\s+not\s+(?:innocent|perfect)\s+either\b|\byou\s+started\s+it\b",
        explanation: "Whatever is unresolved between you can be talked about another time. Sharing out the blame inside an apology tends to undo it.",
    },
    Rule {
        id: "their-reaction",
        kind: HintKind::ShiftsBlame,
        pattern: r"\byou(?:['’]re|\s+are)\s+(?:being\s+)?(?:(?:too|so|overly)\s+(?:sensitive|dramatic|emotional)|over-?reacting|blowing\s+(?:this|it|things)\s+out\s+of\s+proportion)\b",
        explanation: "Their reaction is theirs to have. Calling it too much can leave them feeling the problem is them rather than what happened.",
    },
    // --- Conditional -------------------------------------------------------
    Rule {
        id: "if-i-hurt",
        kind: HintKind::Conditional,
        pattern: r"\bif\s+(?:I\s+(?:have\s+|ever\s+|somehow\s+|in\s+any\s+way\s+)?|I['’]ve\s+|anything\s+I\s+(?:did|said)\s+|what\s+I\s+(?:did|said)\s+|my\s+\w+\s+|that\s+|this\s+)(?:hurt|upset|offended|wounded|disappointed|caused)\b",
        explanation: "\"If\" leaves room to doubt that harm was done. You know it hurt them; saying so plainly shows you see it.",
    },
    Rule {
        id: "sorry-you-feel",
        kind: HintKind::Conditional,
        pattern: r"\bsorry\s+(?:that\s+)?(?:you\s+(?:feel|felt)|you\s+(?:are|were|got|have\s+been)\s+(?:so\s+)?(?:upset|hurt|offended|angry|mad|bothered|disappointed|sad)|you['’](?:re|ve\s+been)\s+(?:so\s+)?(?:upset|hurt|offended|angry|mad|bothered|disappointed|sad)|you\s+took\s+it\s+(?:that\s+way|so\s+badly|badly|personally|the\s+wrong\s+way)|you\s+see\s+it\s+that\s+way)\b",
        explanation: "Being sorry about how they feel puts their feelings at the centre instead of your action. Try naming what you did that caused it.",
    },
    Rule {
        id: "if-you-were-hurt",
        kind: HintKind::Conditional,
        pattern: r"\bif\s+you\s+(?:were|felt|feel|got|are|have\s+been)\s+(?:at\s+all\s+|in\s+any\s+way\s+)?(?:offended|hurt|upset|bothered|uncomfortable|disrespected|betrayed)\b|\bif\s+you['’]re\s+(?:offended|hurt|upset|bothered)\b|\bif\s+you\s+took\s+it\s+(?:the\s+wrong\s+way|badly|personally)\b|\bif\s+(?:that['’]s|that\s+is|this\s+is)\s+how\s+you\s+(?:feel|see\s+it|took\s+it)\b",
        explanation: "Wondering whether they were hurt can sound as if it is still an open question. They already know it hurt, and hearing you say it helps.",
    },
    Rule {
        id: "vague-whatever",
        kind: HintKind::Conditional,
        pattern: r"\b(?:sorry|apologi[sz]e)\s+(?:for\s+)?(?:whatever|anything)\s+I\s+(?:did|said|may\s+have)\b|\bif\s+I\s+did\s+(?:anything|something)\s+wrong\b",
        explanation: "A vague apology can feel like it is covering ground without looking at it. Naming exactly what you did shows you have faced it.",
    },
    // --- Minimises ---------------------------------------------------------
    Rule {
        id: "it-was-only",
        kind: HintKind::Minimises,
        pattern: r"\b(?:it|that)(?:\s+(?:was|is)|['’]s)\s+(?:just|only|merely|simply|nothing\s+but)\s+(?:a|an|one|once|twice|some|words|texts|messages|talk|talking|flirting|harmless|physical|money|sex|for)\b",
        explanation: "\"It was only\" asks the reader to see the wrong as small. How big it was is theirs to feel, and letting them decide that is part of the repair.",
    },
    Rule {
        id: "meant-nothing",
        kind: HintKind::Minimises,
        pattern: r"\bit\s+(?:meant|means)\s+nothing\b|\bit\s+was\s+nothing\b",
        explanation: "You may offer this as comfort, but it can suggest the hurt should be small too. Staying with what it meant to them is usually kinder.",
    },
    Rule {
        id: "a-little",
        kind: HintKind::Minimises,
        pattern: r"\ba\s+(?:little|tiny|small|bit\s+of\s+a)\s+(?:white\s+)?(?:lie|fib|slip|mistake|misunderstanding|flirt|indiscretion|secret|kiss)\b|\b(?:was|were|been|being|got|am|I['’]m)\s+(?:a\s+little|a\s+(?:tiny\s+)?bit|slightly|somewhat)\s+(?:dishonest|untruthful|careless|thoughtless|insensitive|late|distant|harsh|rude|selfish|unfair|secretive|flirty|out\s+of\s+line)\b",
        explanation: "Softening words like \"a little\" can shrink the wrong in the telling. Describing it at its real size shows you are not hiding from it.",
    },
    Rule {
        id: "not-a-big-deal",
        kind: HintKind::Minimises,
        pattern: r"\b(?:not|no|isn['’]t|wasn['’]t)\s+(?:(?:such|that|a|really|much|of)\s+)*big\s+deal\b|\b(?:not|isn['’]t|wasn['’]t)\s+(?:really\s+)?(?:that|so|as)\s+bad\b",
        explanation: "Weighing how serious it was is something the hurt person gets to do. Saying it was not so bad can feel like being told how to feel.",
    },
    // --- Presses for closure -----------------------------------------------
    Rule {
        id: "must-forgive",
        kind: HintKind::PressesForClosure,
        pattern: r"\byou(?:\s+(?:have\s+to|need\s+to|must|ought\s+to|have\s+got\s+to|got\s+to|gotta)|['’]ve\s+got\s+to)\s+(?:just\s+)?(?:forgive|trust\s+me\s+again|let\s+(?:it|this|that)\s+go|give\s+me\s+(?:another|a\s+second|one\s+more)\s+chance|move\s+on|get\s+past)\b|\byou\s+(?:can['’]t|cannot|can\s+not)\s+(?:stay|be)\s+(?:angry|mad|upset|hurt)\s+(?:forever|for\s+ever)\b",
        explanation: "Forgiveness is a gift the other person may give in their own time, not something an apology can ask for. Leaving them free to choose is what gives it meaning.",
    },
    Rule {
        id: "move-on",
        kind: HintKind::PressesForClosure,
        pattern: r"\b(?:let['’]s|let\s+us|can\s+we|we\s+(?:should|need\s+to|have\s+to|must))\s+(?:please\s+)?(?:just\s+)?(?:move\s+on|move\s+past\s+(?:this|it)|put\s+(?:this|it|that)\s+(?:all\s+)?behind\s+us|forget\s+(?:about\s+)?(?:it|this|that)|leave\s+(?:it|this|that)\s+in\s+the\s+past|start\s+(?:over|fresh)|turn\s+the\s+page)\b|\bforgive\s+and\s+forget\b",
        explanation: "Wanting it behind you is understandable, but the timing belongs to the person who was hurt. An apology that does not ask for closure leaves room for it to come.",
    },
    Rule {
        id: "get-over-it",
        kind: HintKind::PressesForClosure,
        pattern: r"\b(?:just|please|time\s+to|you\s+(?:have\s+to|need\s+to|must|(?:have\s+)?got\s+to|gotta)|you['’]ve\s+got\s+to|can['’]t\s+you|can\s+you\s+not|why\s+(?:can['’]t|don['’]t|won['’]t)\s+you)\s+(?:just\s+)?get\s+over\s+(?:it|this|that)\b|\bget\s+over\s+(?:it|this|that)\s+already\b",
        explanation: "Asking them to get over it can make the hurt feel like an inconvenience. Healing takes the time it takes.",
    },
    Rule {
        id: "long-enough",
        kind: HintKind::PressesForClosure,
        pattern: r"\b(?:it['’]s|it\s+(?:has|is))\s+been\s+long\s+enough\b|\bhow\s+long\s+(?:are\s+you\s+going\s+to|will\s+you|do\s+I\s+have\s+to|must\s+I)\s+(?:keep|be|stay|punish|hold|pay)\b",
        explanation: "There is no deadline for healing, and hinting at one adds pressure. Patience is one of the clearest signs that you mean it.",
    },
    Rule {
        id: "what-more",
        kind: HintKind::PressesForClosure,
        pattern: r"\bwhat\s+(?:more|else)\s+do\s+you\s+want\b|\bI(?:\s+have|['’]ve)\s+(?:already\s+)?(?:said|told\s+you)\s+(?:I['’]m\s+|I\s+am\s+)?sorry\s+(?:already|enough|(?:so\s+many|a\s+(?:hundred|thousand|million))\s+times)\b",
        explanation: "Pointing to the apologies already made can sound like the account should now be settled. Each apology tends to count most when it asks for nothing back.",
    },
];

/// The compiled form of [`RULES`], in the same order; built on first use.
static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|rule| {
            RegexBuilder::new(rule.pattern)
                .case_insensitive(true)
                .build()
                .expect("every hint pattern compiles; a unit test checks this")
        })
        .collect()
});

/// All hints for `text`, sorted by start. Where spans overlap, only the one
/// that starts first is kept (the longer one if they start together).
pub fn find_hints(text: &str) -> Vec<Hint> {
    find_hints_except(text, &[])
}

/// Like [`find_hints`], but rules whose id is in `dismissed` are skipped
/// entirely, so they neither show nor hide another rule's hint. Unknown ids
/// are ignored.
pub fn find_hints_except(text: &str, dismissed: &[&str]) -> Vec<Hint> {
    let mut found: Vec<Hint> = RULES
        .iter()
        .zip(COMPILED.iter())
        .filter(|(rule, _)| !dismissed.contains(&rule.id))
        .flat_map(|(rule, regex)| {
            regex.captures_iter(text).filter_map(move |caps| {
                let m = caps.name("hint").or_else(|| caps.get(0))?;
                Some(Hint {
                    rule_id: rule.id,
                    kind: rule.kind,
                    explanation: rule.explanation,
                    matched: m.as_str().to_owned(),
                    start: m.start(),
                    end: m.end(),
                })
            })
        })
        .collect();
    // Stable sort: for equal spans the earlier rule in RULES stays first.
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));

    let mut kept: Vec<Hint> = Vec::with_capacity(found.len());
    for hint in found {
        if kept.last().is_none_or(|last| hint.start >= last.end) {
            kept.push(hint);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn kinds(text: &str) -> Vec<HintKind> {
        find_hints(text).into_iter().map(|h| h.kind).collect()
    }

    fn rule_ids(text: &str) -> Vec<&'static str> {
        find_hints(text).into_iter().map(|h| h.rule_id).collect()
    }

    fn assert_fires(kind: HintKind, examples: &[&str]) {
        for text in examples {
            assert!(
                kinds(text).contains(&kind),
                "expected a {kind:?} hint in {text:?}, got {:?}",
                find_hints(text)
            );
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for (rule, regex) in RULES.iter().zip(COMPILED.iter()) {
            assert_eq!(regex.as_str(), rule.pattern, "rule {}", rule.id);
        }
        assert_eq!(COMPILED.len(), RULES.len());
    }

    #[test]
    fn no_pattern_matches_empty_text() {
        for regex in COMPILED.iter() {
            assert!(
                !regex.is_match(""),
                "{} matches the empty string",
                regex.as_str()
            );
        }
    }

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(
                !rule.id.is_empty() && rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "rule id {:?} is not kebab-case",
                rule.id
            );
        }
    }

    #[test]
    fn every_rule_has_a_short_explanation() {
        for rule in RULES {
            let sentences = rule.explanation.matches(['.', '!', '?']).count();
            assert!(
                (1..=2).contains(&sentences) && rule.explanation.len() < 260,
                "explanation of {} should be one or two short sentences",
                rule.id
            );
        }
    }

    #[test]
    fn every_kind_has_at_least_one_rule() {
        for kind in HintKind::ALL {
            assert!(RULES.iter().any(|r| r.kind == kind), "no rule for {kind:?}");
        }
    }

    #[test]
    fn kind_names_are_stable_and_labels_are_human() {
        let names: Vec<_> = HintKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "justifies",
                "shifts_blame",
                "conditional",
                "minimises",
                "presses_for_closure"
            ]
        );
        assert_eq!(HintKind::Justifies.label(), "Justifying");
        assert!(HintKind::ALL.iter().all(|k| !k.label().is_empty()));
    }

    #[test]
    fn justifying_sentences_get_a_hint() {
        assert_fires(
            HintKind::Justifies,
            &[
                "I'm sorry, but you have to see how stressed I was at work.",
                "I am sorry but I think you are forgetting what you said first.",
                "I lied about the money, but I was scared of losing you.",
                "I only did it because I felt so alone that winter.",
                "I hid the messages because you always checked my phone.",
                "I was just trying to keep the peace.",
                "I never meant to hurt you.",
                "In my defence, I did tell you eventually.",
            ],
        );
    }

    #[test]
    fn blame_shifting_sentences_get_a_hint() {
        assert_fires(
            HintKind::ShiftsBlame,
            &[
                "You made me do it by never listening to me.",
                "If you hadn't gone through my phone, none of this would have happened.",
                "It was partly your fault for pushing me away.",
                "You left me no choice.",
                "I think you're overreacting a bit.",
            ],
        );
    }

    #[test]
    fn conditional_sentences_get_a_hint() {
        assert_fires(
            HintKind::Conditional,
            &[
                "I'm sorry if I hurt you.",
                "I'm sorry you feel that way about the trip.",
                "I apologise if you were offended by what I wrote.",
                "Sorry for whatever I did to upset you.",
                "If my silence hurt you, I regret it.",
            ],
        );
    }

    #[test]
    fn minimising_sentences_get_a_hint() {
        assert_fires(
            HintKind::Minimises,
            &[
                "It was just a kiss, nothing more.",
                "It was only twice, and I stopped.",
                "I told a little white lie about where I was.",
                "Honestly, it's not a big deal compared to what could have happened.",
                "It meant nothing to me.",
                "I was a little dishonest about the bills.",
            ],
        );
    }

    #[test]
    fn sentences_pressing_for_closure_get_a_hint() {
        assert_fires(
            HintKind::PressesForClosure,
            &[
                "You have to forgive me eventually.",
                "Let's move on and be happy again.",
                "Why can't you just get over it?",
                "It's been long enough, surely.",
                "I've said sorry a hundred times, what more do you want?",
                "Can we please put this behind us?",
            ],
        );
    }

    #[test]
    fn sincere_apologies_get_no_hints() {
        let sincere = [
            "I was not only late but also dishonest, and I am sorry.",
            "I just want you to know I understand why you stopped believing me.",
            "Because I lied, you could not trust what I said, and that is on me.",
            "I lied, and not just once, but many times.",
            "I'm sorry I hid the messages from you. It was wrong, and it was my choice alone.",
            "I need a little time to show you through what I do, not what I say, and I will not rush you.",
            "If you want to talk in person, I am ready whenever you are.",
            "You trusted me because I gave you every reason to, and I broke that.",
            "I told you I was at work, but I was with her. I am sorry.",
            "You deserved the truth from the start, and I only told you when I was caught.",
            "It was only after you found the receipts that I admitted it, and that makes it worse.",
            "You do not have to forgive me, and you don't owe me anything.",
            "I'm sorry. But sorry is not enough, so here is what I will do.",
            "I see now that it was a big deal, and I treated it as if it were nothing.",
            "I kept it secret because I was ashamed, and that is no excuse.",
            "I hope that one day, when you are ready, we can move on together, but only when you choose to.",
            "I made you doubt your own memory, and that was cruel.",
            "You made me a better person, and I repaid you with lies.",
            "I am not asking you to get over this; I am asking for the chance to earn back your trust.",
            "It is not your fault. None of it was.",
            "I will answer any question you ask, even the hard ones, for as long as you need.",
            "What I did hurt you, and it hurt the children too.",
            "I have been a little more honest with myself every week, and I owe you the same.",
            "I’m sorry I broke your trust; I’ll keep showing up, just as I promised.",
        ];
        assert!(sincere.len() >= 15);
        for text in sincere {
            assert_eq!(find_hints(text), vec![], "false hint in {text:?}");
        }
    }

    #[test]
    fn a_dismissed_rule_no_longer_fires() {
        let text = "I'm sorry if I hurt you, but let's move on.";
        assert_eq!(rule_ids(text), ["if-i-hurt", "move-on"]);
        let remaining: Vec<_> = find_hints_except(text, &["if-i-hurt"])
            .into_iter()
            .map(|h| h.rule_id)
            .collect();
        assert_eq!(remaining, ["move-on"]);
        assert!(find_hints_except(text, &["if-i-hurt", "move-on"]).is_empty());
    }

    #[test]
    fn an_unknown_dismissed_id_changes_nothing() {
        let text = "It was just a kiss.";
        assert_eq!(find_hints_except(text, &["no-such-rule"]), find_hints(text));
    }

    #[test]
    fn matching_ignores_case() {
        assert_eq!(rule_ids("I'M SORRY IF I HURT YOU."), ["if-i-hurt"]);
        assert_eq!(rule_ids("yOu MaDe Me Do It."), ["you-made-me"]);
        assert_eq!(rule_ids("LET'S MOVE ON."), ["move-on"]);
    }

    #[test]
    fn curly_apostrophes_match_like_straight_ones() {
        assert_eq!(
            rule_ids("If you hadn’t looked, we’d be fine."),
            ["if-you-hadnt"]
        );
        assert_eq!(rule_ids("Let’s move on."), ["move-on"]);
        assert_eq!(rule_ids("It’s just a text."), ["it-was-only"]);
        assert_eq!(rule_ids("I’m sorry you’re upset."), ["sorry-you-feel"]);
    }

    #[test]
    fn matches_need_whole_words() {
        // "butter" contains "but" and "moveon" is not "move on": neither is the word itself.
        assert!(find_hints("Sorry butter was on the list.").is_empty());
        assert!(find_hints("I lied, butI was scared").is_empty());
        assert!(find_hints("Let's moveon").is_empty());
    }

    #[test]
    fn offsets_point_at_the_matched_text() {
        let text = "Dear Sam, I’m sorry if I hurt you. It was only once.";
        let hints = find_hints(text);
        assert_eq!(hints.len(), 2);
        for hint in &hints {
            assert_eq!(&text[hint.start..hint.end], hint.matched);
        }
        assert_eq!(hints[0].matched, "if I hurt");
        assert_eq!(hints[0].start, text.find("if I hurt").unwrap());
        assert_eq!(hints[1].matched, "It was only once");
    }

    #[test]
    fn hints_are_sorted_and_never_overlap() {
        let text = "I'm sorry, but you made me do it. It was just a fling and it meant nothing; \
                    you're overreacting, so let's move on. If you hadn't pushed, I wouldn't have.";
        let hints = find_hints(text);
        let ids: Vec<_> = hints.iter().map(|h| h.rule_id).collect();
        assert_eq!(
            ids,
            [
                "sorry-but",
                "you-made-me",
                "it-was-only",
                "meant-nothing",
                "their-reaction",
                "move-on",
                "if-you-hadnt"
            ]
        );
        for pair in hints.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "{:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn a_hint_carries_its_rule_kind_and_explanation() {
        let hints = find_hints("Get over it already.");
        assert_eq!(hints.len(), 1);
        let rule = RULES.iter().find(|r| r.id == hints[0].rule_id).unwrap();
        assert_eq!(hints[0].kind, rule.kind);
        assert_eq!(hints[0].explanation, rule.explanation);
    }

    #[test]
    fn a_sorry_but_highlights_only_the_sorry_but() {
        let hints = find_hints("I’m sorry, but I was exhausted.");
        assert_eq!(hints[0].rule_id, "sorry-but");
        assert_eq!(hints[0].matched, "sorry, but");
    }

    #[test]
    fn overlapping_matches_keep_the_one_that_starts_first() {
        // "It was just a" and "a little white lie" share the word "a".
        let text = "It was just a little white lie.";
        let hints = find_hints(text);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].rule_id, "it-was-only");
        let without = find_hints_except(text, &["it-was-only"]);
        assert_eq!(without[0].rule_id, "a-little");
        assert_eq!(without[0].matched, "a little white lie");
    }

    #[test]
    fn empty_text_has_no_hints() {
        assert!(find_hints("").is_empty());
    }
}
