//! Macro definitions: `define-syntax`, `let-syntax`, `letrec-syntax`, the `syntax-rules`
//! transformer spec, and `syntax-error`.

use std::rc::Rc;

use crate::core::Expr;
use crate::span::Span;

use super::env::{Binding, EnvId, MacroId, TOP};
use super::expander::{Expander, TopEntry};
use super::forms::usage;
use super::special::Special;
use super::syntax::{IdentId, Stx};

impl Expander<'_> {
    /// `(define-syntax name spec)` at the top level (`env == TOP`) or in a body frame.
    pub(crate) fn define_syntax(&mut self, form: &Stx, env: EnvId) {
        let Some([_, name, spec]) = form.as_list() else {
            let items = form.as_list().unwrap_or_default();
            self.arity_error(Special::DefineSyntax, items, form.span);
            return;
        };
        let Some(id) = name.as_ident() else {
            self.error(
                name.span,
                "`define-syntax` needs a name",
                format!("usage: {}", usage(Special::DefineSyntax)),
            );
            return;
        };
        let Some(macro_id) = self.transformer(spec, id, env, env) else {
            return;
        };
        if env == TOP {
            let name = self.name_of(id);
            self.set_top(name, TopEntry::Macro(macro_id));
        } else {
            self.frames.bind(env, id, Binding::Macro(macro_id));
        }
    }

    /// Evaluates a transformer spec: `(syntax-rules ...)`, or the name of another macro.
    /// `spec_env` is where the spec's own keywords are looked up, `macro_env` where the macro's
    /// template identifiers will be.
    fn transformer(
        &mut self,
        spec: &Stx,
        name: IdentId,
        spec_env: EnvId,
        macro_env: EnvId,
    ) -> Option<MacroId> {
        if let Some(other) = spec.as_ident() {
            return match self.resolve(other, spec_env) {
                Binding::Macro(id) => Some(id),
                _ => {
                    self.error(
                        spec.span,
                        "macro transformer is not `syntax-rules`",
                        "pscheme macros are written with (syntax-rules ...)",
                    );
                    None
                }
            };
        }
        let items = match spec.as_list() {
            Some(items)
                if !items.is_empty()
                    && self.is_special(&items[0], spec_env, Special::SyntaxRules) =>
            {
                items
            }
            _ => {
                self.error(spec.span, "macro transformer is not `syntax-rules`", "pscheme macros are written with (syntax-rules (literal ...) (pattern template) ...)");
                return None;
            }
        };
        // (syntax-rules ellipsis (literal ...) rule ...) names its own ellipsis (R7RS 4.3.2).
        let (ellipsis, rest): (Rc<str>, &[Stx]) = match items.get(1).and_then(|s| s.as_ident()) {
            Some(custom) => (self.name_of(custom), &items[2..]),
            None => (Rc::from("..."), &items[1..]),
        };
        let Some(literal_list) = rest.first().and_then(|l| l.as_list()) else {
            self.error(
                spec.span,
                "`syntax-rules` needs a list of literals",
                format!("usage: {}", usage(Special::SyntaxRules)),
            );
            return None;
        };
        let mut literals = Vec::new();
        for lit in literal_list {
            match lit.as_ident() {
                Some(id) => literals.push(id),
                None => {
                    self.error(
                        lit.span,
                        "syntax-rules literal is not an identifier",
                        "literals are names, e.g. (else =>)",
                    );
                }
            }
        }
        let mut rules = Vec::new();
        for rule in &rest[1..] {
            match rule.as_list() {
                Some([pattern, template]) => rules.push((pattern.clone(), template.clone())),
                _ => {
                    self.error(
                        rule.span,
                        "malformed syntax-rules clause",
                        "each clause is (pattern template)",
                    );
                }
            }
        }
        let name = self.name_of(name);
        let m = self.compile_macro(name, macro_env, ellipsis, literals, rules)?;
        let id = MacroId(u32::try_from(self.macros.len()).expect("fewer than 2^32 macros"));
        self.macros.push(Rc::new(m));
        Some(id)
    }

    pub(crate) fn expand_let_syntax(
        &mut self,
        form: Special,
        items: &[Stx],
        env: EnvId,
        span: Span,
    ) -> Expr {
        if items.len() < 3 {
            return self.arity_error(form, items, span);
        }
        let Some(bindings) = items[1].as_list() else {
            return self.error(
                items[1].span,
                format!("malformed `{}` bindings", form.name()),
                format!("usage: {}", usage(form)),
            );
        };
        let frame = self.frames.push(env);
        // let-syntax transformers see the outer environment; letrec-syntax ones see each other.
        let macro_env = if form == Special::LetrecSyntax {
            frame
        } else {
            env
        };
        for binding in bindings {
            match binding.as_list() {
                Some([name, spec]) if let Some(id) = name.as_ident() => {
                    if let Some(m) = self.transformer(spec, id, macro_env, macro_env) {
                        self.frames.bind(frame, id, Binding::Macro(m));
                    }
                }
                _ => {
                    self.error(
                        binding.span,
                        format!("malformed `{}` binding", form.name()),
                        "each binding is (name (syntax-rules ...))",
                    );
                }
            }
        }
        self.expand_body(&items[2..], frame, span)
    }

    /// `(syntax-error "message" form ...)`: reports the message at the use site.
    pub(crate) fn syntax_error(&mut self, items: &[Stx], span: Span) -> Expr {
        let mut budget = 10_000;
        let message = match items.get(1).map(|m| &m.kind) {
            Some(super::syntax::SyntaxKind::Const(crate::datum::DatumKind::Str(s))) => s.clone(),
            _ => String::from("syntax error"),
        };
        let mut message = message;
        for item in items.iter().skip(2) {
            if let Ok(datum) = self.idents.to_datum(item, &mut budget) {
                message.push(' ');
                message.push_str(&crate::printer::write(&datum));
            }
        }
        self.error(
            span,
            message,
            "reported by `syntax-error` in the expansion of a macro",
        )
    }
}
