//! `define-record-type`: a type descriptor plus constructor, predicate, accessor and modifier
//! procedures over the runtime's `%record` helpers (docs/runtime-interface.md).

use std::rc::Rc;

use crate::core::Expr;
use crate::datum::{Datum, DatumKind};
use crate::span::Span;

use super::expander::{Expander, call_global, constant, lambda, local, named};
use super::forms::usage;
use super::special::Special;
use super::syntax::{IdentId, Stx, SyntaxKind};

pub(crate) struct RecordSpec {
    pub(crate) type_name: IdentId,
    /// The constructor and, for each of its arguments, the index of the field it initializes.
    constructor: Option<(IdentId, Vec<usize>)>,
    predicate: Option<IdentId>,
    fields: Vec<Rc<str>>,
    accessors: Vec<(IdentId, usize)>,
    modifiers: Vec<(IdentId, usize)>,
}

fn is_false(stx: &Stx) -> bool {
    matches!(stx.kind, SyntaxKind::Const(DatumKind::Bool(false)))
}

impl Expander<'_> {
    pub(crate) fn parse_record(&mut self, form: &Stx) -> Option<RecordSpec> {
        let items = form.as_list()?;
        if items.len() < 4 {
            self.arity_error(Special::DefineRecordType, items, form.span);
            return None;
        }
        let help = format!("usage: {}", usage(Special::DefineRecordType));
        let Some(type_name) = items[1].as_ident() else {
            self.error(items[1].span, "record type name is not an identifier", help);
            return None;
        };
        let mut fields: Vec<Rc<str>> = Vec::new();
        let mut accessors = Vec::new();
        let mut modifiers = Vec::new();
        for spec in &items[4..] {
            let parts: Vec<&Stx> = match &spec.kind {
                SyntaxKind::Ident(_) => vec![spec],
                SyntaxKind::List(parts, None) if (1..=3).contains(&parts.len()) => {
                    parts.iter().collect()
                }
                _ => {
                    self.error(
                        spec.span,
                        "malformed record field",
                        "each field is (name accessor) or (name accessor modifier)",
                    );
                    return None;
                }
            };
            let Some(ids) = parts
                .iter()
                .map(|p| p.as_ident())
                .collect::<Option<Vec<_>>>()
            else {
                self.error(
                    spec.span,
                    "record field names and procedures must be identifiers",
                    help,
                );
                return None;
            };
            let field = self.name_of(ids[0]);
            if fields.contains(&field) {
                self.error(
                    spec.span,
                    format!("duplicate record field `{field}`"),
                    "each field name may appear once",
                );
                return None;
            }
            let index = fields.len();
            fields.push(field);
            if let Some(acc) = ids.get(1) {
                accessors.push((*acc, index));
            }
            if let Some(modifier) = ids.get(2) {
                modifiers.push((*modifier, index));
            }
        }
        let constructor = match &items[2].kind {
            _ if is_false(&items[2]) => None,
            SyntaxKind::Ident(id) => Some((*id, (0..fields.len()).collect())),
            SyntaxKind::List(parts, None) if parts.first().and_then(|p| p.as_ident()).is_some() => {
                let mut indices = Vec::new();
                for part in &parts[1..] {
                    let index = part
                        .as_ident()
                        .and_then(|id| fields.iter().position(|f| *f == self.name_of(id)));
                    match index {
                        Some(i) if !indices.contains(&i) => indices.push(i),
                        _ => {
                            self.error(
                                part.span,
                                "constructor argument is not a distinct field of the record",
                                "list field names declared below, each at most once",
                            );
                            return None;
                        }
                    }
                }
                Some((parts[0].as_ident()?, indices))
            }
            _ => {
                self.error(
                    items[2].span,
                    "malformed record constructor",
                    "expected (constructor field ...), a name, or #f",
                );
                return None;
            }
        };
        let predicate = match items[3].as_ident() {
            Some(id) => Some(id),
            None if is_false(&items[3]) => None,
            None => {
                self.error(items[3].span, "record predicate is not an identifier", help);
                return None;
            }
        };
        Some(RecordSpec {
            type_name,
            constructor,
            predicate,
            fields,
            accessors,
            modifiers,
        })
    }

    /// The definitions, type descriptor first; `rtd` refers to the bound type name.
    pub(crate) fn record_definitions(
        &mut self,
        spec: &RecordSpec,
        rtd: Expr,
        span: Span,
    ) -> Vec<(IdentId, Expr)> {
        let mut defs = Vec::new();
        let type_name = self.name_of(spec.type_name);
        let field_list = spec
            .fields
            .iter()
            .map(|f| Datum::new(DatumKind::Symbol(f.to_string()), span))
            .collect();
        let make_type = call_global(
            "%make-record-type",
            vec![
                constant(DatumKind::Symbol(type_name.to_string()), span),
                constant(DatumKind::List(field_list, None), span),
            ],
            span,
        );
        defs.push((spec.type_name, make_type));
        if let Some((ctor, indices)) = &spec.constructor {
            let params: Vec<_> = indices
                .iter()
                .map(|&i| self.new_var(&spec.fields[i]))
                .collect();
            let mut args = vec![rtd.clone()];
            for field in 0..spec.fields.len() {
                args.push(match indices.iter().position(|&i| i == field) {
                    Some(p) => local(params[p], span),
                    None => super::expander::unspecified(span),
                });
            }
            let body = call_global("%record", args, span);
            let name = self.name_of(*ctor);
            defs.push((*ctor, named(lambda(params, None, body, span), &name)));
        }
        if let Some(pred) = spec.predicate {
            let obj = self.new_var("obj");
            let body = call_global("%record?", vec![local(obj, span), rtd.clone()], span);
            let name = self.name_of(pred);
            defs.push((pred, named(lambda(vec![obj], None, body, span), &name)));
        }
        for &(accessor, index) in &spec.accessors {
            let obj = self.new_var("obj");
            let body = call_global(
                "%record-ref",
                vec![local(obj, span), rtd.clone(), field_index(index, span)],
                span,
            );
            let name = self.name_of(accessor);
            defs.push((accessor, named(lambda(vec![obj], None, body, span), &name)));
        }
        for &(modifier, index) in &spec.modifiers {
            let obj = self.new_var("obj");
            let value = self.new_var("value");
            let args = vec![
                local(obj, span),
                rtd.clone(),
                field_index(index, span),
                local(value, span),
            ];
            let body = call_global("%record-set!", args, span);
            let name = self.name_of(modifier);
            defs.push((
                modifier,
                named(lambda(vec![obj, value], None, body, span), &name),
            ));
        }
        defs
    }
}

fn field_index(index: usize, span: Span) -> Expr {
    constant(
        DatumKind::Int(i64::try_from(index).unwrap_or(i64::MAX)),
        span,
    )
}
