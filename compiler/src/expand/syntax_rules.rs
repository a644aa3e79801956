//! `syntax-rules` macros: checking a definition, matching a use, instantiating a template.
//!
//! Patterns and templates are syntax, so identifiers keep their aliases: a pattern variable is
//! found in the template by identity, and every other template identifier is renamed to a fresh
//! alias of itself closed over the macro's definition environment (one alias per identifier per
//! expansion step, so a template's `(let ((t ...)) ... t)` still binds its own `t`).
//!
//! Ellipsis depth is checked when the macro is defined, so a use can only fail by not matching
//! or by matching sequences of different lengths under one template ellipsis.

use std::rc::Rc;

use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::env::{EnvId, MacroId};
use super::expander::Expander;
use super::hash::FxHashMap;
use super::limits::MAX_SYNTAX_HEIGHT;
use super::syntax::{IdentId, Idents, Stx, Syntax, SyntaxKind};

pub(crate) struct Macro {
    pub(crate) name: Rc<str>,
    /// Where the macro was defined: free template identifiers mean what they mean there.
    pub(crate) env: EnvId,
    pub(crate) ellipsis: Rc<str>,
    pub(crate) literals: Vec<IdentId>,
    pub(crate) rules: Vec<Rule>,
}

pub(crate) struct Rule {
    /// The whole pattern, keyword position included (it is ignored when matching).
    pub(crate) pattern: Stx,
    pub(crate) template: Stx,
}

/// What a pattern variable matched: a form, or one match per repetition of its ellipsis.
enum Match {
    One(Stx),
    Many(Vec<Match>),
}

type Bindings = FxHashMap<IdentId, Match>;

impl Macro {
    fn is_literal(&self, id: IdentId) -> bool {
        self.literals.contains(&id)
    }

    fn is_ellipsis(&self, idents: &Idents, stx: &Stx) -> bool {
        matches!(stx.kind, SyntaxKind::Ident(id) if !self.is_literal(id) && **idents.name(id) == *self.ellipsis)
    }

    fn is_underscore(&self, idents: &Idents, id: IdentId) -> bool {
        !self.is_literal(id) && &**idents.name(id) == "_"
    }
}

/// Number of ellipses directly following `items[i]`.
fn ellipses_after(m: &Macro, idents: &Idents, items: &[Stx], i: usize) -> usize {
    items[i + 1..]
        .iter()
        .take_while(|s| m.is_ellipsis(idents, s))
        .count()
}

impl Expander<'_> {
    /// Checks and builds a macro. Errors are reported; `None` if there were any.
    pub(crate) fn compile_macro(
        &mut self,
        name: Rc<str>,
        env: EnvId,
        ellipsis: Rc<str>,
        literals: Vec<IdentId>,
        rules: Vec<(Stx, Stx)>,
    ) -> Option<Macro> {
        let mut m = Macro {
            name,
            env,
            ellipsis,
            literals,
            rules: Vec::new(),
        };
        let errors_before = self.errors.len();
        for (pattern, template) in rules {
            let mut vars = FxHashMap::default();
            match &pattern.kind {
                SyntaxKind::List(items, tail) if !items.is_empty() => {
                    self.check_pattern_seq(&m, &items[1..], tail.as_ref(), 0, &mut vars);
                }
                _ => {
                    self.error(
                        pattern.span,
                        "a syntax-rules pattern must be a list starting with the keyword",
                        "e.g. ((_ a b) template) or ((_ . args) template)",
                    );
                    continue;
                }
            }
            self.check_template(&m, &template, 0, &vars, false);
            m.rules.push(Rule { pattern, template });
        }
        (self.errors.len() == errors_before).then_some(m)
    }

    fn check_pattern(
        &mut self,
        m: &Macro,
        pat: &Stx,
        depth: u32,
        vars: &mut FxHashMap<IdentId, u32>,
    ) {
        match &pat.kind {
            SyntaxKind::Ident(id) => {
                if m.is_ellipsis(&self.idents, pat) {
                    self.error(
                        pat.span,
                        format!("misplaced `{}` in pattern", m.ellipsis),
                        "an ellipsis must follow a subpattern in a list or vector",
                    );
                } else if !m.is_literal(*id)
                    && !m.is_underscore(&self.idents, *id)
                    && vars.insert(*id, depth).is_some()
                {
                    let name = self.name_of(*id);
                    self.error(
                        pat.span,
                        format!("duplicate pattern variable `{name}`"),
                        "each pattern variable may appear once in a pattern",
                    );
                }
            }
            SyntaxKind::List(items, tail) => {
                self.check_pattern_seq(m, items, tail.as_ref(), depth, vars)
            }
            SyntaxKind::Vector(items) => self.check_pattern_seq(m, items, None, depth, vars),
            SyntaxKind::Const(_) => {}
        }
    }

    fn check_pattern_seq(
        &mut self,
        m: &Macro,
        items: &[Stx],
        tail: Option<&Stx>,
        depth: u32,
        vars: &mut FxHashMap<IdentId, u32>,
    ) {
        let mut seen_ellipsis = false;
        let mut i = 0;
        while i < items.len() {
            if m.is_ellipsis(&self.idents, &items[i]) {
                self.error(
                    items[i].span,
                    format!("misplaced `{}` in pattern", m.ellipsis),
                    "an ellipsis must follow a subpattern",
                );
                i += 1;
                continue;
            }
            match ellipses_after(m, &self.idents, items, i) {
                0 => self.check_pattern(m, &items[i], depth, vars),
                n => {
                    if seen_ellipsis {
                        self.error(
                            items[i + 1].span,
                            format!("more than one `{}` in the same list pattern", m.ellipsis),
                            "a list or vector pattern may contain only one ellipsis",
                        );
                    }
                    if n > 1 {
                        self.error(items[i + 2].span, format!("`{0} {0}` in a pattern", m.ellipsis), "an ellipsis follows a subpattern; nest lists to match nested sequences");
                    }
                    seen_ellipsis = true;
                    self.check_pattern(m, &items[i], depth + 1, vars);
                }
            }
            i += 1 + ellipses_after(m, &self.idents, items, i);
        }
        if let Some(tail) = tail {
            self.check_pattern(m, tail, depth, vars);
        }
    }

    fn check_template(
        &mut self,
        m: &Macro,
        t: &Stx,
        depth: u32,
        vars: &FxHashMap<IdentId, u32>,
        escaped: bool,
    ) {
        match &t.kind {
            SyntaxKind::Ident(id) => {
                if let Some(&d) = vars.get(id) {
                    if d != 0 && d != depth {
                        let name = self.name_of(*id);
                        self.error(
                            t.span,
                            format!("pattern variable `{name}` is used at ellipsis depth {depth} but was matched at depth {d}"),
                            format!("follow `{name}` (or a subtemplate containing it) by exactly {d} `{}`", m.ellipsis),
                        );
                    }
                } else if !escaped && m.is_ellipsis(&self.idents, t) {
                    self.error(t.span, format!("misplaced `{}` in template", m.ellipsis), "an ellipsis must follow a subtemplate; write (... ...) for a literal ellipsis");
                }
            }
            SyntaxKind::List(items, tail) => {
                if !escaped
                    && tail.is_none()
                    && items.len() == 2
                    && m.is_ellipsis(&self.idents, &items[0])
                {
                    self.check_template(m, &items[1], depth, vars, true);
                    return;
                }
                self.check_template_seq(m, items, depth, vars, escaped);
                if let Some(tail) = tail {
                    self.check_template(m, tail, depth, vars, escaped);
                }
            }
            SyntaxKind::Vector(items) => self.check_template_seq(m, items, depth, vars, escaped),
            SyntaxKind::Const(_) => {}
        }
    }

    fn check_template_seq(
        &mut self,
        m: &Macro,
        items: &[Stx],
        depth: u32,
        vars: &FxHashMap<IdentId, u32>,
        escaped: bool,
    ) {
        let mut i = 0;
        while i < items.len() {
            let n = if escaped {
                0
            } else {
                ellipses_after(m, &self.idents, items, i)
            };
            if !escaped && m.is_ellipsis(&self.idents, &items[i]) {
                self.error(
                    items[i].span,
                    format!("misplaced `{}` in template", m.ellipsis),
                    "an ellipsis must follow a subtemplate",
                );
                i += 1;
                continue;
            }
            let inner = depth + u32::try_from(n).unwrap_or(u32::MAX);
            if n > 0 && !has_var_deeper(&items[i], vars, depth) {
                self.error(
                    items[i + 1].span,
                    format!("`{}` follows a template with no pattern variable matched under an ellipsis", m.ellipsis),
                    "the subtemplate before an ellipsis must contain a pattern variable that was followed by an ellipsis in the pattern",
                );
            } else {
                self.check_template(m, &items[i], inner, vars, escaped);
            }
            i += 1 + n;
        }
    }

    /// Expands one use of macro `id`; `None` after reporting an error.
    pub(crate) fn transcribe(&mut self, id: MacroId, form: &Stx, use_env: EnvId) -> Option<Stx> {
        let m = self.macros[id.0 as usize].clone();
        let SyntaxKind::List(items, tail) = &form.kind else {
            return None;
        };
        for rule in &m.rules {
            let SyntaxKind::List(pattern, ptail) = &rule.pattern.kind else {
                continue;
            };
            let mut bindings = Bindings::default();
            if !self.match_seq(
                &m,
                &pattern[1..],
                ptail.as_ref(),
                &items[1..],
                tail.as_ref(),
                use_env,
                &mut bindings,
            ) {
                continue;
            }
            let mut t = Transcriber {
                m: &m,
                bindings: &bindings,
                overrides: Vec::new(),
                renames: FxHashMap::default(),
                span: form.span,
                nodes: 0,
            };
            let result = t.build(&mut self.idents, &rule.template, false);
            let nodes = t.nodes;
            return match result {
                Ok(out) if out.height > MAX_SYNTAX_HEIGHT => {
                    self.error(form.span, format!("expansion of `{}` is nested too deeply", m.name), "the macro probably wraps its input in a new form at every step without end");
                    self.fatal = true;
                    None
                }
                Ok(out) => self.tick(nodes, form.span).then_some(out),
                Err(diagnostic) => {
                    self.report(diagnostic);
                    None
                }
            };
        }
        let mut help = String::from("the patterns are:");
        let mut budget = 10_000;
        for rule in &m.rules {
            match self.idents.to_datum(&rule.pattern, &mut budget) {
                Ok(datum) => {
                    help.push_str("\n  ");
                    help.push_str(&crate::printer::write(&datum));
                }
                Err(_) => break,
            }
        }
        self.error(
            form.span,
            format!("no syntax-rules clause of `{}` matches this use", m.name),
            help,
        );
        None
    }

    fn match_pattern(
        &mut self,
        m: &Macro,
        pat: &Stx,
        input: &Stx,
        use_env: EnvId,
        b: &mut Bindings,
    ) -> bool {
        match &pat.kind {
            SyntaxKind::Ident(p) => {
                if m.is_literal(*p) {
                    match input.as_ident() {
                        Some(i) => self.resolve(i, use_env) == self.resolve(*p, m.env),
                        None => false,
                    }
                } else {
                    if !m.is_underscore(&self.idents, *p) {
                        b.insert(*p, Match::One(input.clone()));
                    }
                    true
                }
            }
            SyntaxKind::Const(k) => matches!(&input.kind, SyntaxKind::Const(i) if i == k),
            SyntaxKind::List(items, tail) => match &input.kind {
                SyntaxKind::List(in_items, in_tail) => self.match_seq(
                    m,
                    items,
                    tail.as_ref(),
                    in_items,
                    in_tail.as_ref(),
                    use_env,
                    b,
                ),
                _ => false,
            },
            SyntaxKind::Vector(items) => match &input.kind {
                SyntaxKind::Vector(in_items) => {
                    self.match_seq(m, items, None, in_items, None, use_env, b)
                }
                _ => false,
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn match_seq(
        &mut self,
        m: &Macro,
        pats: &[Stx],
        ptail: Option<&Stx>,
        inputs: &[Stx],
        itail: Option<&Stx>,
        use_env: EnvId,
        b: &mut Bindings,
    ) -> bool {
        let ellipsis = (1..pats.len()).find(|&i| m.is_ellipsis(&self.idents, &pats[i]));
        let Some(e) = ellipsis else {
            if inputs.len() < pats.len() || (ptail.is_none() && inputs.len() != pats.len()) {
                return false;
            }
            for (p, i) in pats.iter().zip(inputs) {
                if !self.match_pattern(m, p, i, use_env, b) {
                    return false;
                }
            }
            return match ptail {
                Some(pt) => {
                    let rest = &inputs[pats.len()..];
                    let rest = match (rest.is_empty(), itail) {
                        (true, Some(t)) => t.clone(),
                        _ => Syntax::list(rest.to_vec(), itail.cloned(), pt.span),
                    };
                    self.match_pattern(m, pt, &rest, use_env, b)
                }
                None => itail.is_none(),
            };
        };
        let (before, repeated, after) = (&pats[..e - 1], &pats[e - 1], &pats[e + 1..]);
        if inputs.len() < before.len() + after.len() {
            return false;
        }
        let count = inputs.len() - before.len() - after.len();
        for (p, i) in before.iter().zip(inputs) {
            if !self.match_pattern(m, p, i, use_env, b) {
                return false;
            }
        }
        let mut repetitions = Vec::with_capacity(count);
        for input in &inputs[before.len()..before.len() + count] {
            let mut rb = Bindings::default();
            if !self.match_pattern(m, repeated, input, use_env, &mut rb) {
                return false;
            }
            repetitions.push(rb);
        }
        let mut vars = Vec::new();
        pattern_vars(m, &self.idents, repeated, &mut vars);
        for var in vars {
            let matches = repetitions
                .iter_mut()
                .filter_map(|rb| rb.remove(&var))
                .collect();
            b.insert(var, Match::Many(matches));
        }
        for (p, i) in after.iter().zip(&inputs[before.len() + count..]) {
            if !self.match_pattern(m, p, i, use_env, b) {
                return false;
            }
        }
        match (ptail, itail) {
            (Some(pt), Some(it)) => self.match_pattern(m, pt, it, use_env, b),
            (Some(pt), None) => {
                let null = Syntax::list(Vec::new(), None, pt.span);
                self.match_pattern(m, pt, &null, use_env, b)
            }
            (None, tail) => tail.is_none(),
        }
    }
}

fn pattern_vars(m: &Macro, idents: &Idents, pat: &Stx, out: &mut Vec<IdentId>) {
    match &pat.kind {
        SyntaxKind::Ident(id) => {
            if !m.is_literal(*id) && !m.is_underscore(idents, *id) && !m.is_ellipsis(idents, pat) {
                out.push(*id);
            }
        }
        SyntaxKind::List(items, tail) => {
            for item in items.iter().chain(tail) {
                pattern_vars(m, idents, item, out);
            }
        }
        SyntaxKind::Vector(items) => {
            for item in items {
                pattern_vars(m, idents, item, out);
            }
        }
        SyntaxKind::Const(_) => {}
    }
}

fn has_var_deeper(t: &Stx, vars: &FxHashMap<IdentId, u32>, depth: u32) -> bool {
    match &t.kind {
        SyntaxKind::Ident(id) => vars.get(id).is_some_and(|&d| d > depth),
        SyntaxKind::List(items, tail) => items
            .iter()
            .chain(tail)
            .any(|s| has_var_deeper(s, vars, depth)),
        SyntaxKind::Vector(items) => items.iter().any(|s| has_var_deeper(s, vars, depth)),
        SyntaxKind::Const(_) => false,
    }
}

/// One instantiation of a template.
struct Transcriber<'m> {
    m: &'m Macro,
    bindings: &'m Bindings,
    /// While inside an ellipsis: pattern variables rebound to the current repetition's match.
    overrides: Vec<(IdentId, &'m Match)>,
    renames: FxHashMap<IdentId, IdentId>,
    /// The use site: the span of every node the template itself contributes.
    span: Span,
    nodes: u64,
}

impl<'m> Transcriber<'m> {
    fn lookup(&self, id: IdentId) -> Option<&'m Match> {
        self.overrides
            .iter()
            .rev()
            .find(|(v, _)| *v == id)
            .map(|(_, m)| *m)
            .or_else(|| self.bindings.get(&id))
    }

    fn build(&mut self, idents: &mut Idents, t: &Stx, escaped: bool) -> Result<Stx, Diagnostic> {
        self.nodes += 1;
        Ok(match &t.kind {
            SyntaxKind::Ident(id) => match self.lookup(*id) {
                Some(Match::One(stx)) => stx.clone(),
                Some(Match::Many(_)) => {
                    return Err(Diagnostic::error(
                        self.span,
                        format!(
                            "pattern variable `{}` used without its ellipsis",
                            idents.name(*id)
                        ),
                    ));
                }
                None => {
                    let alias = match self.renames.get(id) {
                        Some(alias) => *alias,
                        None => {
                            let alias = idents.alias(*id, self.m.env);
                            self.renames.insert(*id, alias);
                            alias
                        }
                    };
                    Syntax::ident(alias, self.span)
                }
            },
            SyntaxKind::Const(_) => t.clone(),
            SyntaxKind::List(items, tail) => {
                if !escaped
                    && tail.is_none()
                    && items.len() == 2
                    && self.m.is_ellipsis(idents, &items[0])
                {
                    return self.build(idents, &items[1], true);
                }
                let out = self.build_seq(idents, items, escaped)?;
                let tail = match tail {
                    Some(t) => Some(self.build(idents, t, escaped)?),
                    None => None,
                };
                Syntax::list(out, tail, self.span)
            }
            SyntaxKind::Vector(items) => {
                let out = self.build_seq(idents, items, escaped)?;
                Syntax::vector(out, self.span)
            }
        })
    }

    fn build_seq(
        &mut self,
        idents: &mut Idents,
        items: &[Stx],
        escaped: bool,
    ) -> Result<Vec<Stx>, Diagnostic> {
        let mut out = Vec::with_capacity(items.len());
        let mut i = 0;
        while i < items.len() {
            let n = if escaped {
                0
            } else {
                ellipses_after(self.m, idents, items, i)
            };
            if n == 0 {
                out.push(self.build(idents, &items[i], escaped)?);
            } else {
                self.repeat(idents, &items[i], n, &mut out)?;
            }
            i += 1 + n;
        }
        Ok(out)
    }

    /// Instantiates `t` once per repetition of the pattern variables it iterates over, `levels`
    /// ellipses deep, appending the results to `out`.
    fn repeat(
        &mut self,
        idents: &mut Idents,
        t: &Stx,
        levels: usize,
        out: &mut Vec<Stx>,
    ) -> Result<(), Diagnostic> {
        let mut ids = Vec::new();
        template_idents(t, &mut ids);
        let mut iterated: Vec<(IdentId, &'m [Match])> = Vec::new();
        for id in ids {
            if let Some(Match::Many(seq)) = self.lookup(id)
                && !iterated.iter().any(|(v, _)| *v == id)
            {
                iterated.push((id, seq));
            }
        }
        let Some(&(first, first_seq)) = iterated.first() else {
            return Err(Diagnostic::error(
                self.span,
                format!(
                    "ellipsis in the template of `{}` iterates over no sequence",
                    self.m.name
                ),
            ));
        };
        if let Some((other, seq)) = iterated.iter().find(|(_, s)| s.len() != first_seq.len()) {
            return Err(Diagnostic::error(
                self.span,
                format!(
                    "in `{}`, pattern variables `{}` and `{}` matched {} and {} items but are repeated by the same ellipsis",
                    self.m.name,
                    idents.name(first),
                    idents.name(*other),
                    first_seq.len(),
                    seq.len()
                ),
            ));
        }
        for k in 0..first_seq.len() {
            let mark = self.overrides.len();
            for (id, seq) in &iterated {
                self.overrides.push((*id, &seq[k]));
            }
            if levels == 1 {
                out.push(self.build(idents, t, false)?);
            } else {
                self.repeat(idents, t, levels - 1, out)?;
            }
            self.overrides.truncate(mark);
        }
        Ok(())
    }
}

fn template_idents(t: &Stx, out: &mut Vec<IdentId>) {
    match &t.kind {
        SyntaxKind::Ident(id) => out.push(*id),
        SyntaxKind::List(items, tail) => {
            for item in items.iter().chain(tail) {
                template_idents(item, out);
            }
        }
        SyntaxKind::Vector(items) => {
            for item in items {
                template_idents(item, out);
            }
        }
        SyntaxKind::Const(_) => {}
    }
}
