//! Object storage of the first pass (R4): each object type in file order, indexed by name.

use std::collections::HashMap;

use super::super::model::{
    AaaGroup, AaaUser, NamedExpression, OtherPolicy, PatternSet, SessionAction, SessionPolicy,
    VpnVserver,
};

/// Object storage of the first pass: `rm` leaves a hole; names index the live entries.
pub(super) struct Slots<T> {
    items: Vec<Option<T>>,
    index: HashMap<String, usize>,
}

pub(super) trait Named {
    fn name(&self) -> &str;
    fn line(&self) -> usize;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
            fn line(&self) -> usize {
                self.line
            }
        }
    )*};
}
named!(
    VpnVserver,
    SessionAction,
    SessionPolicy,
    NamedExpression,
    AaaGroup,
    AaaUser,
    OtherPolicy,
    PatternSet
);

impl<T: Named> Slots<T> {
    pub(super) fn new() -> Slots<T> {
        Slots {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The live entry named `name`: exact, else case-insensitive.
    pub(super) fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied().or_else(|| {
            self.items.iter().position(|item| {
                item.as_ref()
                    .is_some_and(|item| item.name().eq_ignore_ascii_case(name))
            })
        })
    }

    /// Adds `item`, or returns the line of the existing definition of its exact name.
    pub(super) fn insert(&mut self, item: T) -> Result<(), usize> {
        if let Some(existing) = self
            .index
            .get(item.name())
            .and_then(|&i| self.items.get(i))
            .and_then(Option::as_ref)
        {
            return Err(existing.line());
        }
        self.index.insert(item.name().to_owned(), self.items.len());
        self.items.push(Some(item));
        Ok(())
    }

    pub(super) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i).and_then(Option::as_mut)
    }

    pub(super) fn remove(&mut self, i: usize) {
        if let Some(slot) = self.items.get_mut(i)
            && let Some(item) = slot.take()
        {
            self.index.remove(item.name());
        }
    }

    pub(super) fn into_vec(self) -> Vec<T> {
        self.items.into_iter().flatten().collect()
    }
}
